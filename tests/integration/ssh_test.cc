// mha_ssh against real sshd processes.
//
// SshLoopback: the suite starts its own sshd (OpenSSH 9.2) on 127.0.0.1:<free port> with its own
// host key, client keys and known_hosts, so it needs no test bed: command execution, stdin,
// both output streams, checksummed transfers, the session pool, host key and auth failures, and
// every timeout path.
//
// SshCluster: the test-bed hosts (mha::test::Cluster), reached from the manager namespace as the
// manager reaches them: commands and transfers on db hosts, and a partitioned host timing out.

#include "mha/ssh/library.h"
#include "mha/ssh/session_pool.h"
#include "mha/ssh/ssh_options.h"
#include "mha/ssh/ssh_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cluster.h"
#include "support/harness.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mha::ssh {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds elapsed_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string random_bytes(size_t n) {
  std::mt19937_64 rng(42);
  std::string bytes(n, '\0');
  for (auto& c : bytes) c = static_cast<char>(rng() & 0xff);
  return bytes;
}

int shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool port_accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A listening socket on 127.0.0.1 that never accepts: with backlog 0 and the queue filled, further
// SYNs are dropped (connect times out, like a partitioned host); with a normal backlog the TCP
// connection completes but nothing is ever said (like a hung sshd).
class SilentListener {
 public:
  explicit SilentListener(bool drop_syns) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, drop_syns ? 0 : 16);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (drop_syns) {
      for (int i = 0; i < 3; ++i) {
        int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        fillers_.push_back(c);
      }
    }
  }
  ~SilentListener() {
    for (int c : fillers_) ::close(c);
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

// Our own sshd, as the test bed runs them (own host key, StrictModes no, key login as root).
class LocalSshd {
 public:
  Status start() {
    char dir_template[] = "/tmp/mha-ssh-it-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) {
      return Unexpected(make_error(ErrorCode::kIo, "mkdtemp failed"));
    }
    dir_ = dir_template;
    port_ = free_loopback_port();
    ::mkdir("/run/sshd", 0755);
    const std::string keygen = "ssh-keygen -q -N '' -C mha-ssh-it ";
    if (shell(keygen + "-t ed25519 -f " + dir_ + "/host_key") != 0 ||
        shell(keygen + "-t ed25519 -f " + dir_ + "/id_ed25519") != 0 ||
        shell(keygen + "-t ed25519 -f " + dir_ + "/unauthorised") != 0 ||
        shell(keygen + "-t ed25519 -f " + dir_ + "/other_host_key") != 0 ||
        shell(keygen + "-t rsa -b 2048 -f " + dir_ + "/id_rsa") != 0) {
      return Unexpected(make_error(ErrorCode::kIo, "ssh-keygen failed"));
    }
    write_file(dir_ + "/authorized_keys",
               read_file(dir_ + "/id_ed25519.pub") + read_file(dir_ + "/id_rsa.pub"));
    write_file(dir_ + "/known_hosts", host_line(read_file(dir_ + "/host_key.pub")));
    write_file(dir_ + "/wrong_known_hosts", host_line(read_file(dir_ + "/other_host_key.pub")));
    write_file(dir_ + "/sshd_config", "ListenAddress 127.0.0.1:" + std::to_string(port_) +
                                          "\nHostKey " + dir_ +
                                          "/host_key\n"
                                          "PidFile none\nPermitRootLogin prohibit-password\n"
                                          "PasswordAuthentication no\nUsePAM no\nStrictModes no\n"
                                          "KbdInteractiveAuthentication no\nUseDNS no\n"
                                          "AuthorizedKeysFile " +
                                          dir_ + "/authorized_keys\n");
    pid_ = ::fork();
    if (pid_ == 0) {
      int log = ::open((dir_ + "/sshd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(log, 2);
      ::execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-e", "-f", (dir_ + "/sshd_config").c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = Clock::now() + 10s;
    while (!port_accepts(port_)) {
      if (Clock::now() > deadline || ::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        return Unexpected(make_error(ErrorCode::kConnect,
                                     "sshd did not start: " + read_file(dir_ + "/sshd.log")));
      }
      ::poll(nullptr, 0, 20);
    }
    return ok_status();
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (!dir_.empty()) shell("rm -rf " + dir_);
  }

  SshTarget target() const { return SshTarget{"127.0.0.1", "", port_, "root"}; }
  SshAuth auth(const std::string& key = "id_ed25519",
               const std::string& known_hosts = "known_hosts") const {
    SshAuth a;
    a.identity_files = {dir_ + "/" + key};
    a.known_hosts_file = dir_ + "/" + known_hosts;
    return a;
  }
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }

 private:
  std::string host_line(const std::string& pub) const {
    std::string type_and_key = pub.substr(0, pub.rfind(' '));
    return "[127.0.0.1]:" + std::to_string(port_) + " " + type_and_key + "\n";
  }
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

const SshTimeouts kTimeouts{2000ms, 10000ms};

class SshLoopback : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto lib = Libssh2Library::init();
    ASSERT_TRUE(lib.has_value());
    library_ = new Libssh2Library(std::move(*lib));
    sshd_ = new LocalSshd();
    auto started = sshd_->start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
    started_ = true;
  }
  static void TearDownTestSuite() {
    if (sshd_ != nullptr) sshd_->stop();
    delete sshd_;
    delete library_;
  }
  void SetUp() override {
    if (!started_) GTEST_FAIL() << "our sshd did not start (see the suite set-up failure)";
  }

  SshSession connect_ok() {
    auto s = SshSession::connect(sshd_->target(), sshd_->auth(), kTimeouts);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
    if (!s) std::abort();
    return std::move(*s);
  }

  static Libssh2Library* library_;
  static LocalSshd* sshd_;
  static bool started_;
};
bool SshLoopback::started_ = false;
Libssh2Library* SshLoopback::library_ = nullptr;
LocalSshd* SshLoopback::sshd_ = nullptr;

TEST_F(SshLoopback, RunReturnsExitCodeAndBothStreams) {
  SshSession s = connect_ok();
  auto r = s.run("echo hi; echo err >&2; exit 3", "", 5s);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "hi\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->exit_signal, "");

  auto killed = s.run("kill -KILL $$", "", 5s);
  ASSERT_TRUE(killed.has_value()) << killed.error().to_string();
  EXPECT_EQ(killed->exit_signal, "KILL");
  EXPECT_EQ(killed->exit_code, -1);
}

TEST_F(SshLoopback, StdinIsDeliveredAndNeverInTheProcessList) {
  SshSession s = connect_ok();
  const std::string secret = "S3cr3t-" + std::to_string(::getpid()) + "-marker";
  // ps runs while the command (whose stdin holds the secret) is alive; then cat echoes stdin.
  auto r = s.run("ps -eo args; cat", secret + "\n", 5s);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 0) << r->err;
  ASSERT_TRUE(r->out.ends_with(secret + "\n"));
  const std::string listing = r->out.substr(0, r->out.size() - secret.size() - 1);
  EXPECT_THAT(listing, HasSubstr("ps -eo args; cat"));      // the listing shows our command line...
  EXPECT_THAT(listing, ::testing::Not(HasSubstr(secret)));  // ...but not the secret
}

