// masterha_manager: start-up checks (masterha_check_repl's), then the monitor loop for the master
// (mha::manager::Monitor), which fails over when the master dies and then exits, as MHA does.
//
// Exit codes: 0 stopped or failed over; 10 failed over, some replica not recovered; 1 bad command
// line or configuration, start-up checks failed, another manager monitors the master, or the
// failover was refused or failed.

#include "mha/checks/render.h"
#include "mha/cli/conf_edit.h"
#include "mha/cli/load_config.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/common/log.h"
#include "mha/common/service_notify.h"
#include "mha/hooks/process.h"
#include "mha/manager/failover_run.h"
#include "mha/manager/monitor.h"
#include "mha/metrics/exporter.h"
#include "mha/metrics/manager_metrics.h"
#include "mha/metrics/registry.h"
#include "mha/mysql/connection.h"
#include "mha/mysql/library.h"
#include "mha/ssh/identity.h"
#include "mha/ssh/library.h"
#include "mha/state/file_state_store.h"
#include "mha/state/process_control.h"
#include "mha/state/status_reporter.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <variant>
#include <vector>

#include "repl_check_run.h"
#include "tool_support.h"
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mha::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The running monitor, for the signal handlers (which only set its atomics).
std::atomic<manager::Monitor*> g_monitor{nullptr};
std::atomic<bool> g_stop_before_monitor{false};

extern "C" void on_stop_signal(int) {
  if (manager::Monitor* m = g_monitor.load()) {
    m->request_stop();
  } else {
    g_stop_before_monitor.store(true);
  }
}

extern "C" void on_reload_signal(int) {
  if (manager::Monitor* m = g_monitor.load()) m->request_reload();
  log::reopen();
}

