// The test bed itself, against the real cluster, in both replication modes: what colleagues'
// integration tests rely on (replication, users, isolation of the network, every fault and its
// undo, a clean teardown) is checked here first.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "support/cluster.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mha::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// --- plain TCP probes (no project client library: those are being written against this bed) ---

enum class Probe { kConnected, kRefused, kTimeout, kUnreachable, kOtherError };

const char* probe_name(Probe p) {
  switch (p) {
    case Probe::kConnected:
      return "connected";
    case Probe::kRefused:
      return "refused";
    case Probe::kTimeout:
      return "timeout";
    case Probe::kUnreachable:
      return "unreachable";
    case Probe::kOtherError:
      return "other error";
  }
  return "?";
}

struct ProbeResult {
  Probe probe = Probe::kOtherError;
  int error = 0;
  milliseconds elapsed{0};
  std::string greeting;  // first bytes the server sent, if asked for
};

std::ostream& operator<<(std::ostream& os, const ProbeResult& r) {
  return os << probe_name(r.probe) << " (errno " << r.error << ", " << r.elapsed.count() << " ms, "
            << r.greeting.size() << " greeting bytes)";
}

int remaining_ms(steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Connects from the calling thread's network namespace; with `read_greeting`, also waits (within
// the same timeout) for the server's first bytes: MySQL's handshake or SSH's banner.
ProbeResult tcp_probe(const std::string& ip, int port, int timeout_ms, bool read_greeting = false) {
  ProbeResult r;
  const auto start = steady_clock::now();
  const auto deadline = start + milliseconds(timeout_ms);
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    r.error = errno;
    return r;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = rc == 0 ? 0 : errno;
  if (err == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) == 0) {
      err = ETIMEDOUT;
      r.probe = Probe::kTimeout;
    } else {
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
  }
  r.error = err;
  if (r.probe != Probe::kTimeout) {
    switch (err) {
      case 0:
        r.probe = Probe::kConnected;
        break;
      case ECONNREFUSED:
        r.probe = Probe::kRefused;
        break;
      case EHOSTUNREACH:
      case ENETUNREACH:
        r.probe = Probe::kUnreachable;
        break;
      case ETIMEDOUT:
        r.probe = Probe::kTimeout;
        break;
      default:
        r.probe = Probe::kOtherError;
    }
  }
  if (r.probe == Probe::kConnected && read_greeting) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) > 0) {
      char buf[256];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) r.greeting.assign(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  r.elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  return r;
}

// MySQL protocol: 3-byte length, sequence id, then protocol version 10.
bool is_mysql_handshake(const std::string& g) { return g.size() > 5 && g[4] == 10; }

// Polls `done` until it holds or `timeout` passes.
bool wait_for(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
}

// The mariadb client in the manager namespace, over TCP, with credentials from an option file.
CommandResult mgr_client(const Cluster& c, const std::string& cnf_key, const std::string& ip,
                         const std::string& statement) {
  return c.exec_in("mgr",
                   "mariadb --defaults-extra-file=" + shell_quote(c.env(cnf_key)) + " -h " + ip +
                       " -N -B -e " + shell_quote(statement),
                   20);
}

std::string slave_field(const Cluster& c, const std::string& host, const std::string& field) {
  auto row = c.sql_row(host, "SHOW SLAVE STATUS");
  if (!row) return "error: " + row.error().message;
  auto it = row->find(field);
  return it == row->end() ? "" : it->second;
}

// One line of replication state for failure messages.
std::string replication_state(const Cluster& c, const std::string& replica) {
  auto row = c.sql_row(replica, "SHOW SLAVE STATUS");
  if (!row) return "SHOW SLAVE STATUS failed: " + row.error().message;
  std::string out;
  for (const char* f : {"Slave_IO_Running", "Slave_SQL_Running", "Slave_SQL_Running_State",
                        "Master_Log_File", "Read_Master_Log_Pos", "Relay_Master_Log_File",
                        "Exec_Master_Log_Pos", "Last_IO_Error", "Last_SQL_Error", "Gtid_IO_Pos"}) {
    out += std::string(f) + "=" + (*row)[f] + " ";
  }
  out += "gtid_slave_pos=" + c.sql(replica, "SELECT @@gtid_slave_pos").value_or("?");
  out += " master binlog=" + c.sql("db1", "SHOW MASTER STATUS").value_or("?");
  out += " master gtid=" + c.sql("db1", "SELECT @@gtid_binlog_pos").value_or("?");
  return out;
}

