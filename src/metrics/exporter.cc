// The /metrics HTTP listener: one thread, poll() with deadlines, a pipe to wake it for shutdown.

#include "mha/metrics/exporter.h"

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mha::metrics {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxRequestHead = 8192;
constexpr int kBacklog = 16;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

Error config_error(std::string_view text, std::string_view why) {
  return make_error(ErrorCode::kConfig,
                    "listen address '" + std::string(text) + "': " + std::string(why));
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

std::string response(int code, std::string_view reason, std::string_view content_type,
                     const std::string& body, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (code == 405) out += "Allow: GET, HEAD\r\n";
  out += "Connection: close\r\n\r\n";
  if (!head_only) out += body;
  return out;
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text, bool allow_ephemeral) {
  ListenAddress out;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Unexpected(config_error(text, "expected [ipv6-address]:port"));
    }
    out.host = std::string(text.substr(1, close - 1));
    if (out.host.empty()) return Unexpected(config_error(text, "empty IPv6 address"));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Unexpected(config_error(text, "expected host:port"));
    }
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return Unexpected(config_error(text, "write an IPv6 address in brackets: [addr]:port"));
    }
    if (out.host == "*") out.host.clear();
    port_text = text.substr(colon + 1);
  }
  for (const char c : out.host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
    if (!ok) return Unexpected(config_error(text, "the host contains '" + std::string(1, c) + "'"));
  }
  int port = -1;
  const char* end = port_text.data() + port_text.size();
  auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
  if (port_text.empty() || ec != std::errc() || ptr != end || port < (allow_ephemeral ? 0 : 1) ||
      port > 65535) {
    return Unexpected(config_error(text, "the port must be a number in 1..65535"));
  }
  out.port = port;
  return out;
}

struct Exporter::Impl {
  const Registry& registry;
  Options options;
  Fd listen_fd;
  Fd wake_read;
  Fd wake_write;
  int port = 0;
  std::string address;
  std::atomic<uint64_t> served{0};
  std::thread thread;

  Impl(const Registry& r, Options o) : registry(r), options(o) {}

  // True when the wake pipe fired (shutdown).
  bool wait(int fd, short events, Clock::time_point deadline) {
    pollfd fds[2] = {{fd, events, 0}, {wake_read.get(), POLLIN, 0}};
    while (true) {
      const int n = ::poll(fds, 2, remaining_ms(deadline));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      return (fds[1].revents & POLLIN) == 0;  // false on shutdown
    }
  }

  void serve_client(int fd) {
    const auto deadline = Clock::now() + options.client_timeout;
    std::string request;
    char buf[1024];
    size_t head_end = std::string::npos;
    while (head_end == std::string::npos) {
      if (request.size() > kMaxRequestHead) break;
      if (!wait(fd, POLLIN, deadline)) return;  // timeout, shutdown or error: just close
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return;
      request.append(buf, static_cast<size_t>(n));
      head_end = request.find("\r\n\r\n");
      if (head_end == std::string::npos) head_end = request.find("\n\n");
    }
    std::string reply;
    if (head_end == std::string::npos) {
      reply = response(431, "Request Header Fields Too Large", "text/plain", "too large\n", false);
    } else {
      const std::string line = request.substr(0, request.find_first_of("\r\n"));
      const size_t sp1 = line.find(' ');
      const size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
      if (sp1 == std::string::npos || sp2 == std::string::npos ||
          line.compare(sp2 + 1, 5, "HTTP/") != 0) {
        reply = response(400, "Bad Request", "text/plain", "bad request\n", false);
      } else {
        const std::string method = line.substr(0, sp1);
        std::string path = line.substr(sp1 + 1, sp2 - sp1 - 1);
        path = path.substr(0, path.find('?'));
        const bool head = method == "HEAD";
        if (method != "GET" && !head) {
          reply = response(405, "Method Not Allowed", "text/plain", "use GET\n", false);
        } else if (path == "/metrics") {
          reply = response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", registry.render(),
                           head);
        } else if (path == "/") {
          reply = response(200, "OK", "text/plain; charset=utf-8",
                           "masterha metrics exporter: see /metrics\n", head);
        } else {
          reply = response(404, "Not Found", "text/plain", "not found; see /metrics\n", head);
        }
      }
    }
    size_t sent = 0;
    while (sent < reply.size()) {
      if (!wait(fd, POLLOUT, deadline)) return;
      const ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
    served.fetch_add(1);
  }

