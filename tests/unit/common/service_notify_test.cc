#include "mha/common/service_notify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace mha {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;
using ::testing::HasSubstr;

// A datagram socket bound where systemd's would be, to read what the notifier sent.
class Receiver {
 public:
  // `name`: a path, or "@name" for an abstract socket.
  explicit Receiver(const std::string& name)
      : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name[0] == '@') {
      addr.sun_path[0] = '\0';
    } else {
      ++len;  // the path's NUL
    }
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  ~Receiver() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool bound() const { return bound_; }

  // The next datagram, or nullopt if none arrives within `timeout_ms`.
  std::optional<std::string> next(int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  int fd_;
  bool bound_ = false;
};

class ServiceNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mha_notify_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "notify.sock").string();
  }
  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    fs::remove_all(dir_);
  }
  ServiceNotifier at(const std::string& socket) const {
    return ServiceNotifier::from_values(socket, std::nullopt, std::nullopt, ::getpid());
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(ServiceNotifyTest, SendsEachMessageAsOneDatagramToAPathSocket) {
  Receiver systemd(path_);
  ASSERT_TRUE(systemd.bound());
  const ServiceNotifier n = at(path_);
  ASSERT_TRUE(n.enabled());
  EXPECT_EQ(n.socket(), path_);

  ASSERT_TRUE(n.ready());
  EXPECT_EQ(systemd.next(), "READY=1");
  ASSERT_TRUE(n.status("monitoring master db1(10.77.0.11:3306)"));
  EXPECT_EQ(systemd.next(), "STATUS=monitoring master db1(10.77.0.11:3306)");
  ASSERT_TRUE(n.reloading());
  EXPECT_EQ(systemd.next(), "RELOADING=1");
  ASSERT_TRUE(n.extend_timeout(std::chrono::seconds(90)));
  EXPECT_EQ(systemd.next(), "EXTEND_TIMEOUT_USEC=90000000");
  ASSERT_TRUE(n.stopping());
  EXPECT_EQ(systemd.next(), "STOPPING=1");
  ASSERT_TRUE(n.notify("STATUS=a\nERRNO=5"));
  EXPECT_EQ(systemd.next(), "STATUS=a\nERRNO=5");
}

TEST_F(ServiceNotifyTest, SendsToAnAbstractSocket) {
  const std::string name = "@mha-notify-test-" + std::to_string(::getpid());
  Receiver systemd(name);
  ASSERT_TRUE(systemd.bound());
  const ServiceNotifier n = at(name);
  ASSERT_TRUE(n.ready());
  EXPECT_EQ(systemd.next(), "READY=1");
}

TEST_F(ServiceNotifyTest, FromEnvironmentReadsAndUnsetsTheVariables) {
  Receiver systemd(path_);
  ASSERT_TRUE(systemd.bound());
  ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  const ServiceNotifier n = ServiceNotifier::from_environment();
  // Scripts the manager starts must not inherit the socket.
  EXPECT_EQ(::getenv("NOTIFY_SOCKET"), nullptr);
  EXPECT_EQ(::getenv("WATCHDOG_USEC"), nullptr);
  EXPECT_EQ(::getenv("WATCHDOG_PID"), nullptr);
  ASSERT_TRUE(n.enabled());
  EXPECT_EQ(n.watchdog_timeout(), microseconds(30'000'000));
  EXPECT_EQ(n.watchdog_interval(), microseconds(15'000'000));
  ASSERT_TRUE(n.watchdog());
  EXPECT_EQ(systemd.next(), "WATCHDOG=1");
}

TEST_F(ServiceNotifyTest, FromEnvironmentCanKeepTheVariables) {
  ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  const ServiceNotifier n = ServiceNotifier::from_environment(/*unset_environment=*/false);
  EXPECT_TRUE(n.enabled());
  ASSERT_NE(::getenv("NOTIFY_SOCKET"), nullptr);
  EXPECT_EQ(std::string(::getenv("NOTIFY_SOCKET")), path_);
}

TEST_F(ServiceNotifyTest, WithoutNotifySocketEverythingIsANoOp) {
  ::unsetenv("NOTIFY_SOCKET");
  ::setenv("WATCHDOG_USEC", "30000000", 1);  // useless without a socket
  for (const ServiceNotifier& n :
       {ServiceNotifier(), ServiceNotifier::from_environment(),
        ServiceNotifier::from_values("", "1000", std::nullopt, ::getpid())}) {
    EXPECT_FALSE(n.enabled());
    EXPECT_EQ(n.watchdog_timeout(), std::nullopt);
    EXPECT_EQ(n.watchdog_interval(), std::nullopt);
    EXPECT_TRUE(n.ready());
    EXPECT_TRUE(n.status("x"));
    EXPECT_TRUE(n.watchdog());
    EXPECT_TRUE(n.stopping());
  }
}

TEST_F(ServiceNotifyTest, WatchdogBelongsOnlyToTheProcessNamedByWatchdogPid) {
  const pid_t me = ::getpid();
  const std::string mine = std::to_string(me);
  const std::string other = std::to_string(me + 1);
  const auto timeout = [&](std::optional<std::string_view> usec,
                           std::optional<std::string_view> pid) {
    return ServiceNotifier::from_values(path_, usec, pid, me).watchdog_timeout();
  };
  EXPECT_EQ(timeout("20000000", std::nullopt), microseconds(20'000'000));
  EXPECT_EQ(timeout("20000000", mine), microseconds(20'000'000));
  EXPECT_EQ(timeout("20000000", other), std::nullopt);  // a child that inherited the variables
  EXPECT_EQ(timeout(std::nullopt, mine), std::nullopt);
  for (std::string_view bad : {"", "0", "-5", "30s", " 30", "1e6", "99999999999999999999999"}) {
    EXPECT_EQ(timeout(bad, mine), std::nullopt) << "WATCHDOG_USEC=" << bad;
  }
  EXPECT_EQ(timeout("20000000", "abc"), std::nullopt);
  EXPECT_EQ(ServiceNotifier::from_values(path_, "1", std::nullopt, me).watchdog_interval(),
            microseconds(1));
}

TEST_F(ServiceNotifyTest, WatchdogIsNotSentWhenNotExpected) {
  Receiver systemd(path_);
  ASSERT_TRUE(systemd.bound());
  const ServiceNotifier n = at(path_);  // no WATCHDOG_USEC
  ASSERT_TRUE(n.watchdog());
  ASSERT_TRUE(n.ready());
  // The first datagram is READY=1: no WATCHDOG=1 went out before it.
  EXPECT_EQ(systemd.next(), "READY=1");
}

TEST_F(ServiceNotifyTest, StatusIsOneRedactedLineOfBoundedLength) {
  Receiver systemd(path_);
  ASSERT_TRUE(systemd.bound());
  const ServiceNotifier n = at(path_);
  ASSERT_TRUE(n.status("failover running\nREADY=1\r"));
  EXPECT_EQ(systemd.next(), "STATUS=failover running READY=1 ");
  ASSERT_TRUE(n.status("running script --new_master_password=s3cret"));
  EXPECT_EQ(systemd.next(), "STATUS=running script --new_master_password=xxx");

  // 1023 ASCII bytes, then a 3-byte character that does not fit in 1024: it is dropped whole.
  const std::string long_line = std::string(1023, 'a') + "\xE2\x82\xAC" + "tail";
  ASSERT_TRUE(n.status(long_line));
  EXPECT_EQ(systemd.next(), "STATUS=" + std::string(1023, 'a'));
}

TEST_F(ServiceNotifyTest, UnusableSocketAddressIsAConfigErrorNamingTheVariable) {
  for (const std::string& bad :
       {std::string("relative/notify"), std::string("@"), "/" + std::string(200, 'x')}) {
    const ServiceNotifier n = at(bad);
    EXPECT_TRUE(n.enabled());
    const Status st = n.ready();
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::kConfig);
    EXPECT_THAT(st.error().message, HasSubstr("NOTIFY_SOCKET"));
  }
}

