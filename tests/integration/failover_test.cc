// masterha_manager against the real test bed: monitoring, failure detection and automatic
// failover, run exactly as an operator runs it (the built binary in the manager namespace, an
// MHA-style configuration, the sample VIP and shutdown scripts).
//
// Every test builds a fresh cluster (a failover changes the topology), starts the manager, injects
// a fault and checks what the manager did: the new master, who follows it, where the VIP is, the
// status codes, the markers, and that every write a client saw acknowledged is on the new master
// and on every replica afterwards. A writer runs through the VIP across each failover.

#include "mha/mysql/connection.h"
#include "mha/mysql/library.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/harness.h"
#include <signal.h>
#include <sys/stat.h>

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

class FailoverTest : public ManagerTest {
 protected:
  void run_manual_failover(ReplMode mode);

  // A fresh cluster and a working directory for this test.
  void bring_up(ClusterOptions options = {}) {
    Status s = cluster_.up(options);
    ASSERT_TRUE(s) << s.error().message;
    fresh_dir("ft");
    auto r = c().sql("db1", "CREATE TABLE IF NOT EXISTS test.acked (id INT PRIMARY KEY)");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(wait_replicas_have("db1", {"db2", "db3"}));
  }

  // GET /metrics from the manager's exporter (metrics_listen=<mgr>:9108), in the manager host.
  std::string scrape() {
    CommandResult r = c().exec_in(
        "mgr",
        "exec 3<>/dev/tcp/" + c().manager_ip() +
            "/9108 && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 5 cat <&3",
        15);
    return r.out;
  }

  // The standard "kill the master" failover check: the candidate `expected` is promoted, the
  // others follow it, the VIP moved, writes through the VIP succeed, nothing acknowledged lost.
  void expect_failed_over_to(const std::string& expected, const std::vector<std::string>& followers,
                             Writer& writer) {
    EXPECT_TRUE(writer.wait_more(20, seconds(20))) << "no writes through the VIP after failover";
    writer.stop();
    auto ro = c().sql(expected, "SELECT @@read_only");
    ASSERT_TRUE(ro);
    EXPECT_EQ(*ro, "0");
    EXPECT_TRUE(slave_status(expected).empty()) << expected << " still has a replica config";
    for (const std::string& f : followers) {
      auto st = slave_status(f);
      EXPECT_EQ(st["Master_Host"], ip(expected)) << f;
      EXPECT_EQ(st["Slave_IO_Running"], "Yes") << f;
      EXPECT_EQ(st["Slave_SQL_Running"], "Yes") << f;
    }
    EXPECT_EQ(vip_holders(), std::vector<std::string>{expected});
    ASSERT_TRUE(wait_replicas_have(expected, followers));
    const std::set<int> acked = writer.acked();
    ASSERT_GT(acked.size(), 40u);
    expect_all_acked_on(expected, acked);
    for (const std::string& f : followers) expect_all_acked_on(f, acked);
  }
};

TEST_F(FailoverTest, Kill9PromotesCandidateAndLosesNothing) {
  bring_up();
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, "", dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  EXPECT_THAT(check_status(conf).second, HasSubstr("PING_OK"));
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  const auto fault = Clock::now();
  ASSERT_TRUE(c().kill9("db1"));
  const int rc = m.wait_exit(seconds(60));
  ASSERT_EQ(rc, 0) << diagnostics(m);
  const double took = std::chrono::duration<double>(Clock::now() - fault).count();
  expect_failed_over_to("db2", {"db3"}, writer);
  EXPECT_TRUE(file_exists(workdir() + "/app.failover.complete"));
  EXPECT_FALSE(file_exists(workdir() + "/app.failover.error"));
  const std::string report = read_file(workdir() + "/app.failover.report.json");
  EXPECT_THAT(report, HasSubstr("\"result\": \"succeeded\""));
  EXPECT_THAT(report, HasSubstr("\"phases_ms\""));
  EXPECT_THAT(read_file(workdir() + "/app.failover.decision.json"),
              HasSubstr("latest_candidate_master"));
  EXPECT_THAT(read_file(log_file()), HasSubstr("refused_with_ssh"));
  EXPECT_THAT(read_file(log_file()), Not(HasSubstr(c().env("ADMIN_PASSWORD"))));
  EXPECT_THAT(read_file(log_file()), Not(HasSubstr(c().env("REPL_PASSWORD"))));
  EXPECT_EQ(check_status(conf).first, 2);  // NOT_RUNNING after the failover
  std::cout << "kill -9 to manager exit: " << took << " s\n";
}

