#pragma once

// ReplicaPoller: a low-rate background read of every replica's replication status while the
// monitor watches a healthy master, for the replica metrics (docs/metrics.md) and for log lines
// when a replica stops replicating. Detection never reads it: MasterHealth asks for replica
// evidence through EvidenceCollector only when pings fail.
//
// Each round opens a fresh connection to each replica (connect/read/write timeouts from
// ReplicaPollSettings), runs SHOW SLAVE STATUS (SHOW REPLICA STATUS on MySQL 8.4, see
// mysql::Dialect::show_replica_status_any_version) and closes it. A replica whose previous poll
// is still running is skipped for that round, so a replica that hangs costs at most one worker
// thread at a time, bounded by the timeouts.
//
// tick() and take_finished() never wait: the monitor calls them from its loop between pings.
// The destructor waits for running polls (each bounded by the timeouts, a few seconds).
//
// Thread safety: tick()/take_finished() from one thread. The SqlConnector is used from worker
// threads and must allow that (MysqlConnector does).

#include "mha/health/evidence.h"
#include "mha/mysql/endpoint.h"
#include "mha/mysql/sql_session.h"
#include "mha/topology/replica_status.h"

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <vector>

namespace mha::manager {

struct ReplicaPollTarget {
  std::string host;  // the metric label: "hostname:port" from the configuration
  mysql::Endpoint sql;
  mysql::Credentials credentials;
};

// What one poll saw.
struct ReplicaSample {
  std::string host;
  bool up = false;           // connected and read the replica status
  bool replicating = false;  // the default channel exists (the server is configured as a replica)
  bool io_running = false;   // Slave_IO_Running = Yes ("Connecting" is not running)
  bool sql_running = false;  // Slave_SQL_Running = Yes
  // Seconds_Behind_Master as reported; absent when the server reports NULL (a thread stopped),
  // when it is not a replica, or when it did not answer.
  std::optional<int64_t> lag_seconds;
  std::string error;  // why up is false (connect or query error; never a password)
};

// The value of masterha_replica_lag_seconds: the lag, or NaN when there is none.
double lag_metric_value(const ReplicaSample& sample);

// The sample for rows of SHOW SLAVE STATUS (up = true); only the default channel counts.
ReplicaSample sample_from_status(std::string host,
                                 const std::vector<topology::ReplicaStatus>& rows);

// max(ping_interval, 5 s): the poll is for dashboards, not detection, and should not add load.
std::chrono::milliseconds replica_poll_interval(std::chrono::milliseconds ping_interval);

// Tries the statements in order (mysql::Dialect::show_replica_status_any_version), starting at
// `*first`, until one runs; parses it. On success `*first` is the index that worked, so the next
// poll starts there. The last error otherwise.
Result<std::vector<topology::ReplicaStatus>> read_replica_status(mysql::SqlSession& session,
                                                                 std::size_t* first = nullptr);

// One poll: connect, read, close. Bounded by `timeouts`.
ReplicaSample poll_replica(mysql::SqlConnector& sql, const ReplicaPollTarget& target,
                           const mysql::Timeouts& timeouts, std::size_t* first_statement);

struct ReplicaPollSettings {
  std::chrono::milliseconds interval{5000};
  mysql::Timeouts timeouts{std::chrono::seconds(2), std::chrono::seconds(2),
                           std::chrono::seconds(2)};
};

class ReplicaPoller {
 public:
  ReplicaPoller(std::vector<ReplicaPollTarget> targets, mysql::SqlConnector& sql,
                ReplicaPollSettings settings);
  ~ReplicaPoller();
  ReplicaPoller(const ReplicaPoller&) = delete;
  ReplicaPoller& operator=(const ReplicaPoller&) = delete;

  // Starts a round when one is due (the first call starts one at once): one poll per replica
  // whose previous poll has finished.
  void tick(health::TimePoint now);

  // Samples finished since the last call, in no particular order.
  std::vector<ReplicaSample> take_finished();

  // Polls still running.
  std::size_t running() const;

 private:
  struct Slot {
    ReplicaPollTarget target;
    std::size_t statement = 0;  // written by the worker only while `result` is pending
    std::future<ReplicaSample> result;
  };

  std::vector<Slot> slots_;
  mysql::SqlConnector& sql_;
  ReplicaPollSettings settings_;
  std::optional<health::TimePoint> next_round_;
};

}  // namespace mha::manager
