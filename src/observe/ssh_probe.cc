// probe_ssh: manager -> server paths, the node helper, and (mesh) server -> server paths.

#include "mha/observe/ssh_probe.h"

#include "mha/node/version.h"
#include "mha/ssh/identity.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace mha::observe {
namespace {

using Clock = std::chrono::steady_clock;

// The shell's status for "command not found" (POSIX).
constexpr int kShellNotFound = 127;
// ... and for "found but not executable".
constexpr int kShellNotExecutable = 126;

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

std::string first_line(std::string_view text) {
  while (!text.empty() && (text.front() == '\n' || text.front() == '\r')) text.remove_prefix(1);
  auto end = text.find_first_of("\r\n");
  return std::string(text.substr(0, end));
}

// The last non-empty line: a login shell's rc files may print before the helper does.
std::string_view last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  auto start = text.find_last_of('\n');
  return start == std::string_view::npos ? text : text.substr(start + 1);
}

// MHA's spelling of an SSH endpoint: user@ssh_host(ssh_ip:ssh_port).
std::string path_label(const config::ServerConfig& server, const ssh::SshTarget& target) {
  return target.user + "@" + server.ssh_host + "(" + server.ssh_ip + ":" +
         std::to_string(target.port) + ")";
}

NodeHelperResult check_node_helper(const std::string& host, ssh::RemoteExec& exec,
                                   const ssh::SshTarget& target, std::chrono::milliseconds timeout,
                                   SshPathResult& path) {
  NodeHelperResult node;
  const std::string program(node::kNodeProgram);
  auto run = exec.run(target, kNodeVersionCommand, "", timeout);
  if (!run) {
    // The connection itself failed (or the command timed out): that is the path's failure.
    path.ok = false;
    path.failure = classify_ssh_error(run.error());
    path.message = run.error().message;
    return node;
  }
  path.ok = true;
  if (run->exit_code == kShellNotFound) {
    node.state = NodeHelperState::kMissing;
    node.message = "node helper " + program + " not found on " + host +
                   " (install the masterha-node package, in the SSH user's PATH)";
    return node;
  }
  if (run->exit_code == kShellNotExecutable) {
    node.state = NodeHelperState::kBroken;
    node.message =
        "node helper " + program + " on " + host + " is not executable: " + first_line(run->err);
    return node;
  }
  if (run->exit_code != 0) {
    node.state = NodeHelperState::kBroken;
    std::string why = run->exit_signal.empty() ? "exit " + std::to_string(run->exit_code)
                                               : "signal " + run->exit_signal;
    node.message = "`" + std::string(kNodeVersionCommand) + "` failed on " + host + " (" + why +
                   ")" + (run->err.empty() ? "" : ": " + first_line(run->err));
    return node;
  }
  auto json = nlohmann::json::parse(last_line(run->out), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("protocol") || !json["protocol"].is_number_integer() ||
      !json.contains("version") || !json["version"].is_string()) {
    node.state = NodeHelperState::kBroken;
    node.message = "node helper on " + host + " printed an unreadable version: \"" +
                   first_line(run->out) + "\" (is " + program + " a masterha-node program?)";
    return node;
  }
  node.version = json["version"].get<std::string>();
  node.protocol = json["protocol"].get<int>();
  if (node.protocol != node::kProtocolVersion) {
    node.state = NodeHelperState::kIncompatible;
    node.message = "node helper on " + host + " is " + program + " " + node.version +
                   " (protocol " + std::to_string(node.protocol) + "), this manager is " +
                   std::string(MHA_VERSION) + " (protocol " +
                   std::to_string(node::kProtocolVersion) +
                   "): install matching masterha and masterha-node versions";
    return node;
  }
  node.state = NodeHelperState::kOk;
  return node;
}

