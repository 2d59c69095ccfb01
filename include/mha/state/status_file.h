#pragma once

// The status file of one application and the paths of its other state files.
//
// Format (MHA 0.58, FileStatus.pm): one line, no trailing newline,
//   PID<TAB>CODE:NAME[<TAB>master:<host>]
// e.g. "4711\t0:PING_OK\tmaster:db1". Readers accept a trailing newline and a third field without
// the "master:" prefix (taken as the host as is). Pure functions; no I/O.

#include "mha/common/result.h"
#include "mha/state/manager_status.h"

#include <string>
#include <string_view>

namespace mha::state {

struct StatusRecord {
  int pid = 0;  // the masterha_manager process that wrote the record
  ManagerStatus status = ManagerStatus::kInitializingMonitor;
  std::string master;  // current master's host name; empty: not known yet (field omitted)

  bool operator==(const StatusRecord&) const = default;
};

std::string format_status_line(const StatusRecord& record);

// ErrorCode::kIo naming what is wrong ("no PID", "unknown status '7:FOO'") when `line` is not a
// status line. The message does not contain the file name; callers add it.
Result<StatusRecord> parse_status_line(std::string_view line);

// Where the state files of application `app` live under the manager's work directory.
struct StatePaths {
  std::string workdir;  // manager_workdir (or --status_dir)
  std::string app;      // conf basename without extension, e.g. "app1"

  std::string status_file() const;        // <workdir>/<app>.master_status.health
  std::string failover_complete() const;  // <workdir>/<app>.failover.complete
  std::string failover_error() const;     // <workdir>/<app>.failover.error
  std::string last_failover() const;      // <workdir>/<app>.failover.last.json (not in MHA)
};

}  // namespace mha::state
