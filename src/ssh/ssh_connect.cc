// SshSession: connecting, lifetime, and the socket-level helpers.

#include "mha/ssh/error_class.h"
#include "mha/ssh/identity.h"
#include "mha/ssh/known_hosts.h"
#include "mha/ssh/ssh_session.h"

#include <libssh2.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "session_internal.h"
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mha::ssh {

using internal::Clock;
using internal::Deadline;

namespace internal {

Deadline Deadline::after(std::chrono::milliseconds total) {
  Deadline d;
  d.absolute_ = Clock::now() + total;
  return d;
}

Deadline Deadline::inactivity(std::chrono::milliseconds stall) {
  Deadline d;
  d.stall_ = stall;
  d.progress();
  return d;
}

void Deadline::progress() {
  if (stall_.count() > 0) stall_at_ = Clock::now() + stall_;
}

Clock::time_point Deadline::expiry() const { return std::min(absolute_, stall_at_); }

std::chrono::milliseconds Deadline::remaining() const {
  auto left = expiry() - Clock::now();
  if (left <= Clock::duration::zero()) return std::chrono::milliseconds(0);
  // Round up so a wait never ends just before the deadline and spins.
  return std::chrono::ceil<std::chrono::milliseconds>(left);
}

std::string last_error_text(LIBSSH2_SESSION* session) {
  char* message = nullptr;
  int len = 0;
  libssh2_session_last_error(session, &message, &len, 0);
  return message != nullptr && len > 0 ? std::string(message, static_cast<size_t>(len))
                                       : std::string();
}

namespace {

int poll_with_deadline(pollfd& pfd, const Deadline& deadline) {
  while (true) {
    auto left = deadline.remaining();
    if (left.count() == 0) return 0;
    int rc = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (rc >= 0 || errno != EINTR) return rc;
  }
}

// The peer closed the connection: hang-up, error, or end-of-file with nothing left to read.
bool peer_closed(int fd, short revents) {
  if ((revents & (POLLERR | POLLHUP)) != 0) return true;
  if ((revents & POLLRDHUP) == 0) return false;
  char byte;
  return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

}  // namespace

Status wait_socket(LIBSSH2_SESSION* session, int fd, const Deadline& deadline,
                   std::string_view what, const std::string& label) {
  pollfd pfd{};
  pfd.fd = fd;
  pfd.events = POLLRDHUP;
  int directions = libssh2_session_block_directions(session);
  if ((directions & LIBSSH2_SESSION_BLOCK_INBOUND) != 0) pfd.events |= POLLIN;
  if ((directions & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0) pfd.events |= POLLOUT;
  // libssh2 may report no direction when it only needs to be called again: wait for either.
  if (directions == 0) pfd.events |= POLLIN | POLLOUT;
  int rc = poll_with_deadline(pfd, deadline);
  if (rc < 0) {
    return Unexpected(make_error(
        ErrorCode::kSsh, std::string(what) + " on " + label + ": poll: " + strerror(errno), errno));
  }
  if (rc == 0) {
    return Unexpected(make_error(ErrorCode::kTimeout,
                                 std::string(what) + " on " + label + ": timed out",
                                 LIBSSH2_ERROR_TIMEOUT));
  }
  if (peer_closed(fd, pfd.revents)) {
    return Unexpected(make_error(ErrorCode::kSsh,
                                 std::string(what) + " on " + label + ": connection closed by peer",
                                 LIBSSH2_ERROR_SOCKET_DISCONNECT));
  }
  return ok_status();
}

Result<UniqueFd> tcp_connect(const SshTarget& target, const Deadline& deadline) {
  const std::string& address = target.address.empty() ? target.host : target.address;
  const std::string where = "connecting to " + target.label();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  // getaddrinfo has no timeout of its own; configure IPs (MHA's ssh_ip) where DNS is a concern.
  int gai = ::getaddrinfo(address.c_str(), std::to_string(target.port).c_str(), &hints, &found);
  if (gai != 0) {
    return Unexpected(make_error(ErrorCode::kConnect,
                                 where + ": cannot resolve " + address + ": " + gai_strerror(gai),
                                 gai));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);

  int last_errno = 0;
  for (addrinfo* ai = addresses.get(); ai != nullptr; ai = ai->ai_next) {
    UniqueFd fd(
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (fd.get() < 0) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) return fd;
    if (errno != EINPROGRESS) {
      last_errno = errno;
      continue;
    }
    pollfd pfd{};
    pfd.fd = fd.get();
    pfd.events = POLLOUT;
    int rc = poll_with_deadline(pfd, deadline);
    if (rc == 0) {
      return Unexpected(
          make_error(ErrorCode::kTimeout, where + ": TCP connect timed out", ETIMEDOUT));
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (rc < 0) {
      err = errno;
    } else if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
      err = errno;
    }
    if (err == 0) return fd;
    last_errno = err;
  }
  return Unexpected(make_error(classify_connect_errno(last_errno),
                               where + ": " + strerror(last_errno), last_errno));
}

}  // namespace internal

std::string SshTarget::label() const {
  std::string out = user.empty() ? host : user + "@" + host;
  if (!address.empty() && address != host) out += " (" + address + ")";
  if (port != 22) out += ":" + std::to_string(port);
  return out;
}

SshAuth SshAuth::from_options(const SshOptions& options, std::string_view home) {
  SshAuth auth;
  auth.identity_files = ssh::identity_files(options, home);
  auth.known_hosts_file = known_hosts_path(options.known_hosts_file, home);
  auth.host_key_policy = options.host_key_policy.value_or(HostKeyPolicy::kStrict);
  return auth;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

void SshSession::SessionDeleter::operator()(LIBSSH2_SESSION* session) const {
  // Blocking with a short timeout so the goodbye is sent when possible but a dead peer cannot
  // hold up the caller (libssh2 frees the session and its channels even when that times out).
  libssh2_session_set_blocking(session, 1);
  libssh2_session_set_timeout(session, goodbye_ms);
  libssh2_session_disconnect(session, "masterha closing");
  libssh2_session_free(session);
}

SshSession::SshSession(SshTarget target, SshTimeouts timeouts)
    : target_(std::move(target)), timeouts_(timeouts) {}

SshSession::SshSession(SshSession&&) noexcept = default;
SshSession& SshSession::operator=(SshSession&&) noexcept = default;
SshSession::~SshSession() {
  // A channel open or a transport that did not answer: waiting for this peer's goodbye is waiting
  // for nothing (a cut-off host's check would take 1 s more than its bound). 1 ms, not 0, which
  // libssh2 reads as "no timeout".
  if (broken_) session_.get_deleter().goodbye_ms = 1;
}

Result<SshSession> SshSession::connect(const SshTarget& target, const SshAuth& auth,
                                       const SshTimeouts& timeouts) {
  Deadline deadline = Deadline::after(timeouts.connect);
  auto fd = internal::tcp_connect(target, deadline);
  if (!fd) return Unexpected(std::move(fd).error());

  SshSession s(target, timeouts);
  s.socket_ = std::move(*fd);
  s.session_.reset(libssh2_session_init());
  if (!s.session_) {
    return Unexpected(make_error(ErrorCode::kInternal, "libssh2_session_init failed"));
  }
  LIBSSH2_SESSION* session = s.session_.get();
  libssh2_session_set_blocking(session, 0);

  const std::string label = target.label();
  int rc;
  while ((rc = libssh2_session_handshake(session, s.socket_.get())) == LIBSSH2_ERROR_EAGAIN) {
    MHA_TRY(internal::wait_socket(session, s.socket_.get(), deadline, "SSH handshake", label));
  }
  if (rc != 0) {
    return Unexpected(make_error(
        classify_libssh2_rc(rc),
        "SSH handshake with " + label + " failed: " + internal::last_error_text(session), rc));
  }
  MHA_TRY(internal::verify_host_key(session, target, auth));
  MHA_TRY(internal::authenticate(session, s.socket_.get(), target, auth, deadline));
  return s;
}

bool SshSession::is_alive() const {
  if (!usable()) return false;
  pollfd pfd{};
  pfd.fd = socket_.get();
  pfd.events = POLLIN | POLLRDHUP;
  if (::poll(&pfd, 1, 0) <= 0) return true;  // nothing pending: the connection looks fine
  if ((pfd.revents & (POLLERR | POLLHUP)) != 0) return false;
  if ((pfd.revents & POLLRDHUP) == 0) return true;
  char byte;
  return ::recv(socket_.get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 0;
}

}  // namespace mha::ssh
