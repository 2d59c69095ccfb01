#pragma once

// FailoverStateStore held in memory, with an injected clock: for unit tests of code that uses a
// store (the manager's monitoring and failover flow), and as the reference semantics that other
// implementations must match. Not thread-safe.

#include "mha/state/failover_state_store.h"

#include <functional>

namespace mha::state {

class MemoryStateStore final : public FailoverStateStore {
 public:
  using Clock = std::function<WallTime()>;
  explicit MemoryStateStore(Clock now = [] { return std::chrono::system_clock::now(); })
      : now_(std::move(now)) {}

  Result<std::optional<StatusSnapshot>> read_status() override;
  Status write_status(const StatusRecord& record) override;
  Status heartbeat() override;
  Status remove_status() override;
  Result<std::optional<WallTime>> marker_time(Marker marker) override;
  Status set_marker(Marker marker) override;
  Status clear_marker(Marker marker) override;
  Status record_failover(const FailoverRecord& record) override;
  Result<std::optional<FailoverRecord>> last_failover() override;

  // How many times write_status() ran (heartbeats do not count): lets tests check that an
  // unchanged status is only heartbeated.
  int writes() const { return writes_; }

 private:
  Clock now_;
  std::optional<StatusSnapshot> status_;
  std::optional<WallTime> complete_;
  std::optional<WallTime> error_;
  std::optional<FailoverRecord> last_;
  int writes_ = 0;
};

}  // namespace mha::state
