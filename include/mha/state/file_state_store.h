#pragma once

// FailoverStateStore on the local file system, in MHA 0.58's layout (see StatePaths):
//   <workdir>/<app>.master_status.health   status line (status_file.h), mtime = heartbeat
//   <workdir>/<app>.failover.complete      empty file, mtime = last successful failover
//   <workdir>/<app>.failover.error         empty file, present = last failover failed
//   <workdir>/<app>.failover.last.json     FailoverRecord (not in MHA)
//
// Files are replaced by writing a temporary file in the same directory and renaming it over the
// old one, so a reader (masterha_check_status, or MHA's own) never sees a half-written line. The
// work directory must exist; it is not created. Errors are ErrorCode::kIo with the path and
// strerror, `detail` = errno.

#include "mha/state/failover_state_store.h"

namespace mha::state {

class FileStateStore final : public FailoverStateStore {
 public:
  explicit FileStateStore(StatePaths paths) : paths_(std::move(paths)) {}

  const StatePaths& paths() const { return paths_; }

  Result<std::optional<StatusSnapshot>> read_status() override;
  Status write_status(const StatusRecord& record) override;
  Status heartbeat() override;
  Status remove_status() override;
  Result<std::optional<WallTime>> marker_time(Marker marker) override;
  Status set_marker(Marker marker) override;
  Status clear_marker(Marker marker) override;
  Status record_failover(const FailoverRecord& record) override;
  Result<std::optional<FailoverRecord>> last_failover() override;

 private:
  std::string marker_path(Marker marker) const;

  StatePaths paths_;
};

}  // namespace mha::state
