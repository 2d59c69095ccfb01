#pragma once

// FailoverStateStore: everything a manager persists about one application between runs and
// shares with the admin tools: the status record with its heartbeat, the two failover markers
// and the record of the last failover.
//
// Today the store is a set of files in manager_workdir (FileStateStore, MHA-compatible names and
// formats). It is an interface because several managers will later share this state through
// etcd (leader lease, fencing token); callers must therefore not assume a local file system,
// only the semantics documented here.
//
// Times are wall-clock (system_clock): they are compared with other hosts' clocks and with file
// modification times. Implementations are not thread-safe; one thread of the manager owns a
// store. Every call is bounded (local file operations; a remote store must apply its own timeout).

#include "mha/common/result.h"
#include "mha/state/status_file.h"

#include <chrono>
#include <optional>
#include <string>

namespace mha::state {

using WallTime = std::chrono::system_clock::time_point;

// The status record together with the time it was last written or heartbeated.
struct StatusSnapshot {
  StatusRecord record;
  WallTime heartbeat;  // file mtime
};

enum class Marker {
  kFailoverComplete,  // <app>.failover.complete: its time is the last successful failover
  kFailoverError,     // <app>.failover.error: a failover failed; blocks every later one
};

// What a failover left behind, for the anti-flapping window, the operator and (later) rejoining
// the old master. Stored as JSON next to the markers.
struct FailoverRecord {
  WallTime time;
  std::string old_master;  // "host:port" of the master that was replaced
  std::string new_master;  // "host:port"; empty when none was promoted
  bool success = false;
  std::string detail;  // one line: why it failed, or "" on success

  bool operator==(const FailoverRecord&) const = default;
};

class FailoverStateStore {
 public:
  virtual ~FailoverStateStore() = default;

  // nullopt when there is no status record (no manager, or it exited normally).
  virtual Result<std::optional<StatusSnapshot>> read_status() = 0;

  // Replaces the record atomically (readers see the old or the new record, never a mix) and sets
  // its heartbeat to now.
  virtual Status write_status(const StatusRecord& record) = 0;

  // Sets the heartbeat of the existing record to now without rewriting it. ErrorCode::kNotFound
  // when there is no record (someone removed it): the caller should write_status() again.
  virtual Status heartbeat() = 0;

  // Deletes the record; no record is not an error. Called on normal exit and on SIGTERM.
  virtual Status remove_status() = 0;

  // When the marker was last set; nullopt when it is not set.
  virtual Result<std::optional<WallTime>> marker_time(Marker marker) = 0;
  // Sets the marker (or refreshes its time) to now.
  virtual Status set_marker(Marker marker) = 0;
  // Clears the marker; not set is not an error.
  virtual Status clear_marker(Marker marker) = 0;

  // Saves `record` as the last failover and sets the matching marker: kFailoverComplete on
  // success, kFailoverError otherwise. The record is written before the marker, so a set marker
  // always has its record.
  virtual Status record_failover(const FailoverRecord& record) = 0;
  // The last saved record; nullopt when none was ever saved (or it was cleared).
  virtual Result<std::optional<FailoverRecord>> last_failover() = 0;

  // --ignore_last_failover: clears both markers. The last-failover record is kept for the
  // operator (it no longer blocks anything without its marker).
  Status clear_failover_markers();
};

}  // namespace mha::state
