// masterha_master_switch --master_state=alive (online switchover, issue #7) against the real test
// bed, run as an operator runs it: the built binary in the manager namespace, the test bed's
// app1.cnf, and scripts/master_ip_failover as master_ip_online_change_script (it moves the VIP
// on --command=stop/start and ignores the other arguments).
//
// Every test builds a fresh cluster. A writer inserts through the VIP across each switch; every
// row whose COMMIT was acknowledged must be on the new master and on every replica afterwards.

#include "mha/mysql/connection.h"
#include "mha/mysql/library.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/harness.h"

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

class SwitchoverTest : public ManagerTest {
 protected:
  void bring_up(ClusterOptions options = {}) {
    Status s = cluster_.up(options);
    ASSERT_TRUE(s) << s.error().message;
    dir_ = cluster_.state_dir() + "/sw";
    ASSERT_EQ(c().exec_in("mgr", "rm -rf " + dir_ + " && mkdir -p " + dir_ + "/work").exit_code, 0);
    auto r = c().sql("db1", "CREATE TABLE IF NOT EXISTS test.acked (id INT PRIMARY KEY)");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(eventually([&] { return ids_on_ok("db2") && ids_on_ok("db3"); }, seconds(30)));
    conf_ = write_conf();
  }

  bool ids_on_ok(const std::string& host) {
    return c().sql(host, "SELECT 1 FROM test.acked LIMIT 1").has_value();
  }

