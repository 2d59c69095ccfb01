#pragma once

// masterha_check_repl's verdict as a pure function of what was observed.
//
// The CLI gathers a ClusterSnapshot (mysql/ssh modules), runs the status scripts itself and passes
// their outcome in; this module only decides. No I/O, no clock, no logging: every finding comes
// back as a Check in the report. Thread-compatible (no shared state).
//
// Semantics follow MHA 0.58's start-up checks (reference mha.md §6.1) plus the checks MHA lacks
// (errant GTIDs, server_id uniqueness, semi-sync, failure-detection timing, data-loss risk). Each
// check's name, severity rule and remedy are listed in docs/checks.md.

#include "mha/checks/check_report.h"
#include "mha/config/config.h"
#include "mha/topology/cluster_snapshot.h"

#include <optional>
#include <string>

namespace mha::checks {

// Outcome of running `<script> --command=status`.
struct ScriptResult {
  std::optional<int> exit_code;  // absent: the script could not be run (see `error`)
  std::string error;             // why it could not be run / timed out; never holds secrets
};

struct CheckOptions {
  // --seconds_behind_master: a replica lagging more than this fails replication_running.
  int seconds_behind_master = 30;
  // --ignore_fail_on_start: dead or failed servers with ignore_fail=1 become warnings.
  bool ignore_fail_on_start = false;
  // --skip_ssh_check: SSH reachability and the node helper are not judged.
  bool skip_ssh = false;
  // Results of master_ip_failover_script / shutdown_script --command=status. Ignored when the
  // script is not configured (that is a warning); when it is configured and this is absent the
  // check fails, because an unverified fencing hook is worse than none.
  std::optional<ScriptResult> master_ip_failover_status;
  std::optional<ScriptResult> shutdown_status;
  // A replica whose IO thread needs longer than this to notice a hung master is a warning.
  int max_detection_seconds = 30;
};

CheckReport run_replication_checks(const topology::ClusterSnapshot& snapshot,
                                   const config::AppConfig& config, const CheckOptions& options);

}  // namespace mha::checks