TEST_F(SshLoopback, LargeStdinAndBothStreamsDoNotDeadlock) {
  SshSession s = connect_ok();
  // tee copies 4 MiB of stdin to stdout and stderr while we are still writing it: every window
  // fills at some point, and only interleaved reading and writing finishes.
  const std::string input = random_bytes(4 << 20);
  auto r = s.run("tee /dev/stderr", input, 20s);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_TRUE(r->out == input) << "stdout differs, " << r->out.size() << " bytes";
  EXPECT_TRUE(r->err == input) << "stderr differs, " << r->err.size() << " bytes";
}

TEST_F(SshLoopback, UploadAndDownloadRoundTripWithChecksum) {
  SshSession s = connect_ok();
  const std::string dir = sshd_->dir();
  const std::string payload = random_bytes(5 * 1000 * 1000);
  write_file(dir + "/local.bin", payload);

  auto up = s.upload(dir + "/local.bin", dir + "/remote dir's file.bin", 0640);
  ASSERT_TRUE(up.has_value()) << up.error().to_string();
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/remote dir's file.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_TRUE(read_file(dir + "/remote dir's file.bin") == payload);

  auto down = s.download(dir + "/remote dir's file.bin", dir + "/back.bin");
  ASSERT_TRUE(down.has_value()) << down.error().to_string();
  EXPECT_TRUE(read_file(dir + "/back.bin") == payload);

  // No temporary files left beside either copy.
  auto leftovers = s.run("ls " + dir + " | grep -c mha-part", "", 5s);
  ASSERT_TRUE(leftovers.has_value());
  EXPECT_EQ(leftovers->out, "0\n");
}

