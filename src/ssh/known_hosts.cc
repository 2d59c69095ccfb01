#include "mha/ssh/known_hosts.h"

#include "mha/ssh/ssh_options.h"

namespace mha::ssh {

std::string known_hosts_host_field(std::string_view host, int port) {
  if (port == 22) return std::string(host);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

std::string known_hosts_path(const std::optional<std::string>& user_known_hosts_file,
                             std::string_view home) {
  if (user_known_hosts_file && !user_known_hosts_file->empty()) {
    return expand_home(*user_known_hosts_file, home);
  }
  return expand_home("~/.ssh/known_hosts", home);
}

}  // namespace mha::ssh
