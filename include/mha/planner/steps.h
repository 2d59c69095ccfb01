#pragma once

// The typed steps of a failover plan. The planner emits them in execution order; the executor
// (recovery module) runs each one, journalling it before and after, and stops at the first failed
// step unless the step says it may fail (after PromoteNewMaster it still recovers the followers,
// see recovery/executor.h). Steps name servers and deadlines; coordinates that only exist once
// earlier steps ran (the new master's binlog position, the catch-up source's final GTID state)
// are read by the executor at that point, as each step's comment says.
//
// Order (docs/failover.md "The plan"): fence, then bring the new master level (catch-up, its
// relay-log diff, the salvage), then PromoteNewMaster and RunFailoverScript. GTID modes re-point
// every replica before the promotion. File/position mode re-points before it only the followers
// that have nothing to apply (plus one, when the promotion enables semi-sync and none has
// nothing to apply); a follower with a relay-log diff or relay log left to execute is recovered
// and re-pointed after RunFailoverScript, so clients write to the new master while it catches up.
//
// Extending: step_implemented() lets a new step type be planned before the executor runs it (the
// planner refuses a plan holding one). New step types are appended to PlanStep; renderers
// visit every alternative, so the compiler lists the places to update.

#include "mha/planner/position.h"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mha::planner {

// A configured server: its index in the snapshot/config and its "hostname(ip:port)" display name.
struct ServerRef {
  std::size_t index = 0;
  std::string name;
  friend bool operator==(const ServerRef&, const ServerRef&) = default;
};

// STOP SLAVE IO_THREAD on every listed replica, in parallel, and wait until stopped. Failure on a
// server in `may_fail` (ignore_fail=1) is logged and the server dropped from the rest of the plan.
struct StopReplicaIo {
  std::vector<ServerRef> replicas;
  std::vector<ServerRef> may_fail;
  std::chrono::seconds timeout{};
};

enum class FenceCommand { kStop, kStopSsh };  // MHA's --command=stop | stopssh
const char* fence_command_name(FenceCommand c);

// Fence the old master, in this order: master_ip_failover_script --command=<command>, then
// shutdown_script --command=<command> (MHA's arguments; exit 0 ok, 10 proceed with a warning,
// anything else aborts), then, when `try_read_only` and the old master accepts a SQL connection
// within `sql_connect_timeout` (a hung server woke up), SET GLOBAL read_only=1 (super_read_only on
// MySQL) and KILL every client session except replication and our own.
struct FenceOldMaster {
  ServerRef master;
  // The planned new master, passed to master_ip_failover_script as --new_master_host/ip/port
  // beside MHA's stop arguments, so that a script can prepare the start (the sample opens its SSH
  // connection to the new master while the fence runs). A hint only: the plan may still change
  // after ConfirmReceived, and the start names the new master again. Unset: not passed.
  std::optional<ServerRef> new_master;
  FenceCommand command = FenceCommand::kStop;
  std::string ip_failover_script;  // empty: not configured
  std::string shutdown_script;     // empty: not configured
  bool try_read_only = true;
  std::chrono::seconds script_timeout{};
  std::chrono::seconds sql_connect_timeout{};
};

// Re-read SHOW SLAVE STATUS now that IO threads are stopped and compare what each replica has
// received with what the plan was made from. Equal: continue. Different (a hung master sent more
// before it was fenced): the executor takes a fresh snapshot and calls decide_failover() again
// with FailoverPolicy::already_fenced, then runs that plan instead of the rest of this one.
struct ConfirmReceived {
  struct Expected {
    ServerRef replica;
    ReceivedPosition received;
  };
  std::vector<Expected> expected;
};

