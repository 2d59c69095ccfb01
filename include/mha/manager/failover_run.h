#pragma once

// run_failover(): the act part of a failover, after detection declared the master dead (or an
// operator said so): observe the cluster, decide (planner::decide_failover), execute the plan
// (recovery::Executor, re-planning when the replicas' received positions moved after fencing),
// and leave the record an operator and the next run need:
//
//   <workdir>/<app>.failover.decision.json  the decision record (inputs, rule, candidates, plan)
//   <workdir>/<app>.failover.journal        one JSON line per step started / finished
//   <workdir>/<app>.failover.report.json    result, per-phase timings, steps, warnings
//   .failover.complete / .failover.error    through the FailoverStateStore (MHA's markers)
//
// Exit codes (MHA's): 0 the failover succeeded; 10 it succeeded but some replica could not be
// recovered (left out with ignore_fail=1, or its re-point failed: every RepointReplica runs as
// may_fail, whatever ignore_fail says; docs/manager.md "Exit code 10"); 1 it was refused or
// failed. A refusal changes nothing on any server and sets no
// marker; a failed step sets .failover.error, which blocks every later failover until an
// operator clears it (--ignore_last_failover), as MHA does.
//
// Dry run: decides and prints the plan (planner::render_text) to `dry_run_out`, touches nothing.
//
// Thread-compatible; needs a live mysql::MysqlLibrary on the calling thread.

#include "mha/config/config.h"
#include "mha/hooks/process.h"
#include "mha/mysql/sql_session.h"
#include "mha/observe/ssh_probe.h"
#include "mha/planner/decision.h"
#include "mha/state/failover_state_store.h"

#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mha::manager {

// Command-line switches of a failover (masterha_manager and masterha_master_switch --dead).
struct FailoverSwitches {
  int last_failover_minute = 480;
  bool ignore_last_failover = false;
  bool remove_dead_master_conf = false;
  bool skip_change_master = false;
  bool skip_disable_read_only = false;
  bool skip_save_master_binlog = false;
  std::string new_master_host;  // empty: elect
  int new_master_port = 0;      // 0: the port of the configured server named by the host
  bool dry_run = false;
};

// What detection knew when it declared the master dead. Times are steady-clock, for the report's
// detect/confirm phases; absent when not known (manual failover).
struct DetectionFacts {
  std::string master_host;  // the dead master as configured (hostname)
  int master_port = 3306;
  bool master_dead = true;   // detection agreed; false with assume_dead for dry runs
  bool assume_dead = false;  // take the snapshot's master as dead (dry run, manual failover)
  // Dry runs only: plan as if a master that still answers SQL had died now (masterha_manager
  // --dry-run). Without it a living master gives "no failover", as a real run would.
  bool hypothetical = false;
  std::optional<bool> ssh_reachable;
  std::string summary;  // the evidence in one line
  std::optional<std::chrono::steady_clock::time_point> last_ok_ping;
  std::optional<std::chrono::steady_clock::time_point> first_failed_ping;
  std::optional<std::chrono::steady_clock::time_point> declared_dead;
};

struct FailoverEnv {
  const config::AppConfig* config = nullptr;
  mysql::SqlConnector* sql = nullptr;
  hooks::ProcessRunner* runner = nullptr;
  state::FailoverStateStore* store = nullptr;
  std::ostream* dry_run_out = nullptr;  // where --dry-run prints; required for dry runs
  // SSH to the hosts (binlog salvage); null: salvage is skipped with a warning.
  observe::ExecSource* ssh = nullptr;
  std::string ssh_home;  // for default keys and known_hosts
  // --remove_dead_master_conf: removes the named [serverN] block from the configuration file.
  std::function<Status(const std::string& block)> remove_server_block;
};

struct FailoverResult {
  int exit_code = 1;
  bool refused = false;    // decided not to act (nothing was changed)
  bool executed = false;   // steps ran (successfully or not)
  std::string new_master;  // display name, when one was promoted
  std::string summary;     // one line for the log / status
  // Phase durations in milliseconds, as in the report ("detect", "confirm", "fence", "catch_up",
  // "promote", "repoint", "vip", "report", "total"); -1 where unknown.
  std::vector<std::pair<std::string, long long>> phases_ms;
};

FailoverResult run_failover(const FailoverEnv& env, const DetectionFacts& detection,
                            const FailoverSwitches& switches);

// <workdir>/<app>.failover.decision.json and <workdir>/<app>.failover.report.json
std::string decision_record_path(const config::AppConfig& config);
std::string failover_report_path(const config::AppConfig& config);

}  // namespace mha::manager
