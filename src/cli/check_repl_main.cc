// masterha_check_repl: observe every server (SQL, and SSH unless --skip_ssh_check), run the
// status scripts against the current master, judge with mha::checks and print the report.
//
// Output: the text report (MHA-style log lines, the topology, the verdict last) on stdout,
// progress lines before it; with --json only the JSON report is on stdout and progress goes to
// stderr. Exit 0 when the report has no error, else 1.

#include "mha/checks/render.h"
#include "mha/checks/replication_checks.h"
#include "mha/cli/load_config.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/common/log.h"
#include "mha/hooks/process.h"
#include "mha/mysql/connection.h"
#include "mha/mysql/library.h"
#include "mha/observe/observe_cluster.h"
#include "mha/observe/ssh_probe.h"
#include "mha/ssh/library.h"
#include "mha/ssh/shell_quote.h"

#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "tool_support.h"

namespace mha::cli {
namespace {

// MHA waits for the status scripts forever; a hung script must not hang the check.
constexpr std::chrono::seconds kStatusScriptTimeout{30};

// The process logger points at the tool's streams while it runs and back at stderr afterwards,
// so nothing writes to a stream the caller has destroyed.
class LogTo {
 public:
  LogTo(std::ostream& stream, log::Level level) { log::init_stream(stream, level); }
  ~LogTo() { log::init_stream(std::cerr, log::Level::kInfo); }
  LogTo(const LogTo&) = delete;
  LogTo& operator=(const LogTo&) = delete;
};

std::string arg(std::string_view name, const std::string& value) {
  return " --" + std::string(name) + "=" + ssh::shell_quote(value);
}

// MHA's --ssh_* additions to a script call (its get_ssh_args_if): only what differs from the
// defaults. `prefix` is "orig_master_" for master_ip_failover_script, "" for shutdown_script.
std::string ssh_args(const config::ServerConfig& s, const std::string& prefix) {
  std::string out;
  if (s.ssh_host != s.hostname) out += arg(prefix + "ssh_host", s.ssh_host);
  if (s.ssh_ip != s.ip) out += arg(prefix + "ssh_ip", s.ssh_ip);
  if (s.ssh_port != 22) out += arg(prefix + "ssh_port", std::to_string(s.ssh_port));
  if (!s.ssh_options.empty()) out += arg("ssh_options", s.ssh_options);
  return out;
}

std::string master_ip_failover_status_line(const std::string& script,
                                           const config::ServerConfig& m) {
  return script + " --command=status" + arg("ssh_user", m.ssh_user) +
         arg("orig_master_host", m.hostname) + arg("orig_master_ip", m.ip) +
         arg("orig_master_port", std::to_string(m.port)) + ssh_args(m, "orig_master_");
}

std::string shutdown_status_line(const std::string& script, const config::ServerConfig& m) {
  return script + " --command=status" + arg("ssh_user", m.ssh_user) + arg("host", m.hostname) +
         arg("ip", m.ip) + ssh_args(m, "");
}

void log_output(std::string_view stream, const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) log::info("  {}: {}", stream, text.substr(start, end - start));
    start = end + 1;
  }
}

checks::ScriptResult run_status_script(hooks::ProcessRunner& runner, const std::string& line) {
  log::info("Executing {}", line);
  hooks::ProcessSpec spec;
  spec.shell_command = line;
  spec.timeout = kStatusScriptTimeout;
  Result<hooks::ProcessResult> ran = runner.run(spec);
  if (!ran) return checks::ScriptResult{std::nullopt, ran.error().message};
  log_output("stdout", ran->out);
  log_output("stderr", ran->err);
  if (ran->timed_out || ran->term_signal != 0) {
    return checks::ScriptResult{std::nullopt, ran->describe()};
  }
  return checks::ScriptResult{ran->exit_code, ""};
}

void run_status_scripts(const config::AppConfig& config, const topology::ClusterSnapshot& snap,
                        checks::CheckOptions& options) {
  const std::optional<std::size_t> master = snap.derive_master();
  if (!master) return;  // the checks report the missing master; nothing to ask the scripts about
  const config::ServerConfig& m = config.servers[snap.servers[*master].id.config_index];
  hooks::PosixProcessRunner runner;
  if (!config.app.master_ip_failover_script.empty()) {
    options.master_ip_failover_status = run_status_script(
        runner, master_ip_failover_status_line(config.app.master_ip_failover_script, m));
  }
  if (!config.app.shutdown_script.empty()) {
    options.shutdown_status =
        run_status_script(runner, shutdown_status_line(config.app.shutdown_script, m));
  }
}

