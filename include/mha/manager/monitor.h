#pragma once

// Monitor: masterha_manager's loop for one master. Pings it every ping_interval (MasterPinger),
// feeds MasterHealth, collects the evidence it asks for in the background (EvidenceCollector)
// while pinging goes on, reads every other configured server's replica status at a low rate in
// the background (ReplicaPoller, for MonitorHooks::on_replica; detection does not use it),
// publishes the status (MHA's status file, through StatusReporter), and
// when the evidence agrees the master is dead, runs the failover (run_failover) and ends.
//
//   run() returns the process exit code:
//     0   stopped by request (SIGTERM/SIGINT, masterha_stop), or a failover succeeded
//     10  a failover succeeded, but some replica could not be recovered
//     1   monitoring could not go on (lost the advisory lock to another manager, the status
//         could not be written), or a failover was refused or failed
//
// Statuses written (state/manager_status.h): PING_OK while pings succeed, PING_FAILING while they
// fail without agreement, PING_FAILED when the master is declared dead, FAILOVER_RUNNING during
// the failover, FAILOVER_ERROR after a failed one (kept for wait_on_failover_error seconds so
// masterha_check_status can show it), removed on a normal exit.
//
// Signals are turned into requests by the caller: request_stop() and request_reload() only set
// atomics and may be called from a signal handler. A stop during a failover is deferred until the
// failover ends (masterha_stop --abort kills the process instead).
//
// Observers (MonitorHooks) are called on the monitor thread; they must not block.

#include "mha/config/config.h"
#include "mha/health/master_health.h"
#include "mha/health/policy.h"
#include "mha/hooks/process.h"
#include "mha/manager/evidence_collector.h"
#include "mha/manager/failover_run.h"
#include "mha/manager/pinger.h"
#include "mha/manager/replica_poller.h"
#include "mha/mysql/sql_session.h"
#include "mha/observe/ssh_probe.h"
#include "mha/state/failover_state_store.h"
#include "mha/state/manager_status.h"
#include "mha/state/status_reporter.h"
#include "mha/topology/cluster_snapshot.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace mha::manager {

struct MonitorSettings {
  std::chrono::milliseconds ping_interval{3000};
  PingSettings ping;
  health::HealthPolicy health;
  EvidenceTimeouts evidence;
  FailoverSwitches failover;
  std::chrono::seconds wait_on_failover_error{0};
  // How often the loop wakes up between pings to take finished evidence (and feed the watchdog).
  std::chrono::milliseconds poll{50};
  // The background replica-status poll (interval: replica_poll_interval(ping_interval)).
  ReplicaPollSettings replica_poll;
};

struct MonitorHooks {
  std::function<void(state::ManagerStatus, const std::string& text)> on_status;  // on change
  // Every loop wake-up (systemd watchdog); during a failover from a helper thread every 500 ms.
  std::function<void()> on_tick;
  std::function<void(const health::PingOutcome&, std::chrono::milliseconds)> on_ping;
  std::function<void(const FailoverResult&)> on_failover;
  // Each finished replica poll (metrics). Polls run only while this is set.
  std::function<void(const ReplicaSample&)> on_replica;
  // SIGHUP: reopen logs, re-read what can change without a restart. Called on the loop thread.
  std::function<void()> on_reload;
};

// What the monitor needs from the start-up observation: which server is the master and which
// servers replicate from it directly.
struct MonitoredMaster {
  std::size_t config_index = 0;
  std::vector<std::size_t> replicas;  // config indexes of its direct replicas
};

// The master of `snapshot` and its direct replicas; kPrecondition naming what is missing.
Result<MonitoredMaster> monitored_master(const topology::ClusterSnapshot& snapshot);

// HealthPolicy from the configuration (secondary_check_script presence, timeouts derived from
// ping_interval) with docs/detection.md's defaults for the rest.
health::HealthPolicy health_policy_from_config(const config::AppConfig& config);

// MHA's secondary_check_script arguments appended to the configured line (no password).
std::string secondary_check_command(const config::AppConfig& config, std::size_t master_index);

class Monitor {
 public:
  struct Env {
    const config::AppConfig* config = nullptr;
    mysql::SqlConnector* sql = nullptr;
    hooks::ProcessRunner* runner = nullptr;
    observe::ExecSource* ssh = nullptr;
    state::FailoverStateStore* store = nullptr;
    std::string ssh_home;  // for default keys and known_hosts
    std::function<Status(const std::string& block)> remove_server_block;
  };

  Monitor(Env env, MonitoredMaster master, MonitorSettings settings, MonitorHooks hooks = {});

  int run();

  void request_stop() { stop_.store(true); }
  void request_reload() { reload_.store(true); }

 private:
  void publish(state::ManagerStatus status, const std::string& text);
  // `reporter` is run()'s, so the status record has one writer with one idea of what it wrote.
  int fail_over(const health::Dead& dead, state::StatusReporter& reporter);
  void observe_replica(const ReplicaSample& sample);

  Env env_;
  MonitoredMaster master_;
  MonitorSettings settings_;
  MonitorHooks hooks_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> reload_{false};
  std::optional<state::ManagerStatus> published_;
  std::optional<std::chrono::steady_clock::time_point> last_ok_ping_;
  std::optional<std::chrono::steady_clock::time_point> first_failed_ping_;
  std::map<std::string, ReplicaSample> replica_seen_;  // last sample per host, for log lines
};

}  // namespace mha::manager
