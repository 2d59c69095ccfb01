#include "mha/common/service_notify.h"

#include "mha/common/log.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace mha {
namespace {

constexpr std::size_t kMaxStatusBytes = 1024;

// The socket(2) descriptor of one send; closed on every path.
class SocketFd {
 public:
  SocketFd() : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  SocketFd(const SocketFd&) = delete;
  SocketFd& operator=(const SocketFd&) = delete;
  ~SocketFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

struct Address {
  sockaddr_un addr{};
  socklen_t length = 0;
};

// "/path" or "@abstract" (the '@' stands for the leading NUL byte of Linux abstract sockets).
Result<Address> parse_address(const std::string& value) {
  Address a;
  a.addr.sun_family = AF_UNIX;
  const bool path = value.front() == '/';
  const bool abstract = value.front() == '@';
  if (!path && !abstract) {
    return Unexpected(
        make_error(ErrorCode::kConfig, "NOTIFY_SOCKET '" + value +
                                           "' is neither an absolute path nor an abstract socket "
                                           "(@name)"));
  }
  // A path needs room for its terminating NUL; an abstract name is exactly its bytes.
  const std::size_t needed = path ? value.size() + 1 : value.size();
  if (needed > sizeof(a.addr.sun_path) || (abstract && value.size() < 2)) {
    return Unexpected(make_error(ErrorCode::kConfig, "NOTIFY_SOCKET '" + value +
                                                         "' is not a valid socket address "
                                                         "(empty or longer than " +
                                                         std::to_string(sizeof(a.addr.sun_path)) +
                                                         " bytes)"));
  }
  std::memcpy(a.addr.sun_path, value.data(), value.size());
  if (abstract) a.addr.sun_path[0] = '\0';
  a.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + needed);
  return a;
}

// A positive decimal number without sign, spaces or suffix; nullopt otherwise.
std::optional<std::uint64_t> parse_positive(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value == 0) return std::nullopt;
  return value;
}

std::optional<std::string_view> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string_view(value);
}

std::string one_status_line(std::string_view line) {
  std::string text = log::redact(line);
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (text.size() > kMaxStatusBytes) {
    std::size_t cut = kMaxStatusBytes;
    // Back off over UTF-8 continuation bytes so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
  }
  return text;
}

}  // namespace

ServiceNotifier ServiceNotifier::from_environment(bool unset_environment) {
  // Copies first: unsetenv() may free the strings getenv() returned.
  const auto copy = [](std::optional<std::string_view> v) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return std::string(*v);
  };
  const std::optional<std::string> notify_socket = copy(env("NOTIFY_SOCKET"));
  const std::optional<std::string> watchdog_usec = copy(env("WATCHDOG_USEC"));
  const std::optional<std::string> watchdog_pid = copy(env("WATCHDOG_PID"));
  if (unset_environment) {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
  const auto view = [](const std::optional<std::string>& v) -> std::optional<std::string_view> {
    if (!v) return std::nullopt;
    return std::string_view(*v);
  };
  return from_values(view(notify_socket), view(watchdog_usec), view(watchdog_pid), ::getpid());
}

ServiceNotifier ServiceNotifier::from_values(std::optional<std::string_view> notify_socket,
                                             std::optional<std::string_view> watchdog_usec,
                                             std::optional<std::string_view> watchdog_pid,
                                             pid_t own_pid) {
  ServiceNotifier n;
  if (!notify_socket || notify_socket->empty()) return n;
  n.socket_ = std::string(*notify_socket);
  auto address = parse_address(n.socket_);
  if (!address) n.socket_error_ = std::move(address).error();

  // Like sd_watchdog_enabled(3): the watchdog is ours only if WATCHDOG_PID is unset or names us.
  if (!watchdog_usec) return n;
  if (watchdog_pid) {
    const std::optional<std::uint64_t> pid = parse_positive(*watchdog_pid);
    if (!pid || *pid != static_cast<std::uint64_t>(own_pid)) return n;
  }
  const std::optional<std::uint64_t> usec = parse_positive(*watchdog_usec);
  if (!usec || *usec > static_cast<std::uint64_t>(std::chrono::microseconds::max().count())) {
    return n;
  }
  n.watchdog_timeout_ = std::chrono::microseconds(static_cast<std::int64_t>(*usec));
  return n;
}

std::optional<std::chrono::microseconds> ServiceNotifier::watchdog_interval() const {
  if (!watchdog_timeout_) return std::nullopt;
  // A 1 us timeout still yields a usable (non-zero) interval.
  return std::max(*watchdog_timeout_ / 2, std::chrono::microseconds(1));
}

Status ServiceNotifier::ready() const { return notify("READY=1"); }

Status ServiceNotifier::reloading() const { return notify("RELOADING=1"); }

Status ServiceNotifier::stopping() const { return notify("STOPPING=1"); }

Status ServiceNotifier::status(std::string_view line) const {
  if (!enabled()) return ok_status();
  return notify("STATUS=" + one_status_line(line));
}

Status ServiceNotifier::watchdog() const {
  if (!watchdog_timeout_) return ok_status();
  return notify("WATCHDOG=1");
}

Status ServiceNotifier::extend_timeout(std::chrono::microseconds extra) const {
  if (extra.count() <= 0) {
    return Unexpected(make_error(
        ErrorCode::kInternal,
        "EXTEND_TIMEOUT_USEC must be positive, got " + std::to_string(extra.count()) + " us"));
  }
  return notify("EXTEND_TIMEOUT_USEC=" + std::to_string(extra.count()));
}

Status ServiceNotifier::notify(std::string_view assignments) const {
  if (!enabled()) return ok_status();
  if (socket_error_) return Unexpected(*socket_error_);
  auto address = parse_address(socket_);
  if (!address) return Unexpected(std::move(address).error());

  const SocketFd fd;
  if (fd.get() < 0) {
    const int err = errno;
    return Unexpected(
        make_error(ErrorCode::kIo,
                   std::string("cannot create a socket to notify systemd: ") + strerror(err), err));
  }
  ssize_t sent = -1;
  do {
    sent = ::sendto(fd.get(), assignments.data(), assignments.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&address->addr), address->length);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    const int err = errno;
    return Unexpected(make_error(
        ErrorCode::kIo,
        "cannot notify systemd through NOTIFY_SOCKET " + socket_ + ": " + strerror(err), err));
  }
  if (static_cast<std::size_t>(sent) != assignments.size()) {
    return Unexpected(make_error(ErrorCode::kIo, "short datagram to NOTIFY_SOCKET " + socket_));
  }
  return ok_status();
}

}  // namespace mha
