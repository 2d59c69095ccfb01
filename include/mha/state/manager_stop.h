#pragma once

// masterha_stop (MHA 0.58 ManagerAdmin.pm `stop_manager`), with one rule MHA lacks: a process is
// signalled only when it is verifiably a masterha_manager, and the same one (pid and start time)
// as when the decision was taken, so a stale status file never kills an unrelated process.
//
// decide_stop() is pure; stop_manager() carries the plan out through ProcessControl.

#include "mha/state/check_status.h"
#include "mha/state/process_control.h"

#include <chrono>
#include <optional>
#include <string>

namespace mha::state {

enum class StopAction {
  kNotRunning,      // nothing to stop: "MHA Manager is not running on app1(2:NOT_RUNNING)." exit 0
  kRefuseFailover,  // FAILOVER_RUNNING without --abort: exit 1
  kRefuseNotManager,  // the PID runs, but it is not a masterha_manager: exit 1, nothing signalled
  kRefuseLeftovers,   // the manager is gone but its processes are not: exit 1, nothing signalled
  kSignal,            // SIGTERM, wait, maybe SIGKILL
};

struct StopPlan {
  StopAction action = StopAction::kNotRunning;
  int pid = 0;
  // kSignal: the process group to signal (the manager leads its own group, as MHA's setpgrp
  // makes it) or nullopt: signal only the PID, because its group is someone else's (e.g. a
  // shell script's) and must not be hit.
  std::optional<int> pgid;
  bool failover_running = false;  // the status was FAILOVER_RUNNING (only with --abort)
};

// `status`: the record as read (nullopt: none). `process`: inspect(record.pid).
// `leftovers`: leftover_processes(record.pid) when the process is gone.
StopPlan decide_stop(const std::optional<StatusRecord>& status,
                     const std::optional<ProcessInfo>& process, const std::vector<int>& leftovers,
                     bool abort);

struct StopSettings {
  std::string app;
  bool abort = false;
  std::chrono::milliseconds abort_timeout{5000};
  std::chrono::milliseconds poll_interval{100};
};

struct StopOutcome {
  int exit_code = 1;
  std::string out;  // MHA's lines, each ending in '\n'
  // True when the manager was SIGKILLed while its status was FAILOVER_RUNNING: the failover was
  // cut short without writing .failover.error, so the caller must set that marker.
  bool killed_during_failover = false;
};

// Executes `plan`: SIGTERM, then polls inspect() every poll_interval until the process is gone
// or abort_timeout passed; then SIGKILL if settings.abort. Before each signal it re-inspects the
// PID and signals nothing if it is no longer the same manager process.
StopOutcome stop_manager(const StopPlan& plan, const std::optional<ProcessInfo>& process,
                         const StopSettings& settings, ProcessControl& control);

}  // namespace mha::state
