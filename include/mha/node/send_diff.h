#pragma once

// apply_diff_relay_logs --command=generate_and_send: after generate, the diff is copied to
// --scp_user@--scp_host[:--scp_port] with the local OpenSSH clients, as MHA does (mha.md §1.2):
// `ssh mkdir -p` of the remote directory, `scp`, then the copy is verified by comparing the
// remote `sha256sum` with the local one (MHA compares md5 sums). The three steps are tried up to
// kSendTries times; every call has a timeout. Our manager does not use this (it relays files
// itself); operators' scripts may.
//
// No shell runs locally: ssh and scp get argv vectors. --ssh_options is split into words like a
// shell would (quotes and backslashes, no expansion) and put first, so it overrides the defaults
// that follow it (ssh takes the first value of an option): BatchMode=yes (never prompt) and
// ConnectTimeout=10. Unlike MHA, StrictHostKeyChecking is not turned off: host keys are checked
// against known_hosts (give `-o UserKnownHostsFile=...` in --ssh_options for another file).
// The remote path is passed through the remote shell, so only plain path characters are
// accepted (letters, digits, and ._/+,=@%-); the host and user may not start with '-'.

#include "mha/common/result.h"
#include "mha/hooks/process.h"

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace mha::node {

inline constexpr int kSendTries = 3;
inline constexpr std::chrono::milliseconds kSshCallTimeout{60'000};

struct SendTarget {
  std::string user = "root";
  std::string host;
  int port = 22;
  std::string ssh_options;  // --ssh_options, as given
  std::string remote_path;  // absolute path on the host
};

// Shell-like word splitting of --ssh_options: blanks separate words, '...' and "..." quote,
// a backslash escapes the next character; nothing is expanded. kConfig on an open quote.
Result<std::vector<std::string>> split_ssh_options(const std::string& options);

// kConfig naming the option when the host, user or remote path is unusable (see above).
Status check_send_target(const SendTarget& target);

// The argv of `ssh ... user@host REMOTE_COMMAND` and of `scp ... LOCAL user@host:PATH`.
std::vector<std::string> ssh_argv(const SendTarget& target, const std::vector<std::string>& options,
                                  const std::string& remote_command);
std::vector<std::string> scp_argv(const SendTarget& target, const std::vector<std::string>& options,
                                  const std::string& local_path);

// The 64 hex digits at the start of sha256sum's output; "" when there are none.
std::string parse_sha256sum(const std::string& out);

struct SendSummary {
  std::string sha256;
  int tries = 0;  // the try that succeeded (1..kSendTries)
};

// Sends `local_path`. kIo after kSendTries failed tries, naming the destination, the step that
// failed last and its last stderr line; kConfig for a bad target or --ssh_options.
Result<SendSummary> send_file(const std::string& local_path, const SendTarget& target,
                              hooks::ProcessRunner& runner, std::ostream& log);

}  // namespace mha::node
