#include "mha/manager/monitor.h"

#include "mha/common/log.h"
#include "mha/health/verdict.h"
#include "mha/mysql/library.h"
#include "mha/ssh/shell_quote.h"

#include <algorithm>
#include <future>
#include <thread>

#include <unistd.h>

namespace mha::manager {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

std::string arg(const std::string& name, const std::string& value) {
  return " --" + name + "=" + ssh::shell_quote(value);
}

std::string server_address(const config::ServerConfig& s) {
  return s.ip.empty() ? s.hostname : s.ip;
}

}  // namespace

Result<MonitoredMaster> monitored_master(const topology::ClusterSnapshot& snapshot) {
  const std::optional<std::size_t> master = snapshot.derive_master();
  if (!master) {
    return Unexpected(
        make_error(ErrorCode::kPrecondition, "cannot tell which configured server is the master"));
  }
  MonitoredMaster m;
  m.config_index = snapshot.servers[*master].id.config_index;
  for (std::size_t i = 0; i < snapshot.servers.size(); ++i) {
    if (i != *master && snapshot.upstream_of(i) == master) {
      m.replicas.push_back(snapshot.servers[i].id.config_index);
    }
  }
  return m;
}

health::HealthPolicy health_policy_from_config(const config::AppConfig& config) {
  health::HealthPolicy p;
  p.secondary_check_configured = !config.app.secondary_check_script.empty();
  p.ping_failures_threshold = config.app.ping_failures_threshold;
  p.refused_pings_required = config.app.refused_pings_required;
  p.probe_confirmed_pings = config.app.probe_confirmed_pings;
  p.require_replica_confirmation = config.app.require_replica_confirmation;
  p.replica_quorum = config.app.replica_quorum == "any"   ? health::ReplicaQuorum::kAny
                     : config.app.replica_quorum == "all" ? health::ReplicaQuorum::kAll
                                                          : health::ReplicaQuorum::kMajority;
  for (const config::ServerConfig& s : config.servers) {
    if (s.ignore_fail) p.ignore_fail_replicas.insert(s.display());
  }
  return p;
}

std::string secondary_check_command(const config::AppConfig& config, std::size_t master_index) {
  const config::ServerConfig& m = config.servers.at(master_index);
  // MHA also passes --master_password; we never put a password in argv (docs/migrating.md).
  return config.app.secondary_check_script + arg("user", m.ssh_user) +
         arg("master_host", m.hostname) + arg("master_ip", server_address(m)) +
         arg("master_port", std::to_string(m.port)) + arg("master_user", m.user) +
         arg("ping_type", config::ping_type_name(config.app.ping_type));
}

Monitor::Monitor(Env env, MonitoredMaster master, MonitorSettings settings, MonitorHooks hooks)
    : env_(std::move(env)),
      master_(std::move(master)),
      settings_(std::move(settings)),
      hooks_(std::move(hooks)) {}

void Monitor::publish(state::ManagerStatus status, const std::string& text) {
  if (published_ == status) return;
  published_ = status;
  if (hooks_.on_status) hooks_.on_status(status, text);
}