void install_signals() {
  struct sigaction sa {};
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_stop_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = on_reload_signal;
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

class MonitorRegistration {
 public:
  explicit MonitorRegistration(manager::Monitor& m) { g_monitor.store(&m); }
  ~MonitorRegistration() { g_monitor.store(nullptr); }
  MonitorRegistration(const MonitorRegistration&) = delete;
  MonitorRegistration& operator=(const MonitorRegistration&) = delete;
};

// The process logger goes to the configured file, else the tool's stdout, and back to stderr
// when the tool returns.
class ManagerLog {
 public:
  ManagerLog(const config::AppConfig& config, std::ostream& out) {
    log::Level level = log::Level::kInfo;
    if (Result<log::Level> l = log::parse_level(config.app.log_level)) level = *l;
    if (!config.app.manager_log.empty()) {
      Status st = log::init(log::Options{config.app.manager_log, level});
      ok_ = static_cast<bool>(st);
      if (!st) error_ = st.error().message;
    } else {
      log::init_stream(out, level);
    }
  }
  ~ManagerLog() { log::init_stream(std::cerr, log::Level::kInfo); }
  ManagerLog(const ManagerLog&) = delete;
  ManagerLog& operator=(const ManagerLog&) = delete;
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  bool ok_ = true;
  std::string error_;
};

manager::MonitorSettings settings_from(const config::AppConfig& config,
                                       const ManagerOptions& options) {
  manager::MonitorSettings s;
  s.ping_interval = seconds(config.app.ping_interval);
  const seconds ping_timeout = config::ping_timeout(config.app);
  s.ping.type = config.app.ping_type;
  s.ping.connect_timeout = ping_timeout;
  s.ping.read_timeout = ping_timeout;
  s.health = manager::health_policy_from_config(config);
  // A replica's handshake probe gets the same bound as the manager's own ping: with
  // ping_interval=1 a probe started at the first failed ping has answered by the second one, so
  // the probe-confirmed path (docs/detection.md) is not held up by a longer probe.
  s.health.handshake_probe_timeout = ping_timeout;
  s.evidence.handshake = ping_timeout;
  // The SSH check of the master host too: with a cut-off host, "unreachable" must be known by the
  // second failed ping, or the probe-confirmed path waits for the 4-ping threshold.
  s.evidence.ssh_check = ping_timeout;
  s.failover = internal::failover_switches(options.failover);
  s.wait_on_failover_error = seconds(options.failover.wait_on_failover_error);
  s.replica_poll.interval = manager::replica_poll_interval(s.ping_interval);
  return s;
}

void log_check_report(const checks::CheckReport& report) {
  for (const checks::Check& c : report.checks) {
    if (c.severity == checks::Severity::kError) {
      log::error("{}: {}", c.name, c.message);
    } else if (c.severity == checks::Severity::kWarning) {
      log::warning("{}: {}", c.name, c.message);
    }
  }
}

// SIGHUP: the configuration is read again. What is read at failover time (scripts, credentials,
// per-server flags, log level) takes effect at once and the monitoring state is kept; a changed
// server list, master, ping or detection setting needs a restart, which the log says. A file that
// does not load leaves the running configuration in place.
void reload_config(const ManagerOptions& options, const Context& ctx, config::AppConfig& running) {
  Result<config::AppConfig> next = load_app_config(options.conf, options.paths, ctx.script_runner);
  if (!next) {
    log::error("SIGHUP: configuration not reloaded, keeping the running one: {}",
               next.error().message);
    return;
  }
  std::vector<std::string> restart;
  if (next->servers.size() != running.servers.size()) restart.push_back("the server list");
  for (std::size_t i = 0; i < next->servers.size() && i < running.servers.size(); ++i) {
    const config::ServerConfig& a = next->servers[i];
    const config::ServerConfig& b = running.servers[i];
    if (a.block != b.block || a.hostname != b.hostname || a.ip != b.ip || a.port != b.port ||
        a.ssh_host != b.ssh_host || a.ssh_ip != b.ssh_ip || a.ssh_port != b.ssh_port ||
        a.ssh_options != b.ssh_options || a.ssh_user != b.ssh_user) {
      restart.push_back("[" + a.block + "] address or SSH settings");
    }
  }
  if (next->app.ping_interval != running.app.ping_interval) restart.push_back("ping_interval");
  if (next->app.ping_type != running.app.ping_type) restart.push_back("ping_type");
  if (next->app.secondary_check_script != running.app.secondary_check_script) {
    restart.push_back("secondary_check_script");
  }
  if (next->app.manager_workdir != running.app.manager_workdir)
    restart.push_back("manager_workdir");
  if (next->app.manager_log != running.app.manager_log) restart.push_back("manager_log");
  if (next->app.metrics_listen != running.app.metrics_listen) restart.push_back("metrics_listen");
  if (next->app.ping_failures_threshold != running.app.ping_failures_threshold ||
      next->app.refused_pings_required != running.app.refused_pings_required ||
      next->app.probe_confirmed_pings != running.app.probe_confirmed_pings ||
      next->app.replica_quorum != running.app.replica_quorum ||
      next->app.require_replica_confirmation != running.app.require_replica_confirmation) {
    restart.push_back("the failure-detection settings");
  }
  if (!restart.empty()) {
    std::string what;
    for (const std::string& r : restart) what += (what.empty() ? "" : ", ") + r;
    log::warning(
        "SIGHUP: configuration not reloaded: {} changed; restart masterha_manager to "
        "apply it",
        what);
    return;
  }
  if (Result<log::Level> l = log::parse_level(next->app.log_level)) log::set_level(*l);
  running = std::move(*next);
  log::info("SIGHUP: configuration reloaded from {}; monitoring continues.", running.conf_path);
}

int wait_then(int code, int wait_seconds) {
  const auto until = std::chrono::steady_clock::now() + seconds(wait_seconds);
  while (std::chrono::steady_clock::now() < until && !g_stop_before_monitor.load()) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  return code;
}

}  // namespace