TEST_F(ServiceNotifyTest, NoListenerIsAnIoErrorWithErrno) {
  const ServiceNotifier n = at(path_);  // nothing bound there
  const Status st = n.ready();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
  EXPECT_EQ(st.error().detail, ENOENT);
  EXPECT_THAT(st.error().message, HasSubstr(path_));
}

// systemd not reading its socket must not stall the monitoring loop: once the receive queue is
// full the send fails at once with EAGAIN instead of blocking (a blocking send would hang this
// test until ctest's timeout).
TEST_F(ServiceNotifyTest, FullQueueFailsWithoutBlocking) {
  Receiver systemd(path_);
  ASSERT_TRUE(systemd.bound());
  const ServiceNotifier n = at(path_);
  std::optional<Error> failure;
  int sent = 0;
  for (; sent < 100000 && !failure; ++sent) {
    const Status st = n.status(std::string(512, 's'));
    if (!st) failure = st.error();
  }
  ASSERT_TRUE(failure.has_value()) << "the queue never filled after " << sent << " datagrams";
  EXPECT_EQ(failure->code, ErrorCode::kIo);
  EXPECT_EQ(failure->detail, EAGAIN);
  // What was queued is intact.
  EXPECT_EQ(systemd.next(), "STATUS=" + std::string(512, 's'));
}

}  // namespace
}  // namespace mha