  std::string write_conf() {
    std::string text = read_file(c().env("APP_CONF"));
    const std::size_t at = text.find("\nmanager_workdir=");
    const std::size_t end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, "manager_workdir=" + workdir());
    const std::string extra = "master_ip_online_change_script=MHA_VIP=" + c().vip() + "/24 " +
                              shell_quote(source_dir() + "/scripts/master_ip_failover") + "\n";
    text.insert(text.find("\n[server1]") + 1, extra + "\n");
    const std::string path = dir_ + "/app.cnf";
    std::ofstream(path) << text;
    return path;
  }

  // masterha_master_switch --master_state=alive --interactive=0 <args> in the manager namespace.
  CommandResult master_switch(const std::string& args) {
    CommandResult r =
        c().exec_in("mgr",
                    shell_quote(binary("masterha_master_switch")) +
                        " --master_state=alive --interactive=0 --global_conf=/dev/null --conf=" +
                        shell_quote(conf_) + " " + args + " </dev/null",
                    180);
    std::cout << "--- masterha_master_switch " << args << " -> " << r.exit_code << "\n"
              << r.out << r.err;
    return r;
  }

  // Every acknowledged id reaches `host` (replicas apply asynchronously: poll).
  void expect_all_acked_on(const std::string& host, const std::set<int>& acked) {
    std::vector<int> missing;
    eventually(
        [&] {
          const std::set<int> have = ids_on(host);
          missing.clear();
          for (int id : acked) {
            if (have.count(id) == 0) missing.push_back(id);
          }
          return missing.empty();
        },
        seconds(20));
    EXPECT_TRUE(missing.empty()) << host << " lacks " << missing.size() << " of " << acked.size()
                                 << " acknowledged rows, first " << missing.front();
  }

  std::string var(const std::string& host, const std::string& name) {
    auto r = c().sql(host, "SELECT @@GLOBAL." + name);
    EXPECT_TRUE(r) << host;
    return r ? *r : "";
  }

  void expect_follows(const std::string& replica, const std::string& master) {
    auto st = slave_status(replica);
    EXPECT_EQ(st["Master_Host"], ip(master)) << replica;
    EXPECT_EQ(st["Slave_IO_Running"], "Yes") << replica;
    EXPECT_EQ(st["Slave_SQL_Running"], "Yes") << replica;
  }

  // The topology is still db1 -> db2, db3 with db1 writable and holding the VIP.
  void run_rollback(ClusterOptions options);
  void run_orig_master_is_new_slave(ClusterOptions options);
  void run_refusals_replicas_and_master(ClusterOptions options);
  void run_refusals_new_master(ClusterOptions options);

  void expect_unchanged() {
    EXPECT_EQ(var("db1", "read_only"), "0");
    EXPECT_EQ(var("db2", "read_only"), "1");
    EXPECT_TRUE(slave_status("db1").empty());
    expect_follows("db2", "db1");
    expect_follows("db3", "db1");
    EXPECT_EQ(vip_holders(), std::vector<std::string>{"db1"});
  }

  // The switch to db2 under the writer: db2 writable, db3 follows it, the VIP moved, nothing
  // acknowledged lost, the write-block window reported.
  void expect_switched_to_db2(Writer& writer, const CommandResult& r) {
    EXPECT_THAT(r.out, HasSubstr("Switching master to " + ip("db2")));
    EXPECT_THAT(r.out, HasSubstr("writes blocked for "));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(c().env("ADMIN_PASSWORD"))));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(c().env("REPL_PASSWORD"))));
    EXPECT_TRUE(writer.wait_more(20, seconds(20))) << "no writes through the VIP after the switch";
    writer.stop();
    EXPECT_EQ(var("db2", "read_only"), "0");
    EXPECT_EQ(var("db1", "read_only"), "1");
    EXPECT_TRUE(slave_status("db2").empty()) << "db2 still has a replica configuration";
    expect_follows("db3", "db2");
    EXPECT_EQ(vip_holders(), std::vector<std::string>{"db2"});
    const std::set<int> acked = writer.acked();
    std::cout << "longest gap between acknowledged writes through the VIP: "
              << writer.max_gap().count() << " ms\n";
    ASSERT_GT(acked.size(), 40u);
    expect_all_acked_on("db2", acked);
    expect_all_acked_on("db3", acked);
    expect_semi_sync_master("db2");
    EXPECT_THAT(r.out, HasSubstr("semi-sync replica(s) connected to " + ip("db2")));
    const std::string report = read_file(workdir() + "/app.switch.report.json");
    EXPECT_THAT(report, HasSubstr("\"result\":\"succeeded\""));
    EXPECT_THAT(report, HasSubstr("\"write_block_ms\":"));
    EXPECT_THAT(report, HasSubstr("\"service_gap_ms\":"));
  }

  std::string status(const std::string& host, const std::string& name) {
    auto r = c().sql(host,
                     "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE "
                     "VARIABLE_NAME = '" +
                         name + "'");
    EXPECT_TRUE(r) << host << " " << name;
    return r ? *r : "";
  }

  // The test bed runs semi-sync (AFTER_SYNC): the new master must be a semi-sync master with a
  // semi-sync replica, and every commit it took must have been acknowledged by one. MariaDB
  // shows Rpl_semi_sync_master_status=ON even with no client, hence the counters: a commit that
  // waited out rpl_semi_sync_master_timeout (no replica connected yet) counts in _no_tx.
  void expect_semi_sync_master(const std::string& host) {
    EXPECT_EQ(var(host, "rpl_semi_sync_master_enabled"), "1");
    EXPECT_EQ(status(host, "RPL_SEMI_SYNC_MASTER_STATUS"), "ON");
    EXPECT_GE(std::stoi("0" + status(host, "RPL_SEMI_SYNC_MASTER_CLIENTS")), 1);
    EXPECT_GT(std::stoi("0" + status(host, "RPL_SEMI_SYNC_MASTER_YES_TX")), 0);
    EXPECT_EQ(status(host, "RPL_SEMI_SYNC_MASTER_NO_TX"), "0")
        << host << " acknowledged commits without a semi-sync replica";
  }

  std::string conf_;
};

TEST_F(SwitchoverTest, GtidSwitchUnderWriterLosesNothing) {
  bring_up();
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"), milliseconds(20));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  const CommandResult r = master_switch("--new_master_host=" + ip("db2"));
  ASSERT_EQ(r.exit_code, 0);
  expect_switched_to_db2(writer, r);
  EXPECT_EQ(slave_status("db3")["Using_Gtid"], "Slave_Pos");
  EXPECT_TRUE(slave_status("db1").empty()) << "db1 replicates without --orig_master_is_new_slave";
}

TEST_F(SwitchoverTest, FilePositionSwitchUnderWriterLosesNothing) {
  bring_up(ClusterOptions{3, ReplMode::kFilePos, true});
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"), milliseconds(20));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  // db2 is the candidate_master; the old master's block goes from the configuration.
  const CommandResult r = master_switch("--remove_orig_master_conf");
  ASSERT_EQ(r.exit_code, 0);
  expect_switched_to_db2(writer, r);
  EXPECT_EQ(slave_status("db3")["Using_Gtid"], "No");
  const std::string text = read_file(conf_);
  EXPECT_THAT(text, Not(HasSubstr("[server1]")));
  EXPECT_THAT(text, HasSubstr("[server2]"));
}

