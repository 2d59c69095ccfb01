#pragma once

// MySQL credentials for the node helper, kept out of argv (where every local user sees them in
// ps). The manager writes them to the helper's stdin (--credentials_stdin); an operator running
// a tool by hand can point --credentials_file at a file only its owner can read.
//
// Format (the same on stdin and in a file), one key per line:
//
//   # comment
//   user=repl_admin
//   password=the secret, taken verbatim to the end of the line
//
// `password` is required (an empty value is an empty password), `user` optional. Keys may be
// indented; values are not trimmed (a password may start or end with spaces); a trailing "\r" is
// dropped. Unknown or repeated keys are errors. Error messages name the source and the line but
// never echo a value.

#include "mha/common/result.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mha::node {

inline constexpr size_t kMaxCredentialsBytes = 64 * 1024;
inline constexpr std::chrono::milliseconds kCredentialsStdinTimeout{30'000};

struct Credentials {
  std::optional<std::string> user;
  std::string password;
};

// `source` names where the text came from, for messages ("stdin", "/etc/mha/creds").
Result<Credentials> parse_credentials(std::string_view text, std::string_view source);

// Reads a credentials file that must be a regular file owned by the effective user with no
// group or other permission bits (0600 or 0400); anything looser is refused, as ssh does for
// private keys.
Result<Credentials> load_credentials_file(const std::string& path);

// Reads `fd` (normally stdin) to EOF, waiting at most `timeout` in total: a caller that never
// closes its end gets a kTimeout error rather than a hung helper.
Result<Credentials> read_credentials_fd(
    int fd, std::chrono::milliseconds timeout = kCredentialsStdinTimeout);

}  // namespace mha::node