int Monitor::run() {
  const config::AppConfig& config = *env_.config;
  const config::ServerConfig& m = config.servers.at(master_.config_index);
  state::StatusReporter reporter(*env_.store, static_cast<int>(::getpid()));
  reporter.set_master(m.hostname);

  std::vector<std::string> replica_ids;
  EvidenceTargets targets;
  targets.master_address = server_address(m);
  targets.master_port = m.port;
  for (std::size_t i : master_.replicas) {
    const config::ServerConfig& r = config.servers.at(i);
    EvidenceTargets::Replica t;
    t.id = r.display();
    t.sql = mysql::Endpoint{server_address(r), r.port, ""};
    if (Result<observe::SshSettings> s = observe::ssh_settings(r, env_.ssh_home)) {
      t.ssh = std::move(*s);
    } else {
      log::warning("no handshake probe from {}: {}", r.display(), s.error().message);
    }
    replica_ids.push_back(t.id);
    targets.replicas.push_back(std::move(t));
  }
  if (Result<observe::SshSettings> s = observe::ssh_settings(m, env_.ssh_home)) {
    targets.master_ssh = std::move(*s);
  }
  if (!config.app.secondary_check_script.empty()) {
    targets.secondary_command = secondary_check_command(config, master_.config_index);
  }

  Result<health::MasterHealth> created =
      health::MasterHealth::create(settings_.health, replica_ids);
  if (!created) {
    log::error("cannot start monitoring: {}", created.error().message);
    return 1;
  }
  health::MasterHealth& health = *created;
  const mysql::Credentials admin{m.user, m.password};
  MasterPinger pinger(*env_.sql, mysql::Endpoint{server_address(m), m.port, ""}, admin,
                      settings_.ping);
  EvidenceCollector collector(std::move(targets), *env_.sql, admin, *env_.ssh, *env_.runner,
                              settings_.evidence);
  std::vector<ReplicaPollTarget> poll_targets;
  if (hooks_.on_replica) {
    for (std::size_t i = 0; i < config.servers.size(); ++i) {
      if (i == master_.config_index) continue;
      const config::ServerConfig& r = config.servers[i];
      poll_targets.push_back(ReplicaPollTarget{r.hostname + ":" + std::to_string(r.port),
                                               mysql::Endpoint{server_address(r), r.port, ""},
                                               {r.user, r.password}});
    }
  }
  // Declared after the collector and the pinger: destroyed first, its polls are bounded.
  ReplicaPoller replicas(std::move(poll_targets), *env_.sql, settings_.replica_poll);

  log::info("Monitoring master {} every {} ms ({} ping, {} direct replica(s)).", m.display(),
            settings_.ping_interval.count(), config::ping_type_name(settings_.ping.type),
            replica_ids.size());
  Steady::time_point next_ping = Steady::now();
  Steady::time_point early_ping_at{};
  std::string last_verdict;
  bool first_ping_done = false;
  // The ping runs on its own thread while this loop goes on taking evidence: a hung master makes
  // every ping last its whole timeout, and replica probes that finish meanwhile must be able to
  // complete a verdict without waiting for it (docs/detection.md, probe-confirmed path). One ping
  // at a time; the pinger is used by one thread at a time. Declared after the pinger: destroyed
  // (waited for, bounded by the ping's timeout) first.
  std::future<health::PingOutcome> ping_in_flight;
  Steady::time_point ping_started{};
  while (true) {
    if (reload_.exchange(false) && hooks_.on_reload) hooks_.on_reload();
    if (stop_.load()) {
      log::info("Stop requested; monitoring of {} ends.", m.display());
      if (Status st = reporter.remove(); !st) log::warning("{}", st.error().message);
      return 0;
    }
    Steady::time_point now = Steady::now();
    if (!ping_in_flight.valid() && now >= next_ping) {
      ping_started = now;
      ping_in_flight = std::async(std::launch::async, [&pinger] {
        mysql::MysqlThreadToken token;
        return pinger.ping();
      });
    }
    if (ping_in_flight.valid() &&
        ping_in_flight.wait_for(Steady::duration::zero()) == std::future_status::ready) {
      const Steady::time_point started = ping_started;
      const health::PingOutcome outcome = ping_in_flight.get();
      const auto latency = duration_cast<milliseconds>(Steady::now() - started);
      next_ping = started + settings_.ping_interval;
      if (hooks_.on_ping) hooks_.on_ping(outcome, latency);
      if (pinger.lock_state() == LockState::kHeldByOther) {
        log::error(
            "Another masterha_manager holds the monitor lock ({}) on {}: only one manager may "
            "watch a master. Stopping.",
            kMonitorLockName, m.display());
        if (Status st = reporter.remove(); !st) log::warning("{}", st.error().message);
        return 1;
      }
      if (outcome.succeeded()) {
        last_ok_ping_ = started;
        first_failed_ping_.reset();
      } else {
        if (!first_failed_ping_) first_failed_ping_ = started;
        log::warning("Ping of {} failed ({}, errno {}, {} ms): {}", m.display(),
                     health::ping_failure_kind_name(outcome.failure->kind),
                     outcome.failure->mysql_errno, latency.count(), pinger.last_error());
      }
      health.observe_ping(outcome, started);
      if (!first_ping_done && outcome.succeeded()) {
        first_ping_done = true;
        log::info("Ping of {} succeeded; monitor lock held.", m.display());
      }
      const state::ManagerStatus heartbeat_status =
          outcome.succeeded() ? state::ManagerStatus::kPingOk : state::ManagerStatus::kPingFailing;
      if (Status st = reporter.report(heartbeat_status); !st) {
        log::error("cannot write the status: {}", st.error().message);
      }
    }

    Delivered d = collector.take_finished();
    // The collector has logged each piece of evidence, with its timing, as it arrived.
    for (std::size_t i = 0; i < d.replicas.size(); ++i) {
      (void)health.observe_replicas({d.replicas[i]}, d.replica_started[i]);
    }
    if (d.ssh) health.observe_ssh(d.ssh->first, d.ssh->second);
    if (d.secondary) health.observe_secondary({d.secondary->first}, d.secondary->second);
    for (const ReplicaSample& sample : replicas.take_finished()) observe_replica(sample);

    now = Steady::now();
    const health::Verdict verdict = health.evaluate(now);
    const std::string described = health::describe(verdict);
    if (described != last_verdict) {
      if (std::holds_alternative<health::Alive>(verdict)) {
        log::info("{}", described);
      } else {
        log::warning("{}", described);
      }
      last_verdict = described;
    }
    if (const health::Dead* dead = std::get_if<health::Dead>(&verdict)) {
      return fail_over(*dead, reporter);
    }
    publish(std::holds_alternative<health::Alive>(verdict) ? state::ManagerStatus::kPingOk
                                                           : state::ManagerStatus::kPingFailing,
            described);
    const health::Requests requests = health.requests(now);
    if (requests.any()) collector.start(requests, now);
    replicas.tick(now);
    if (hooks_.on_tick) hooks_.on_tick();
    // A killed mysqld closes our idle connection at once: ping now instead of at the next
    // interval. At most once per interval, so a connection that stays readable cannot spin.
    now = Steady::now();
    if (!ping_in_flight.valid() && now < next_ping &&
        now - early_ping_at >= settings_.ping_interval && pinger.connection_signalled()) {
      early_ping_at = now;
      next_ping = now;
      log::info("The master closed (or wrote to) the idle monitor connection; pinging now.");
    }
    if (ping_in_flight.valid()) {
      // Wake up when the ping ends, or after one poll period to take evidence.
      (void)ping_in_flight.wait_for(settings_.poll);
    } else {
      const auto until_ping = next_ping - Steady::now();
      std::this_thread::sleep_for(
          std::clamp<Steady::duration>(until_ping, Steady::duration::zero(), settings_.poll));
    }
  }
}