// --orig_master_is_new_slave: the old master replicates from the new one (from the new master's
// recorded file:position in file/position mode, by GTID otherwise), so both modes run.
void SwitchoverTest::run_orig_master_is_new_slave(ClusterOptions options) {
  bring_up(options);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"), milliseconds(20));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  const CommandResult r = master_switch("--orig_master_is_new_slave");
  ASSERT_EQ(r.exit_code, 0);
  expect_switched_to_db2(writer, r);
  expect_follows("db1", "db2");
  EXPECT_EQ(slave_status("db1")["Using_Gtid"] == "No", options.mode == ReplMode::kFilePos)
      << "db1 replicates with Using_Gtid=" << slave_status("db1")["Using_Gtid"];
  expect_all_acked_on("db1", writer.acked());
  // The old master turned its semi-sync master side off and its replica side on: both
  // followers acknowledge for db2.
  EXPECT_EQ(var("db1", "rpl_semi_sync_master_enabled"), "0");
  EXPECT_EQ(var("db1", "rpl_semi_sync_slave_enabled"), "1");
  EXPECT_TRUE(eventually([&] { return status("db2", "RPL_SEMI_SYNC_MASTER_CLIENTS") == "2"; },
                         seconds(10)));
}

TEST_F(SwitchoverTest, OrigMasterBecomesAReplicaOfTheNewMaster) {
  run_orig_master_is_new_slave({});
}

TEST_F(SwitchoverTest, OrigMasterBecomesAReplicaInFilePositionMode) {
  run_orig_master_is_new_slave(ClusterOptions{3, ReplMode::kFilePos, true});
}

TEST_F(SwitchoverTest, CheckOnlyChangesNothing) {
  bring_up();
  const CommandResult r = master_switch("--check_only");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("nothing was changed"));
  EXPECT_THAT(r.out, HasSubstr("(new master)"));
  expect_unchanged();
  // Interactive (MHA's default): anything but "yes" stops before a change.
  const CommandResult no =
      c().exec_in("mgr",
                  "printf 'no\\n' | " + shell_quote(binary("masterha_master_switch")) +
                      " --master_state=alive --global_conf=/dev/null --conf=" + shell_quote(conf_),
                  120);
  EXPECT_EQ(no.exit_code, 1) << no.out << no.err;
  EXPECT_THAT(no.out, HasSubstr("Continue? (yes/NO)"));
  EXPECT_THAT(no.out, HasSubstr("Not typed yes. Stopping."));
  expect_unchanged();
}

