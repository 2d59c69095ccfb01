#include "mha/manager/failover_run.h"

#include "mha/common/atomic_file.h"
#include "mha/common/log.h"
#include "mha/common/time_text.h"
#include "mha/observe/observe_cluster.h"
#include "mha/planner/render.h"
#include "mha/recovery/executor.h"
#include "mha/recovery/journal.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace mha::manager {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// How often the plan may be re-made because the replicas' positions moved after fencing. Once
// fenced and with IO threads stopped nothing can move any more, so a second round is the most a
// sane cluster needs; the bound only stops a loop on a broken one.
constexpr int kMaxPlanRounds = 3;

constexpr int kExitOk = 0;
constexpr int kExitPartial = 10;
constexpr int kExitError = 1;

std::string workfile(const config::AppConfig& c, const std::string& suffix) {
  return c.app.manager_workdir + "/" + c.app_name + suffix;
}

// Writes `text` to `path` through a temporary file and a rename, so readers never see half.
// The decision record and the report: readable by the operator's group, not by everyone.
Status write_record(const std::string& path, const std::string& text) {
  return replace_file_atomically(path, text, ReplaceOptions{.mode = 0640});
}

void log_lines(log::Level level, const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) log::write(level, line);
}

long long ms_between(const std::optional<SteadyTime>& a, const std::optional<SteadyTime>& b) {
  if (!a || !b) return -1;
  return duration_cast<milliseconds>(*b - *a).count();
}

// The report of one failover attempt (docs/failover.md "The failover report").
struct Report {
  std::chrono::system_clock::time_point started;
  std::string dead_master;
  std::string new_master;
  std::string result = "failed";  // "succeeded", "partially_succeeded", "failed", "refused"
  int exit_code = kExitError;
  std::string reason;
  int plan_rounds = 0;
  long long detect_ms = -1;
  long long confirm_ms = -1;
  recovery::PhaseTimings phases;
  long long total_ms = 0;
  std::vector<recovery::StepReport> steps;
  std::vector<std::string> warnings;
  std::vector<planner::NotRecovered> not_recovered;
  std::optional<recovery::StepFailure> failure;
};

std::string render_report(const Report& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const recovery::StepReport& s : r.steps) {
    steps.push_back({{"n", s.index},
                     {"step", s.name},
                     {"outcome", recovery::step_outcome_name(s.outcome)},
                     {"detail", s.detail},
                     {"ms", s.elapsed.count()}});
  }
  nlohmann::json not_recovered = nlohmann::json::array();
  for (const planner::NotRecovered& n : r.not_recovered) {
    not_recovered.push_back({{"server", n.server.name}, {"reason", n.reason}});
  }
  nlohmann::json j = {
      {"started_at", iso8601_utc_ms(r.started)},
      {"dead_master", r.dead_master},
      {"new_master", r.new_master.empty() ? nlohmann::json() : nlohmann::json(r.new_master)},
      {"result", r.result},
      {"exit_code", r.exit_code},
      {"reason", r.reason},
      {"plan_rounds", r.plan_rounds},
      {"phases_ms",
       {{"detect", r.detect_ms},
        {"confirm", r.confirm_ms},
        {"fence", r.phases.fence.count()},
        {"catch_up", r.phases.catch_up.count()},
        {"promote", r.phases.promote.count()},
        {"repoint", r.phases.repoint.count()},
        {"vip", r.phases.vip.count()},
        {"report", r.phases.report.count()},
        {"total", r.total_ms}}},
      {"steps", steps},
      {"warnings", r.warnings},
      {"not_recovered", not_recovered},
  };
  if (r.failure) {
    j["failure"] = {{"step", r.failure->index},
                    {"name", r.failure->name},
                    {"error", r.failure->error.message},
                    {"left_state", r.failure->left_state}};
  }
  return j.dump(2) + "\n";
}

void add_phases(recovery::PhaseTimings& into, const recovery::PhaseTimings& p) {
  into.fence += p.fence;
  into.catch_up += p.catch_up;
  into.promote += p.promote;
  into.repoint += p.repoint;
  into.vip += p.vip;
  into.report += p.report;
}

void log_phase_line(const Report& r) {
  log::info(
      "Failover phases (ms): detect={} confirm={} fence={} catch_up={} promote={} repoint={} "
      "vip={} report={} total={}",
      r.detect_ms, r.confirm_ms, r.phases.fence.count(), r.phases.catch_up.count(),
      r.phases.promote.count(), r.phases.repoint.count(), r.phases.vip.count(),
      r.phases.report.count(), r.total_ms);
}

