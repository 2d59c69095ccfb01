#pragma once

// The manager's status codes as MHA 0.58 defines them (ManagerConst.pm). The numeric value is
// also masterha_check_status's exit code, so the values are part of the external contract and
// must never change. The status file stores them as "CODE:NAME" labels ("0:PING_OK").

#include <optional>
#include <string>
#include <string_view>

namespace mha::state {

enum class ManagerStatus {
  kPingOk = 0,
  kNotRunning = 2,
  kPartiallyRunning = 3,
  kInitializingMonitor = 10,
  kPingFailing = 20,
  kPingFailed = 21,
  kRetryingMonitor = 30,
  kConfigError = 31,
  kTimestampOld = 32,
  kFailoverRunning = 50,
  kFailoverError = 51,
};

// "PING_OK", "NOT_RUNNING", ...
std::string_view status_name(ManagerStatus status);

// The numeric code, e.g. 50 for kFailoverRunning.
int status_code(ManagerStatus status);

// "CODE:NAME", e.g. "50:FAILOVER_RUNNING", as written in the status file and printed by
// masterha_check_status.
std::string status_label(ManagerStatus status);

// Inverse of status_label(). Both parts must match one known status exactly.
std::optional<ManagerStatus> parse_status_label(std::string_view label);

}  // namespace mha::state