// Start the SQL thread if it is stopped without error, then wait until the replica has executed
// everything its IO thread received (Read == Exec coordinates, or the GTID equivalent).
// File/position mode with `stop_at` (planner/relay_tail.h: the snapshot showed the relay log
// ending inside a transaction): wait until Exec reaches `stop_at`, the last whole transaction,
// then stop the SQL thread, which rolls the unfinished transaction back; the rest of it comes
// from a relay-log diff or the dead master's binlog, never from this relay log. Without
// `stop_at`, a relay log found ending inside a transaction fails the step at once (kConflict)
// instead of waiting out the timeout.
// With `may_fail` (a file/position follower: neither the new master nor a diff source), a
// failure leaves the replica out of the rest of the plan and reported (exit 10) instead of
// failing the failover.
struct WaitRelayApplied {
  ServerRef replica;
  std::chrono::seconds timeout{};
  std::optional<topology::BinlogPosition> stop_at;
  bool may_fail = false;
};

// GTID modes: make the new master replicate from `source` (a replica that received more) until it
// has everything the source has: CHANGE MASTER TO the source with MASTER_USE_GTID=slave_pos
// (MariaDB) or MASTER_AUTO_POSITION=1 (MySQL), START SLAVE, wait until the new master's executed
// GTID state contains the source's @@gtid_binlog_pos / @@gtid_executed read when the step starts
// (which must contain `target`, what the plan saw the source receive), STOP SLAVE. Needs log-bin
// and log_slave_updates on the source; WaitRelayApplied(source) runs before.
struct CatchUpFromLatest {
  ServerRef new_master;
  ServerRef source;
  ReceivedPosition target;
  std::chrono::seconds timeout{};
};

// File/position mode (issue #5): bring `target`, which has whole transactions up to `from` (master
// coordinates: its Read position, or its Exec position when its relay log ends inside a
// transaction), to `to`, the end of the last whole transaction `source` (a latest replica)
// received, from source's relay logs. The
// executor waits (bounded by `timeout`) until the target executed everything it received, has
// the node helper on source's host write the events after `from` (apply_diff_relay_logs
// --command=generate), relays the file through the manager to the target's host and applies it
// there with mysqlbinlog | mysql (both stages checked; max_allowed_packet raised and read_only
// lifted around it, both restored), then checks the target holds the diff's last transaction.
// A target that is not the new master and fails is left alone and reported as not recovered
// (exit 10), before or after the promotion; the new master failing fails the failover before
// anything is promoted. The source's relay logs must still be there when a follower's diff runs
// after the promotion: a follower source is re-pointed only after the last diff, and a new
// master source keeps its replica configuration until then (PromoteNewMaster.reset_later).
// With `check_only`, nothing is changed: the helper only confirms (--command=find) that
// source's relay logs still hold the events, or the step fails (relay_log_purge=1 may have
// removed them); the planner puts these checks before the first step that changes data.
struct ApplyRelayDiff {
  ServerRef target;
  ServerRef source;
  topology::BinlogPosition from;
  topology::BinlogPosition to;
  bool check_only = false;
  std::chrono::seconds timeout{};
};

// Binlog salvage (issue #5), when the dead master's host answers SSH: run the node helper's
// save_binary_logs there for the events after what `target` has, bring the file to the manager
// and on to `target`'s host, and apply it there with mysqlbinlog | mysql (read_only lifted around
// it), then check that `target` has the last saved transaction. GTID mode: the start is the
// target's GTID state in the dead master's domain, read when the step starts; file/position mode:
// `from`, the master coordinates the target has executed. Best effort: when it cannot be done the
// step is a warning (events only the dead master had may be lost) and the failover goes on with
// what the replicas received, as it must for a dead host.
struct ApplySavedBinlog {
  ServerRef target;
  ServerRef dead_master;
  ReplicationMode mode = ReplicationMode::kMariadbGtid;
  topology::BinlogPosition from;  // file/position mode only
  std::chrono::seconds timeout{};
};