TEST_F(SshLoopback, TransferErrorsLeaveNothingBehind) {
  SshSession s = connect_ok();
  const std::string dir = sshd_->dir();
  auto missing = s.download(dir + "/does-not-exist", dir + "/never.bin");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_THAT(missing.error().message, HasSubstr("does-not-exist"));
  EXPECT_NE(::access((dir + "/never.bin").c_str(), F_OK), 0);

  auto no_local = s.upload(dir + "/no-such-local", dir + "/x", 0600);
  ASSERT_FALSE(no_local.has_value());
  EXPECT_EQ(no_local.error().code, ErrorCode::kNotFound);

  write_file(dir + "/small", "abc");
  auto bad_dir = s.upload(dir + "/small", dir + "/no/such/dir/x", 0600);
  ASSERT_FALSE(bad_dir.has_value());
  EXPECT_EQ(bad_dir.error().code, ErrorCode::kIo);
  // The session survives failed transfers.
  auto r = s.run("true", "", 5s);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 0);
}

TEST_F(SshLoopback, PoolReusesOneSessionPerHost) {
  SessionPool pool(sshd_->auth(), kTimeouts);
  const SshSession* first = nullptr;
  {
    auto lease = pool.acquire(sshd_->target(), 5s);
    ASSERT_TRUE(lease.has_value()) << lease.error().to_string();
    first = &lease->session();
  }
  for (int i = 0; i < 3; ++i) {
    auto r = pool.run(sshd_->target(), "echo " + std::to_string(i), "", 5s);
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    EXPECT_EQ(r->out, std::to_string(i) + "\n");
  }
  auto lease = pool.acquire(sshd_->target(), 5s);
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(&lease->session(), first);
  EXPECT_EQ(pool.connect_attempts(), 1);
}

TEST_F(SshLoopback, PoolSerialisesThreadsOnOneSession) {
  SessionPool pool(sshd_->auth(), kTimeouts);
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto r = pool.run(sshd_->target(), "echo t" + std::to_string(i), "", 10s);
      outputs[i] = r ? r->out : r.error().to_string();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(outputs[i], "t" + std::to_string(i) + "\n");
  EXPECT_EQ(pool.connect_attempts(), 1);
}

