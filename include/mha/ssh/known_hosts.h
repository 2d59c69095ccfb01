#pragma once

// known_hosts naming rules (pure helpers; the check itself is part of SshSession::connect).

#include <optional>
#include <string>
#include <string_view>

namespace mha::ssh {

// The host field as OpenSSH writes it: "db1" for port 22, "[db1]:2222" otherwise.
std::string known_hosts_host_field(std::string_view host, int port);

// UserKnownHostsFile when given (with "~" expanded), else <home>/.ssh/known_hosts.
std::string known_hosts_path(const std::optional<std::string>& user_known_hosts_file,
                             std::string_view home);

}  // namespace mha::ssh
