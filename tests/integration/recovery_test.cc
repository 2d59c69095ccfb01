// Event recovery across a failover on the real test bed (issue #5, "Tests (real cluster)"), GTID
// mode: a replica missing thousands of commits is caught up from the latest one, a replica with a
// conflicting row is left alone while the others fail over (exit 10), a master host that is cut
// off entirely is replaced with what the replicas have (and the log says what may be lost), and a
// replica that cannot be recovered at failover time gives exit 10 with the report saying so.
//
// After each failover: CHECKSUM TABLE of every user table is equal on every surviving host that
// the failover recovered, and every write a client saw acknowledged is on each of them.
//
// The manager, writer and configuration helpers follow tests/integration/failover_test.cc.
// File/position relay-log diffs are not tested here (being written, issue #5).

#include "mha/mysql/connection.h"
#include "mha/mysql/library.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cluster.h"
#include <signal.h>
#include <sys/stat.h>

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

// Runs `undo` when the scope ends, so a failed assertion never leaves a fault behind.
class Undo {
 public:
  explicit Undo(std::function<void()> undo) : undo_(std::move(undo)) {}
  ~Undo() { undo_(); }
  Undo(const Undo&) = delete;
  Undo& operator=(const Undo&) = delete;

 private:
  std::function<void()> undo_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Polls `done` every 100 ms until it is true or `limit` passed.
bool eventually(const std::function<bool()>& done, milliseconds limit) {
  const auto until = Clock::now() + limit;
  while (true) {
    if (done()) return true;
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
}

// The sequence number of a single-domain MariaDB GTID position ("0-1-42" -> 42), 0 if none.
long long seq_of(const std::string& gtid_pos) {
  const std::size_t dash = gtid_pos.rfind('-');
  if (dash == std::string::npos) return 0;
  try {
    return std::stoll(gtid_pos.substr(dash + 1));
  } catch (const std::exception&) {
    return 0;
  }
}

// Writes single-row transactions through the VIP as the application user, from the manager
// namespace, and records the ids whose COMMIT was acknowledged. A failed statement's outcome is
// unknown, so it is not recorded; the connection is then opened again.
class Writer {
 public:
  Writer(std::string vip, std::string user, std::string password)
      : vip_(std::move(vip)), user_(std::move(user)), password_(std::move(password)) {}
  ~Writer() { stop(); }

  void start() {
    ManagerNetns netns;  // the thread inherits the manager's namespace
    ASSERT_TRUE(netns.ok());
    thread_ = std::thread([this] { loop(); });
  }
  void stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  std::set<int> acked() const {
    std::lock_guard lock(mu_);
    return acked_;
  }
  // Waits until at least `n` more commits are acknowledged than now.
  bool wait_more(int n, milliseconds limit) {
    const std::size_t base = acked().size();
    return eventually([&] { return acked().size() >= base + static_cast<std::size_t>(n); }, limit);
  }

 private:
  void loop() {
    mysql::MysqlThreadToken token;
    std::optional<mysql::MysqlConnection> conn;
    int next = 1;
    while (!stop_.load()) {
      if (!conn) {
        auto c = mysql::MysqlConnection::connect(
            mysql::Endpoint{vip_, 3306, ""}, mysql::Credentials{user_, password_},
            mysql::Timeouts{seconds(1), seconds(5), seconds(5)});
        if (!c) {
          std::this_thread::sleep_for(milliseconds(50));
          continue;
        }
        conn.emplace(std::move(*c));
      }
      const int id = next++;
      Status st = conn->execute("INSERT INTO test.acked (id) VALUES (" + std::to_string(id) + ")");
      if (st) {
        std::lock_guard lock(mu_);
        acked_.insert(id);
      } else {
        conn.reset();
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
  }

  std::string vip_, user_, password_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::set<int> acked_;
  std::thread thread_;
};

// masterha_manager started in the manager namespace in the background; its pid and exit status
// land in files. The destructor kills it (and its process group) if it still runs.
class ManagerProcess {
 public:
  ManagerProcess(Cluster& c, std::string conf, std::string dir)
      : c_(c), conf_(std::move(conf)), dir_(std::move(dir)) {}
  ~ManagerProcess() {
    if (pid_ > 0 && running()) {
      ::kill(-pid_, SIGKILL);
      ::kill(pid_, SIGKILL);
      eventually([&] { return !running(); }, seconds(10));
    }
  }
  void start() {
    ::unlink(rc_file().c_str());
    ::unlink(pid_file().c_str());
    CommandResult r = c_.exec_in(
        "mgr", "( " + shell_quote(binary("masterha_manager")) + " --conf=" + shell_quote(conf_) +
                   " --global_conf=/dev/null >" + shell_quote(out_file()) +
                   " 2>&1 </dev/null & echo $! >" + shell_quote(pid_file()) +
                   "; wait $!; echo $? >" + shell_quote(rc_file()) + " ) </dev/null >/dev/null &");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(eventually([&] { return !read_file(pid_file()).empty(); }, seconds(10)));
    pid_ = std::stoi(read_file(pid_file()));
  }
  bool running() const { return !file_exists(rc_file()); }
  // The exit status once it ended within `limit`, else -1.
  int wait_exit(milliseconds limit) {
    if (!eventually([&] { return !running(); }, limit)) return -1;
    return std::stoi(read_file(rc_file()));
  }
  std::string out_file() const { return dir_ + "/manager.out"; }
  std::string rc_file() const { return dir_ + "/manager.rc"; }
  std::string pid_file() const { return dir_ + "/manager.pid"; }

 private:
  Cluster& c_;
  std::string conf_, dir_;
  int pid_ = -1;
};

class RecoveryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { library_ = new mysql::MysqlLibrary(); }
  static void TearDownTestSuite() {
    delete library_;
    library_ = nullptr;
  }

  // A fresh GTID-mode cluster with semi-sync, `hosts` database hosts, and a work directory.
  void bring_up(int hosts) {
    Status s = cluster_.up(ClusterOptions{hosts, ReplMode::kGtid, true});
    ASSERT_TRUE(s) << s.error().message;
    dir_ = cluster_.state_dir() + "/rt";
    // No manager of an earlier, crashed run may write into this test's work directory.
    (void)run_command("pkill -9 -f -- " + shell_quote("masterha_manager --conf=" + dir_ + "/") +
                      " || true");
    ASSERT_EQ(c().exec_in("mgr", "rm -rf " + dir_ + " && mkdir -p " + dir_ + "/work").exit_code, 0);
    auto r = c().sql("db1", "CREATE TABLE IF NOT EXISTS test.acked (id INT PRIMARY KEY)");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(wait_replicas_have("db1", replicas_of_db1()));
  }

  Cluster& c() { return cluster_; }
  std::string ip(const std::string& host) { return c().host(host).ip; }
  std::string log_file() const { return dir_ + "/work/manager.log"; }
  std::string workdir() const { return dir_ + "/work"; }
  std::string report() const { return read_file(workdir() + "/app.failover.report.json"); }

  std::vector<std::string> replicas_of_db1() {
    std::vector<std::string> names;
    for (const Host& h : c().hosts()) {
      if (h.name != "db1") names.push_back(h.name);
    }
    return names;
  }

  // The test bed's app1.cnf with this test's work dir, log and scripts, `default_extra` lines in
  // [server default] and `server_extra` lines in [serverN] blocks.
  std::string write_conf(const std::string& default_extra = "",
                         const std::map<int, std::string>& server_extra = {}) {
    std::string text = read_file(c().env("APP_CONF"));
    auto replace_line = [&](const std::string& key, const std::string& value) {
      const std::size_t at = text.find("\n" + key + "=");
      EXPECT_NE(at, std::string::npos) << key;
      const std::size_t end = text.find('\n', at + 1);
      text.replace(at + 1, end - at - 1, key + "=" + value);
    };
    replace_line("manager_workdir", workdir());
    replace_line("manager_log", log_file());
    const std::string extra =
        "master_ip_failover_script=MHA_VIP=" + c().vip() + "/24 " +
        shell_quote(source_dir() + "/scripts/master_ip_failover") + "\n" +
        "shutdown_script=" + shell_quote(source_dir() + "/scripts/master_shutdown") + "\n" +
        default_extra;
    text.insert(text.find("\n[server1]") + 1, extra + "\n");
    for (const auto& [n, lines] : server_extra) {
      const std::string header = "[server" + std::to_string(n) + "]\n";
      const std::size_t at = text.find(header);
      EXPECT_NE(at, std::string::npos) << header;
      text.insert(at + header.size(), lines);
    }
    const std::string path = dir_ + "/app.cnf";
    std::ofstream(path) << text;
    return path;
  }

  // Every listed replica has executed everything `master` has logged.
  bool wait_replicas_have(const std::string& master, const std::vector<std::string>& replicas) {
    auto pos = c().sql(master, "SELECT @@gtid_binlog_pos");
    if (!pos) return false;
    for (const std::string& r : replicas) {
      auto w = c().sql(r, "SELECT MASTER_GTID_WAIT('" + *pos + "', 30)");
      if (!w || *w != "0") return false;
    }
    return true;
  }

  std::set<int> ids_on(const std::string& host, const std::string& table = "test.acked") {
    std::set<int> ids;
    auto r = c().sql(host, "SELECT id FROM " + table);
    EXPECT_TRUE(r) << host << ": " << (r ? "" : r.error().message);
    if (!r) return ids;
    std::istringstream in(*r);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) ids.insert(std::stoi(line));
    }
    return ids;
  }

  // Every acknowledged id is on `host`.
  void expect_all_acked_on(const std::string& host, const std::set<int>& acked) {
    const std::set<int> have = ids_on(host);
    std::vector<int> missing;
    for (int id : acked) {
      if (have.count(id) == 0) missing.push_back(id);
    }
    EXPECT_TRUE(missing.empty()) << host << " lacks " << missing.size() << " of " << acked.size()
                                 << " acknowledged rows, first " << missing.front();
  }

  // "schema.table" -> CHECKSUM TABLE value for every user table on `host`.
  std::map<std::string, std::string> checksums(const std::string& host) {
    std::map<std::string, std::string> sums;
    auto tables = c().sql(host,
                          "SELECT CONCAT(table_schema, '.', table_name) FROM "
                          "information_schema.tables WHERE table_type = 'BASE TABLE' AND "
                          "table_schema NOT IN ('mysql', 'information_schema', "
                          "'performance_schema', 'sys') ORDER BY 1");
    EXPECT_TRUE(tables) << host;
    if (!tables || tables->empty()) return sums;
    std::istringstream in(*tables);
    std::string line, list;
    while (std::getline(in, line)) {
      if (!line.empty()) list += (list.empty() ? "" : ", ") + line;
    }
    auto r = c().sql(host, "CHECKSUM TABLE " + list);
    EXPECT_TRUE(r) << host << ": " << (r ? "" : r.error().message);
    if (!r) return sums;
    std::istringstream rows(*r);
    while (std::getline(rows, line)) {
      const std::size_t tab = line.find('\t');
      if (tab != std::string::npos) sums[line.substr(0, tab)] = line.substr(tab + 1);
    }
    return sums;
  }

  // The hosts have applied everything `master` logged, and every user table is equal on all.
  void expect_consistent(const std::string& master, const std::vector<std::string>& replicas) {
    ASSERT_TRUE(wait_replicas_have(master, replicas));
    const std::map<std::string, std::string> want = checksums(master);
    EXPECT_GE(want.size(), 1u);
    EXPECT_NE(want.count("test.acked"), 0u);
    for (const std::string& r : replicas) {
      EXPECT_EQ(checksums(r), want) << r << " differs from " << master;
    }
  }

  std::map<std::string, std::string> slave_status(const std::string& host) {
    auto r = c().sql_row(host, "SHOW SLAVE STATUS");
    EXPECT_TRUE(r) << host;
    return r ? *r : std::map<std::string, std::string>{};
  }

  std::vector<std::string> vip_holders() {
    std::vector<std::string> names;
    for (const Host& h : c().hosts()) {
      CommandResult r = c().exec_in(h.name, "ip -o -4 addr show to " + c().vip() + "/32");
      if (r.out.find(" inet " + c().vip() + "/") != std::string::npos) names.push_back(h.name);
    }
    return names;
  }

  // masterha_check_status --conf=<conf>: {exit code, stdout}.
  std::pair<int, std::string> check_status(const std::string& conf) {
    CommandResult r = c().exec_in("mgr", shell_quote(binary("masterha_check_status")) + " --conf=" +
                                             shell_quote(conf) + " --global_conf=/dev/null");
    return {r.exit_code, r.out};
  }

  bool wait_status(const std::string& conf, int code, milliseconds limit) {
    return eventually([&] { return check_status(conf).first == code; }, limit);
  }

  std::string diagnostics(const ManagerProcess& m) {
    const std::string log = read_file(log_file());
    return "--- manager output\n" + read_file(m.out_file()) + "--- manager log (tail)\n" +
           (log.size() <= 8000 ? log : log.substr(log.size() - 8000));
  }

  // The manager is monitoring `conf` and a writer is writing through the VIP.
  void start_monitoring(ManagerProcess& m, const std::string& conf, Writer& writer) {
    m.start();
    ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
    writer.start();
    ASSERT_TRUE(writer.wait_more(30, seconds(20)));
  }

  // `new_master` is writable with no replica configuration, each follower replicates from it
  // with both threads running, writes through the VIP go on, and nothing acknowledged is lost.
  void expect_new_topology(const std::string& new_master, const std::vector<std::string>& followers,
                           Writer& writer) {
    EXPECT_TRUE(writer.wait_more(20, seconds(30))) << "no writes through the VIP after failover";
    writer.stop();
    auto ro = c().sql(new_master, "SELECT @@read_only");
    ASSERT_TRUE(ro);
    EXPECT_EQ(*ro, "0");
    EXPECT_TRUE(slave_status(new_master).empty()) << new_master << " still has a replica config";
    for (const std::string& f : followers) {
      auto st = slave_status(f);
      EXPECT_EQ(st["Master_Host"], ip(new_master)) << f;
      EXPECT_EQ(st["Slave_IO_Running"], "Yes") << f;
      EXPECT_EQ(st["Slave_SQL_Running"], "Yes") << f;
      EXPECT_EQ(st["Using_Gtid"], "Slave_Pos") << f;
    }
    const std::vector<std::string> holders = vip_holders();
    EXPECT_NE(std::find(holders.begin(), holders.end(), new_master), holders.end());
    expect_consistent(new_master, followers);
    const std::set<int> acked = writer.acked();
    ASSERT_GT(acked.size(), 40u);
    expect_all_acked_on(new_master, acked);
    for (const std::string& f : followers) expect_all_acked_on(f, acked);
  }

  static inline mysql::MysqlLibrary* library_ = nullptr;
  Cluster cluster_;
  std::string dir_;
};

// db2 (the candidate) misses 3000 single-row commits that only db3 received; after kill -9 of the
// master db2 fetches them from db3 before it is promoted, and db3 then follows db2.
TEST_F(RecoveryTest, CandidateMissingThousandsOfCommitsCatchesUpFromTheLatest) {
  bring_up(3);
  ASSERT_TRUE(c().sql("db1", "CREATE TABLE test.bulk (id INT PRIMARY KEY, v VARCHAR(64))"));
  ASSERT_TRUE(wait_replicas_have("db1", {"db2", "db3"}));
  // The base configuration's candidate is db2; without latest_priority=0 the latest replica
  // (db3) would be elected instead and nothing would need catching up.
  const std::string conf = write_conf("latest_priority=0\n");
  ManagerProcess m(c(), conf, dir_);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  start_monitoring(m, conf, writer);

  ASSERT_TRUE(c().sql("db2", "STOP SLAVE IO_THREAD"));
  constexpr int kRows = 3000;
  for (int from = 1; from <= kRows; from += 500) {  // autocommit: one transaction per row
    std::string batch;
    for (int id = from; id < from + 500; ++id) {
      batch += "INSERT INTO test.bulk VALUES (" + std::to_string(id) + ", REPEAT('r', 40));\n";
    }
    auto r = c().sql("db1", batch);
    ASSERT_TRUE(r) << r.error().message;
  }
  ASSERT_TRUE(writer.wait_more(30, seconds(20)));
  ASSERT_TRUE(wait_replicas_have("db1", {"db3"}));
  ASSERT_EQ(ids_on("db3", "test.bulk").size(), static_cast<std::size_t>(kRows));
  ASSERT_TRUE(ids_on("db2", "test.bulk").empty());  // db2 really lacks every one of them
  const long long behind = seq_of(*c().sql("db1", "SELECT @@gtid_binlog_pos")) -
                           seq_of(slave_status("db2")["Gtid_IO_Pos"]);
  ASSERT_GE(behind, kRows);

  const auto fault = Clock::now();
  ASSERT_TRUE(c().kill9("db1"));
  ASSERT_EQ(m.wait_exit(seconds(180)), 0) << diagnostics(m);
  const double took = std::chrono::duration<double>(Clock::now() - fault).count();
  const std::string log = read_file(log_file());
  EXPECT_THAT(log, HasSubstr("catch_up_from_latest"));
  EXPECT_THAT(report(), HasSubstr("\"result\": \"succeeded\""));
  expect_new_topology("db2", {"db3"}, writer);
  EXPECT_EQ(ids_on("db2", "test.bulk").size(), static_cast<std::size_t>(kRows));
  std::cout << "db2 was " << behind << " transactions behind; kill -9 to manager exit: " << took
            << " s\n";
}

// db3 holds a row (written locally, not logged) with the primary key of a later transaction of
// the master, and its SQL thread is stopped before that transaction arrives. The conflict shows
// when db3 is re-pointed at the new master: db3 is left alone and named, db2 and db4 fail over,
// and the manager exits 10 ("completed with errors").
TEST_F(RecoveryTest, ReplicaWithAConflictingRowIsLeftAloneAndTheFailoverExits10) {
  bring_up(4);
  ASSERT_TRUE(c().sql("db1", "CREATE TABLE test.conflict (id INT PRIMARY KEY, v VARCHAR(32))"));
  ASSERT_TRUE(wait_replicas_have("db1", {"db2", "db3", "db4"}));
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, dir_);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  start_monitoring(m, conf, writer);