// run()'s timeout bounds the wait for a busy session and the command together: a check bounded by
// one ping must not wait a whole bound for another user of the host and then another for itself.
TEST_F(SshLoopback, PoolRunCountsTheWaitForABusySessionAgainstItsTimeout) {
  SessionPool pool(sshd_->auth(), kTimeouts);
  ASSERT_TRUE(pool.run(sshd_->target(), "true", "", 5s).has_value());  // the session is cached
  std::promise<void> held;
  std::thread holder([&] {
    auto lease = pool.acquire(sshd_->target(), 5s);
    held.set_value();
    std::this_thread::sleep_for(1500ms);  // another user's command, e.g. the upkeep's proof
  });
  held.get_future().wait();
  const auto start = Clock::now();
  auto r = pool.run(sshd_->target(), "sleep 5", "", 2s);
  const auto took = elapsed_since(start);
  holder.join();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 3000ms) << "waited 1.5 s for the session, then the whole 2 s again";
}

// A host that stops answering on a cached session (here its sshd process is stopped) costs a
// command its bound, not its bound plus a wait for the dead peer's goodbye when the session is
// dropped.
TEST_F(SshLoopback, DroppingASessionToAHostThatStoppedAnsweringCostsNoMoreThanTheBound) {
  SessionPool pool(sshd_->auth(), kTimeouts);
  auto pid = pool.run(sshd_->target(), "echo $PPID", "", 5s);
  ASSERT_TRUE(pid.has_value()) << pid.error().to_string();
  const std::string sshd_pid = pid->out.substr(0, pid->out.find('\n'));
  ASSERT_EQ(::kill(std::stoi(sshd_pid), SIGSTOP), 0);
  test::Undo resume([&] { ::kill(std::stoi(sshd_pid), SIGCONT); });
  const auto start = Clock::now();
  auto r = pool.run(sshd_->target(), "exit 0", "", 1000ms);
  const auto took = elapsed_since(start);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_LT(took, 1700ms) << "the dropped session waited for the stopped peer's goodbye";
}

TEST_F(SshLoopback, PoolReconnectsWhenTheCachedSessionDied) {
  SessionPool pool(sshd_->auth(), kTimeouts);
  auto first = pool.run(sshd_->target(), "true", "", 5s);
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  // Kill this connection's sshd process: the cached session's TCP peer goes away.
  auto killed = pool.run(sshd_->target(), "kill -9 $PPID", "", 5s);
  EXPECT_FALSE(killed.has_value() && killed->exit_code == 0);
  auto again = pool.run(sshd_->target(), "echo back", "", 5s);
  ASSERT_TRUE(again.has_value()) << again.error().to_string();
  EXPECT_EQ(again->out, "back\n");
  EXPECT_EQ(pool.connect_attempts(), 2);
}

TEST_F(SshLoopback, CommandTimeoutClosesTheChannelPromptly) {
  SshSession s = connect_ok();
  const auto start = Clock::now();
  auto r = s.run("sleep 30", "", 2s);
  const auto took = elapsed_since(start);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_GE(took, 2000ms);
  EXPECT_LT(took, 4000ms);
  // The session stays usable for the next command.
  auto next = s.run("echo still here", "", 5s);
  ASSERT_TRUE(next.has_value()) << next.error().to_string();
  EXPECT_EQ(next->out, "still here\n");
}

TEST_F(SshLoopback, UnknownHostKeyIsRefused) {
  write_file(sshd_->dir() + "/empty_known_hosts", "");
  auto s = SshSession::connect(sshd_->target(), sshd_->auth("id_ed25519", "empty_known_hosts"),
                               kTimeouts);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kHostKey);
  EXPECT_THAT(s.error().message,
              HasSubstr("host key for 127.0.0.1 port " + std::to_string(sshd_->port()) +
                        " not in " + sshd_->dir() + "/empty_known_hosts"));
  // A missing file is the same as an empty one.
  auto none =
      SshSession::connect(sshd_->target(), sshd_->auth("id_ed25519", "no_such_file"), kTimeouts);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kHostKey);
}

TEST_F(SshLoopback, MismatchedHostKeyIsRefused) {
  auto s = SshSession::connect(sshd_->target(), sshd_->auth("id_ed25519", "wrong_known_hosts"),
                               kTimeouts);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kHostKey);
  EXPECT_THAT(s.error().message, HasSubstr("host key mismatch"));
  EXPECT_THAT(s.error().message, HasSubstr("man-in-the-middle"));
}