// Processes (not zombies) named mariadbd or sshd whose command line mentions `dir`.
std::vector<std::string> our_processes(const std::string& dir) {
  std::vector<std::string> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return {"cannot open /proc"};
  while (dirent* e = ::readdir(proc)) {
    std::string pid = e->d_name;
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm_file("/proc/" + pid + "/comm"), status("/proc/" + pid + "/stat"),
        cmdline_file("/proc/" + pid + "/cmdline");
    std::string comm, cmdline, stat;
    std::getline(comm_file, comm);
    std::getline(status, stat);
    std::getline(cmdline_file, cmdline, '\n');
    if (comm != "mariadbd" && comm != "sshd") continue;
    size_t paren = stat.rfind(')');
    bool zombie = paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
    if (!zombie && cmdline.find(dir + "/") != std::string::npos) found.push_back(pid + " " + comm);
  }
  ::closedir(proc);
  return found;
}

// --- the fixture's helpers (no cluster needed) -------------------------------------------------

TEST(TestbedSupport, RunCommandCapturesOutputAndExitCode) {
  CommandResult r = run_command("echo out; echo err >&2; exit 3", 10);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(run_command_with_input("tr a-z A-Z", "secret\n", 10).out, "SECRET\n");
}

TEST(TestbedSupport, RunCommandKillsTheWholeProcessGroupOnTimeout) {
  const std::string pid_file = "/tmp/mha-testbed-support-" + std::to_string(::getpid());
  const auto start = steady_clock::now();
  CommandResult r = run_command("sleep 60 & echo $! > " + pid_file + "; wait", 1);
  EXPECT_LT(steady_clock::now() - start, milliseconds(5000));
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_THAT(r.err, HasSubstr("killed after 1 s"));
  std::ifstream in(pid_file);
  std::string pid;
  std::getline(in, pid);
  ::unlink(pid_file.c_str());
  ASSERT_FALSE(pid.empty());
  // The background sleep was in the group: dead (a zombie until PID 1 reaps it counts as dead).
  EXPECT_TRUE(wait_for(
      [&] {
        std::ifstream stat("/proc/" + pid + "/stat");
        std::string line;
        if (!std::getline(stat, line)) return true;
        size_t paren = line.rfind(')');
        return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] == 'Z';
      },
      milliseconds(3000)));
}

TEST(TestbedSupport, RunCommandDoesNotWaitForADaemonHoldingItsOutput) {
  const auto start = steady_clock::now();
  CommandResult r = run_command("sleep 3 & echo started", 10);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "started\n");
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

TEST(TestbedSupport, ShellQuoteAndEnvParsingRoundTrip) {
  const std::string tricky = "Adm1n'\"$!#;pw \\ &x";
  EXPECT_EQ(run_command("printf %s " + shell_quote(tricky), 10).out, tricky);
  auto env =
      parse_env_text("# comment\n\nA='x'\\''y'\nB=\"a\\\"b\\$c\"\nC=plain/path:1\nD=\nE=a\\ b\n");
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ((*env)["A"], "x'y");
  EXPECT_EQ((*env)["B"], "a\"b$c");
  EXPECT_EQ((*env)["C"], "plain/path:1");
  EXPECT_EQ((*env)["D"], "");
  EXPECT_EQ((*env)["E"], "a b");
  EXPECT_FALSE(parse_env_text("A='unterminated\n"));
  EXPECT_FALSE(parse_env_text("not a pair\n"));
  EXPECT_FALSE(parse_env_text("A=two words\n"));
}