// The executor's SSH access to the configured servers' hosts, over the manager's session pools.
class PooledHostAccess final : public recovery::HostAccess {
 public:
  PooledHostAccess(const config::AppConfig& config, observe::ExecSource& ssh, std::string home)
      : config_(config), ssh_(ssh), home_(std::move(home)) {}

  Result<ssh::ExecResult> run(std::size_t i, const std::string& command,
                              const std::string& stdin_data, milliseconds timeout) override {
    Result<observe::SshSettings> s = settings(i);
    if (!s) return Unexpected(std::move(s).error());
    return ssh_.exec_for(s->auth, s->timeouts).run(s->target, command, stdin_data, timeout);
  }
  Status download(std::size_t i, const std::string& remote, const std::string& local) override {
    Result<observe::SshSettings> s = settings(i);
    if (!s) return Unexpected(std::move(s).error());
    return ssh_.exec_for(s->auth, s->timeouts).download(s->target, remote, local);
  }
  Status upload(std::size_t i, const std::string& local, const std::string& remote,
                int mode) override {
    Result<observe::SshSettings> s = settings(i);
    if (!s) return Unexpected(std::move(s).error());
    return ssh_.exec_for(s->auth, s->timeouts).upload(s->target, local, remote, mode);
  }

 private:
  Result<observe::SshSettings> settings(std::size_t i) {
    if (i >= config_.servers.size()) {
      return Unexpected(make_error(ErrorCode::kInternal, "no server #" + std::to_string(i)));
    }
    return observe::ssh_settings(config_.servers[i], home_);
  }
  const config::AppConfig& config_;
  observe::ExecSource& ssh_;
  std::string home_;
};

// The failover's own observation. The master the monitor declared dead is not connected to
// again: a hung or cut-off master would cost a whole connect timeout (2 s here) before the first
// step, and the detector's verdict is the evidence (docs/failover.md). A dry run, a manual
// failover (assume_dead) and a master not found in the configuration are observed as usual,
// with a short connect timeout.
observe::ObserveOptions failover_observe_options(const config::AppConfig& config,
                                                 const DetectionFacts& detection) {
  observe::ObserveOptions o;
  o.timeouts =
      mysql::Timeouts{std::chrono::seconds(2), std::chrono::seconds(10), std::chrono::seconds(10)};
  if (detection.master_dead && !detection.assume_dead && !detection.hypothetical) {
    for (std::size_t i = 0; i < config.servers.size(); ++i) {
      const config::ServerConfig& s = config.servers[i];
      if (s.hostname == detection.master_host && s.port == detection.master_port) {
        o.presumed_dead.insert(i);
        o.presumed_dead_reason = "not connected to again: the monitor declared it dead";
      }
    }
  }
  return o;
}

}  // namespace

std::string decision_record_path(const config::AppConfig& config) {
  return workfile(config, ".failover.decision.json");
}

std::string failover_report_path(const config::AppConfig& config) {
  return workfile(config, ".failover.report.json");
}

