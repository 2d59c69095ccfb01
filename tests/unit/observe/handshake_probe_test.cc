#include "mha/observe/handshake_probe.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "unit/ssh/fake_remote_exec.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mha::observe {
namespace {

using health::HandshakeProbe;
using std::chrono::milliseconds;

TEST(HandshakeOutput, GreetingIsAlive) {
  // 3-byte length 0x4a, sequence 0, protocol 10.
  EXPECT_EQ(interpret_handshake_output(" 4a 00 00 00 0a\n"), HandshakeProbe::kOk);
}

TEST(HandshakeOutput, ErrorPacketIsAlive) {
  // "Too many connections" arrives as an error packet instead of the greeting.
  EXPECT_EQ(interpret_handshake_output(" 17 00 00 00 ff\n"), HandshakeProbe::kOk);
}

TEST(HandshakeOutput, NothingOrGarbageIsFailed) {
  EXPECT_EQ(interpret_handshake_output(""), HandshakeProbe::kFailed);
  EXPECT_EQ(interpret_handshake_output(" 4a 00 00\n"), HandshakeProbe::kFailed);
  EXPECT_EQ(interpret_handshake_output(" 53 53 48 2d 32\n"), HandshakeProbe::kFailed);  // "SSH-2"
  EXPECT_EQ(interpret_handshake_output(" 4a 00 00 01 0a\n"), HandshakeProbe::kFailed);  // seq 1
  EXPECT_EQ(interpret_handshake_output("bash: error\n"), HandshakeProbe::kFailed);
}

TEST(HandshakeCommand, QuotesTheAddressAndBoundsTheRead) {
  const std::string cmd = handshake_probe_command("db1;rm -rf /", 3306, milliseconds(1500));
  EXPECT_NE(cmd.find("timeout 1.500 bash -c "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("'db1;rm -rf /' 3306"), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("head -c 5"), std::string::npos) << cmd;
}

TEST(HandshakeProbeRun, SshFailureIsNoOpinion) {
  ssh::FakeRemoteExec exec;
  exec.on_any([](const ssh::FakeRemoteExec::Call&) -> Result<ssh::ExecResult> {
    return Unexpected(make_error(ErrorCode::kConnect, "db2: connection refused"));
  });
  EXPECT_EQ(probe_handshake(exec, ssh::SshTarget{"db2", "", 22, "root"}, "10.0.0.1", 3306,
                            milliseconds(100), milliseconds(100)),
            HandshakeProbe::kSshFailed);
}

TEST(HandshakeProbeRun, MissingToolsIsNoOpinion) {
  ssh::FakeRemoteExec exec;
  exec.on_any([](const ssh::FakeRemoteExec::Call&) -> Result<ssh::ExecResult> {
    return ssh::ExecResult{127, "", "", "bash: timeout: command not found"};
  });
  EXPECT_EQ(probe_handshake(exec, ssh::SshTarget{"db2", "", 22, "root"}, "10.0.0.1", 3306,
                            milliseconds(100), milliseconds(100)),
            HandshakeProbe::kSshFailed);
}

// The real command line, run by the local shell against loopback listeners: a server that sends a
// greeting, one that accepts TCP and stays silent (a hung mysqld), and a closed port.
class LocalListener {
 public:
  explicit LocalListener(std::string greeting) : greeting_(std::move(greeting)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      if (!greeting_.empty()) (void)!::write(c, greeting_.data(), greeting_.size());
      char buf[16];
      (void)!::read(c, buf, sizeof buf);  // hold the connection until the client goes away
      ::close(c);
    });
  }
  ~LocalListener() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::string greeting_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string run_local(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(command.c_str(), "r"), ::pclose);
  if (!p) return out;
  std::array<char, 256> buf{};
  while (std::fgets(buf.data(), buf.size(), p.get()) != nullptr) out += buf.data();
  return out;
}

TEST(HandshakeCommandLocal, GreetingServerIsAlive) {
  LocalListener server(
      std::string("\x4a\x00\x00\x00\x0a"
                  "10.11.19-MariaDB",
                  21));
  const std::string out =
      run_local(handshake_probe_command("127.0.0.1", server.port(), milliseconds(2000)));
  EXPECT_EQ(interpret_handshake_output(out), HandshakeProbe::kOk) << out;
}

TEST(HandshakeCommandLocal, SilentServerIsFailed) {
  LocalListener server("");  // accepts TCP, never speaks: what a SIGSTOPped mysqld looks like
  const std::string out =
      run_local(handshake_probe_command("127.0.0.1", server.port(), milliseconds(300)));
  EXPECT_EQ(interpret_handshake_output(out), HandshakeProbe::kFailed) << out;
}

TEST(HandshakeCommandLocal, ClosedPortIsFailed) {
  int port = 0;
  {
    LocalListener gone("");
    port = gone.port();
  }  // closed again: nothing listens there now
  const std::string out = run_local(handshake_probe_command("127.0.0.1", port, milliseconds(500)));
  EXPECT_EQ(interpret_handshake_output(out), HandshakeProbe::kFailed) << out;
}

}  // namespace
}  // namespace mha::observe