SshPathResult check_mesh_path(ssh::RemoteExec& exec, const ssh::SshTarget& source,
                              const std::string& from, const SshSettings& to,
                              const std::string& to_label, std::chrono::milliseconds slack) {
  SshPathResult path;
  path.from = from;
  path.to = to_label;
  const auto start = Clock::now();
  auto run = exec.run(source, mesh_command(to), "", to.timeouts.connect + slack);
  path.elapsed = since(start);
  if (!run) {
    path.failure = SshFailure::kOther;
    path.message = "could not run ssh on the source host: " + run.error().message;
    return path;
  }
  path.failure = classify_ssh_client(*run);
  if (!path.failure) {
    path.ok = true;
    return path;
  }
  if (run->exit_code == kShellNotFound) {
    path.message = "no ssh client on the source host";
  } else {
    // The last line is ssh's verdict; earlier ones are warnings (e.g. the MITM banner).
    std::string tail(last_line(run->err));
    path.message = tail.empty() ? "ssh exited with " + std::to_string(run->exit_code) : tail;
  }
  return path;
}

}  // namespace

bool ServerSshResult::ok() const {
  if (skipped) return true;
  if (!manager_path.ok || node_helper.state != NodeHelperState::kOk) return false;
  for (const auto& path : mesh) {
    if (!path.ok) return false;
  }
  return true;
}

std::optional<bool> ServerSshResult::ssh_reachable() const {
  if (skipped) return std::nullopt;
  return manager_path.ok;
}

std::optional<topology::NodeHelperProbe> ServerSshResult::node_helper_probe() const {
  if (node_helper.state == NodeHelperState::kNotChecked) return std::nullopt;
  topology::NodeHelperProbe probe;
  // "installed" means usable by this manager: an incompatible or broken helper is not.
  probe.installed = node_helper.state == NodeHelperState::kOk;
  probe.version = node_helper.version;
  return probe;
}

bool SshProbeReport::ok() const {
  for (const auto& server : servers) {
    if (!server.ok()) return false;
  }
  return true;
}

SshProbeReport probe_ssh(const config::AppConfig& config, ExecSource& exec,
                         const SshProbeOptions& options) {
  const std::string home = options.home.empty() ? ssh::home_directory() : options.home;
  const size_t n = config.servers.size();
  std::vector<Result<SshSettings>> settings;
  settings.reserve(n);
  SshProbeReport report;
  report.servers.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& server = config.servers[i];
    settings.push_back(ssh_settings(server, home));
    auto& r = report.servers[i];
    r.config_index = i;
    r.block = server.block;
    r.hostname = server.hostname;
    r.skipped = server.skip_init_ssh_check;
    ssh::SshTarget fallback{server.ssh_host, server.ssh_ip, server.ssh_port, server.ssh_user};
    r.label = path_label(server, settings.back() ? settings.back()->target : fallback);
    if (settings.back()) r.warnings = settings.back()->warnings;
    r.manager_path.from = "manager";
    r.manager_path.to = r.label;
  }

  auto probe_one = [&](size_t i) {
    auto& r = report.servers[i];
    if (!settings[i]) {
      r.manager_path.failure = SshFailure::kOther;
      r.manager_path.message = settings[i].error().message;
      return;
    }
    const SshSettings& s = *settings[i];
    ssh::RemoteExec& remote = exec.exec_for(s.auth, s.timeouts);
    const auto start = Clock::now();
    r.node_helper = check_node_helper(config.servers[i].hostname, remote, s.target,
                                      options.command_timeout, r.manager_path);
    r.manager_path.elapsed = since(start);
    if (!r.manager_path.ok || !options.mesh) return;
    for (size_t j = 0; j < n; ++j) {
      if (j == i || report.servers[j].skipped || !settings[j]) continue;
      r.mesh.push_back(check_mesh_path(remote, s.target, r.label, *settings[j],
                                       report.servers[j].label, options.mesh_slack));
    }
  };

  std::vector<std::jthread> threads;  // joined on destruction, even on a throw
  threads.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!report.servers[i].skipped) threads.emplace_back(probe_one, i);
  }
  for (auto& t : threads) t.join();
  return report;
}

}  // namespace mha::observe