TEST_F(SshLoopback, HashedKnownHostsEntriesMatch) {
  const std::string file = sshd_->dir() + "/hashed_known_hosts";
  write_file(file, read_file(sshd_->dir() + "/known_hosts"));
  ASSERT_EQ(shell("ssh-keygen -q -H -f " + file + " >/dev/null 2>&1"), 0);
  ASSERT_THAT(read_file(file), ::testing::StartsWith("|1|"));
  auto s = SshSession::connect(sshd_->target(), sshd_->auth("id_ed25519", "hashed_known_hosts"),
                               kTimeouts);
  EXPECT_TRUE(s.has_value()) << s.error().to_string();
}

TEST_F(SshLoopback, AcceptNewRecordsTheKeyAndNoSkipsTheCheck) {
  write_file(sshd_->dir() + "/new_known_hosts", "");
  SshAuth accept_new = sshd_->auth("id_ed25519", "new_known_hosts");
  accept_new.host_key_policy = HostKeyPolicy::kAcceptNew;
  auto first = SshSession::connect(sshd_->target(), accept_new, kTimeouts);
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  EXPECT_THAT(
      read_file(sshd_->dir() + "/new_known_hosts"),
      ::testing::StartsWith("[127.0.0.1]:" + std::to_string(sshd_->port()) + " ssh-ed25519 "));
  // Recorded: strict checking now passes.
  auto strict =
      SshSession::connect(sshd_->target(), sshd_->auth("id_ed25519", "new_known_hosts"), kTimeouts);
  EXPECT_TRUE(strict.has_value()) << strict.error().to_string();

  SshAuth off = sshd_->auth("id_ed25519", "wrong_known_hosts");
  off.host_key_policy = HostKeyPolicy::kOff;
  auto unchecked = SshSession::connect(sshd_->target(), off, kTimeouts);
  EXPECT_TRUE(unchecked.has_value()) << unchecked.error().to_string();
}

TEST_F(SshLoopback, UnauthorisedKeyIsAnAuthError) {
  SshAuth auth = sshd_->auth("unauthorised");
  auth.identity_files.push_back(sshd_->dir() + "/missing_key");
  auto s = SshSession::connect(sshd_->target(), auth, kTimeouts);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kAuth);
  EXPECT_THAT(s.error().message, HasSubstr("unauthorised (ed25519): rejected by the server"));
  EXPECT_THAT(s.error().message, HasSubstr("missing_key: skipped"));
  EXPECT_THAT(s.error().message, ::testing::Not(HasSubstr("RSA keys cannot")));
}

TEST_F(SshLoopback, RsaKeyFailsWithTheLibssh2Hint) {
  // id_rsa IS in authorized_keys: OpenSSH 9.2 still refuses libssh2 1.10's ssh-rsa signature.
  auto s = SshSession::connect(sshd_->target(), sshd_->auth("id_rsa"), kTimeouts);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kAuth);
  EXPECT_THAT(s.error().message,
              HasSubstr("RSA keys cannot authenticate to OpenSSH >= 8.8 with libssh2 1.10"));
}

TEST_F(SshLoopback, RefusedPortFailsFast) {
  SshTarget target = sshd_->target();
  target.port = free_loopback_port();
  const auto start = Clock::now();
  auto s = SshSession::connect(target, sshd_->auth(), kTimeouts);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kConnect);
  EXPECT_EQ(s.error().detail, ECONNREFUSED);
  EXPECT_LT(elapsed_since(start), 500ms);
}

TEST_F(SshLoopback, UnansweredSynTimesOutWithinConnectTimeout) {
  SilentListener listener(/*drop_syns=*/true);
  SshTarget target = sshd_->target();
  target.port = listener.port();
  const auto start = Clock::now();
  auto s = SshSession::connect(target, sshd_->auth(), SshTimeouts{1000ms, 5000ms});
  const auto took = elapsed_since(start);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kTimeout) << s.error().to_string();
  EXPECT_GE(took, 1000ms);
  EXPECT_LT(took, 2000ms);
}