// Refusals for the replicas' and the old master's state. Each: exit 1, the reason, nothing
// changed. Run in both replication modes (issue #7).
void SwitchoverTest::run_refusals_replicas_and_master(ClusterOptions options) {
  bring_up(options);
  ASSERT_TRUE(c().sql("db3", "STOP SLAVE SQL_THREAD"));
  CommandResult r = master_switch("");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("online switch refused, nothing changed"));
  EXPECT_THAT(r.out + r.err, HasSubstr("SQL thread is not running"));
  ASSERT_TRUE(c().sql("db3", "START SLAVE SQL_THREAD"));

  // A lagging replica: db3 applies with a 60 s delay, so a fresh write makes it lag.
  ASSERT_TRUE(c().sql("db3", "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=60; START SLAVE"));
  ASSERT_TRUE(c().sql("db1", "INSERT INTO test.acked (id) VALUES (888888)"));
  ASSERT_TRUE(eventually(
      [&] {
        const std::string sbm = slave_status("db3")["Seconds_Behind_Master"];
        return !sbm.empty() && sbm != "NULL" && std::stoi(sbm) >= 3;
      },
      seconds(20)));
  r = master_switch("--seconds_behind_master=2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("s behind the master (more than --seconds_behind_master=2)"));
  ASSERT_TRUE(c().sql("db3", "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE"));

  // A write running for a while on the master (INSERT ... SELECT SLEEP): refused while it runs.
  CommandResult bg =
      c().exec_in("db1",
                  "(echo 'INSERT INTO test.acked (id) SELECT 999999 FROM (SELECT SLEEP(30)) s' | "
                  "mariadb -S " +
                      shell_quote(c().host("db1").socket) + " >/dev/null 2>&1 &) ; true");
  ASSERT_EQ(bg.exit_code, 0);
  ASSERT_TRUE(eventually(
      [&] {
        auto t = c().sql("db1",
                         "SELECT MAX(TIME) FROM information_schema.PROCESSLIST WHERE INFO LIKE "
                         "'INSERT INTO test.acked (id) SELECT 999999%'");
        return t && !t->empty() && *t != "NULL" && std::stoi(*t) >= 3;
      },
      seconds(20)));
  r = master_switch("");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out + r.err, HasSubstr("update(s) on master"));
  EXPECT_THAT(r.out + r.err, HasSubstr("running_updates_limit"));
  auto ids = c().sql("db1",
                     "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE "
                     "'INSERT INTO test.acked (id) SELECT 999999%'");
  if (ids && !ids->empty()) (void)c().sql("db1", "KILL " + *ids);
  // A manager (MHA's or ours) holds the monitor lock on the master: refused.
  const std::string holder_sql =
      "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(60)'";
  bg =
      c().exec_in("db1",
                  "(printf '%s\\n' \"SELECT GET_LOCK('MHA_Master_High_Availability_Monitor', 0);\" "
                  "'SELECT SLEEP(60);' | mariadb -S " +
                      shell_quote(c().host("db1").socket) + " >/dev/null 2>&1 &) ; true");
  ASSERT_EQ(bg.exit_code, 0);
  ASSERT_TRUE(eventually(
      [&] {
        auto id = c().sql("db1", holder_sql);
        return id && !id->empty();
      },
      seconds(10)));
  r = master_switch("");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("holds the monitor lock MHA_Master_High_Availability_Monitor"));
  if (auto id = c().sql("db1", holder_sql); id && !id->empty()) (void)c().sql("db1", "KILL " + *id);

  // Replication filters that differ between replicas (replicate_ignore_db is dynamic on
  // MariaDB 10.11 while the replica threads are stopped): refused, as in MHA.
  ASSERT_TRUE(c().sql("db3", "STOP SLAVE; SET GLOBAL replicate_ignore_db='scratch'; START SLAVE"));
  {
    Undo clear([this] {
      (void)c().sql("db3", "STOP SLAVE; SET GLOBAL replicate_ignore_db=''; START SLAVE");
    });
    r = master_switch("");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("replication filters differ on " + ip("db3")));
    EXPECT_THAT(r.err, HasSubstr("Replicate_Ignore_DB='scratch'"));
  }
  ASSERT_TRUE(
      eventually([&] { return slave_status("db3")["Slave_SQL_Running"] == "Yes"; }, seconds(10)));
  expect_unchanged();
}

TEST_F(SwitchoverTest, RefusesStoppedSqlLagLongUpdateAndMonitorLock) {
  run_refusals_replicas_and_master({});
}

TEST_F(SwitchoverTest, RefusesStoppedSqlLagLongUpdateAndMonitorLockInFilePositionMode) {
  run_refusals_replicas_and_master(ClusterOptions{3, ReplMode::kFilePos, true});
}