void Monitor::observe_replica(const ReplicaSample& sample) {
  if (hooks_.on_replica) hooks_.on_replica(sample);
  // Log changes only: one line when a replica stops answering or replicating, one when it is
  // back, never one per poll.
  const auto it = replica_seen_.find(sample.host);
  const ReplicaSample* before = it == replica_seen_.end() ? nullptr : &it->second;
  if (!sample.up) {
    if (before == nullptr || before->up) {
      log::warning("Replica {} does not answer the status poll: {}", sample.host, sample.error);
    }
  } else if (!sample.io_running || !sample.sql_running) {
    if (before == nullptr || !before->up || before->io_running != sample.io_running ||
        before->sql_running != sample.sql_running) {
      log::warning(
          "Replica {}: {} (IO thread {}, SQL thread {})", sample.host,
          sample.replicating ? "replication is not running" : "not configured as a replica",
          sample.io_running ? "running" : "not running",
          sample.sql_running ? "running" : "not running");
    }
  } else if (before != nullptr && (!before->up || !before->io_running || !before->sql_running)) {
    log::info("Replica {} is replicating again.", sample.host);
  }
  replica_seen_[sample.host] = sample;
}

int Monitor::fail_over(const health::Dead& dead, state::StatusReporter& reporter) {
  const config::AppConfig& config = *env_.config;
  const config::ServerConfig& m = config.servers.at(master_.config_index);
  const auto declared = Steady::now();
  log::error("Master {} is dead: {}", m.display(), dead.summary);
  publish(state::ManagerStatus::kPingFailed, dead.summary);
  (void)reporter.report(state::ManagerStatus::kPingFailed);
  publish(state::ManagerStatus::kFailoverRunning, "failover of " + m.display());
  if (Status st = reporter.report(state::ManagerStatus::kFailoverRunning); !st) {
    log::error("cannot write the status: {}", st.error().message);
  }

  DetectionFacts facts;
  facts.master_host = m.hostname;
  facts.master_port = m.port;
  facts.master_dead = true;
  if (dead.ssh_reachable != health::SshToMaster::kUnknown) {
    facts.ssh_reachable = dead.ssh_reachable == health::SshToMaster::kReachable;
  }
  facts.summary = dead.summary;
  facts.last_ok_ping = last_ok_ping_;
  facts.first_failed_ping = first_failed_ping_;
  facts.declared_dead = declared;

  FailoverEnv fenv;
  fenv.config = env_.config;
  fenv.sql = env_.sql;
  fenv.runner = env_.runner;
  fenv.store = env_.store;
  fenv.remove_server_block = env_.remove_server_block;
  fenv.ssh = env_.ssh;
  fenv.ssh_home = env_.ssh_home;
  FailoverSwitches switches = settings_.failover;
  switches.dry_run = false;
  // The failover runs on this thread and each of its steps is bounded by its own timeout, some
  // longer than a service watchdog period: keep the watchdog fed while it makes progress.
  std::atomic<bool> failover_done{false};
  std::thread ticker;
  if (hooks_.on_tick) {
    ticker = std::thread([this, &failover_done] {
      while (!failover_done.load()) {
        hooks_.on_tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    });
  }
  const FailoverResult result = run_failover(fenv, facts, switches);
  failover_done.store(true);
  if (ticker.joinable()) ticker.join();
  if (hooks_.on_failover) hooks_.on_failover(result);
  if (stop_.load()) log::info("A stop was requested during the failover; it ran to its end.");
  if (result.exit_code == 0 || result.exit_code == 10) {
    log::info("{}", result.summary);
    publish(state::ManagerStatus::kNotRunning, result.summary);
    if (Status st = reporter.remove(); !st) log::warning("{}", st.error().message);
    return result.exit_code;
  }
  log::error("{}", result.summary);
  publish(state::ManagerStatus::kFailoverError, result.summary);
  if (Status st = reporter.report(state::ManagerStatus::kFailoverError); !st) {
    log::error("cannot write the status: {}", st.error().message);
  }
  if (settings_.wait_on_failover_error.count() > 0) {
    log::info("Waiting {} s before exiting (wait_on_failover_error).",
              settings_.wait_on_failover_error.count());
    const auto until = Steady::now() + settings_.wait_on_failover_error;
    while (Steady::now() < until && !stop_.load()) {
      if (hooks_.on_tick) hooks_.on_tick();
      std::this_thread::sleep_for(settings_.poll);
    }
  }
  return 1;
}

}  // namespace mha::manager
