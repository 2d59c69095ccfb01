#pragma once

// MHA's `ssh_options`: an OpenSSH option string that MHA appended to its ssh/scp command lines,
// e.g. "-i /etc/mha/id_ed25519 -o ConnectTimeout=3 -o 'UserKnownHostsFile /etc/mha/known_hosts'".
// We speak SSH through libssh2 instead of running ssh(1), so the string is parsed into the few
// settings that matter here. Pure; see docs/ssh.md for the supported subset.

#include "mha/common/result.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mha::ssh {

// StrictHostKeyChecking: yes (and ssh's default "ask", which is "yes" in batch use) / accept-new /
// no (verification off; the pool logs a warning once).
enum class HostKeyPolicy { kStrict, kAcceptNew, kOff };

struct SshOptions {
  std::optional<std::string> user;                      // -l USER, -o User=
  std::optional<int> port;                              // -p PORT, -o Port=
  std::vector<std::string> identity_files;              // -i FILE, -o IdentityFile= (in order)
  std::optional<std::chrono::seconds> connect_timeout;  // -o ConnectTimeout=
  std::optional<HostKeyPolicy> host_key_policy;         // -o StrictHostKeyChecking=
  std::optional<std::string> known_hosts_file;          // -o UserKnownHostsFile= (first file)
  // Options and flags we accept but do not act on, one readable line each ("ignored option -C").
  // Callers log them; an option we do not need never fails a user's configuration.
  std::vector<std::string> warnings;
};

// Splits `text` into words like a POSIX shell would (whitespace; '...', "..." and backslash
// quoting) and interprets ssh(1) options. Attached forms (-p2222, -oPort=2222) work; -o takes
// "Key=Value", "Key Value" (one quoted word) or "Key" followed by its value as the next word.
// Keys and yes/no values are case-insensitive. kConfig naming the option for malformed input: a
// missing value ("-i" at the end), a bad port, a non-numeric timeout, an unterminated quote.
Result<SshOptions> parse_ssh_options(std::string_view text);

// Shell-like word splitting used by parse_ssh_options (exposed for tests).
Result<std::vector<std::string>> split_shell_words(std::string_view text);

// "~" and "~/x" expand against `home`; other paths are returned unchanged.
std::string expand_home(std::string_view path, std::string_view home);

}  // namespace mha::ssh
