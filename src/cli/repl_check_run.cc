#include "repl_check_run.h"

#include "mha/common/log.h"
#include "mha/hooks/process.h"
#include "mha/observe/observe_cluster.h"
#include "mha/ssh/shell_quote.h"

#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace mha::cli::internal {
namespace {

// MHA waits for the status scripts forever; a hung script must not hang the check.
constexpr std::chrono::seconds kStatusScriptTimeout{30};

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

}  // namespace

ReplCheckRun run_repl_checks(const config::AppConfig& config, const MonitorOptions& monitor,
                             mysql::SqlConnector& connector, observe::ExecSource* ssh) {
  // SSH is probed while the SQL servers are read: a down host then costs one connect timeout.
  std::optional<observe::SshProbeReport> ssh_report;
  std::jthread ssh_thread;
  if (!monitor.skip_ssh_check && ssh != nullptr) {
    ssh_thread = std::jthread(
        [&] { ssh_report = observe::probe_ssh(config, *ssh, observe::SshProbeOptions{}); });
  }
  ReplCheckRun run;
  run.snapshot = observe::observe_cluster(config, connector, {});
  if (ssh_thread.joinable()) ssh_thread.join();
  if (ssh_report) apply_ssh_facts(*ssh_report, run.snapshot);

  checks::CheckOptions check_options;
  check_options.seconds_behind_master = monitor.seconds_behind_master;
  check_options.ignore_fail_on_start = monitor.ignore_fail_on_start;
  check_options.skip_ssh = monitor.skip_ssh_check;
  run_status_scripts(config, run.snapshot, check_options);
  run.report = checks::run_replication_checks(run.snapshot, config, check_options);
  return run;
}

}  // namespace mha::cli::internal
