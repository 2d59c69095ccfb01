// masterha_master_switch. --master_state=dead: manual failover of a master that is already dead
// (the same planner and executor as masterha_manager's automatic failover). --master_state=alive:
// online switchover (src/switchover, docs/switchover.md): observe, decide (refuse or plan), act.
//
// Dead mode refuses while another masterha_manager runs for the application (it would fight over
// the same servers) and while the master still answers SQL (the planner's first rule). With
// --interactive=1 (MHA's default) it prints the plan and asks before changing anything.
//
// Exit codes: 0 done; 10 done, some replica not recovered (alive: or the old master not made a
// replica, or --command=start failed); 1 refused, declined or failed (alive: rolled back, see the
// last line).

#include "mha/cli/load_config.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/common/log.h"
#include "mha/hooks/process.h"
#include "mha/manager/failover_run.h"
#include "mha/mysql/connection.h"
#include "mha/mysql/library.h"
#include "mha/ssh/identity.h"
#include "mha/ssh/library.h"
#include "mha/state/file_state_store.h"
#include "mha/state/process_control.h"
#include "mha/switchover/executor.h"

#include <cerrno>
#include <fstream>
#include <istream>
#include <optional>
#include <sstream>
#include <string>
#include <variant>

#include "tool_support.h"
#include <signal.h>
#include <sys/stat.h>

namespace mha::cli {
namespace {

// The pid of a live masterha_manager that wrote the status record, or 0.
// The pid of the manager the status file names, when it is still running; 0 otherwise.
int running_manager(state::FailoverStateStore& store) {
  Result<std::optional<state::StatusSnapshot>> st = store.read_status();
  if (!st || !*st) return 0;
  state::ProcProcessControl processes;
  const int pid = (*st)->record.pid;
  return state::manager_running(processes, pid) ? pid : 0;
}

bool confirmed(const Context& ctx, const std::string& question) {
  ctx.out << question << " (yes/NO): " << std::flush;
  std::string answer;
  if (!std::getline(ctx.in, answer)) return false;
  return answer == "yes" || answer == "YES" || answer == "y" || answer == "Y";
}

int switchover_main(const MasterSwitchOptions& options, const config::AppConfig& config,
                    const Context& ctx) {
  log::Level level = log::Level::kInfo;
  if (Result<log::Level> l = log::parse_level(config.app.log_level)) level = *l;
  // MHA logs an online switch to the terminal only.
  internal::LogTo logging(ctx.out, level);
  for (const std::string& w : config.warnings) log::warning("{}", w);
  const SwitchoverOptions& so = options.switchover;

  if (Status st = internal::ensure_workdir(config.app.manager_workdir); !st) {
    return internal::fail(kMasterSwitchTool, st.error().message, ctx);
  }
  state::FileStateStore store(state::StatePaths{config.app.manager_workdir, config.app_name});
  mysql::MysqlLibrary mysql_library;
  if (!mysql_library.ok()) {
    return internal::fail(kMasterSwitchTool, "cannot initialise libmariadb", ctx);
  }
  mysql::MysqlConnector connector;
  const mysql::Timeouts timeouts;
  log::info("Checking the servers of {} for an online master switch", config.conf_path);
  const switchover::Observed observed = switchover::observe(config, connector, timeouts);
  for (const std::string& w : observed.warnings) log::warning("{}", w);
  switchover::PlanOptions po;
  po.new_master_host = options.failover.new_master_host;
  po.new_master_port = options.failover.new_master_port;
  po.seconds_behind_master = so.seconds_behind_master;
  po.running_updates_limit = so.running_updates_limit;
  po.running_seconds_limit = so.running_seconds_limit;
  po.orig_master_is_new_slave = so.orig_master_is_new_slave;
  const switchover::Decision decision =
      switchover::decide(switchover::plan_input(observed, config, running_manager(store)), po);
  if (!decision.plan) {
    for (const std::string& r : decision.refusals) log::error("refused: {}", r);
    const std::string more =
        decision.refusals.size() > 1
            ? " (and " + std::to_string(decision.refusals.size() - 1) + " more reason(s) above)"
            : "";
    return internal::fail(
        kMasterSwitchTool,
        "online switch refused, nothing changed: " +
            (decision.refusals.empty() ? std::string("no plan") : decision.refusals.front()) + more,
        ctx);
  }
  const switchover::SwitchPlan& plan = *decision.plan;
  const topology::ServerObservation& orig = observed.snapshot.servers[plan.orig_master];
  const topology::ServerObservation& nm = observed.snapshot.servers[plan.new_master];
  ctx.out << switchover::render(observed.snapshot, plan) << std::flush;
  if (so.check_only) {
    ctx.out << "--check_only: every check passed; nothing was changed.\n";
    return 0;
  }
  if (options.interactive && !confirmed(ctx, "Starting master switch from " + orig.id.display() +
                                                 " to " + nm.id.display() + ". Continue?")) {
    ctx.out << "Not typed yes. Stopping.\n";
    return 1;
  }
  switchover::ExecOptions eo;
  eo.catchup_timeout = std::chrono::seconds(so.catchup_timeout);
  eo.skip_lock_all_tables = so.skip_lock_all_tables;
  eo.timeouts = timeouts;
  eo.flush_tables =
      so.flush_tables == FlushTables::kRun ||
      (so.flush_tables == FlushTables::kAsk &&
       (!options.interactive ||
        confirmed(ctx, "Execute FLUSH NO_WRITE_TO_BINLOG TABLES on " + orig.id.display() + "?")));
  hooks::PosixProcessRunner runner;
  const switchover::Outcome outcome =
      switchover::execute(config, observed.snapshot, plan, connector, runner, eo);

  const std::string json = switchover::report_json(config, observed.snapshot, plan, outcome);
  const std::string report =
      config.app.manager_workdir + "/" + config.app_name + ".switch.report.json";
  {
    std::ofstream f(report, std::ios::trunc);
    f << json << "\n";
    if (!f) log::warning("cannot write {}", report);
  }
  if (outcome.write_block_ms) log::info("writes blocked for {} ms", *outcome.write_block_ms);
  log::info("switchover summary: {}", json);
  if (outcome.exit_code == 0 && options.failover.remove_dead_master_conf) {
    if (so.orig_master_is_new_slave) {
      log::warning("--remove_orig_master_conf ignored: the old master is now a replica");
    } else if (Status s = internal::remove_server_block(config.conf_path, orig.id.block); !s) {
      log::warning("could not remove [{}] from {}: {}", orig.id.block, config.conf_path,
                   s.error().message);
    } else {
      log::info("removed [{}] from {}", orig.id.block, config.conf_path);
    }
  }
  if (outcome.exit_code == 0) {
    ctx.out << outcome.summary << "\n";
  } else {
    log::error("{}", outcome.summary);
    ctx.err << kMasterSwitchTool << ": " << outcome.summary << "\n";
  }
  ctx.out.flush();
  return outcome.exit_code;
}

}  // namespace

int master_switch_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_master_switch_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<MasterSwitchOptions>(parsed);
  auto config = load_app_config(options.conf, options.paths, ctx.script_runner);
  if (!config) return internal::config_error(config.error(), ctx);
  if (options.state == MasterState::kAlive) return switchover_main(options, *config, ctx);

