#include "mha/metrics/manager_metrics.h"

#include <string>

namespace mha::metrics {

ManagerMetrics::ManagerMetrics(Registry& registry) {
  auto take = [&](Result<Family*> family) -> Family* {
    if (family) return *family;
    if (init_error_) init_error_ = Unexpected(family.error());
    return nullptr;
  };
  Family* build = take(registry.gauge(
      kBuildInfo, "Always 1; the version label is the masterha release.", {"version"}));
  master_up_ = take(
      registry.gauge(kMasterUp, "1 if the last ping of the master succeeded, 0 if it failed."));
  ping_latency_ =
      take(registry.summary(kPingLatencySeconds, "Round trip of successful master pings."));
  ping_failures_ = take(registry.counter(kPingFailuresTotal, "Master pings that failed."));
  replica_lag_ = take(registry.gauge(
      kReplicaLagSeconds,
      "Seconds_Behind_Master of each replica; NaN when NULL or the replica did not answer.",
      {"host"}));
  replica_up_ = take(registry.gauge(
      kReplicaUp, "1 if the last status poll of the replica succeeded, 0 if it failed.", {"host"}));
  replica_io_ = take(registry.gauge(
      kReplicaIoRunning, "1 if the replica's IO thread is running (Yes), else 0.", {"host"}));
  replica_sql_ = take(registry.gauge(
      kReplicaSqlRunning, "1 if the replica's SQL thread is running (Yes), else 0.", {"host"}));
  failovers_ = take(registry.counter(
      kFailoversTotal, "Failover attempts by result (success, partial, failed, refused).",
      {"result"}));
  phase_seconds_ = take(registry.gauge(
      kFailoverPhaseSeconds, "Duration of each phase of the most recent failover.", {"phase"}));
  last_failover_ =
      take(registry.gauge(kLastFailoverTimestampSeconds,
                          "Unix time at which the last successful or partial failover finished."));
  monitoring_state_ = take(registry.gauge(
      kMonitoringState, "The masterha_check_status code of this manager (0 = PING_OK)."));
  if (Series* s = series(build, {MHA_VERSION})) s->set(1);
}

Series* ManagerMetrics::series(Family* family, std::initializer_list<std::string_view> values) {
  if (family == nullptr) return nullptr;
  auto s = family->with(values);
  return s ? *s : nullptr;
}

void ManagerMetrics::set_master_up(bool up) {
  if (Series* s = series(master_up_, {})) s->set(up ? 1 : 0);
}

void ManagerMetrics::observe_ping(double seconds) {
  if (Series* s = series(ping_latency_, {})) s->observe(seconds);
}

void ManagerMetrics::count_ping_failure() {
  if (Series* s = series(ping_failures_, {})) s->add(1);
}

void ManagerMetrics::set_replica_lag(std::string_view host, double seconds) {
  if (Series* s = series(replica_lag_, {host})) s->set(seconds);
}

void ManagerMetrics::set_replica_up(std::string_view host, bool up) {
  if (Series* s = series(replica_up_, {host})) s->set(up ? 1 : 0);
}

void ManagerMetrics::set_replica_threads(std::string_view host, bool io_running, bool sql_running) {
  if (Series* s = series(replica_io_, {host})) s->set(io_running ? 1 : 0);
  if (Series* s = series(replica_sql_, {host})) s->set(sql_running ? 1 : 0);
}

void ManagerMetrics::count_failover(std::string_view result) {
  if (Series* s = series(failovers_, {result})) s->add(1);
  if (result == kFailoverSucceeded || result == kFailoverPartial) {
    if (Series* s = series(last_failover_, {})) s->set_to_current_time();
  }
}

void ManagerMetrics::set_failover_phase(std::string_view phase, double seconds) {
  if (Series* s = series(phase_seconds_, {phase})) s->set(seconds);
}

void ManagerMetrics::set_monitoring_state(int status_code) {
  if (Series* s = series(monitoring_state_, {})) s->set(status_code);
}

}  // namespace mha::metrics
