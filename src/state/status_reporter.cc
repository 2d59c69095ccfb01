#include "mha/state/status_reporter.h"

namespace mha::state {

Status StatusReporter::report(ManagerStatus status) {
  const StatusRecord record{pid_, status, master_};
  if (published_ == record) {
    Status touched = store_.heartbeat();
    if (touched || touched.error().code != ErrorCode::kNotFound) return touched;
    // The record vanished under us: publish it again below.
  }
  MHA_TRY(store_.write_status(record));
  published_ = record;
  return ok_status();
}

Status StatusReporter::remove() {
  published_.reset();
  return store_.remove_status();
}

}  // namespace mha::state