// --- the fixture: one cluster per mode, rebuilt after any failed test -------------------------

struct GtidMode {
  static constexpr ReplMode kMode = ReplMode::kGtid;
  static constexpr const char* kName = "gtid";
  static constexpr const char* kUsingGtid = "Slave_Pos";
};
struct FilePosMode {
  static constexpr ReplMode kMode = ReplMode::kFilePos;
  static constexpr const char* kName = "pos";
  static constexpr const char* kUsingGtid = "No";
};

class ModeNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

template <typename Mode>
class TestbedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new Cluster(); }
  static void TearDownTestSuite() {
    delete cluster_;  // down() if still up
    cluster_ = nullptr;
  }
  void SetUp() override {
    if (cluster_->is_up()) return;
    ClusterOptions options;
    options.hosts = 3;
    options.mode = Mode::kMode;
    const auto start = steady_clock::now();
    Status s = cluster_->up(options);
    ASSERT_TRUE(s) << s.error().message;
    std::printf("[ testbed  ] %s cluster up in %lld ms\n", Mode::kName,
                static_cast<long long>(
                    std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count()));
  }
  // A failed test may leave a fault behind: start the next test from a fresh cluster.
  void TearDown() override {
    if (HasFailure() && cluster_->is_up()) {
      print_diagnostics();
      Status s = cluster_->down();
      EXPECT_TRUE(s) << s.error().message;
    }
  }
  // What a post-mortem needs, printed before the failed cluster is torn down.
  static void print_diagnostics() {
    CommandResult status =
        run_command(shell_quote(source_dir() + "/scripts/testbed/cluster.sh") + " status 2>&1", 30);
    std::printf("[ testbed  ] status:\n%s", status.out.c_str());
    for (const Host& h : cluster_->hosts()) {
      std::string upper = h.name;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      CommandResult tail =
          run_command("tail -n 15 " + shell_quote(cluster_->env(upper + "_ERROR_LOG")), 10);
      std::printf("[ testbed  ] %s error log (tail):\n%s", h.name.c_str(), tail.out.c_str());
    }
  }
  Cluster& c() { return *cluster_; }
  const Host& db(int n) { return cluster_->host("db" + std::to_string(n)); }

  static inline Cluster* cluster_ = nullptr;
};

using Modes = ::testing::Types<GtidMode, FilePosMode>;
TYPED_TEST_SUITE(TestbedTest, Modes, ModeNames);

TYPED_TEST(TestbedTest, ReplicasRunInTheExpectedMode) {
  Cluster& c = this->c();
  ASSERT_EQ(c.hosts().size(), 3u);
  EXPECT_EQ(c.env("MODE"), TypeParam::kName);
  EXPECT_EQ(c.sql("db1", "SELECT @@read_only, @@rpl_semi_sync_master_enabled").value_or(""),
            "0\t1");
  EXPECT_EQ(c.sql("db1", "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'").value_or(""),
            "Rpl_semi_sync_master_clients\t2");
  for (const char* replica : {"db2", "db3"}) {
    SCOPED_TRACE(replica);
    auto row = c.sql_row(replica, "SHOW SLAVE STATUS");
    ASSERT_TRUE(row) << row.error().message;
    EXPECT_EQ((*row)["Slave_IO_Running"], "Yes");
    EXPECT_EQ((*row)["Slave_SQL_Running"], "Yes");
    EXPECT_EQ((*row)["Using_Gtid"], TypeParam::kUsingGtid);
    EXPECT_EQ((*row)["Master_Host"], this->db(1).ip);
    EXPECT_EQ(c.sql(replica, "SELECT @@read_only, @@rpl_semi_sync_master_enabled").value_or(""),
              "1\t0");
    EXPECT_EQ(c.sql(replica, "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_slave_status'").value_or(""),
              "Rpl_semi_sync_slave_status\tON");
  }
}