TEST_F(SshLoopback, SilentServerTimesOutInTheHandshake) {
  SilentListener listener(/*drop_syns=*/false);
  SshTarget target = sshd_->target();
  target.port = listener.port();
  const auto start = Clock::now();
  auto s = SshSession::connect(target, sshd_->auth(), SshTimeouts{1000ms, 5000ms});
  const auto took = elapsed_since(start);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kTimeout) << s.error().to_string();
  EXPECT_THAT(s.error().message, HasSubstr("handshake"));
  EXPECT_LT(took, 2000ms);
}

TEST_F(SshLoopback, OptionsStringDrivesAuth) {
  auto options =
      parse_ssh_options("-i " + sshd_->dir() + "/id_ed25519 -o UserKnownHostsFile=" + sshd_->dir() +
                        "/known_hosts -o BatchMode=yes");
  ASSERT_TRUE(options.has_value());
  auto s = SshSession::connect(sshd_->target(), SshAuth::from_options(*options, "/nonexistent"),
                               kTimeouts);
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  auto r = s->run("id -un", "", 5s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->out, "root\n");
}

// ---- The test bed: db hosts seen from the manager namespace ----

class SshCluster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto lib = Libssh2Library::init();
    ASSERT_TRUE(lib.has_value());
    library_ = new Libssh2Library(std::move(*lib));
    cluster_ = new test::Cluster();
    auto up = cluster_->up(test::ClusterOptions{.hosts = 2});
    ASSERT_TRUE(up.has_value()) << up.error().to_string();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    delete library_;
  }
  void SetUp() override {
    if (cluster_ == nullptr || !cluster_->is_up()) GTEST_SKIP() << "test bed not up";
  }

  SshAuth auth(const std::string& known_hosts) const {
    auto options = parse_ssh_options("-i " + cluster_->env("SSH_KEY") +
                                     " -o UserKnownHostsFile=" + known_hosts);
    EXPECT_TRUE(options.has_value());
    return SshAuth::from_options(*options, "/nonexistent");
  }
  SshTarget target(const std::string& name) const {
    const test::Host& h = cluster_->host(name);
    return SshTarget{h.name, h.ip, h.ssh_port, "root"};
  }

  static Libssh2Library* library_;
  static test::Cluster* cluster_;
};
Libssh2Library* SshCluster::library_ = nullptr;
test::Cluster* SshCluster::cluster_ = nullptr;

TEST_F(SshCluster, RunAndTransferOnDbHosts) {
  test::ManagerNetns netns;
  ASSERT_TRUE(netns.ok());
  SessionPool pool(auth(cluster_->env("KNOWN_HOSTS")), kTimeouts);
  auto r = pool.run(target("db1"), "echo hi; echo err >&2; exit 3", "", 5s);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "hi\n");
  EXPECT_EQ(r->err, "err\n");

  auto echoed = pool.run(target("db1"), "cat", "from stdin", 5s);
  ASSERT_TRUE(echoed.has_value());
  EXPECT_EQ(echoed->out, "from stdin");

  // Relay a 5 MB file db1 -> manager -> db2, as failover relays binlogs.
  char dir_template[] = "/tmp/mha-ssh-cluster-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string payload = random_bytes(5 * 1000 * 1000);
  write_file(dir + "/payload", payload);
  ASSERT_TRUE(pool.upload(target("db1"), dir + "/payload", dir + "/on-db1", 0600).has_value());
  auto down = pool.download(target("db1"), dir + "/on-db1", dir + "/relayed");
  ASSERT_TRUE(down.has_value()) << down.error().to_string();
  auto up = pool.upload(target("db2"), dir + "/relayed", dir + "/on-db2", 0600);
  ASSERT_TRUE(up.has_value()) << up.error().to_string();
  EXPECT_TRUE(read_file(dir + "/on-db2") == payload);  // hosts share the file system
  shell("rm -rf " + dir);

  EXPECT_EQ(pool.connect_attempts(), 2);  // one session per host, reused for everything
}