// The other refusals issue #7 lists: a server down, a long query on the new master, errant
// GTIDs on the new master (GTID mode only: without GTID replication there is no GTID set to
// compare). Each: exit 1, the reason, nothing changed.
void SwitchoverTest::run_refusals_new_master(ClusterOptions options) {
  bring_up(options);
  {
    ASSERT_TRUE(c().kill9("db3"));
    Undo restart([this] { (void)c().restart_mysqld("db3"); });
    CommandResult r = master_switch("--new_master_host=" + ip("db2"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("online switch refused, nothing changed"));
    EXPECT_THAT(r.out + r.err, HasSubstr("every server must be alive for an online switch"));
  }
  ASSERT_TRUE(
      eventually([&] { return slave_status("db3")["Slave_IO_Running"] == "Yes"; }, seconds(30)));

  // A query running for a while on the new master (MHA's --running_seconds_limit).
  const std::string sleeper =
      "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(40)'";
  CommandResult bg =
      c().exec_in("db2", "(echo 'SELECT SLEEP(40)' | mariadb -S " +
                             shell_quote(c().host("db2").socket) + " >/dev/null 2>&1 &) ; true");
  ASSERT_EQ(bg.exit_code, 0);
  ASSERT_TRUE(eventually(
      [&] {
        auto t = c().sql("db2",
                         "SELECT MAX(TIME) FROM information_schema.PROCESSLIST WHERE INFO = "
                         "'SELECT SLEEP(40)'");
        return t && !t->empty() && *t != "NULL" && std::stoi(*t) >= 3;
      },
      seconds(20)));
  CommandResult r = master_switch("--new_master_host=" + ip("db2") + " --running_seconds_limit=2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out + r.err, HasSubstr("session(s) on new master"));
  EXPECT_THAT(r.out + r.err, HasSubstr("running_seconds_limit"));
  if (auto id = c().sql("db2", sleeper); id && !id->empty()) (void)c().sql("db2", "KILL " + *id);

  if (options.mode == ReplMode::kGtid) {
    // A transaction written on db2 itself, in a domain the master never had: errant.
    ASSERT_TRUE(c().sql(
        "db2", "SET SESSION gtid_domain_id=9; CREATE TABLE test.errant (id INT PRIMARY KEY)"));
    r = master_switch("--new_master_host=" + ip("db2"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.out + r.err, HasSubstr("has transactions the master lacks (errant GTIDs 9-"));
  }
  ASSERT_TRUE(
      eventually([&] { return c().sql("db2", sleeper).value_or("x").empty(); }, seconds(10)));
  expect_unchanged();
}

TEST_F(SwitchoverTest, RefusesServerDownLongQueryOnNewMasterAndErrantGtids) {
  run_refusals_new_master({});
}

TEST_F(SwitchoverTest, RefusesServerDownAndLongQueryOnNewMasterInFilePositionMode) {
  run_refusals_new_master(ClusterOptions{3, ReplMode::kFilePos, true});
}

// The new master cannot reach the old master's final position in time: the switch rolls back
// (the old master writable again, the VIP back on it, nobody re-pointed). The wait differs by
// mode (MASTER_GTID_WAIT or MASTER_POS_WAIT), so both run.
void SwitchoverTest::run_rollback(ClusterOptions options) {
  bring_up(options);
  Writer writer(c().vip(), c().env("APP_USER"), c().env("APP_PASSWORD"), milliseconds(20));
  writer.start();
  ASSERT_TRUE(writer.wait_more(50, seconds(20)));
  // A session on db2 holds a write lock on the table the writer fills: db2's SQL thread stops
  // applying, so db2 can never reach the old master's final position.
  CommandResult bg =
      c().exec_in("db2", "(echo 'LOCK TABLES test.acked WRITE; SELECT SLEEP(120)' | mariadb -S " +
                             shell_quote(c().host("db2").socket) + " >/dev/null 2>&1 &) ; true");
  ASSERT_EQ(bg.exit_code, 0);
  auto locker = [&] {
    auto id = c().sql("db2",
                      "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = "
                      "'SELECT SLEEP(120)'");
    return id ? *id : std::string();
  };
  ASSERT_TRUE(eventually([&] { return !locker().empty(); }, seconds(10)));
  ASSERT_TRUE(writer.wait_more(10, seconds(10)));
  const CommandResult r = master_switch("--new_master_host=" + ip("db2") +
                                        " --catchup_timeout=3 --running_seconds_limit=600");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("did not reach the old master's final position within 3 s"));
  EXPECT_THAT(r.err, HasSubstr("rolled back"));
  ASSERT_TRUE(c().sql("db2", "KILL " + locker()));
  // db1 takes writes again through the VIP; nothing was lost anywhere.
  EXPECT_TRUE(writer.wait_more(20, seconds(20))) << "no writes through the VIP after rollback";
  writer.stop();
  expect_unchanged();
  const std::set<int> acked = writer.acked();
  expect_all_acked_on("db1", acked);
  expect_all_acked_on("db2", acked);
  expect_all_acked_on("db3", acked);
  EXPECT_THAT(read_file(workdir() + "/app.switch.report.json"),
              HasSubstr("\"result\":\"rolled back\""));
}

TEST_F(SwitchoverTest, RollsBackWhenTheNewMasterCannotCatchUp) { run_rollback({}); }

TEST_F(SwitchoverTest, RollsBackInFilePositionModeToo) {
  run_rollback(ClusterOptions{3, ReplMode::kFilePos, true});
}

}  // namespace
}  // namespace mha::test
