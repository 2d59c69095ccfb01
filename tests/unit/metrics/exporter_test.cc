#include "mha/metrics/exporter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mha::metrics {
namespace {

using Clock = std::chrono::steady_clock;

// A connected TCP socket to 127.0.0.1:port, or -1.
int connect_local(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` and reads until the server closes, within `timeout`.
std::string exchange(int port, const std::string& request,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const int fd = connect_local(port);
  if (fd < 0) return "connect failed: " + std::string(std::strerror(errno));
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return "send failed";
  }
  std::string reply;
  const auto deadline = Clock::now() + timeout;
  char buf[4096];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return reply;
}

TEST(ListenAddressTest, ParsesHostPortForms) {
  auto a = parse_listen_address("127.0.0.1:9104");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9104);
  a = parse_listen_address("[::1]:9104");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  a = parse_listen_address(":9104");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "");
  a = parse_listen_address("*:9104");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "");
  a = parse_listen_address("mgr.example.com:1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "mgr.example.com");
}

TEST(ListenAddressTest, RejectsMalformedAddresses) {
  for (const char* bad : {"9104", "host:", "host:0", "host:65536", "host:12x", "::1:9104",
                          "[::1]9104", "[]:1", "ho st:1", "h/x:1"}) {
    auto a = parse_listen_address(bad);
    ASSERT_FALSE(a) << bad;
    EXPECT_EQ(a.error().code, ErrorCode::kConfig);
    EXPECT_NE(a.error().message.find(std::string("'") + bad + "'"), std::string::npos)
        << a.error().message;
  }
  EXPECT_TRUE(parse_listen_address("127.0.0.1:0", /*allow_ephemeral=*/true));
}

class ExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto up = registry_.gauge("masterha_master_up", "1 if up.");
    ASSERT_TRUE(up);
    (*(*up)->with({}))->set(1);
    auto e = Exporter::start(registry_, "127.0.0.1:0");
    ASSERT_TRUE(e) << e.error().message;
    exporter_ = std::move(*e);
    ASSERT_GT(exporter_->port(), 0);
  }
  Registry registry_;
  std::unique_ptr<Exporter> exporter_;
};

TEST_F(ExporterTest, ServesMetricsOnAnEphemeralPort) {
  EXPECT_EQ(exporter_->address(), "127.0.0.1:" + std::to_string(exporter_->port()));
  const std::string reply =
      exchange(exporter_->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos)
      << reply;
  const std::string body = registry_.render();
  EXPECT_NE(reply.find("Content-Length: " + std::to_string(body.size()) + "\r\n"),
            std::string::npos);
  EXPECT_EQ(reply.substr(reply.find("\r\n\r\n") + 4), body);
  EXPECT_NE(body.find("masterha_master_up 1\n"), std::string::npos);

  // Values set after start are what the next scrape sees.
  (*registry_.find("masterha_master_up")->with({}))->set(0);
  const std::string again = exchange(exporter_->port(), "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
  EXPECT_NE(again.find("\r\n\r\n# HELP masterha_master_up"), std::string::npos) << again;
  EXPECT_NE(again.find("masterha_master_up 0\n"), std::string::npos) << again;
  EXPECT_EQ(exporter_->requests_served(), 2u);
}

TEST_F(ExporterTest, OtherPathsAndMethodsAreRefused) {
  EXPECT_EQ(exchange(exporter_->port(), "GET /nope HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404 ", 0),
            0u);
  const std::string post = exchange(exporter_->port(), "POST /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(post.rfind("HTTP/1.1 405 ", 0), 0u) << post;
  EXPECT_NE(post.find("Allow: GET, HEAD\r\n"), std::string::npos);
  EXPECT_EQ(exchange(exporter_->port(), "garbage\r\n\r\n").rfind("HTTP/1.1 400 ", 0), 0u);
  const std::string head = exchange(exporter_->port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 200 ", 0), 0u);
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "");  // headers only
  const std::string huge(10000, 'a');
  EXPECT_EQ(exchange(exporter_->port(), "GET /" + huge).rfind("HTTP/1.1 431 ", 0), 0u);
}

TEST(ExporterShutdownTest, ASilentClientDoesNotDelayShutdown) {
  Registry registry;
  Exporter::Options options;
  options.client_timeout = std::chrono::seconds(60);  // far beyond what the test allows
  auto started = Exporter::start(registry, "127.0.0.1:0", options);
  ASSERT_TRUE(started) << started.error().message;
  std::unique_ptr<Exporter> exporter = std::move(*started);
  const int idle = connect_local(exporter->port());  // connects, never sends
  ASSERT_GE(idle, 0);
  // Connections are served one at a time: once a full request goes unanswered, the server
  // thread is inside the idle client's 60 s wait.
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  bool held = false;
  while (!held && Clock::now() < deadline) {
    held =
        exchange(exporter->port(), "GET /metrics HTTP/1.1\r\n\r\n", std::chrono::milliseconds(200))
            .empty();
  }
  ASSERT_TRUE(held) << "the server answered while a silent client was connected";
  const auto start = Clock::now();
  exporter.reset();  // must wake the thread out of the client wait
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  ::close(idle);
}

TEST_F(ExporterTest, BusyPortIsAnError) {
  auto second = Exporter::start(registry_, "127.0.0.1:" + std::to_string(exporter_->port()));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kIo);
  EXPECT_EQ(second.error().detail, EADDRINUSE);
  EXPECT_NE(second.error().message.find("127.0.0.1:" + std::to_string(exporter_->port())),
            std::string::npos);
}

TEST_F(ExporterTest, StopsAndFreesThePort) {
  const int port = exporter_->port();
  exporter_.reset();
  EXPECT_LT(connect_local(port), 0);  // nothing listens any more
  auto again = Exporter::start(registry_, "127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(again) << again.error().message;
}

}  // namespace
}  // namespace mha::metrics