TEST_F(SshCluster, UnknownHostKeyAndWrongKey) {
  test::ManagerNetns netns;
  ASSERT_TRUE(netns.ok());
  auto unknown = SshSession::connect(target("db1"), auth("/dev/null"), kTimeouts);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kHostKey);
  EXPECT_THAT(unknown.error().message, HasSubstr("host key for db1 (10.77.0.11) not in"));

  char dir_template[] = "/tmp/mha-ssh-key-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  ASSERT_EQ(shell("ssh-keygen -q -t ed25519 -N '' -f " + dir + "/fresh"), 0);
  SshAuth fresh = auth(cluster_->env("KNOWN_HOSTS"));
  fresh.identity_files = {dir + "/fresh"};
  auto denied = SshSession::connect(target("db1"), fresh, kTimeouts);
  shell("rm -rf " + dir);
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code, ErrorCode::kAuth);
}

TEST_F(SshCluster, PartitionedHostTimesOut) {
  // Faults run cluster.sh in the root namespace, so ManagerNetns is entered only around SSH
  // calls (a socket stays in the namespace it was created in).
  SessionPool pool(auth(cluster_->env("KNOWN_HOSTS")), SshTimeouts{2000ms, 5000ms});
  {
    test::ManagerNetns netns;
    ASSERT_TRUE(netns.ok());
    ASSERT_TRUE(pool.run(target("db2"), "true", "", 5s).has_value());
  }
  auto down = cluster_->link_down("db2");
  ASSERT_TRUE(down.has_value()) << down.error().to_string();
  Result<SshSession> fresh = Unexpected(make_error(ErrorCode::kInternal, "not run"));
  std::chrono::milliseconds cached_took{0};
  std::chrono::milliseconds fresh_took{0};
  Result<ExecResult> cached = Unexpected(make_error(ErrorCode::kInternal, "not run"));
  {
    test::ManagerNetns netns;
    ASSERT_TRUE(netns.ok());
    // The cached session cannot notice a silent partition: the command times out...
    auto start = Clock::now();
    cached = pool.run(target("db2"), "true", "", 2s);
    cached_took = elapsed_since(start);
    // ...and a new connection times out within the connect timeout.
    start = Clock::now();
    fresh = SshSession::connect(target("db2"), auth(cluster_->env("KNOWN_HOSTS")),
                                SshTimeouts{2000ms, 5000ms});
    fresh_took = elapsed_since(start);
  }
  auto up = cluster_->link_up("db2");
  ASSERT_TRUE(up.has_value()) << up.error().to_string();

  ASSERT_FALSE(cached.has_value());
  EXPECT_EQ(cached.error().code, ErrorCode::kTimeout) << cached.error().to_string();
  EXPECT_LT(cached_took, 4000ms);
  ASSERT_FALSE(fresh.has_value());
  EXPECT_EQ(fresh.error().code, ErrorCode::kTimeout) << fresh.error().to_string();
  EXPECT_GE(fresh_took, 2000ms);
  EXPECT_LT(fresh_took, 3000ms);

  // Healed: the pool replaces the session the partition broke.
  test::ManagerNetns netns;
  ASSERT_TRUE(netns.ok());
  auto healed = pool.run(target("db2"), "echo ok", "", 5s);
  ASSERT_TRUE(healed.has_value()) << healed.error().to_string();
  EXPECT_EQ(healed->out, "ok\n");
  EXPECT_EQ(pool.connect_attempts(), 2);
}

}  // namespace
}  // namespace mha::ssh
