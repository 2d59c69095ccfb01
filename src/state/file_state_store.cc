#include "mha/state/file_state_store.h"

#include "failover_record_json.h"
#include "file_ops.h"

namespace mha::state {

Result<std::optional<StatusSnapshot>> FileStateStore::read_status() {
  const std::string path = paths_.status_file();
  auto content = internal::read_file(path);
  if (!content) return Unexpected(std::move(content).error());
  if (!*content) return std::optional<StatusSnapshot>();
  auto record = parse_status_line(**content);
  if (!record) {
    Error error = std::move(record).error();
    error.message = path + ": " + error.message;
    return Unexpected(std::move(error));
  }
  auto mtime = internal::modification_time(path);
  if (!mtime) return Unexpected(std::move(mtime).error());
  // Removed between the read and the stat: the manager just exited.
  if (!*mtime) return std::optional<StatusSnapshot>();
  return std::optional<StatusSnapshot>(StatusSnapshot{std::move(*record), **mtime});
}

Status FileStateStore::write_status(const StatusRecord& record) {
  return internal::replace_file(paths_.status_file(), format_status_line(record));
}

Status FileStateStore::heartbeat() { return internal::touch_existing(paths_.status_file()); }

Status FileStateStore::remove_status() { return internal::remove_file(paths_.status_file()); }

std::string FileStateStore::marker_path(Marker marker) const {
  return marker == Marker::kFailoverComplete ? paths_.failover_complete() : paths_.failover_error();
}

Result<std::optional<WallTime>> FileStateStore::marker_time(Marker marker) {
  return internal::modification_time(marker_path(marker));
}

Status FileStateStore::set_marker(Marker marker) {
  // Rewriting (rather than touching) gives a fresh mtime whether or not the file existed.
  return internal::replace_file(marker_path(marker), "");
}

Status FileStateStore::clear_marker(Marker marker) {
  return internal::remove_file(marker_path(marker));
}

Status FileStateStore::record_failover(const FailoverRecord& record) {
  MHA_TRY(
      internal::replace_file(paths_.last_failover(), internal::failover_record_to_json(record)));
  return set_marker(record.success ? Marker::kFailoverComplete : Marker::kFailoverError);
}

Result<std::optional<FailoverRecord>> FileStateStore::last_failover() {
  const std::string path = paths_.last_failover();
  auto content = internal::read_file(path);
  if (!content) return Unexpected(std::move(content).error());
  if (!*content) return std::optional<FailoverRecord>();
  auto record = internal::failover_record_from_json(**content);
  if (!record) return Unexpected(make_error(ErrorCode::kIo, path + ": not a failover record"));
  return std::optional<FailoverRecord>(std::move(*record));
}

}  // namespace mha::state
