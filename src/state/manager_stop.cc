#include "mha/state/manager_stop.h"

#include <thread>

#include <signal.h>

namespace mha::state {
namespace {

bool same_process(const std::optional<ProcessInfo>& now, const ProcessInfo& before) {
  return now && now->pid == before.pid && now->start_ticks == before.start_ticks &&
         now->is_manager();
}

Status send(const StopPlan& plan, int signal, ProcessControl& control) {
  return plan.pgid ? control.signal_group(*plan.pgid, signal)
                   : control.signal_process(plan.pid, signal);
}

}  // namespace

StopPlan decide_stop(const std::optional<StatusRecord>& status,
                     const std::optional<ProcessInfo>& process, const std::vector<int>& leftovers,
                     bool abort) {
  StopPlan plan;
  if (!status) return plan;  // kNotRunning
  plan.pid = status->pid;
  if (!process) {
    plan.action = leftovers.empty() ? StopAction::kNotRunning : StopAction::kRefuseLeftovers;
    return plan;
  }
  if (!process->is_manager()) {
    plan.action = StopAction::kRefuseNotManager;
    return plan;
  }
  plan.failover_running = status->status == ManagerStatus::kFailoverRunning;
  if (plan.failover_running && !abort) {
    plan.action = StopAction::kRefuseFailover;
    return plan;
  }
  plan.action = StopAction::kSignal;
  if (process->pgid == process->pid) plan.pgid = process->pgid;
  return plan;
}

StopOutcome stop_manager(const StopPlan& plan, const std::optional<ProcessInfo>& process,
                         const StopSettings& settings, ProcessControl& control) {
  const std::string& app = settings.app;
  const std::string pid = std::to_string(plan.pid);
  const std::string failed = "Failed to stop " + app + ".\n";
  StopOutcome outcome;
  switch (plan.action) {
    case StopAction::kNotRunning:
      outcome.exit_code = 0;
      outcome.out = "MHA Manager is not running on " + app + "(" +
                    status_label(ManagerStatus::kNotRunning) + ").\n";
      return outcome;
    case StopAction::kRefuseFailover:
      outcome.out = "Currently Failover is running on " + app + ". Should not stop.\n";
      return outcome;
    case StopAction::kRefuseNotManager:
      outcome.out = "Process " + pid + " in the status file of " + app + " is not a " +
                    kManagerProgram + " (it runs '" + (process ? process->comm : "") +
                    "'): the status file is stale. Not signalling it.\n" + failed;
      return outcome;
    case StopAction::kRefuseLeftovers:
      outcome.out = "Main process " + pid + " is not running, but processes of its group are on " +
                    app + " (" + status_label(ManagerStatus::kPartiallyRunning) +
                    "). Check ps output for details and kill them.\n" + failed;
      return outcome;
    case StopAction::kSignal:
      break;
  }
  if (!process) {  // a kSignal plan always comes with the process it was decided on
    outcome.out = failed;
    return outcome;
  }
  if (!same_process(control.inspect(plan.pid), *process)) {
    outcome.exit_code = 0;
    outcome.out = "Stopped " + app + " successfully.\n";
    return outcome;
  }
  if (Status sent = send(plan, SIGTERM, control); !sent) {
    outcome.out = sent.error().message + "\n" + failed;
    return outcome;
  }
  const auto deadline = std::chrono::steady_clock::now() + settings.abort_timeout;
  while (true) {
    if (!same_process(control.inspect(plan.pid), *process)) {
      outcome.exit_code = 0;
      outcome.out = "Stopped " + app + " successfully.\n";
      return outcome;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(settings.poll_interval);
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(settings.abort_timeout);
  outcome.out = "Manager process " + pid + " didn't stop in " + std::to_string(seconds.count()) +
                " seconds.\n";
  if (settings.abort) {
    // Re-checked right before SIGKILL: the manager may have exited in the meantime.
    if (!same_process(control.inspect(plan.pid), *process)) {
      outcome.exit_code = 0;
      outcome.out += "Stopped " + app + " successfully.\n";
      return outcome;
    }
    if (Status sent = send(plan, SIGKILL, control); sent) {
      outcome.exit_code = 0;
      outcome.killed_during_failover = plan.failover_running;
      outcome.out += "Forced stopped " + app + ".\n";
      return outcome;
    } else {
      outcome.out += sent.error().message + "\n";
    }
  }
  outcome.out += failed;
  return outcome;
}

}  // namespace mha::state
