#include "mha/state/check_status.h"

#include <nlohmann/json.hpp>

namespace mha::state {
namespace {

std::string join_pids(const std::vector<int>& pids) {
  std::string out;
  for (int pid : pids) {
    if (!out.empty()) out += ' ';
    out += std::to_string(pid);
  }
  return out;
}

std::string master_info(const StatusReport& report) {
  return report.master.empty() ? std::string() : "master:" + report.master;
}

// " master:db1", or "" when the master is not known.
std::string with_space(const std::string& master) { return master.empty() ? master : " " + master; }

std::string check_log(const StatusTextContext& context) {
  return context.log_file.empty() ? std::string() : "Check " + context.log_file + " for details.\n";
}

}  // namespace

StatusReport evaluate_status(const StatusObservation& observed, std::chrono::seconds ping_limit) {
  StatusReport report;
  if (!observed.snapshot) return report;  // kNotRunning
  const StatusSnapshot& snapshot = *observed.snapshot;
  report.pid = snapshot.record.pid;
  report.master = snapshot.record.master;
  report.heartbeat_age =
      std::chrono::duration_cast<std::chrono::milliseconds>(observed.now - snapshot.heartbeat);
  if (!observed.manager_alive) {
    report.leftovers = observed.leftovers;
    report.status =
        observed.leftovers.empty() ? ManagerStatus::kNotRunning : ManagerStatus::kPartiallyRunning;
    return report;
  }
  report.status = snapshot.record.status;
  if (report.status == ManagerStatus::kPingOk && *report.heartbeat_age > ping_limit) {
    report.status = ManagerStatus::kTimestampOld;
  }
  return report;
}

std::string status_text(const StatusReport& report, const StatusTextContext& context) {
  const std::string& app = context.app;
  const std::string label = "(" + status_label(report.status) + ")";
  const std::string master = master_info(report);
  switch (report.status) {
    case ManagerStatus::kPingOk:
      return app + " (pid:" + std::to_string(report.pid) + ") is running" + label +
             (master.empty() ? "" : ", " + master) + "\n";
    case ManagerStatus::kNotRunning:
      return app + " is stopped" + label + ".\n";
    case ManagerStatus::kPartiallyRunning:
      return "Main process is not running, but child process is running on " + app +
             " (child pid: " + join_pids(report.leftovers) + ") " + label +
             ". Check ps output for details and kill it.\n";
    case ManagerStatus::kInitializingMonitor:
      return app + " monitoring program is now on initialization phase" + label +
             ". Wait for a while and try checking again.\n";
    case ManagerStatus::kPingFailing:
    case ManagerStatus::kPingFailed:
      return app + " master maybe down" + label + "." + with_space(master) + "\n" +
             check_log(context);
    case ManagerStatus::kRetryingMonitor:
      return app + " monitoring waits for retrying to monitor master again" + label +
             ". Wait for a while and try checking again.\n";
    case ManagerStatus::kConfigError:
      return app + " servers are not correctly configured" + label + ".\n" + check_log(context);
    case ManagerStatus::kTimestampOld: {
      const long long age_s =
          report.heartbeat_age
              ? std::chrono::duration_cast<std::chrono::seconds>(*report.heartbeat_age).count()
              : 0;
      return context.status_file + " behinds " + std::to_string(age_s) + " seconds!\n" + app +
             " is running, but master_ping.health is too old" + label + ". Maybe process hangs?" +
             with_space(master) + "\n";
    }
    case ManagerStatus::kFailoverRunning:
      return app + " master is down and failover is running" + label + "." + with_space(master) +
             "\n" + check_log(context);
    case ManagerStatus::kFailoverError:
      return app + " master is down and failover was not successful" + label + "." +
             with_space(master) + "\n" + check_log(context);
  }
  return "Unexpected error on " + app + ".\n";
}

std::string status_json(const StatusReport& report, const StatusTextContext& context) {
  std::string text = status_text(report, context);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  nlohmann::json j = {
      {"app", context.app},
      {"status_code", status_code(report.status)},
      {"status", std::string(status_name(report.status))},
      {"pid", nullptr},
      {"master", nullptr},
      {"heartbeat_age_seconds", nullptr},
      {"text", text},
      {"leftover_pids", report.leftovers},
  };
  if (report.pid > 0) j["pid"] = report.pid;
  if (!report.master.empty()) j["master"] = report.master;
  if (report.heartbeat_age) j["heartbeat_age_seconds"] = report.heartbeat_age->count() / 1000.0;
  return j.dump();
}

}  // namespace mha::state