// File/position mode: once the new master has applied everything it gets from the replicas (and
// before the salvaged binlog or any client write), read its SHOW MASTER STATUS; the
// RepointReplica steps use those coordinates. They stay valid after the promotion: every
// re-pointed replica is first brought to exactly the events the new master had at that position
// (its own relay log, plus a relay-log diff when it received less), and whatever the new master
// logs afterwards (salvaged events, client writes) comes after it and is replicated normally.
struct RecordNewMasterPosition {
  ServerRef new_master;
};

enum class RepointMethod {
  kMariadbSlavePos,    // CHANGE MASTER TO ..., MASTER_USE_GTID=slave_pos
  kMysqlAutoPosition,  // CHANGE MASTER TO ..., MASTER_AUTO_POSITION=1
  kFilePosition,       // MASTER_LOG_FILE/POS from RecordNewMasterPosition
};
const char* repoint_method_name(RepointMethod m);

// STOP SLAVE, CHANGE MASTER TO the new master (replication user and other settings kept), START
// SLAVE, then wait until the replica has executed the new master's position read when the step
// starts. With `may_fail` (the planner sets it for every replica, as MHA) a replica that fails
// is left as it is and reported as not recovered (exit code 10) instead of failing the failover.
struct RepointReplica {
  ServerRef replica;
  ServerRef new_master;
  RepointMethod method = RepointMethod::kMariadbSlavePos;
  bool may_fail = false;
  std::chrono::seconds timeout{};
};

// Make the new master a master: STOP SLAVE; RESET SLAVE ALL when `reset_slave_all`; enable the
// semi-sync master plugin variable when `enable_semi_sync_master` (then wait, bounded, for one
// semi-sync replica among those re-pointed so far); SET GLOBAL read_only=0 (and
// super_read_only=0) when `disable_read_only`. With `reset_later`, RESET SLAVE ALL is left to a
// ResetNewMasterReplication step after the followers' relay-log diffs, which read the new
// master's relay logs (RESET SLAVE ALL deletes them); `reset_slave_all` is then false.
struct PromoteNewMaster {
  ServerRef new_master;
  bool reset_slave_all = true;
  bool enable_semi_sync_master = false;
  bool disable_read_only = true;
  bool reset_later = false;
};

// master_ip_failover_script --command=start with MHA's orig/new master arguments (the new master's
// password on stdin, never in argv). Exit 0 ok, 10 proceed with a warning, anything else fails.
struct RunFailoverScript {
  std::string script;
  ServerRef orig_master;
  ServerRef new_master;
  std::chrono::seconds timeout{};
};

// File/position mode, MHA's phase 5 ("new master cleanup"): STOP SLAVE; RESET SLAVE ALL on the
// new master once no relay-log diff needs its relay logs any more (PromoteNewMaster.reset_later).
// The failover is done by then: a failure is a warning naming what to run by hand, not a failed
// failover.
struct ResetNewMasterReplication {
  ServerRef new_master;
};

// report_script with MHA's arguments; its failure is only logged.
struct RunReportScript {
  std::string script;
  ServerRef orig_master;
  ServerRef new_master;
  std::vector<ServerRef> new_slaves;
  std::chrono::seconds timeout{};
};

using PlanStep = std::variant<StopReplicaIo, FenceOldMaster, ConfirmReceived, WaitRelayApplied,
                              CatchUpFromLatest, ApplyRelayDiff, ApplySavedBinlog,
                              RecordNewMasterPosition, RepointReplica, PromoteNewMaster,
                              RunFailoverScript, RunReportScript, ResetNewMasterReplication>;

// Stable snake_case name of the step type ("stop_replica_io", ...), used in journals and JSON.
const char* step_name(const PlanStep& step);

// False for a step type the executor cannot run yet; the planner refuses a plan containing one.
// Every type is implemented today.
bool step_implemented(const PlanStep& step);

// One line describing what the step does with its arguments, as printed by --dry-run.
std::string describe_step(const PlanStep& step);

}  // namespace mha::planner
