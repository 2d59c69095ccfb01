#pragma once

// Online switchover (masterha_master_switch --master_state=alive), the deciding half: from what
// was observed (a ClusterSnapshot, the process lists, the manager's lock and pid) and the
// operator's options, either the reasons to refuse or a plan. Pure: no I/O, no clock, no logging
// (mha_switchover_plan links neither libmariadb nor libssh2). The executor (executor.h) gathers
// the inputs and carries the plan out.
//
// Refusals (every one found is returned, in this order, each a single line naming the server):
//   - a configured server is not alive (MHA: no ignore_fail for a switchover);
//   - no single current master can be derived;
//   - a replica of the master is not replicating from it, or its IO/SQL thread is stopped, or it
//     lags more than seconds_behind_master (or the lag is unknown);
//   - the requested new master is unknown, is the current master, has no_master=1, has no
//     binary log, or no replica qualifies when none was requested;
//   - the new master has transactions the master lacks (errant GTIDs);
//   - replication filters differ between the replicas (replicate_*), or binlog filters
//     (binlog_do_db / binlog_ignore_db) between the master and a replica with a binary log,
//     always (MHA 0.58 refuses a switch on differing filters whatever check_repl_filter says);
//   - a statement other than SELECT/SHOW has run for more than running_updates_limit seconds on
//     the master, or any non-sleeping session for more than running_seconds_limit on the new
//     master (replication and our own sessions excepted);
//   - a masterha_manager / MHA manager is running (its pid, or the monitor advisory lock held);
//   - repl_password is not configured (every replica gets a CHANGE MASTER with credentials).

#include "mha/topology/cluster_snapshot.h"
#include "mha/topology/sessions.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mha::switchover {

// One row of SHOW FULL PROCESSLIST (topology/sessions.h holds the application-session rule).
using ProcessInfo = topology::ProcessInfo;

struct PlanOptions {
  std::string new_master_host;  // empty: elect
  int new_master_port = 3306;
  int seconds_behind_master = 30;  // MHA 0.58 (reference mha.md §1.1)
  int running_updates_limit = 1;   // seconds
  int running_seconds_limit = 10;  // seconds
  bool orig_master_is_new_slave = false;
};

struct PlanInput {
  const topology::ClusterSnapshot* snapshot = nullptr;
  // SHOW FULL PROCESSLIST per config index (absent: not read; the limits are then unchecked and
  // the plan says so in notes).
  std::map<std::size_t, std::vector<ProcessInfo>> processes;
  // Our own sessions' ids per config index, never counted as long-running.
  std::map<std::size_t, std::set<uint64_t>> own_sessions;
  int manager_pid = 0;  // a live masterha_manager of this application (from its status file)
  std::optional<uint64_t> monitor_lock_holder;  // IS_USED_LOCK(monitor lock) on the master
  bool repl_password_configured = false;
};

struct SwitchPlan {
  std::size_t orig_master = 0;
  std::size_t new_master = 0;
  std::vector<std::size_t> replicas;  // the other replicas of orig_master, to re-point
  bool gtid = false;                  // every replica uses GTID: re-point by GTID, else by file/pos
  bool orig_master_is_new_slave = false;
  // Keep the cluster's semi-sync guarantee (topology::wants_semi_sync_master: the old master had
  // the master side on, or a follower the replica side): the new master turns the master side on
  // and accepts no application write before a semi-sync replica is connected to it; the old
  // master, when it becomes a replica, turns the master side off and the replica side on.
  bool semi_sync = false;
  // Followers expected to register as semi-sync replicas of the new master (replicas with the
  // replica side on, plus the old master with orig_master_is_new_slave). 0: nothing to wait for.
  int semi_sync_followers = 0;
  std::vector<std::string> notes;  // informational lines for the plan printout
};

struct Decision {
  std::optional<SwitchPlan> plan;     // set when refusals is empty
  std::vector<std::string> refusals;  // each a complete sentence without a trailing newline
};

// The lock MHA's monitor holds on the master (and masterha_manager's pinger).
inline constexpr const char* kMonitorLockName = "MHA_Master_High_Availability_Monitor";

Decision decide(const PlanInput& input, const PlanOptions& options);

// True for sessions the limits ignore: everything topology::is_application_session() rejects,
// and sleeping application sessions.
bool is_background_session(const ProcessInfo& p);
// True for a statement that only reads (starts with SELECT or SHOW, case-insensitive).
bool is_read_statement(const std::string& info);

// The ASCII plan as printed before the switch ("From: ... To: ..."), one line per server.
std::string render(const topology::ClusterSnapshot& snapshot, const SwitchPlan& plan);

}  // namespace mha::switchover
