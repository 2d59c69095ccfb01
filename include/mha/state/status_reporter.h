#pragma once

// StatusReporter: how the manager publishes its status. A changed status (or master) rewrites
// the record; an unchanged one only refreshes the heartbeat, as MHA does, so the file's mtime
// shows the manager is alive (masterha_check_status reports TIMESTAMP_OLD when it goes stale).
// If the record vanished (someone deleted the file) it is written again.
//
// Not thread-safe; the store must outlive the reporter.

#include "mha/state/failover_state_store.h"

namespace mha::state {

class StatusReporter {
 public:
  StatusReporter(FailoverStateStore& store, int pid) : store_(store), pid_(pid) {}

  // The master host shown with the status from now on ("" = not known).
  void set_master(std::string master) { master_ = std::move(master); }

  // Publishes `status`: a write when it differs from the last one published, else a heartbeat.
  Status report(ManagerStatus status);

  // Removes the record (normal exit, SIGTERM); the next report() writes it again.
  Status remove();

 private:
  FailoverStateStore& store_;
  int pid_;
  std::string master_;
  std::optional<StatusRecord> published_;
};

}  // namespace mha::state