// SSH reachability and node helper of every server, as masterha_check_ssh probes them.
std::optional<observe::SshProbeReport> probe_ssh(const config::AppConfig& config) {
  Result<ssh::Libssh2Library> library = ssh::Libssh2Library::init();
  if (!library) {
    log::error("Cannot initialise libssh2: {}", library.error().message);
    return std::nullopt;
  }
  observe::SessionPools pools;
  return observe::probe_ssh(config, pools, observe::SshProbeOptions{});
}

void apply_ssh_facts(const observe::SshProbeReport& ssh, topology::ClusterSnapshot& snap) {
  for (const observe::ServerSshResult& s : ssh.servers) {
    if (s.config_index >= snap.servers.size()) continue;
    topology::ServerObservation& obs = snap.servers[s.config_index];
    obs.ssh_reachable = s.ssh_reachable();
    obs.node_helper = s.node_helper_probe();
    if (!s.skipped && !s.manager_path.ok) {
      log::warning("SSH to {} failed: {}", s.label, s.manager_path.message);
    }
  }
}

log::Level level_of(checks::Severity s) {
  switch (s) {
    case checks::Severity::kOk:
      return log::Level::kInfo;
    case checks::Severity::kWarning:
      return log::Level::kWarning;
    case checks::Severity::kError:
      return log::Level::kError;
  }
  return log::Level::kError;
}

// render_text() with MHA's timestamps on the check lines; the topology and the verdict follow
// unchanged (render_text puts one line per check first).
void print_text(const checks::CheckReport& report, std::ostream& out) {
  const auto now = std::chrono::system_clock::now();
  for (const checks::Check& c : report.checks) {
    out << log::format_line(now, level_of(c.severity), log::redact(c.name + ": " + c.message))
        << '\n';
  }
  const std::string text = checks::render_text(report);
  std::size_t pos = 0;
  for (std::size_t i = 0; i < report.checks.size() && pos != std::string::npos; ++i) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  if (pos != std::string::npos) out << text.substr(pos);
}

}  // namespace

int check_repl_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_check_repl_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<CheckReplOptions>(parsed);
  auto config = load_app_config(options.conf, PathOverrides{}, ctx.script_runner);
  if (!config) return internal::config_error(config.error(), ctx);

  log::Level level = log::Level::kInfo;
  if (Result<log::Level> l = log::parse_level(config->app.log_level)) level = *l;
  LogTo logging(options.json ? ctx.err : ctx.out, level);
  for (const std::string& w : config->warnings) log::warning("{}", w);

  mysql::MysqlLibrary mysql_library;
  if (!mysql_library.ok())
    return internal::fail(kCheckReplTool, "cannot initialise libmariadb", ctx);

  log::info("Checking replication health of {} server(s) ({}).", config->servers.size(),
            options.conf.conf);
  // SSH is probed while the SQL servers are read: a down host then costs one connect timeout.
  std::optional<observe::SshProbeReport> ssh_report;
  std::jthread ssh_thread;
  if (!options.monitor.skip_ssh_check) {
    ssh_thread = std::jthread([&] { ssh_report = probe_ssh(*config); });
  }
  mysql::MysqlConnector connector;
  topology::ClusterSnapshot snapshot = observe::observe_cluster(*config, connector, {});
  if (ssh_thread.joinable()) ssh_thread.join();
  if (ssh_report) apply_ssh_facts(*ssh_report, snapshot);

  checks::CheckOptions check_options;
  check_options.seconds_behind_master = options.monitor.seconds_behind_master;
  check_options.ignore_fail_on_start = options.monitor.ignore_fail_on_start;
  check_options.skip_ssh = options.monitor.skip_ssh_check;
  run_status_scripts(*config, snapshot, check_options);

  const checks::CheckReport report =
      checks::run_replication_checks(snapshot, *config, check_options);
  if (options.json) {
    ctx.out << checks::render_json(report);
  } else {
    print_text(report, ctx.out);
  }
  ctx.out.flush();
  return report.ok() ? 0 : 1;
}

}  // namespace mha::cli
