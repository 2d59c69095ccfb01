// masterha_check_ssh: the SSH paths masterha uses (manager -> every server), the node helper on
// each host, and with --mesh MHA's host -> host paths. Log lines go to stderr, as MHA's did.

#include "mha/cli/load_config.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/common/log.h"
#include "mha/observe/ssh_probe.h"
#include "mha/ssh/library.h"

#include <string>
#include <variant>

#include "tool_support.h"
#include <pwd.h>
#include <unistd.h>

namespace mha::cli {
namespace {

// "user@host" of the manager, for the "Connecting via SSH from ..." lines.
std::string manager_label() {
  std::string user = "unknown";
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr) user = pw->pw_name;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return user + "@localhost";
  return user + "@" + host;
}

void log_path(const observe::SshPathResult& path, const std::string& from_label) {
  log::debug(" Connecting via SSH from {} to {}..", from_label, path.to);
  if (path.ok) {
    log::debug("  ok.");
    return;
  }
  log::error("SSH from {} to {} failed: {} ({})", path.from, path.to,
             observe::ssh_failure_name(path.failure.value_or(observe::SshFailure::kOther)),
             path.message);
}

void log_server(const observe::ServerSshResult& server, const std::string& manager) {
  for (const auto& warning : server.warnings) {
    log::warning("[{}] ssh_options: {}", server.block, warning);
  }
  if (server.skipped) {
    log::info("Skipping SSH checks of {} (skip_init_ssh_check=1).", server.label);
    return;
  }
  log_path(server.manager_path, manager + " (manager)");
  switch (server.node_helper.state) {
    case observe::NodeHelperState::kNotChecked:
      break;
    case observe::NodeHelperState::kOk:
      log::info("Node helper on {}: masterha_node {} (protocol {}) ok.", server.hostname,
                server.node_helper.version, server.node_helper.protocol);
      break;
    default:
      log::error("{}", server.node_helper.message);
      break;
  }
  for (const auto& path : server.mesh) log_path(path, path.from);
}

}  // namespace

int check_ssh_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_check_ssh_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<CheckSshOptions>(parsed);
  auto config = load_app_config(options.conf, PathOverrides{}, ctx.script_runner);
  if (!config) return internal::config_error(config.error(), ctx);

  // Like MHA's masterha_check_ssh: everything on the screen, debug lines included; the
  // configuration's manager_log is the manager's, not this tool's.
  log::init_stream(ctx.err, log::Level::kDebug);
  for (const auto& warning : config->warnings) log::warning("{}", warning);

  auto library = ssh::Libssh2Library::init();
  if (!library) return internal::fail(kCheckSshTool, library.error().message, ctx);
  const std::string manager = manager_label();
  log::info("Starting SSH connection tests{}..", options.mesh ? " (with --mesh)" : "");

  observe::SshProbeReport report;
  {
    observe::SessionPools pools;  // closed before the library goes
    observe::SshProbeOptions probe_options;
    probe_options.mesh = options.mesh;
    report = observe::probe_ssh(*config, pools, probe_options);
  }
  for (const auto& server : report.servers) log_server(server, manager);

  if (!report.ok()) {
    log::error("SSH Configuration Check Failed!");
    return 1;
  }
  log::info("All SSH connection tests passed successfully.");
  return 0;
}

}  // namespace mha::cli
