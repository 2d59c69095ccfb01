#include "mha/state/manager_status.h"

#include <array>
#include <utility>

namespace mha::state {
namespace {

constexpr std::array<std::pair<ManagerStatus, std::string_view>, 11> kNames = {{
    {ManagerStatus::kPingOk, "PING_OK"},
    {ManagerStatus::kNotRunning, "NOT_RUNNING"},
    {ManagerStatus::kPartiallyRunning, "PARTIALLY_RUNNING"},
    {ManagerStatus::kInitializingMonitor, "INITIALIZING_MONITOR"},
    {ManagerStatus::kPingFailing, "PING_FAILING"},
    {ManagerStatus::kPingFailed, "PING_FAILED"},
    {ManagerStatus::kRetryingMonitor, "RETRYING_MONITOR"},
    {ManagerStatus::kConfigError, "CONFIG_ERROR"},
    {ManagerStatus::kTimestampOld, "TIMESTAMP_OLD"},
    {ManagerStatus::kFailoverRunning, "FAILOVER_RUNNING"},
    {ManagerStatus::kFailoverError, "FAILOVER_ERROR"},
}};

}  // namespace

std::string_view status_name(ManagerStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "UNKNOWN";
}

int status_code(ManagerStatus status) { return static_cast<int>(status); }

std::string status_label(ManagerStatus status) {
  return std::to_string(status_code(status)) + ":" + std::string(status_name(status));
}

std::optional<ManagerStatus> parse_status_label(std::string_view label) {
  for (const auto& [value, name] : kNames) {
    if (label == status_label(value)) return value;
  }
  return std::nullopt;
}

}  // namespace mha::state