TYPED_TEST(TestbedTest, AppWriteThroughTheVipReachesEveryReplica) {
  Cluster& c = this->c();
  const std::string token = std::string(TypeParam::kName) + "-" +
                            std::to_string(steady_clock::now().time_since_epoch().count());
  CommandResult w = mgr_client(c, "APP_MY_CNF", c.vip(),
                               "CREATE TABLE IF NOT EXISTS test.rows (id INT PRIMARY KEY, v "
                               "VARCHAR(64)); REPLACE INTO test.rows VALUES (1, '" +
                                   token + "'); SELECT @@server_id");
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(w.out, "1\n") << "the VIP must lead to db1 (server_id 1)";
  for (const char* replica : {"db2", "db3"}) {
    EXPECT_TRUE(wait_for(
        [&] {
          auto v = c.sql(replica, "SELECT v FROM test.rows WHERE id = 1");
          return v && *v == token;
        },
        milliseconds(10000)))
        << replica << " never showed the row: " << replication_state(c, replica);
  }
}

TYPED_TEST(TestbedTest, ReadOnlyReplicaRefusesTheAppUser) {
  Cluster& c = this->c();
  ASSERT_TRUE(c.sql("db1", "CREATE TABLE IF NOT EXISTS test.ro (id INT PRIMARY KEY)"));
  ASSERT_TRUE(wait_for([&] { return c.sql("db2", "SELECT COUNT(*) FROM test.ro").has_value(); },
                       milliseconds(10000)));
  // Control: the same statement is allowed on the master, so a refusal on db2 is read_only's.
  CommandResult ok = mgr_client(c, "APP_MY_CNF", this->db(1).ip, "REPLACE INTO test.ro VALUES (1)");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  CommandResult refused =
      mgr_client(c, "APP_MY_CNF", this->db(2).ip, "REPLACE INTO test.ro VALUES (2)");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("ERROR 1290"));  // ER_OPTION_PREVENTS_STATEMENT
}

TYPED_TEST(TestbedTest, PasswordsWithMetacharactersSurviveEveryLayer) {
  Cluster& c = this->c();
  // The script's shell quoting, read back by the fixture's parser.
  EXPECT_EQ(c.env("ADMIN_PASSWORD"), "Adm1n'\"$!#;pw");
  EXPECT_EQ(c.env("REPL_PASSWORD"), "R3pl\\pw&1");
  // The SQL quoting of CREATE USER and the option-file quoting of the client files.
  for (const Host& h : c.hosts()) {
    CommandResult r = mgr_client(c, "ADMIN_MY_CNF", h.ip, "SELECT CURRENT_USER()");
    EXPECT_EQ(r.exit_code, 0) << h.name << ": " << r.err;
    EXPECT_EQ(r.out, "mha@%\n") << h.name;
  }
  CommandResult repl = mgr_client(c, "REPL_MY_CNF", this->db(1).ip, "SELECT CURRENT_USER()");
  EXPECT_EQ(repl.out, "repl@%\n") << repl.err;
  // The MHA config carries the passwords verbatim.
  std::ifstream conf(c.env("APP_CONF"));
  std::stringstream buffer;
  buffer << conf.rdbuf();
  const std::string text = buffer.str();
  EXPECT_THAT(text, HasSubstr("\npassword=Adm1n'\"$!#;pw\n"));
  EXPECT_THAT(text, HasSubstr("\nrepl_password=R3pl\\pw&1\n"));
}

