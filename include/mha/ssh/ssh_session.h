#pragma once

// SshSession: one authenticated SSH connection from the manager to a database host, over
// libssh2 1.10.
//
// Connect = resolve, non-blocking TCP connect, handshake, host key check against known_hosts,
// public-key auth; all of it within SshTimeouts::connect. Afterwards the libssh2 session is kept
// non-blocking and every operation polls the socket against its own deadline, so a frozen host
// can never hang a caller longer than the timeout it passed.
//
// Thread safety: none. libssh2 sessions are not thread-safe: one thread at a time may use a
// session and its channels (moving it between threads is fine). SessionPool enforces this.
// Requires a live Libssh2Library.
//
// Key types: ed25519 and ecdsa. libssh2 1.10 signs RSA user auth with SHA-1 only, which
// OpenSSH >= 8.8 refuses (rsa-sha2 arrived in libssh2 1.11): see docs/ssh.md.

#include "mha/common/result.h"
#include "mha/ssh/remote_exec.h"
#include "mha/ssh/ssh_options.h"

#include <libssh2.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mha::ssh {

namespace internal {
struct ChannelIo;
class Deadline;
}  // namespace internal

// How we authenticate and verify hosts; shared by every connection of a pool.
struct SshAuth {
  std::vector<std::string> identity_files;  // offered in order (see identity.h)
  std::string known_hosts_file;
  HostKeyPolicy host_key_policy = HostKeyPolicy::kStrict;

  // From MHA's ssh_options: identities as ssh(1) finds them and known_hosts under `home`.
  static SshAuth from_options(const SshOptions& options, std::string_view home);
};

struct SshTimeouts {
  // TCP connect + handshake + host key check + auth (MHA's ssh_connection_timeout).
  std::chrono::milliseconds connect{5000};
  // File transfers fail when no byte moves for this long (their size is unbounded, so they have no
  // overall deadline); also bounds closing a channel after a command.
  std::chrono::milliseconds io{30000};
};

// Owns a file descriptor (closed on destruction).
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

class SshSession {
 public:
  // Output cap per stream for run(): beyond it the command fails with kIo.
  static constexpr size_t kMaxOutputBytes = 64u << 20;

  // Errors: kConnect (refused, unreachable, DNS; errno in detail), kTimeout (connect or handshake
  // deadline), kHostKey (unknown or mismatched host key), kAuth (no key accepted; the message
  // lists every key tried or skipped and why), kSsh (protocol failure; libssh2 rc in detail).
  static Result<SshSession> connect(const SshTarget& target, const SshAuth& auth,
                                    const SshTimeouts& timeouts);

  SshSession(SshSession&&) noexcept;
  SshSession& operator=(SshSession&&) noexcept;
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;
  ~SshSession();  // disconnects (bounded by ~1 s) and frees the session, then closes the socket

  // See RemoteExec::run.
  Result<ExecResult> run(std::string_view command, std::string_view stdin_data,
                         std::chrono::milliseconds timeout);
  // See RemoteExec::upload/download. Needs sha256sum (coreutils) on the remote host.
  Status upload(const std::string& local_path, const std::string& remote_path, int mode);
  Status download(const std::string& remote_path, const std::string& local_path);

  // False once a transport failure or an unfinished channel close made the session unusable.
  bool usable() const { return session_ != nullptr && !broken_; }
  // usable() and the peer has not closed the TCP connection (a local, non-blocking check).
  bool is_alive() const;
  const SshTarget& target() const { return target_; }

 private:
  struct SessionDeleter {
    // How long the goodbye (disconnect, and the close of a channel left open) may wait for the
    // peer. A broken session's peer is not answering: ~SshSession shortens it, so dropping a
    // session to a vanished host does not cost its caller another second.
    // (A constructor, not a member initializer: unique_ptr needs the deleter default-constructible
    // while SshSession is still incomplete.)
    SessionDeleter() noexcept : goodbye_ms(1000) {}
    long goodbye_ms;
    void operator()(LIBSSH2_SESSION* session) const;
  };

  SshSession(SshTarget target, SshTimeouts timeouts);

  // Runs `command` on a new channel, feeding and draining it through `io` until the remote side
  // closes, then returns the exit status. Everything is bounded by `deadline`.
  Result<ExecResult> exec_streaming(std::string_view command, internal::ChannelIo& io,
                                    internal::Deadline& deadline);
  Status wait(const internal::Deadline& deadline, std::string_view what);
  Error fail(std::string_view what, int rc);
  void remove_remote_quietly(const std::string& remote_path);

  SshTarget target_;
  SshTimeouts timeouts_;
  bool broken_ = false;
  // Order matters: members are destroyed in reverse, so the session is disconnected and freed
  // while its socket is still open.
  UniqueFd socket_;
  std::unique_ptr<LIBSSH2_SESSION, SessionDeleter> session_;
};

}  // namespace mha::ssh
