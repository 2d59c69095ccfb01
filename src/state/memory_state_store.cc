#include "mha/state/memory_state_store.h"

namespace mha::state {

Result<std::optional<StatusSnapshot>> MemoryStateStore::read_status() { return status_; }

Status MemoryStateStore::write_status(const StatusRecord& record) {
  status_ = StatusSnapshot{record, now_()};
  ++writes_;
  return ok_status();
}

Status MemoryStateStore::heartbeat() {
  if (!status_) return Unexpected(make_error(ErrorCode::kNotFound, "no status record"));
  status_->heartbeat = now_();
  return ok_status();
}

Status MemoryStateStore::remove_status() {
  status_.reset();
  return ok_status();
}

Result<std::optional<WallTime>> MemoryStateStore::marker_time(Marker marker) {
  return marker == Marker::kFailoverComplete ? complete_ : error_;
}

Status MemoryStateStore::set_marker(Marker marker) {
  (marker == Marker::kFailoverComplete ? complete_ : error_) = now_();
  return ok_status();
}

Status MemoryStateStore::clear_marker(Marker marker) {
  (marker == Marker::kFailoverComplete ? complete_ : error_).reset();
  return ok_status();
}

Status MemoryStateStore::record_failover(const FailoverRecord& record) {
  last_ = record;
  return set_marker(record.success ? Marker::kFailoverComplete : Marker::kFailoverError);
}

Result<std::optional<FailoverRecord>> MemoryStateStore::last_failover() { return last_; }

}  // namespace mha::state