TEST_F(FailoverTest, Kill9InFilePositionModeWithAReloadedConfiguration) {
  bring_up(ClusterOptions{3, ReplMode::kFilePos, true});
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, "", dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  // SIGHUP with a report_script added: it must run at the failover without a restart.
  const std::string reported = dir_ + "/reported";
  const std::string report = dir_ + "/report.sh";
  std::ofstream(report) << "#!/bin/sh\ntouch " << reported << "\n";
  ::chmod(report.c_str(), 0755);
  std::string text = read_file(conf);
  text.insert(text.find("\n[server1]") + 1, "report_script=" + report + "\n");
  std::ofstream(conf) << text;
  ASSERT_EQ(::kill(m.pid(), SIGHUP), 0);
  ASSERT_TRUE(eventually(
      [&] { return read_file(log_file()).find("configuration reloaded") != std::string::npos; },
      seconds(10)))
      << diagnostics(m);
  EXPECT_TRUE(m.running());
  EXPECT_EQ(check_status(conf).first, 0);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  ASSERT_TRUE(c().kill9("db1"));
  ASSERT_EQ(m.wait_exit(seconds(60)), 0) << diagnostics(m);
  EXPECT_TRUE(writer.wait_more(20, seconds(20))) << diagnostics(m);
  writer.stop();
  auto st = slave_status("db3");
  EXPECT_EQ(st["Master_Host"], ip("db2"));
  EXPECT_EQ(st["Using_Gtid"], "No");
  // File/position replicas catch up by position: poll until db3 has db2's rows.
  const std::set<int> acked = writer.acked();
  EXPECT_TRUE(eventually([&] { return ids_on("db3").size() >= acked.size(); }, seconds(20)));
  expect_all_acked_on("db2", acked);
  expect_all_acked_on("db3", acked);
  EXPECT_EQ(vip_holders(), std::vector<std::string>{"db2"});
  EXPECT_TRUE(file_exists(reported)) << "report_script from the reloaded configuration did not run";
}