  ASSERT_TRUE(c().sql("db3",
                      "STOP SLAVE SQL_THREAD; SET SESSION sql_log_bin = 0; "
                      "INSERT INTO test.conflict VALUES (7, 'only on db3')"));
  ASSERT_TRUE(c().sql("db1", "INSERT INTO test.conflict VALUES (6, 'master'), (7, 'master')"));
  auto conflicting = c().sql("db1", "SELECT @@gtid_binlog_pos");
  ASSERT_TRUE(conflicting);
  // db3's IO thread has received the conflicting transaction; its SQL thread has not run it.
  ASSERT_TRUE(
      eventually([&] { return seq_of(slave_status("db3")["Gtid_IO_Pos"]) >= seq_of(*conflicting); },
                 seconds(20)));
  ASSERT_EQ(slave_status("db3")["Last_SQL_Errno"], "0");
  ASSERT_TRUE(writer.wait_more(30, seconds(20)));

  ASSERT_TRUE(c().kill9("db1"));
  const int rc = m.wait_exit(seconds(300));
  EXPECT_EQ(rc, 10) << diagnostics(m);
  ASSERT_NE(rc, -1);
  const std::string rep = report();
  EXPECT_THAT(rep, HasSubstr("\"result\": \"partially_succeeded\"")) << rep;
  EXPECT_THAT(rep, HasSubstr("\"exit_code\": 10"));
  EXPECT_THAT(rep, HasSubstr("\"server\": \"" + ip("db3"))) << rep;  // in not_recovered
  EXPECT_THAT(read_file(log_file()), HasSubstr("not recovered: " + ip("db3")));
  EXPECT_TRUE(file_exists(workdir() + "/app.failover.complete"));
  EXPECT_FALSE(file_exists(workdir() + "/app.failover.error"));
  expect_new_topology("db2", {"db4"}, writer);
  // Left alone: its own row is untouched and its SQL thread stopped on the duplicate key.
  auto row = c().sql("db3", "SELECT v FROM test.conflict WHERE id = 7");
  ASSERT_TRUE(row);
  EXPECT_EQ(*row, "only on db3");
  EXPECT_EQ(slave_status("db3")["Last_SQL_Errno"], "1062");
}