FailoverResult run_failover(const FailoverEnv& env, const DetectionFacts& detection,
                            const FailoverSwitches& switches) {
  const config::AppConfig& config = *env.config;
  FailoverResult result;
  Report report;
  report.started = std::chrono::system_clock::now();
  const SteadyTime started = std::chrono::steady_clock::now();
  report.detect_ms = ms_between(detection.last_ok_ping, detection.first_failed_ping);
  report.confirm_ms = ms_between(detection.first_failed_ping, detection.declared_dead);

  // Markers, as the planner's anti-flapping rules read them.
  planner::MarkerFacts markers;
  if (Result<std::optional<state::WallTime>> t =
          env.store->marker_time(state::Marker::kFailoverError)) {
    markers.error_marker_exists = t->has_value();
  } else {
    log::warning("cannot read the failover error marker: {}", t.error().message);
  }
  if (Result<std::optional<state::WallTime>> t =
          env.store->marker_time(state::Marker::kFailoverComplete)) {
    markers.last_complete = *t;
  } else {
    log::warning("cannot read the failover complete marker: {}", t.error().message);
  }

  planner::FailoverPolicy policy = planner::policy_from_config(config);
  policy.evidence.dead_master_host = detection.master_host;
  policy.evidence.dead_master_port = detection.master_port;
  policy.evidence.master_dead = detection.master_dead;
  policy.evidence.assume_dead = detection.assume_dead;
  policy.evidence.ssh_reachable = detection.ssh_reachable;
  policy.evidence.summary = detection.summary;
  policy.markers = markers;
  policy.ignore_last_failover = switches.ignore_last_failover;
  policy.last_failover_minute = std::chrono::minutes(switches.last_failover_minute);
  if (!switches.new_master_host.empty()) {
    policy.new_master_host = switches.new_master_host;
    policy.new_master_port = switches.new_master_port;
  }
  policy.skip_change_master = switches.skip_change_master;
  policy.skip_disable_read_only = switches.skip_disable_read_only;
  policy.skip_save_master_binlog = switches.skip_save_master_binlog;

  mysql::Credentials admin;
  mysql::Credentials repl;
  std::string ssh_user;
  if (!config.servers.empty()) {
    admin = {config.servers.front().user, config.servers.front().password};
    repl.user = config.servers.front().repl_user;
    repl.password = config.servers.front().repl_password.value_or("");
    ssh_user = config.servers.front().ssh_user;
  }

  topology::ClusterSnapshot snapshot =
      observe::observe_cluster(config, *env.sql, failover_observe_options(config, detection));
  if (switches.dry_run && detection.hypothetical) {
    // The question a dry run answers: what would happen if the master died now? A living master
    // is taken as dead in a copy of the observation; nothing else is changed.
    if (const std::optional<std::size_t> m = snapshot.derive_master();
        m && snapshot.servers[*m].alive()) {
      topology::ServerObservation& master = snapshot.servers[*m];
      master.sql = topology::SqlReach::kDead;
      master.sql_error = make_error(ErrorCode::kConnect, "assumed dead by --dry-run");
      if (env.dry_run_out) {
        *env.dry_run_out << "--dry-run: " << master.id.display()
                         << " answers SQL; this is the plan if it died now. Nothing is changed.\n";
      }
    }
  }
  planner::Decision decision =
      planner::decide_failover(snapshot, policy, std::chrono::system_clock::now());
  if (switches.dry_run) {
    if (env.dry_run_out) *env.dry_run_out << planner::render_text(snapshot, decision);
    result.refused = !decision.plan();
    result.exit_code = decision.plan() ? kExitOk : kExitError;
    result.summary = decision.plan() ? "dry run: plan printed" : "dry run: no failover";
    return result;
  }
  if (switches.ignore_last_failover) {
    if (Status st = env.store->clear_failover_markers(); !st) {
      log::warning("cannot clear the failover markers: {}", st.error().message);
    }
  }

  recovery::SystemClock clock;
  std::unique_ptr<PooledHostAccess> hosts;
  if (env.ssh != nullptr) {
    hosts = std::make_unique<PooledHostAccess>(config, *env.ssh, env.ssh_home);
  }
  std::unique_ptr<recovery::FileJournal> journal;
  recovery::ExecutionReport last;
  for (int round = 1; round <= kMaxPlanRounds; ++round) {
    report.plan_rounds = round;
    log_lines(log::Level::kInfo, planner::render_text(snapshot, decision));
    if (Status st = write_record(decision_record_path(config), planner::render_json(decision));
        !st) {
      log::warning("cannot write the decision record: {}", st.error().message);
    }
    report.dead_master = decision.record.dead_master;
    if (const planner::NoFailover* no = decision.no_failover()) {
      result.refused = true;
      result.summary = "no failover: " + no->reason;
      report.result = "refused";
      report.reason = no->reason;
      break;
    }
    if (const planner::Refuse* refuse = decision.refusal()) {
      result.refused = true;
      result.summary = std::string("failover refused (") + planner::refuse_rule_name(refuse->rule) +
                       "): " + refuse->reason;
      report.result = "refused";
      report.reason = result.summary;
      log::error("{}", result.summary);
      break;
    }
    // A replica that cannot be re-pointed is left as it is and reported (exit 10): the planner
    // marks every re-point may_fail (plan_builder.cc).
    const planner::FailoverPlan& plan = std::get<planner::FailoverPlan>(decision.outcome);
    for (const std::string& w : plan.warnings) log::warning("{}", w);
    if (!journal) {
      Result<std::unique_ptr<recovery::FileJournal>> j = recovery::FileJournal::open(
          recovery::journal_path(config.app.manager_workdir, config.app_name));
      if (!j) {
        result.summary = "cannot open the failover journal: " + j.error().message;
        log::error("{}", result.summary);
        report.reason = result.summary;
        break;
      }
      journal = std::move(*j);
    }
    recovery::ExecutorOptions eo;
    eo.app = config.app_name;
    eo.conf_file = config.conf_path;
    eo.admin = admin;
    eo.repl = repl;
    eo.ssh_user = ssh_user;
    for (const config::ServerConfig& sc : config.servers) {
      eo.servers.push_back(recovery::ServerScriptFacts{
          sc.ssh_user, sc.hostname, sc.ip, sc.ssh_host, sc.ssh_ip, sc.ssh_port, sc.ssh_options,
          sc.master_pid_file, sc.master_binlog_dir, sc.remote_workdir});
    }
    eo.hosts = hosts.get();
    eo.local_workdir = config.app.manager_workdir;
    recovery::Executor executor(*env.sql, *env.runner, *journal, clock, eo);
    Result<recovery::ExecutionReport> ran = executor.execute(plan, snapshot);
    result.executed = true;
    if (!ran) {
      result.summary = "failover could not run: " + ran.error().message;
      report.reason = result.summary;
      log::error("{}", result.summary);
      report.failure = recovery::StepFailure{0, "execute", ran.error(), "nothing was changed"};
      break;
    }
    last = std::move(*ran);
    add_phases(report.phases, last.phases);
    for (const recovery::StepReport& s : last.steps) report.steps.push_back(s);
    for (const std::string& w : last.warnings) report.warnings.push_back(w);
    if (last.failure) {
      report.failure = last.failure;
      result.summary = "failover failed at step " + std::to_string(last.failure->index) + " (" +
                       last.failure->name + "): " + last.failure->error.message;
      report.reason = result.summary;
      log::error("{}", result.summary);
      if (!last.failure->left_state.empty()) log::error("What to do: {}", last.failure->left_state);
      break;
    }
    if (!last.replan_needed) {
      result.new_master = plan.new_master.name;
      report.new_master = plan.new_master.name;
      report.not_recovered = last.not_recovered;
      result.exit_code = last.not_recovered.empty() ? kExitOk : kExitPartial;
      report.exit_code = result.exit_code;
      report.result = last.not_recovered.empty() ? "succeeded" : "partially_succeeded";
      result.summary = "failover from " + plan.dead_master.name + " to " + plan.new_master.name +
                       (last.not_recovered.empty() ? " succeeded" : " partially succeeded");
      // Exit 10 must say who was left behind and why, in the log as well as in the report: the
      // operator repairs exactly those servers.
      std::vector<std::string> left;
      for (const planner::NotRecovered& n : last.not_recovered) {
        log::warning("not recovered: {}: {}", n.server.name, n.reason);
        left.push_back(n.server.name);
      }
      if (!left.empty()) {
        std::string names;
        for (const std::string& l : left) names += (names.empty() ? "" : ", ") + l;
        result.summary += " (not recovered: " + names + ")";
      }
      log::info("{}", planner::render_topology_change(snapshot, plan));
      break;
    }
    if (round == kMaxPlanRounds) {
      result.summary = "received positions kept moving after fencing; giving up after " +
                       std::to_string(round) + " plans";
      report.reason = result.summary;
      log::error("{}", result.summary);
      break;
    }
    log::info("replica positions moved after fencing; observing again and re-planning");
    snapshot =
        observe::observe_cluster(config, *env.sql, failover_observe_options(config, detection));
    policy.already_fenced = true;
    decision = planner::decide_failover(snapshot, policy, std::chrono::system_clock::now());
  }
  report.total_ms = duration_cast<milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (result.refused) report.exit_code = kExitError;

  if (result.executed || !result.refused) {
    state::FailoverRecord record;
    record.time = std::chrono::system_clock::now();
    record.old_master = report.dead_master;
    record.new_master = result.new_master;
    record.success = result.exit_code == kExitOk || result.exit_code == kExitPartial;
    record.detail = record.success ? "" : result.summary;
    if (result.executed || record.success) {
      if (Status st = env.store->record_failover(record); !st) {
        log::error("cannot record the failover: {}", st.error().message);
      }
    }
  }
  if ((result.exit_code == kExitOk || result.exit_code == kExitPartial) &&
      switches.remove_dead_master_conf && env.remove_server_block) {
    const std::optional<std::size_t> dead =
        snapshot.find(detection.master_host, detection.master_port);
    if (dead) {
      const std::string block = snapshot.servers[*dead].id.block;
      if (Status st = env.remove_server_block(block); !st) {
        log::warning("--remove_dead_master_conf: {}", st.error().message);
      } else {
        log::info("Removed [{}] from {}", block, config.conf_path);
      }
    }
  }
  log_phase_line(report);
  result.phases_ms = {{"detect", report.detect_ms},
                      {"confirm", report.confirm_ms},
                      {"fence", report.phases.fence.count()},
                      {"catch_up", report.phases.catch_up.count()},
                      {"promote", report.phases.promote.count()},
                      {"repoint", report.phases.repoint.count()},
                      {"vip", report.phases.vip.count()},
                      {"report", report.phases.report.count()},
                      {"total", report.total_ms}};
  if (Status st = write_record(failover_report_path(config), render_report(report)); !st) {
    log::warning("cannot write the failover report: {}", st.error().message);
  }
  return result;
}

}  // namespace mha::manager