TYPED_TEST(TestbedTest, OnlyTheManagerNamespaceReachesTheHosts) {
  Cluster& c = this->c();
  {
    ManagerNetns in_mgr;
    ASSERT_TRUE(in_mgr.ok());
    for (const Host& h : c.hosts()) {
      ProbeResult mysql = tcp_probe(h.ip, h.mysql_port, 2000, true);
      EXPECT_EQ(mysql.probe, Probe::kConnected) << h.name << " " << mysql;
      EXPECT_TRUE(is_mysql_handshake(mysql.greeting)) << h.name << " " << mysql;
      ProbeResult ssh = tcp_probe(h.ip, h.ssh_port, 2000, true);
      EXPECT_THAT(ssh.greeting, StartsWith("SSH-2.0-")) << h.name << " " << ssh;
    }
    EXPECT_TRUE(is_mysql_handshake(tcp_probe(c.vip(), 3306, 2000, true).greeting));
  }
  // Outside the namespaces the unreachable route answers at once: nothing leaves the machine.
  for (const Host& h : c.hosts()) {
    ProbeResult r = tcp_probe(h.ip, h.mysql_port, 2000);
    EXPECT_EQ(r.probe, Probe::kUnreachable) << h.name << " " << r;
    EXPECT_LT(r.elapsed.count(), 500) << h.name << " " << r;
  }
  // Key login with strict host-key checking lands in the right host's namespace.
  for (const Host& h : c.hosts()) {
    CommandResult r = c.exec_in("mgr",
                                "ssh -F " + shell_quote(c.env("SSH_CONFIG")) + " " + h.name +
                                    " ip -o -4 addr show dev eth0",
                                20);
    EXPECT_EQ(r.exit_code, 0) << h.name << ": " << r.err;
    EXPECT_THAT(r.out, HasSubstr("inet " + h.ip + "/")) << h.name;
  }
}

TYPED_TEST(TestbedTest, Kill9RefusesConnectionsAndRestartResumesReplication) {
  Cluster& c = this->c();
  const std::string db1 = this->db(1).ip;
  ASSERT_TRUE(c.kill9("db1"));
  {
    ManagerNetns in_mgr;
    ASSERT_TRUE(in_mgr.ok());
    ProbeResult r = tcp_probe(db1, 3306, 2000);
    EXPECT_EQ(r.probe, Probe::kRefused) << r;
    EXPECT_EQ(tcp_probe(db1, 22, 2000).probe, Probe::kConnected) << "the host itself stays up";
  }
  for (const char* replica : {"db2", "db3"}) {
    EXPECT_TRUE(wait_for([&] { return slave_field(c, replica, "Slave_IO_Running") != "Yes"; },
                         milliseconds(10000)))
        << replica << " did not notice the dead master";
  }
  ASSERT_TRUE(c.restart_mysqld("db1"));
  {
    ManagerNetns in_mgr;
    EXPECT_TRUE(is_mysql_handshake(tcp_probe(db1, 3306, 2000, true).greeting));
  }
  ASSERT_TRUE(c.sql("db1",
                    "CREATE TABLE IF NOT EXISTS test.after_restart (id INT PRIMARY KEY); "
                    "REPLACE INTO test.after_restart VALUES (1)"));
  for (const char* replica : {"db2", "db3"}) {
    EXPECT_TRUE(wait_for(
        [&] {
          auto v = c.sql(replica, "SELECT COUNT(*) FROM test.after_restart");
          return v && *v == "1" && slave_field(c, replica, "Slave_IO_Running") == "Yes" &&
                 slave_field(c, replica, "Slave_SQL_Running") == "Yes";
        },
        milliseconds(15000)))
        << replica << ": IO=" << slave_field(c, replica, "Slave_IO_Running")
        << " SQL=" << slave_field(c, replica, "Slave_SQL_Running")
        << " error=" << slave_field(c, replica, "Last_IO_Error");
  }
}

TYPED_TEST(TestbedTest, StopHangsTheServerAndContResumesIt) {
  Cluster& c = this->c();
  const std::string db2 = this->db(2).ip;
  ASSERT_TRUE(c.stop("db2"));
  {
    ManagerNetns in_mgr;
    // The kernel still completes the TCP handshake; the hung server never greets.
    ProbeResult r = tcp_probe(db2, 3306, 1000, true);
    EXPECT_EQ(r.probe, Probe::kConnected) << r;
    EXPECT_TRUE(r.greeting.empty()) << r;
  }
  ASSERT_TRUE(c.cont("db2"));
  {
    ManagerNetns in_mgr;
    EXPECT_TRUE(
        wait_for([&] { return is_mysql_handshake(tcp_probe(db2, 3306, 1000, true).greeting); },
                 milliseconds(5000)));
  }
}