TEST_F(FailoverTest, NoMasterAndCandidateElection) {
  bring_up();
  // db2 may never be master: db3 is promoted although db2 is the candidate in the base config.
  const std::string conf = write_conf("", {{2, "no_master=1\n"}});
  ManagerProcess m(c(), conf, "--remove_dead_master_conf", dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  ASSERT_TRUE(c().kill9("db1"));
  ASSERT_EQ(m.wait_exit(seconds(60)), 0) << diagnostics(m);
  expect_failed_over_to("db3", {"db2"}, writer);
  // --remove_dead_master_conf: the dead master's block is gone, every other line stays.
  const std::string after = read_file(conf);
  EXPECT_THAT(after, Not(HasSubstr("[server1]")));
  EXPECT_THAT(after, HasSubstr("[server2]\nno_master=1\n"));
  EXPECT_THAT(after, HasSubstr("[server3]"));
  EXPECT_THAT(after, HasSubstr("# MHA-style configuration of the test bed"));
}

TEST_F(FailoverTest, CandidateCatchesUpFromTheLatestReplica) {
  bring_up();
  // db3 is the candidate; db2 will have received more than db3 when the master dies, so db3 must
  // first fetch what only db2 has.
  const std::string conf = write_conf("latest_priority=0\n", {{3, "candidate_master=1\n"}});
  std::string text = read_file(conf);
  text.replace(text.find("candidate_master=1\n"), 19, "");  // the base config's db2 candidate
  std::ofstream(conf) << text;
  ManagerProcess m(c(), conf, "", dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  writer.start();
  ASSERT_TRUE(writer.wait_more(30, seconds(20)));
  ASSERT_TRUE(c().sql("db3", "STOP SLAVE IO_THREAD"));
  ASSERT_TRUE(writer.wait_more(100, seconds(20)));  // acknowledged by db2 (semi-sync) only
  ASSERT_TRUE(c().kill9("db1"));
  ASSERT_EQ(m.wait_exit(seconds(60)), 0) << diagnostics(m);
  EXPECT_THAT(read_file(log_file()), HasSubstr("catch_up_from_latest"));
  expect_failed_over_to("db3", {"db2"}, writer);
}

TEST_F(FailoverTest, ReplicaDownAtStartRefusedUnlessIgnoredThenFailsOverWithoutIt) {
  bring_up();
  ASSERT_TRUE(c().kill9("db3"));
  const std::string conf = write_conf();
  {
    ManagerProcess m(c(), conf, "", dir_);
    m.start();
    EXPECT_EQ(m.wait_exit(seconds(60)), 1) << diagnostics(m);
    EXPECT_THAT(read_file(log_file()), HasSubstr("Start-up checks failed"));
  }
  const std::string ignoring = write_conf("", {{3, "ignore_fail=1\n"}});
  ManagerProcess m(c(), ignoring, "--ignore_fail_on_start", dir_);
  m.start();
  ASSERT_TRUE(wait_status(ignoring, 0, seconds(30))) << diagnostics(m);
  EXPECT_TRUE(m.running());
  // Then the master dies: db3 was never monitored as a replica, the failover leaves it out and
  // says so with exit 10.
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  ASSERT_TRUE(c().kill9("db1"));
  EXPECT_EQ(m.wait_exit(seconds(90)), 10) << diagnostics(m);
  EXPECT_THAT(read_file(log_file()), HasSubstr("ignore_fail=1, left out"));
  expect_failed_over_to("db2", {}, writer);
}

// MHA's case "an ignore_fail replica's host goes down, later the master dies". Under the majority
// quorum db3 would be a missing confirmation forever (1 of 2); as a down ignore_fail replica it
// leaves the denominator (docs/detection.md), so db2's confirmation is enough.
TEST_F(FailoverTest, IgnoreFailReplicaDownDuringMonitoringLeavesTheQuorum) {
  bring_up();
  const std::string conf = write_conf("", {{3, "ignore_fail=1\n"}});
  ManagerProcess m(c(), conf, "", dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  EXPECT_THAT(read_file(log_file()), HasSubstr("2 direct replica(s)"));
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  // Host gone, not just mysqld: a killed mysqld on a living host still confirms through the
  // handshake probe run there, a cut host gives no opinion at all.
  ASSERT_TRUE(c().link_down("db3"));
  Undo relink([&] { (void)c().link_up("db3"); });
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));  // semi-sync still acknowledged by db2
  ASSERT_TRUE(c().kill9("db1"));
  EXPECT_EQ(m.wait_exit(seconds(90)), 10) << diagnostics(m);
  EXPECT_THAT(read_file(log_file()), HasSubstr("left out of the quorum: 10.77.0.13"));
  expect_failed_over_to("db2", {}, writer);
}

TEST_F(FailoverTest, ManagerAloneLosingTheMasterDoesNotFailOver) {
  bring_up();
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, "", dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  {
    ASSERT_TRUE(c().cut("mgr", "db1"));
    Undo heal([&] { (void)c().heal("mgr", "db1"); });
    ASSERT_TRUE(wait_status(conf, 20, seconds(20))) << diagnostics(m);  // PING_FAILING
    // Long enough for the threshold and several evidence rounds.
    std::this_thread::sleep_for(seconds(12));
    EXPECT_TRUE(m.running()) << diagnostics(m);
    EXPECT_EQ(check_status(conf).first, 20);
  }
  EXPECT_TRUE(wait_status(conf, 0, seconds(20))) << diagnostics(m);
  EXPECT_THAT(read_file(log_file()), HasSubstr("not_dead"));
  EXPECT_FALSE(file_exists(workdir() + "/app.failover.complete"));
  auto st = slave_status("db2");
  EXPECT_EQ(st["Master_Host"], ip("db1"));
}

TEST_F(FailoverTest, HungMasterIsReplacedAndCannotWriteAfterwards) {
  bring_up();
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, "", dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  ASSERT_TRUE(c().stop("db1"));
  Undo cont([&] { (void)c().cont("db1"); });
  ASSERT_EQ(m.wait_exit(seconds(90)), 0) << diagnostics(m);
  // Declared dead on the probe-confirmed path (docs/detection.md): both replicas' handshake probes
  // got no greeting, so the manager did not wait for MHA's four failed pings. Two are enough; a
  // third comes in when the probes (1 s each, over SSH) finish after the second ping.
  const std::string log = read_file(log_file());
  EXPECT_THAT(
      log, ContainsRegex("dead \\(probes_confirm\\): master is dead: [23] failed pings in a row"));
  EXPECT_THAT(log, HasSubstr("replicas confirm (2, 2 required)"));
  expect_failed_over_to("db2", {"db3"}, writer);
  (void)c().cont("db1");  // fails when the shutdown script already killed it
  // The old master was fenced (shutdown_script killed its mysqld): no write can land there.
  CommandResult w =
      c().exec_in("mgr",
                  "mariadb --defaults-extra-file=" + shell_quote(c().env("APP_MY_CNF")) + " -h " +
                      ip("db1") + " -e 'INSERT INTO test.acked (id) VALUES (-1)'",
                  30);
  EXPECT_NE(w.exit_code, 0) << w.out;
}

TEST_F(FailoverTest, AntiFlappingWindowAndIgnoreLastFailover) {
  bring_up();
  const std::string conf = write_conf();
  ASSERT_EQ(c().exec_in("mgr", "touch " + workdir() + "/app.failover.complete").exit_code, 0);
  {
    ManagerProcess m(c(), conf, "", dir_);
    m.start();
    ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
    ASSERT_TRUE(c().kill9("db1"));
    EXPECT_EQ(m.wait_exit(seconds(60)), 1) << diagnostics(m);
    EXPECT_THAT(read_file(log_file()), HasSubstr("recent_failover"));
    EXPECT_EQ(slave_status("db3")["Master_Host"], ip("db1"));  // nobody moved
  }
  ASSERT_TRUE(c().restart_mysqld("db1"));
  ASSERT_TRUE(c().sql("db1", "SET GLOBAL read_only=0"));
  ASSERT_TRUE(
      eventually([&] { return slave_status("db2")["Slave_IO_Running"] == "Yes"; }, seconds(30)));
  ManagerProcess m(c(), conf, "--ignore_last_failover", dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  ASSERT_TRUE(c().kill9("db1"));
  EXPECT_EQ(m.wait_exit(seconds(60)), 0) << diagnostics(m);
  EXPECT_EQ(slave_status("db3")["Master_Host"], ip("db2"));
}

TEST_F(FailoverTest, StatusDuringFailoverAndAfterAnError) {
  bring_up();
  // A VIP script that takes its time at "start" shows FAILOVER_RUNNING; one that fails there
  // leaves FAILOVER_ERROR (visible during wait_on_failover_error) and the .failover.error marker.
  const std::string script = dir_ + "/slow_failing_vip";
  std::ofstream(script) << "#!/bin/sh\ncase \"$*\" in *--command=start*) sleep 3; exit 1;; esac\n"
                           "exit 0\n";
  ::chmod(script.c_str(), 0755);
  std::string text = read_file(write_conf("metrics_listen=" + c().manager_ip() + ":9108\n"));
  const std::size_t at = text.find("master_ip_failover_script=");
  text.replace(at, text.find('\n', at) - at, "master_ip_failover_script=" + script);
  const std::string conf = dir_ + "/app.cnf";
  std::ofstream(conf) << text;
  ManagerProcess m(c(), conf, "--wait_on_failover_error=5", dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  EXPECT_THAT(scrape(), HasSubstr("masterha_master_up 1"));
  ASSERT_TRUE(c().kill9("db1"));
  EXPECT_TRUE(wait_status(conf, 50, seconds(20))) << diagnostics(m);
  EXPECT_THAT(scrape(), HasSubstr("masterha_monitoring_state 50"));
  EXPECT_THAT(scrape(), HasSubstr("masterha_master_up 0"));
  EXPECT_TRUE(wait_status(conf, 51, seconds(20))) << diagnostics(m);
  const std::string after = scrape();
  EXPECT_THAT(after, HasSubstr("masterha_failovers_total{result=\"failed\"} 1"));
  EXPECT_THAT(after, HasSubstr("masterha_failover_phase_seconds{phase=\"fence\"}"));
  EXPECT_THAT(check_status(conf).second, HasSubstr("FAILOVER_ERROR"));
  EXPECT_EQ(m.wait_exit(seconds(30)), 1) << diagnostics(m);
  EXPECT_TRUE(file_exists(workdir() + "/app.failover.error"));
  EXPECT_THAT(read_file(log_file()), HasSubstr("What to do:"));
}

TEST_F(FailoverTest, DryRunPrintsThePlanAndTouchesNothing) {
  bring_up();
  const std::string conf = write_conf();
  CommandResult r =
      c().exec_in("mgr", shell_quote(binary("masterha_manager")) + " --conf=" + shell_quote(conf) +
                             " --global_conf=/dev/null --dry-run");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("promote_new_master"));
  EXPECT_THAT(r.out, HasSubstr("10.77.0.12"));
  EXPECT_EQ(slave_status("db2")["Master_Host"], ip("db1"));
  auto ro = c().sql("db2", "SELECT @@read_only");
  ASSERT_TRUE(ro);
  EXPECT_EQ(*ro, "1");
  EXPECT_EQ(vip_holders(), std::vector<std::string>{"db1"});
  EXPECT_FALSE(file_exists(workdir() + "/app.failover.complete"));
}

// masterha_master_switch --master_state=dead: refused while the master answers, then an
// interactive "no" changes nothing and "yes" fails over to the named host. Both replication
// modes (issue #7): file/position mode re-points db2 by the new master's recorded position.
void FailoverTest::run_manual_failover(ReplMode mode) {
  bring_up(ClusterOptions{3, mode, true});
  const std::string conf = write_conf();
  const std::string tool =
      shell_quote(binary("masterha_master_switch")) + " --conf=" + shell_quote(conf) +
      " --global_conf=/dev/null --master_state=dead " + "--dead_master_host=" + ip("db1");
  // Refused while the master is alive: nothing moves.
  CommandResult alive = c().exec_in("mgr", tool + " --interactive=0", 120);
  EXPECT_EQ(alive.exit_code, 1) << alive.out << alive.err;
  EXPECT_THAT(alive.out, HasSubstr("answers SQL"));
  EXPECT_EQ(slave_status("db2")["Master_Host"], ip("db1"));

  ASSERT_TRUE(c().kill9("db1"));
  // Interactive: the plan is shown and anything but "yes" stops before a change.
  CommandResult declined =
      c().exec_in("mgr", "echo no | " + tool + " --new_master_host=" + ip("db3"), 120);
  EXPECT_EQ(declined.exit_code, 1) << declined.out << declined.err;
  EXPECT_THAT(declined.out, HasSubstr("Not typed yes"));
  EXPECT_THAT(declined.out, HasSubstr("promote_new_master"));
  EXPECT_EQ(slave_status("db2")["Master_Host"], ip("db1"));

  CommandResult done =
      c().exec_in("mgr", "echo yes | " + tool + " --new_master_host=" + ip("db3"), 120);
  EXPECT_EQ(done.exit_code, 0) << done.out << done.err;
  EXPECT_EQ(slave_status("db2")["Master_Host"], ip("db3"));
  auto ro = c().sql("db3", "SELECT @@read_only");
  ASSERT_TRUE(ro);
  EXPECT_EQ(*ro, "0");
  EXPECT_EQ(vip_holders(), std::vector<std::string>{"db3"});
  EXPECT_EQ(slave_status("db2")["Using_Gtid"] == "No", mode == ReplMode::kFilePos);
  EXPECT_TRUE(
      eventually([&] { return slave_status("db2")["Slave_SQL_Running"] == "Yes"; }, seconds(10)));
}

TEST_F(FailoverTest, ManualFailoverOfADeadMaster) { run_manual_failover(ReplMode::kGtid); }

TEST_F(FailoverTest, ManualFailoverOfADeadMasterInFilePositionMode) {
  run_manual_failover(ReplMode::kFilePos);
}

// Rows that only the dead master has (every replica's IO thread stopped before they were written;
// mysqld killed, host still up) are saved from its binlog over SSH and end up on every host.
class SalvageTest : public FailoverTest {
 protected:
  void run_salvage(ReplMode mode, bool checksum_off = false) {
    bring_up(ClusterOptions{3, mode, true});
    if (checksum_off) {
      // MariaDB rotates the binlog: every event the salvage reads is written without a CRC32.
      for (const char* host : {"db1", "db2", "db3"}) {
        ASSERT_TRUE(c().sql(host, "SET GLOBAL binlog_checksum = NONE"));
      }
    }
    const std::string conf = write_conf();
    ManagerProcess m(c(), conf, "", dir_);
    m.start();
    ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
    // A row larger than the new master's own max_allowed_packet: its event only applies because
    // the salvage raises the server's limit (the client's --max-allowed-packet is not enough),
    // and the limit must be back afterwards.
    ASSERT_TRUE(c().sql("db1", "CREATE TABLE test.big (id INT PRIMARY KEY, b LONGBLOB)"));
    ASSERT_TRUE(eventually(
        [&] { return c().sql("db2", "SELECT COUNT(*) FROM test.big").has_value(); }, seconds(30)));
    ASSERT_TRUE(c().sql("db2", "SET GLOBAL max_allowed_packet=1048576"));
    ASSERT_TRUE(c().sql("db2", "STOP SLAVE IO_THREAD"));
    ASSERT_TRUE(c().sql("db3", "STOP SLAVE IO_THREAD"));
    ASSERT_TRUE(c().sql("db1", "INSERT INTO test.big VALUES (1, REPEAT('x', 3 * 1048576))"));
    // No replica acknowledges now: semi-sync waits its timeout once and falls back to async.
    std::set<int> only_on_master;
    for (int id = 5001; id <= 5040; ++id) {
      ASSERT_TRUE(
          c().sql("db1", "INSERT INTO test.acked (id) VALUES (" + std::to_string(id) + ")"));
      only_on_master.insert(id);
    }
    ASSERT_TRUE(c().sql("db1", "FLUSH BINARY LOGS"));  // the salvage crosses a rotation
    for (int id = 5041; id <= 5060; ++id) {
      ASSERT_TRUE(
          c().sql("db1", "INSERT INTO test.acked (id) VALUES (" + std::to_string(id) + ")"));
      only_on_master.insert(id);
    }
    ASSERT_TRUE(ids_on("db2").empty() || ids_on("db2").count(5001) == 0);
    ASSERT_TRUE(c().kill9("db1"));
    ASSERT_EQ(m.wait_exit(seconds(90)), 0) << diagnostics(m);
    EXPECT_THAT(read_file(log_file()), HasSubstr("apply_saved_binlog"));
    EXPECT_THAT(read_file(log_file()), HasSubstr("saved 61 transaction(s)"));
    EXPECT_THAT(read_file(log_file()),
                HasSubstr(checksum_off ? "Binlog checksum: none" : "Binlog checksum: crc32"));
    EXPECT_EQ(c().sql("db2", "SELECT @@global.max_allowed_packet").value_or(""), "1048576");
    for (const char* host : {"db2", "db3"}) {
      EXPECT_TRUE(eventually(
          [&] {
            return c().sql(host, "SELECT LENGTH(b) FROM test.big WHERE id = 1").value_or("") ==
                   std::to_string(3 * 1048576);
          },
          seconds(30)))
          << host << " lacks the large row";
    }
    EXPECT_TRUE(
        eventually([&] { return ids_on("db3").size() >= only_on_master.size(); }, seconds(30)));
    expect_all_acked_on("db2", only_on_master);
    expect_all_acked_on("db3", only_on_master);
    EXPECT_EQ(slave_status("db3")["Master_Host"], ip("db2"));
    EXPECT_EQ(slave_status("db3")["Slave_SQL_Running"], "Yes");
    // No temporary file is left on the hosts after a success.
    CommandResult left = c().exec_in("db1", "ls " + c().state_dir() + "/remote");
    EXPECT_THAT(left.out, Not(HasSubstr("masterha_saved")));
  }
};

TEST_F(SalvageTest, RowsOnlyOnTheDeadMasterAreSavedInGtidMode) { run_salvage(ReplMode::kGtid); }

TEST_F(SalvageTest, RowsOnlyOnTheDeadMasterAreSavedInFilePositionMode) {
  run_salvage(ReplMode::kFilePos);
}

TEST_F(SalvageTest, RowsOnlyOnTheDeadMasterAreSavedWithBinlogChecksumOff) {
  run_salvage(ReplMode::kGtid, true);
}

}  // namespace
}  // namespace mha::test
