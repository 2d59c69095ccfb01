// How to reach a server over SSH, from its [serverN] block.

#include "mha/observe/ssh_probe.h"
#include "mha/ssh/shell_quote.h"
#include "mha/ssh/ssh_options.h"

#include <string>

namespace mha::observe {

Result<SshSettings> ssh_settings(const config::ServerConfig& server, std::string_view home) {
  auto options = ssh::parse_ssh_options(server.ssh_options);
  if (!options) {
    return Unexpected(make_error(ErrorCode::kConfig,
                                 "[" + server.block + "] ssh_options: " + options.error().message));
  }
  auto words = ssh::split_shell_words(server.ssh_options);
  if (!words) {  // cannot happen once parse_ssh_options accepted the text; kept for safety
    return Unexpected(make_error(ErrorCode::kConfig,
                                 "[" + server.block + "] ssh_options: " + words.error().message));
  }
  SshSettings s;
  s.target.host = server.ssh_host;
  s.target.address = server.ssh_ip;
  s.target.port = options->port.value_or(server.ssh_port);
  s.target.user = options->user.value_or(server.ssh_user);
  s.auth = ssh::SshAuth::from_options(*options, home);
  s.timeouts.connect =
      options->connect_timeout.value_or(std::chrono::seconds(server.ssh_connection_timeout));
  s.option_words = std::move(*words);
  s.warnings = std::move(options->warnings);
  return s;
}

std::string mesh_command(const SshSettings& to) {
  const auto timeout_s =
      std::chrono::duration_cast<std::chrono::seconds>(to.timeouts.connect).count();
  // Ours first: ssh(1) keeps the first value of an option, so the batch mode and the timeout we
  // bound the run with cannot be overridden (the timeout equals the options' own when given).
  std::string line = "ssh -o BatchMode=yes -o ConnectTimeout=" + std::to_string(timeout_s);
  for (const auto& word : to.option_words) line += " " + ssh::shell_quote(word);
  const std::string& address = to.target.address.empty() ? to.target.host : to.target.address;
  line += " -p " + std::to_string(to.target.port) + " " +
          ssh::shell_quote(to.target.user + "@" + address) + " exit 0";
  return line;
}

}  // namespace mha::observe