int manager_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_manager_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<ManagerOptions>(parsed);
  // Under systemd (Type=notify): READY only after the start-up checks pass (docs/operations.md).
  const ServiceNotifier notifier = ServiceNotifier::from_environment();
  auto loaded = load_app_config(options.conf, options.paths, ctx.script_runner);
  if (!loaded) return internal::config_error(loaded.error(), ctx);
  // Replaced on SIGHUP (on the monitor thread, the only reader) when the new file is compatible.
  config::AppConfig& config = *loaded;

  ManagerLog logging(config, ctx.out);
  if (!logging.ok()) return internal::fail(kManagerTool, logging.error(), ctx);
  for (const std::string& w : config.warnings) log::warning("{}", w);
  if (Status st = internal::ensure_workdir(config.app.manager_workdir); !st) {
    return internal::fail(kManagerTool, st.error().message, ctx);
  }

  mysql::MysqlLibrary mysql_library;
  if (!mysql_library.ok()) return internal::fail(kManagerTool, "cannot initialise libmariadb", ctx);
  Result<ssh::Libssh2Library> ssh_library = ssh::Libssh2Library::init();
  if (!ssh_library) return internal::fail(kManagerTool, ssh_library.error().message, ctx);
  observe::SessionPools pools;
  mysql::MysqlConnector connector;
  hooks::PosixProcessRunner runner;
  state::FileStateStore store(state::StatePaths{config.app.manager_workdir, config.app_name});

  if (options.failover.dry_run) {
    manager::FailoverEnv env;
    env.config = &config;
    env.sql = &connector;
    env.runner = &runner;
    env.store = &store;
    env.dry_run_out = &ctx.out;
    env.ssh = &pools;
    env.ssh_home = ssh::home_directory();
    manager::DetectionFacts facts;
    facts.master_dead = false;
    facts.assume_dead = true;
    facts.hypothetical = true;
    facts.summary = "--dry-run: the current master is assumed dead";
    const manager::FailoverResult r =
        manager::run_failover(env, facts, internal::failover_switches(options.failover));
    ctx.out.flush();
    return r.exit_code;
  }

  // MHA's manager leads its own process group, so masterha_stop can end it with its children.
  if (::getpgrp() != ::getpid()) (void)::setpgid(0, 0);
  install_signals();
  // A manager that died during a failover (SIGKILL, watchdog, power loss) could not mark it
  // failed; its record still says FAILOVER_RUNNING. The cluster may be half failed over: block
  // failovers until an operator has looked, exactly as a failed failover does.
  if (Result<std::optional<state::StatusSnapshot>> prev = store.read_status(); prev && *prev) {
    const state::StatusRecord& r = (*prev)->record;
    state::ProcProcessControl processes;
    const bool alive = state::manager_running(processes, r.pid);
    if (r.status == state::ManagerStatus::kFailoverRunning && !alive) {
      log::error(
          "The previous manager (pid {}) died while a failover was running; the cluster may be "
          "half failed over. Setting {}.failover.error: check the servers, then start again with "
          "--ignore_last_failover.",
          r.pid, config.app_name);
      (void)store.set_marker(state::Marker::kFailoverError);
    }
  }
  state::StatusReporter reporter(store, static_cast<int>(::getpid()));
  (void)reporter.report(state::ManagerStatus::kInitializingMonitor);
  log::info("Starting masterha_manager for {} ({}).", config.app_name, config.conf_path);

  const internal::ReplCheckRun checked =
      internal::run_repl_checks(config, options.monitor, connector, &pools);
  log_check_report(checked.report);
  if (!checked.report.ok()) {
    log::error(
        "Start-up checks failed; not monitoring. Run masterha_check_repl --conf={} for "
        "the full report.",
        config.conf_path);
    (void)reporter.report(state::ManagerStatus::kConfigError);
    return wait_then(1, options.monitor.wait_on_monitor_error);
  }
  Result<manager::MonitoredMaster> master = manager::monitored_master(checked.snapshot);
  if (!master) {
    log::error("{}", master.error().message);
    (void)reporter.report(state::ManagerStatus::kConfigError);
    return wait_then(1, options.monitor.wait_on_monitor_error);
  }
  reporter.set_master(config.servers.at(master->config_index).hostname);
  if (g_stop_before_monitor.load()) {
    (void)reporter.remove();
    return 0;
  }

  manager::Monitor::Env env;
  env.config = &config;
  env.sql = &connector;
  env.runner = &runner;
  env.ssh = &pools;
  env.store = &store;
  env.ssh_home = ssh::home_directory();
  env.remove_server_block = [&config](const std::string& block) {
    return internal::remove_server_block(config.conf_path, block);
  };
  // Prometheus metrics, when metrics_listen is set.
  metrics::Registry registry;
  metrics::ManagerMetrics manager_metrics(registry);
  std::unique_ptr<metrics::Exporter> exporter;
  if (!config.app.metrics_listen.empty()) {
    Result<std::unique_ptr<metrics::Exporter>> started =
        metrics::Exporter::start(registry, config.app.metrics_listen);
    if (!started) {
      log::error("metrics_listen={}: {}", config.app.metrics_listen, started.error().message);
      (void)reporter.report(state::ManagerStatus::kConfigError);
      return wait_then(1, options.monitor.wait_on_monitor_error);
    }
    exporter = std::move(*started);
    log::info("Serving Prometheus metrics on http://{}/metrics", exporter->address());
  }
  const auto watchdog_every = notifier.watchdog_interval();
  auto last_watchdog = std::chrono::steady_clock::time_point{};
  std::mutex watchdog_mu;  // on_tick runs on the loop thread, or a ticker during a failover

  manager::MonitorHooks hooks;
  hooks.on_reload = [&] {
    (void)notifier.reloading();
    if (Status st = log::reopen_now(); !st) log::warning("log reopen: {}", st.error().message);
    log::info("SIGHUP: log file reopened.");
    reload_config(options, ctx, config);
    (void)notifier.ready();
  };
  hooks.on_status = [&](state::ManagerStatus status, const std::string& text) {
    manager_metrics.set_monitoring_state(state::status_code(status));
    std::string line;
    switch (status) {
      case state::ManagerStatus::kPingOk:
        line = "monitoring " + config.servers.at(master->config_index).display();
        break;
      case state::ManagerStatus::kFailoverRunning:
        line = "failover running: " + text;
        break;
      case state::ManagerStatus::kNotRunning:
        line = "failover done: " + text;
        break;
      case state::ManagerStatus::kFailoverError:
        line = "failover failed: " + text;
        break;
      default:
        line = std::string(state::status_name(status)) + ": " + text;
    }
    if (Status st = notifier.status(line); !st) log::warning("sd_notify: {}", st.error().message);
  };
  hooks.on_tick = [&] {
    if (!watchdog_every) return;
    std::lock_guard lock(watchdog_mu);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_watchdog < *watchdog_every / 3) return;
    last_watchdog = now;
    (void)notifier.watchdog();
  };
  hooks.on_ping = [&](const health::PingOutcome& outcome, milliseconds latency) {
    manager_metrics.set_master_up(outcome.succeeded());
    if (outcome.succeeded()) {
      manager_metrics.observe_ping(std::chrono::duration<double>(latency).count());
    } else {
      manager_metrics.count_ping_failure();
    }
  };
  hooks.on_replica = [&](const manager::ReplicaSample& r) {
    manager_metrics.set_replica_up(r.host, r.up);
    manager_metrics.set_replica_threads(r.host, r.io_running, r.sql_running);
    manager_metrics.set_replica_lag(r.host, manager::lag_metric_value(r));
  };
  hooks.on_failover = [&](const manager::FailoverResult& r) {
    manager_metrics.count_failover(r.refused           ? metrics::kFailoverRefused
                                   : r.exit_code == 0  ? metrics::kFailoverSucceeded
                                   : r.exit_code == 10 ? metrics::kFailoverPartial
                                                       : metrics::kFailoverFailed);
    for (const auto& [phase, ms] : r.phases_ms) {
      if (ms >= 0) manager_metrics.set_failover_phase(phase, static_cast<double>(ms) / 1000.0);
    }
  };
  manager::Monitor monitor(env, *master, settings_from(config, options), hooks);
  MonitorRegistration registered(monitor);
  if (g_stop_before_monitor.load()) monitor.request_stop();
  if (Status st = notifier.ready(); !st) log::warning("sd_notify: {}", st.error().message);
  const int rc = monitor.run();
  (void)notifier.stopping();
  return rc;
}

}  // namespace mha::cli