// The master's host drops off the network (link down: no SQL, no SSH). Nothing can be salvaged
// from it; the replicas have every semi-sync acknowledged write, and the log says that events
// only the dead master had may be lost.
TEST_F(RecoveryTest, MasterHostFullyDownFailsOverWithWhatTheReplicasHave) {
  bring_up(3);
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, dir_);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  start_monitoring(m, conf, writer);
  auto semi = c().sql("db1", "SELECT @@rpl_semi_sync_master_enabled");
  ASSERT_TRUE(semi);
  ASSERT_EQ(*semi, "1");  // an acknowledged commit is on at least one replica
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));

  ASSERT_TRUE(c().link_down("db1"));
  Undo link_up([&] { (void)c().link_up("db1"); });
  ASSERT_EQ(m.wait_exit(seconds(180)), 0) << diagnostics(m);
  const std::string log = read_file(log_file());
  EXPECT_THAT(log, HasSubstr("does not answer SSH"));
  EXPECT_THAT(log, HasSubstr("may be lost"));
  EXPECT_THAT(log, Not(HasSubstr("saved_binlog"))) << "no salvage can run without SSH";
  EXPECT_THAT(report(), HasSubstr("\"result\": \"succeeded\""));
  expect_new_topology("db2", {"db3"}, writer);
}