  void run() {
    while (true) {
      pollfd fds[2] = {{listen_fd.get(), POLLIN, 0}, {wake_read.get(), POLLIN, 0}};
      const int n = ::poll(fds, 2, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || (fds[1].revents & POLLIN) != 0) return;
      if ((fds[0].revents & POLLIN) == 0) continue;
      Fd client(::accept4(listen_fd.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
      if (client.get() < 0) continue;  // EAGAIN, ECONNABORTED, EMFILE: try again next round
      serve_client(client.get());
    }
  }
};

Result<std::unique_ptr<Exporter>> Exporter::start(const Registry& registry, std::string_view listen,
                                                  Options options) {
  auto address = parse_listen_address(listen, /*allow_ephemeral=*/true);
  if (!address) return Unexpected(address.error());
  auto impl = std::make_unique<Impl>(registry, options);

  // Every address: IPv6 "::" accepting IPv4 too, or 0.0.0.0 where IPv6 is off.
  std::vector<std::string> hosts;
  if (address->host.empty()) {
    hosts = {"::", "0.0.0.0"};
  } else {
    hosts = {address->host};
  }
  const std::string port_text = std::to_string(address->port);
  int last_errno = 0;
  bool resolved = false;
  for (const std::string& host : hosts) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* list = nullptr;
    if (::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &list) != 0) continue;
    resolved = true;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      Fd fd(
          ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
      if (fd.get() < 0) {
        last_errno = errno;
        continue;
      }
      const int one = 1;
      ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (ai->ai_family == AF_INET6 && address->host.empty()) {
        const int zero = 0;
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
      }
      if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd.get(), kBacklog) != 0) {
        last_errno = errno;
        continue;
      }
      impl->listen_fd = std::move(fd);
      break;
    }
    ::freeaddrinfo(list);
    if (impl->listen_fd.get() >= 0) break;
  }
  if (!resolved) {
    return Unexpected(make_error(
        ErrorCode::kConnect,
        "metrics listen address '" + std::string(listen) + "': the host name does not resolve"));
  }
  if (impl->listen_fd.get() < 0) {
    return Unexpected(make_error(ErrorCode::kIo,
                                 "metrics listen address '" + std::string(listen) +
                                     "': cannot listen: " + std::strerror(last_errno),
                                 last_errno));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(impl->listen_fd.get(), reinterpret_cast<sockaddr*>(&bound), &len);
  char host_text[INET6_ADDRSTRLEN] = "?";
  if (bound.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&bound);
    impl->port = ntohs(a->sin6_port);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host_text, sizeof host_text);
    impl->address = "[" + std::string(host_text) + "]:" + std::to_string(impl->port);
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&bound);
    impl->port = ntohs(a->sin_port);
    ::inet_ntop(AF_INET, &a->sin_addr, host_text, sizeof host_text);
    impl->address = std::string(host_text) + ":" + std::to_string(impl->port);
  }

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    const int err = errno;
    return Unexpected(make_error(ErrorCode::kIo, std::string("pipe: ") + std::strerror(err), err));
  }
  impl->wake_read = Fd(pipe_fds[0]);
  impl->wake_write = Fd(pipe_fds[1]);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<Exporter>(new Exporter(std::move(impl)));
}

Exporter::Exporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Exporter::~Exporter() {
  const char byte = 'x';
  // The pipe never fills (one byte, read by nobody): the write cannot block or fail usefully.
  while (::write(impl_->wake_write.get(), &byte, 1) < 0 && errno == EINTR) {
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

int Exporter::port() const { return impl_->port; }
const std::string& Exporter::address() const { return impl_->address; }
uint64_t Exporter::requests_served() const { return impl_->served.load(); }

}  // namespace mha::metrics
