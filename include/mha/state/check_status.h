#pragma once

// masterha_check_status's decision and output (MHA 0.58 ManagerAdmin.pm `check_status`), as pure
// functions over what the caller observed, so every rule is unit-tested without processes:
//
//   no status record                          -> NOT_RUNNING (2)
//   PID not running (or not a masterha_manager,
//     i.e. a stale file whose PID was reused) -> PARTIALLY_RUNNING (3) if processes of the
//                                                manager are left, else NOT_RUNNING (2)
//   PING_OK older than ping_limit             -> TIMESTAMP_OLD (32)
//   otherwise                                 -> the recorded status
//
// The exit code is the numeric status (status_code()).

#include "mha/state/failover_state_store.h"
#include "mha/state/manager_status.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace mha::state {

struct StatusObservation {
  std::optional<StatusSnapshot> snapshot;  // nullopt: no status file
  WallTime now;
  bool manager_alive = false;  // snapshot's PID is a running masterha_manager
  std::vector<int> leftovers;  // ProcessControl::leftover_processes(PID) when it is not
};

struct StatusReport {
  ManagerStatus status = ManagerStatus::kNotRunning;
  int pid = 0;         // 0 when there was no record
  std::string master;  // host, "" when unknown
  // now - heartbeat, when there was a record.
  std::optional<std::chrono::milliseconds> heartbeat_age;
  std::vector<int> leftovers;  // PARTIALLY_RUNNING only
};

StatusReport evaluate_status(const StatusObservation& observed, std::chrono::seconds ping_limit);

// Where the output names files.
struct StatusTextContext {
  std::string app;          // "app1"
  std::string status_file;  // for TIMESTAMP_OLD's "<file> behinds N seconds!" line
  std::string log_file;     // "" = no "Check <log> for details." line
};

// MHA's lines for `report`, each ending in '\n', e.g.
//   "app1 (pid:4711) is running(0:PING_OK), master:db1\n".
std::string status_text(const StatusReport& report, const StatusTextContext& context);

// One JSON object (no newline): {"app", "status_code", "status", "pid", "master",
// "heartbeat_age_seconds", "text", "leftover_pids"}; pid/master/heartbeat_age_seconds are null
// when unknown; text is status_text() without its final newline.
std::string status_json(const StatusReport& report, const StatusTextContext& context);

}  // namespace mha::state
