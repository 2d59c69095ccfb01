#include "mha/cli/load_config.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/state/check_status.h"
#include "mha/state/file_state_store.h"
#include "mha/state/manager_stop.h"
#include "mha/state/process_control.h"

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <system_error>
#include <variant>
#include <vector>

#include "tool_support.h"

namespace mha::cli {
namespace {

// Where one application's state is, and the names the output uses.
struct ResolvedTarget {
  std::string app;  // shown in the output: --app, else the conf basename
  state::StatePaths paths;
  std::string log_file;  // "" = not known
};

// MHA's rules: --conf gives the app name (its basename) and manager_workdir, unless --app or
// --status_dir override them; --app with --status_dir needs no configuration at all.
Result<ResolvedTarget> resolve_target(const AdminTarget& target, const Context& ctx) {
  ResolvedTarget resolved;
  if (!target.conf.conf.empty()) {
    PathOverrides overrides;
    overrides.workdir = target.status_dir;
    overrides.log_output = target.log_output;
    auto config = load_app_config(target.conf, overrides, ctx.script_runner);
    if (!config) return Unexpected(std::move(config).error());
    resolved.paths = {config->app.manager_workdir, config->app_name};
    resolved.log_file = config->app.manager_log;
  } else {
    resolved.paths = {target.status_dir.value_or(""), target.app};
    resolved.log_file = target.log_output.value_or("");
  }
  resolved.app = target.app.empty() ? resolved.paths.app : target.app;
  std::error_code ec;
  if (!std::filesystem::is_directory(resolved.paths.workdir, ec)) {
    return Unexpected(
        make_error(ErrorCode::kNotFound, "Directory " + resolved.paths.workdir + " not found!"));
  }
  return resolved;
}

int check_one(const ResolvedTarget& target, const CheckStatusOptions& options, const Context& ctx) {
  state::FileStateStore store(target.paths);
  auto snapshot = store.read_status();
  if (!snapshot) return internal::fail(kCheckStatusTool, snapshot.error().message, ctx);

  state::ProcProcessControl processes;
  state::StatusObservation observed;
  observed.now = std::chrono::system_clock::now();
  observed.snapshot = *snapshot;
  if (observed.snapshot) {
    const int pid = observed.snapshot->record.pid;
    const auto process = processes.inspect(pid);
    observed.manager_alive = process && process->is_manager();
    // Processes left behind belong to the manager only if its PID is gone; a live unrelated
    // process (the PID was reused) has nothing to do with it.
    if (!process) observed.leftovers = processes.leftover_processes(pid);
  }
  const state::StatusReport report =
      state::evaluate_status(observed, std::chrono::seconds(options.ping_limit));
  const state::StatusTextContext text{target.app, target.paths.status_file(), target.log_file};
  if (options.json) {
    ctx.out << state::status_json(report, text) << '\n';
  } else {
    ctx.out << state::status_text(report, text);
  }
  return state::status_code(report.status);
}

// --all: the applications MHA finds as daemontools services: <basedir>/masterha_<app>, sorted.
Result<std::vector<std::string>> daemontools_apps(const std::string& basedir) {
  constexpr std::string_view kPrefix = "masterha_";
  std::vector<std::string> apps;
  std::error_code ec;
  std::filesystem::directory_iterator it(basedir, ec);
  if (ec) {
    return Unexpected(
        make_error(ErrorCode::kNotFound, "--all: cannot read " + basedir + ": " + ec.message()));
  }
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(kPrefix) && name.size() > kPrefix.size() && entry.is_directory(ec)) {
      apps.push_back(name.substr(kPrefix.size()));
    }
  }
  std::sort(apps.begin(), apps.end());
  if (apps.empty()) {
    return Unexpected(make_error(ErrorCode::kNotFound,
                                 "--all: no masterha_<app> service directory in " + basedir));
  }
  return apps;
}

// --all: each app's configuration is <kDefaultAppConfDir>/<app>.cnf (MHA); exit 0 only when every
// application is PING_OK, as MHA.
int check_all(const CheckStatusOptions& options, const Context& ctx) {
  auto apps = daemontools_apps(options.basedir);
  if (!apps) return internal::fail(kCheckStatusTool, apps.error().message, ctx);
  int code = 0;
  for (const std::string& app : *apps) {
    AdminTarget target = options.target;
    target.app = app;
    target.conf.conf = std::string(kDefaultAppConfDir) + "/" + app + ".cnf";
    if (!options.baselog.empty())
      target.log_output = options.baselog + "/" + app + "/" + app + ".log";
    auto resolved = resolve_target(target, ctx);
    if (!resolved) {
      internal::fail(kCheckStatusTool, app + ": " + resolved.error().message, ctx);
      code = 1;
      continue;
    }
    if (check_one(*resolved, options, ctx) != 0) code = 1;
  }
  return code;
}

}  // namespace

int check_status_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_check_status_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<CheckStatusOptions>(parsed);
  if (options.all) return check_all(options, ctx);
  auto target = resolve_target(options.target, ctx);
  if (!target) {
    if (target.error().code == ErrorCode::kConfig)
      return internal::config_error(target.error(), ctx);
    return internal::fail(kCheckStatusTool, target.error().message, ctx);
  }
  return check_one(*target, options, ctx);
}

int stop_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_stop_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<StopOptions>(parsed);
  auto target = resolve_target(options.target, ctx);
  if (!target) {
    if (target.error().code == ErrorCode::kConfig)
      return internal::config_error(target.error(), ctx);
    return internal::fail(kStopTool, target.error().message, ctx);
  }

  state::FileStateStore store(target->paths);
  auto snapshot = store.read_status();
  if (!snapshot) return internal::fail(kStopTool, snapshot.error().message, ctx);
  std::optional<state::StatusRecord> record;
  if (*snapshot) record = (*snapshot)->record;

  state::ProcProcessControl processes;
  std::optional<state::ProcessInfo> process;
  std::vector<int> leftovers;
  if (record) {
    process = processes.inspect(record->pid);
    if (!process) leftovers = processes.leftover_processes(record->pid);
  }
  const state::StopPlan plan = state::decide_stop(record, process, leftovers, options.abort);
  state::StopSettings settings;
  settings.app = target->app;
  settings.abort = options.abort;
  settings.abort_timeout = std::chrono::seconds(options.abort_timeout);
  const state::StopOutcome outcome = state::stop_manager(plan, process, settings, processes);
  ctx.out << outcome.out;
  if (outcome.killed_during_failover) {
    // The killed manager could not write it; without it the next manager would start a new
    // failover on a half-failed-over cluster.
    if (Status marked = store.set_marker(state::Marker::kFailoverError); !marked) {
      ctx.err << kStopTool << ": " << marked.error().message << '\n';
      return 1;
    }
    ctx.out << "Failover was interrupted: created " << target->paths.failover_error()
            << "; check the cluster and remove it before the next failover.\n";
  }
  return outcome.exit_code;
}

}  // namespace mha::cli