TYPED_TEST(TestbedTest, LinkDownTimesOutAndLinkUpRestores) {
  Cluster& c = this->c();
  const std::string db3 = this->db(3).ip;
  ASSERT_TRUE(c.link_down("db3"));
  {
    ManagerNetns in_mgr;
    ProbeResult r = tcp_probe(db3, 3306, 1000);
    EXPECT_EQ(r.probe, Probe::kTimeout) << r;
    EXPECT_GE(r.elapsed.count(), 900) << r;
    EXPECT_EQ(tcp_probe(db3, 22, 500).probe, Probe::kTimeout);
    EXPECT_EQ(tcp_probe(this->db(1).ip, 3306, 1000).probe, Probe::kConnected)
        << "others unaffected";
  }
  ASSERT_TRUE(c.link_up("db3"));
  {
    ManagerNetns in_mgr;
    EXPECT_TRUE(wait_for([&] { return tcp_probe(db3, 3306, 500).probe == Probe::kConnected; },
                         milliseconds(10000)));
  }
}

TYPED_TEST(TestbedTest, CutSeparatesOnlyThePair) {
  Cluster& c = this->c();
  const std::string db1 = this->db(1).ip;
  ASSERT_TRUE(c.cut("db1", "db2"));
  {
    ManagerNetns in_db2(this->db(2).netns);
    ASSERT_TRUE(in_db2.ok());
    EXPECT_EQ(tcp_probe(db1, 3306, 700).probe, Probe::kTimeout);
    EXPECT_EQ(tcp_probe(c.vip(), 3306, 700).probe, Probe::kTimeout) << "the VIP lives on db1";
    EXPECT_EQ(tcp_probe(this->db(3).ip, 3306, 1000).probe, Probe::kConnected);
  }
  {
    ManagerNetns in_mgr;
    EXPECT_EQ(tcp_probe(db1, 3306, 1000).probe, Probe::kConnected);
    EXPECT_EQ(tcp_probe(this->db(2).ip, 3306, 1000).probe, Probe::kConnected);
  }
  {
    ManagerNetns in_db3(this->db(3).netns);
    EXPECT_EQ(tcp_probe(db1, 3306, 1000).probe, Probe::kConnected);
  }
  ASSERT_TRUE(c.heal("db1", "db2"));
  {
    ManagerNetns in_db2(this->db(2).netns);
    EXPECT_TRUE(wait_for([&] { return tcp_probe(db1, 3306, 500).probe == Probe::kConnected; },
                         milliseconds(5000)));
  }
}

TYPED_TEST(TestbedTest, UnknownHostIsAnError) {
  Cluster& c = this->c();
  Status s = c.kill9("db9");
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("unknown host 'db9'"));
  EXPECT_FALSE(c.cut("db1", "db1"));
  EXPECT_FALSE(c.stop("mgr")) << "mgr runs no mariadbd";
}

// Last in each suite: the next suite (or test run) starts from nothing.
TYPED_TEST(TestbedTest, DownLeavesNothingBehind) {
  Cluster& c = this->c();
  const std::string subnet = c.env("SUBNET");
  const std::string dir = c.state_dir();
  ASSERT_FALSE(subnet.empty());
  ASSERT_TRUE(c.down());
  EXPECT_FALSE(c.is_up());
  EXPECT_THAT(run_command("ip netns list").out, Not(HasSubstr("mha-")));
  EXPECT_THAT(run_command("ip -o link show").out, Not(HasSubstr("mha-")));
  EXPECT_THAT(run_command("ip route show type unreachable").out, Not(HasSubstr(subnet + ".0/24")));
  EXPECT_NE(run_command("nft list table bridge mha_testbed 2>/dev/null").exit_code, 0);
  EXPECT_THAT(our_processes(dir), ::testing::IsEmpty());
  // Idempotent.
  EXPECT_TRUE(c.down());
}

}  // namespace
}  // namespace mha::test
