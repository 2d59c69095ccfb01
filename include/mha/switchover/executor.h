#pragma once

// Online switchover, the acting half: gathers what plan.h decides on, then carries a SwitchPlan
// out against the live servers (docs/switchover.md walks through the phases).
//
//   1. (optional) FLUSH NO_WRITE_TO_BINLOG TABLES on the master, to shorten the later lock.
//   2. master_ip_online_change_script --command=stop (MHA's arguments; the two passwords on
//      stdin, one line each: the old master's, then the new master's). Exit 0 or 10 proceeds.
//   3. Writes blocked on the master: read_only=ON (+ super_read_only where it exists), every
//      remaining application session killed (replication threads and ours are kept), then
//      FLUSH TABLES WITH READ LOCK unless skip_lock_all_tables (then two equal SHOW MASTER
//      STATUS 200 ms apart are required). The master's final binlog position and GTID state are
//      read under the lock.
//   4. The new master's SQL thread must reach that position within catchup_timeout; then STOP
//      SLAVE on it and read its own binlog position.
//   5. The new master becomes writable (read_only=OFF): the write-block window ends here.
//      --command=start runs, then RESET SLAVE ALL on it (unless skip_reset_slave).
//   6. Every other replica waits for the master's final position, then is re-pointed at the
//      new master (GTID, or the new master's file/position). UNLOCK TABLES on the old master
//      (it stays read_only). With orig_master_is_new_slave it replicates from the new master.
//
// Rollback: a failure in steps 2-4 (before the new master takes writes) undoes what was done:
// START SLAVE on the new master, UNLOCK TABLES and read_only=OFF on the old master (when it was
// writable before), and, when --command=stop had run, the script again with --command=start and
// the roles swapped (--new_master_* naming the old master) so the service address returns.
// Replicas are never touched before step 5.
//
// Exit codes (Outcome::exit_code): 0 switched; 10 switched but a replica (or the old master as a
// new replica, or --command=start) failed; 1 refused, failed before switching (rolled back), or
// the rollback itself failed (the summary says what is left).
//
// Timeouts: every connection uses Timeouts (read timeout raised above catchup_timeout); every
// wait is bounded; scripts are killed after script_timeout. Passwords never reach argv or logs.

#include "mha/config/config.h"
#include "mha/hooks/process.h"
#include "mha/mysql/sql_session.h"
#include "mha/switchover/plan.h"
#include "mha/topology/cluster_snapshot.h"

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mha::switchover {

struct Observed {
  topology::ClusterSnapshot snapshot;
  std::map<std::size_t, std::vector<ProcessInfo>> processes;
  std::map<std::size_t, std::set<uint64_t>> own_sessions;
  std::optional<uint64_t> monitor_lock_holder;
  std::vector<std::string> warnings;  // what could not be read (never a password)
};

// observe::observe_cluster, then the process list of every alive server and the monitor lock on
// the derived master.
Observed observe(const config::AppConfig& config, mysql::SqlConnector& connector,
                 const mysql::Timeouts& timeouts);

// The PlanInput for `observed` (which must outlive it).
PlanInput plan_input(const Observed& observed, const config::AppConfig& config, int manager_pid);

struct ExecOptions {
  bool flush_tables = false;
  bool skip_lock_all_tables = false;
  std::chrono::seconds catchup_timeout{30};  // new master / replicas reaching the final position
  std::chrono::seconds script_timeout{60};
  mysql::Timeouts timeouts;
};

struct Outcome {
  int exit_code = 1;
  bool switched = false;                    // the new master takes writes
  bool rolled_back = false;                 // failed before switching and everything was undone
  std::string summary;                      // one line
  std::optional<long long> write_block_ms;  // read_only on the old master -> new master writable
  // From --command=stop (the service address leaves the old master) until --command=start
  // finished (it points at the new master): what clients of the address see at most.
  std::optional<long long> service_gap_ms;
  long long total_ms = 0;
  std::vector<std::string> steps;     // what was done, in order
  std::vector<std::string> warnings;  // partial failures after the switch
};

// Runs the plan. Logs each step through mha::log. Never throws.
Outcome execute(const config::AppConfig& config, const topology::ClusterSnapshot& snapshot,
                const SwitchPlan& plan, mysql::SqlConnector& connector,
                hooks::ProcessRunner& runner, const ExecOptions& options);

// One JSON object (single line) describing the outcome, for the report file and the log.
std::string report_json(const config::AppConfig& config, const topology::ClusterSnapshot& snapshot,
                        const SwitchPlan& plan, const Outcome& outcome);

}  // namespace mha::switchover