  log::Level level = log::Level::kInfo;
  if (Result<log::Level> l = log::parse_level(config->app.log_level)) level = *l;
  internal::LogTo logging(ctx.out, level);
  for (const std::string& w : config->warnings) log::warning("{}", w);

  // The dead master must be a configured server.
  bool known = false;
  int port = options.dead.port;
  for (const config::ServerConfig& s : config->servers) {
    if ((s.hostname == options.dead.host || s.ip == options.dead.host) &&
        (!options.dead.port_given || s.port == options.dead.port)) {
      known = true;
      port = s.port;
    }
  }
  if (!known) {
    return internal::fail(
        kMasterSwitchTool,
        "--dead_master_host=" + options.dead.host + " is not a server of " + config->conf_path,
        ctx);
  }
  if (Status st = internal::ensure_workdir(config->app.manager_workdir); !st) {
    return internal::fail(kMasterSwitchTool, st.error().message, ctx);
  }
  state::FileStateStore store(state::StatePaths{config->app.manager_workdir, config->app_name});
  if (const int pid = running_manager(store); pid != 0) {
    return internal::fail(kMasterSwitchTool,
                          "masterha_manager (pid " + std::to_string(pid) + ") monitors " +
                              config->app_name +
                              ": stop it first (masterha_stop --conf=" + config->conf_path + ")",
                          ctx);
  }

  mysql::MysqlLibrary mysql_library;
  if (!mysql_library.ok()) {
    return internal::fail(kMasterSwitchTool, "cannot initialise libmariadb", ctx);
  }
  // SSH for binlog salvage from the dead master's host (a failure only means no salvage).
  Result<ssh::Libssh2Library> ssh_library = ssh::Libssh2Library::init();
  std::optional<observe::SessionPools> pools;
  if (ssh_library) pools.emplace();
  mysql::MysqlConnector connector;
  hooks::PosixProcessRunner runner;
  manager::FailoverEnv env;
  env.config = &*config;
  env.sql = &connector;
  env.runner = &runner;
  env.store = &store;
  env.dry_run_out = &ctx.out;
  env.ssh = pools ? &*pools : nullptr;
  env.ssh_home = ssh::home_directory();
  env.remove_server_block = [&](const std::string& block) {
    return internal::remove_server_block(config->conf_path, block);
  };
  manager::DetectionFacts facts;
  facts.master_host = options.dead.host;
  facts.master_port = port;
  facts.master_dead = false;
  facts.assume_dead = true;  // only if the snapshot shows it dead: a living master is refused
  if (options.dead.ssh_reachable != SshReachable::kUnknown) {
    facts.ssh_reachable = options.dead.ssh_reachable == SshReachable::kYes;
  }
  facts.summary =
      "masterha_master_switch --master_state=dead --dead_master_host=" + options.dead.host +
      " (operator)";
  manager::FailoverSwitches switches = internal::failover_switches(options.failover);

  if (switches.dry_run || options.interactive) {
    // The plan first: what would happen, decided from what the servers report now.
    manager::FailoverSwitches preview = switches;
    preview.dry_run = true;
    std::ostringstream plan;
    manager::FailoverEnv preview_env = env;
    preview_env.dry_run_out = &plan;
    const manager::FailoverResult r = manager::run_failover(preview_env, facts, preview);
    ctx.out << plan.str();
    if (switches.dry_run || r.exit_code != 0) return r.exit_code;
    if (!confirmed(ctx, "Starting master switch from " + options.dead.host + ". Continue?")) {
      ctx.out << "Not typed yes. Stopping.\n";
      return 1;
    }
  }
  const manager::FailoverResult result = manager::run_failover(env, facts, switches);
  ctx.out << result.summary << "\n";
  ctx.out.flush();
  return result.exit_code;
}

}  // namespace mha::cli
