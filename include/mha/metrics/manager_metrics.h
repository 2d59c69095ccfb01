#pragma once

// The metrics masterha_manager publishes (docs/metrics.md lists them for operators), and a typed
// front end so the manager loop cannot misspell a name or a label.
//
// ManagerMetrics registers every family below in a caller-owned Registry at construction and
// sets masterha_build_info{version=MHA_VERSION} to 1. Thread safety as Registry: any method from
// any thread.

#include "mha/metrics/registry.h"

#include <string_view>

namespace mha::metrics {

// Metric names. Units are in the names, as Prometheus asks (seconds, totals).
inline constexpr std::string_view kBuildInfo = "masterha_build_info";
inline constexpr std::string_view kMasterUp = "masterha_master_up";
inline constexpr std::string_view kPingLatencySeconds = "masterha_ping_latency_seconds";
inline constexpr std::string_view kPingFailuresTotal = "masterha_ping_failures_total";
inline constexpr std::string_view kReplicaLagSeconds = "masterha_replica_lag_seconds";
inline constexpr std::string_view kReplicaUp = "masterha_replica_up";
inline constexpr std::string_view kReplicaIoRunning = "masterha_replica_io_running";
inline constexpr std::string_view kReplicaSqlRunning = "masterha_replica_sql_running";
inline constexpr std::string_view kFailoversTotal = "masterha_failovers_total";
inline constexpr std::string_view kFailoverPhaseSeconds = "masterha_failover_phase_seconds";
inline constexpr std::string_view kLastFailoverTimestampSeconds =
    "masterha_last_failover_timestamp_seconds";
inline constexpr std::string_view kMonitoringState = "masterha_monitoring_state";

// Values of masterha_failovers_total{result}.
inline constexpr std::string_view kFailoverSucceeded = "success";
inline constexpr std::string_view kFailoverPartial = "partial";  // done, some replicas failed
inline constexpr std::string_view kFailoverFailed = "failed";
inline constexpr std::string_view kFailoverRefused = "refused";  // a rule refused the failover

class ManagerMetrics {
 public:
  // `registry` must outlive this object. Registration cannot fail for these fixed names unless
  // the registry already holds one of them with another shape; then the affected setters do
  // nothing and init_error() says why.
  explicit ManagerMetrics(Registry& registry);

  // An error from construction, if any (kConfig naming the metric).
  const Status& init_error() const { return init_error_; }

  // 1 when the last ping of the master succeeded, 0 when it failed.
  void set_master_up(bool up);
  // One ping round trip (summary: _sum and _count). A failed ping counts in
  // masterha_ping_failures_total instead.
  void observe_ping(double seconds);
  void count_ping_failure();
  // Per replica, labelled host="hostname:port" (the manager's background replica poll):
  // Seconds_Behind_Master; NaN when the replica reports NULL (a replication thread stopped), is
  // not a replica, or did not answer. A series stays once created (the registry never removes
  // one), so NaN rather than absence is how "unknown" shows.
  void set_replica_lag(std::string_view host, double seconds);
  // 1 when the last poll connected and read the replica status, 0 when it did not.
  void set_replica_up(std::string_view host, bool up);
  // Slave_IO_Running = Yes / Slave_SQL_Running = Yes as 1, anything else (Connecting, No, not a
  // replica, no answer) as 0.
  void set_replica_threads(std::string_view host, bool io_running, bool sql_running);
  // One finished failover attempt, `result` one of kFailover* above; success and partial also
  // set masterha_last_failover_timestamp_seconds to now.
  void count_failover(std::string_view result);
  // Duration of one failover phase of the most recent failover ("phase1".."phase5", or the
  // executor's step names).
  void set_failover_phase(std::string_view phase, double seconds);
  // The status code masterha_check_status would print (0 PING_OK, 10 INITIALIZING_MONITOR,
  // 20 PING_FAILING, 21 PING_FAILED, 30 RETRYING_MONITOR, 31 CONFIG_ERROR, 50
  // FAILOVER_RUNNING, 51 FAILOVER_ERROR).
  void set_monitoring_state(int status_code);

 private:
  Series* series(Family* family, std::initializer_list<std::string_view> values);

  Status init_error_;
  Family* master_up_ = nullptr;
  Family* ping_latency_ = nullptr;
  Family* ping_failures_ = nullptr;
  Family* replica_lag_ = nullptr;
  Family* replica_up_ = nullptr;
  Family* replica_io_ = nullptr;
  Family* replica_sql_ = nullptr;
  Family* failovers_ = nullptr;
  Family* phase_seconds_ = nullptr;
  Family* last_failover_ = nullptr;
  Family* monitoring_state_ = nullptr;
};

}  // namespace mha::metrics