// db4 (ignore_fail=1) hangs (SIGSTOP) just before the master dies: it cannot be recovered, the
// others fail over, the manager exits 10 and the report and log name db4.
TEST_F(RecoveryTest, HungIgnoreFailReplicaIsNotRecoveredAndTheFailoverExits10) {
  // Four hosts: with db4 unreachable, db2 and db3 are still a majority of the direct replicas
  // that confirm the master's death (docs/detection.md "Quorum").
  bring_up(4);
  const std::string conf = write_conf("", {{4, "ignore_fail=1\n"}});
  ManagerProcess m(c(), conf, dir_);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  start_monitoring(m, conf, writer);

  ASSERT_TRUE(c().stop("db4"));
  Undo cont([&] { (void)c().cont("db4"); });
  ASSERT_TRUE(c().kill9("db1"));
  const int rc = m.wait_exit(seconds(180));
  EXPECT_EQ(rc, 10) << diagnostics(m);
  ASSERT_NE(rc, -1);
  const std::string rep = report();
  EXPECT_THAT(rep, HasSubstr("\"result\": \"partially_succeeded\"")) << rep;
  EXPECT_THAT(rep, HasSubstr("\"exit_code\": 10"));
  EXPECT_THAT(rep, HasSubstr("\"server\": \"" + ip("db4"))) << rep;
  EXPECT_THAT(read_file(log_file()), HasSubstr("not recovered: " + ip("db4")));
  EXPECT_TRUE(file_exists(workdir() + "/app.failover.complete"));
  EXPECT_FALSE(file_exists(workdir() + "/app.failover.error"));
  EXPECT_EQ(check_status(conf).first, 2);  // NOT_RUNNING: the failover is over
  expect_new_topology("db2", {"db3"}, writer);
}

}  // namespace
}  // namespace mha::test
