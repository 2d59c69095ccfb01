#pragma once

// Private pieces of SshSession shared by its .cc files.

#include "mha/common/result.h"
#include "mha/ssh/remote_exec.h"
#include "mha/ssh/ssh_session.h"

#include <libssh2.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace mha::ssh::internal {

using Clock = std::chrono::steady_clock;

// An absolute deadline, optionally tightened by an inactivity bound that restarts on progress
// (file transfers have no useful absolute deadline, but must not hang on a stalled peer).
class Deadline {
 public:
  static Deadline after(std::chrono::milliseconds total);
  static Deadline inactivity(std::chrono::milliseconds stall);

  void progress();                   // restarts the inactivity bound
  Clock::time_point expiry() const;  // the earlier of the two bounds
  bool expired() const { return Clock::now() >= expiry(); }
  std::chrono::milliseconds remaining() const;
  bool stalled() const { return stall_.count() > 0 && Clock::now() >= stall_at_; }

 private:
  Clock::time_point absolute_ = Clock::time_point::max();
  std::chrono::milliseconds stall_{0};
  Clock::time_point stall_at_ = Clock::time_point::max();
};

// What a channel reads from and writes to. read_input returns the next chunk of stdin (an empty
// view at EOF); it is called again only after the previous chunk was written. Sinks may fail,
// which aborts the command with their error.
struct ChannelIo {
  std::function<Result<std::string_view>()> read_input;
  std::function<Status(std::string_view)> on_stdout;
  std::function<Status(std::string_view)> on_stderr;
};

// Polls `fd` for the directions libssh2 is blocked on until `deadline`. kTimeout at the deadline,
// kSsh when the peer closed the connection.
Status wait_socket(LIBSSH2_SESSION* session, int fd, const Deadline& deadline,
                   std::string_view what, const std::string& label);

// libssh2's text for its last error ("" if none).
std::string last_error_text(LIBSSH2_SESSION* session);

// Non-blocking TCP connect to target (every resolved address in turn) within `deadline`.
Result<UniqueFd> tcp_connect(const SshTarget& target, const Deadline& deadline);

// Host key check against auth.known_hosts_file per auth.host_key_policy.
Status verify_host_key(LIBSSH2_SESSION* session, const SshTarget& target, const SshAuth& auth);

// Public-key authentication with each identity in turn (session non-blocking).
Status authenticate(LIBSSH2_SESSION* session, int fd, const SshTarget& target, const SshAuth& auth,
                    const Deadline& deadline);

// Incremental SHA-256 (OpenSSL EVP), lower-case hex digest.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string hex_digest();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque so OpenSSL headers stay in sha256.cc
};

}  // namespace mha::ssh::internal
