// switchover::execute() against scripted sessions: the statement order of a GTID switch, the
// online change script's arguments (no password in argv), and the rollback when the new master
// does not catch up.

#include "mha/switchover/executor.h"

#include "mha/hooks/testing/fake_process_runner.h"
#include "mha/mysql/dialect.h"
#include "mha/mysql/semi_sync.h"
#include "mha/mysql/testing/fake_sql_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "unit/checks/snapshot_builder.h"

namespace mha::switchover {
namespace {

using checks::testing::SnapshotBuilder;
using hooks::testing::exit_with;
using hooks::testing::FakeProcessRunner;
using mysql::testing::FakeSqlConnector;
using mysql::testing::FakeSqlSession;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kScript = "/usr/local/bin/online_change";

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() {
    config_ = b_.app_config();
    config_.app.master_ip_online_change_script = kScript;
    for (config::ServerConfig& s : config_.servers) {
      s.user = "admin";
      s.password = "adminpw";
      s.repl_user = "repl";
      s.repl_password = "replpw";
      s.ssh_user = "root";
    }
    snap_ = b_.build();
    plan_.orig_master = 0;
    plan_.new_master = 1;
    plan_.replicas = {2};
    plan_.gtid = true;
  }

  // Statements common to every run up to the old master's final position.
  // The new master reaches the old master's final GTID, stops replicating and reports where
  // its own binary log is.
  void expect_new_master_caught_up(FakeSqlSession& n) {
    n.expect("SELECT MASTER_GTID_WAIT('0-1-150', 30)").returns({"w"}, {{"0"}});
    n.expect("STOP SLAVE");
    n.expect("SHOW MASTER STATUS")
        .returns({"File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB"},
                 {{"mysql-bin.000009", "777", "", ""}});
    n.expect(d_.select_gtid_state())
        .returns({"gtid_binlog_pos", "gtid_slave_pos", "gtid_current_pos"},
                 {{"0-1-150", "0-1-150", "0-1-150"}});
  }
  void expect_block_writes(FakeSqlSession& m) {
    m.expect("SELECT CONNECTION_ID()").returns({"CONNECTION_ID()"}, {{"100"}});
    m.expect("SET SESSION lock_wait_timeout = 10");
    m.expect("SET GLOBAL read_only = ON");
    m.expect("SHOW FULL PROCESSLIST")
        .returns({"Id", "User", "Host", "db", "Command", "Time", "State", "Info"},
                 {{"100", "admin", "mgr", {}, "Query", "0", "", "SHOW FULL PROCESSLIST"},
                  {"5", "repl", "db2", {}, "Binlog Dump GTID", "900", "", {}},
                  {"200", "app", "client", "test", "Sleep", "3", "", {}}});
    m.expect("KILL CONNECTION 200");
    m.expect("FLUSH TABLES WITH READ LOCK");
    m.expect("SHOW MASTER STATUS")
        .returns({"File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB"},
                 {{"mysql-bin.000003", "5000", "", ""}});
    m.expect(d_.select_gtid_state())
        .returns({"gtid_binlog_pos", "gtid_slave_pos", "gtid_current_pos"},
                 {{"0-1-150", "", "0-1-150"}});
  }

  Outcome run() {
    runner_.on_program(kScript, exit_with(0));  // after any test-specific rule
    ExecOptions o;
    o.catchup_timeout = std::chrono::seconds(30);
    return execute(config_, snap_, plan_, sql_, runner_, o);
  }

  SnapshotBuilder b_ = SnapshotBuilder::mariadb_gtid();
  config::AppConfig config_;
  topology::ClusterSnapshot snap_;
  SwitchPlan plan_;
  FakeSqlConnector sql_;
  FakeProcessRunner runner_;
  mysql::Dialect d_ = *mysql::Dialect::for_version(checks::testing::version("10.11.19-MariaDB"));
};

TEST_F(ExecutorTest, GtidSwitchInOrder) {
  FakeSqlSession& m = sql_.session("10.77.0.11:3306");
  FakeSqlSession& n = sql_.session("10.77.0.12:3306");
  FakeSqlSession& r = sql_.session("10.77.0.13:3306");
  expect_block_writes(m);
  expect_new_master_caught_up(n);
  n.expect("SET GLOBAL read_only = OFF");
  n.expect("RESET SLAVE ALL");
  mysql::ChangeMasterOptions cm;
  cm.host = "10.77.0.12";
  cm.user = "repl";
  cm.password = "replpw";
  cm.mode = mysql::ReplicationMode::kMariadbSlavePos;
  r.expect("SELECT MASTER_GTID_WAIT('0-1-150', 30)").returns({"w"}, {{"0"}});
  r.expect("STOP SLAVE");
  r.expect(*d_.change_master(cm));
  r.expect("START SLAVE");
  m.expect("UNLOCK TABLES");

  const Outcome out = run();
  EXPECT_EQ(out.exit_code, 0) << out.summary;
  EXPECT_TRUE(out.switched);
  ASSERT_TRUE(out.write_block_ms);
  EXPECT_GE(*out.write_block_ms, 0);
  EXPECT_THAT(out.summary, HasSubstr("completed successfully"));
  const std::vector<hooks::ProcessSpec> calls = runner_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_THAT(*calls[0].shell_command, HasSubstr("'--command=stop'"));
  EXPECT_THAT(*calls[0].shell_command, HasSubstr("'--orig_master_host=db1'"));
  EXPECT_THAT(*calls[0].shell_command, HasSubstr("'--new_master_ip=10.77.0.12'"));
  EXPECT_THAT(*calls[0].shell_command, HasSubstr("'--new_master_ssh_user=root'"));
  EXPECT_THAT(*calls[0].shell_command, Not(HasSubstr("adminpw")));
  EXPECT_EQ(calls[0].stdin_data, "adminpw\nadminpw\n");
  EXPECT_THAT(*calls[1].shell_command, HasSubstr("'--command=start'"));
  EXPECT_THAT(report_json(config_, snap_, plan_, out), HasSubstr("\"result\":\"succeeded\""));
}

// Semi-sync: the new master turns the master side on while still read-only, the replicas and
// the old master (replica side on, master side off) follow it, and only after a semi-sync
// replica is connected does it become writable and the service address move.
TEST_F(ExecutorTest, SemiSyncSwitchWaitsForASemiSyncReplicaBeforeWrites) {
  plan_.semi_sync = true;
  plan_.semi_sync_followers = 2;
  plan_.orig_master_is_new_slave = true;
  FakeSqlSession& m = sql_.session("10.77.0.11:3306");
  FakeSqlSession& n = sql_.session("10.77.0.12:3306");
  FakeSqlSession& r = sql_.session("10.77.0.13:3306");
  expect_block_writes(m);
  expect_new_master_caught_up(n);
  n.expect("SET GLOBAL rpl_semi_sync_master_enabled=1");
  n.expect("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'")
      .returns({"Variable_name", "Value"}, {{"Rpl_semi_sync_master_clients", "2"}});
  n.expect("SET GLOBAL read_only = OFF");
  n.expect("RESET SLAVE ALL");
  mysql::ChangeMasterOptions cm;
  cm.host = "10.77.0.12";
  cm.user = "repl";
  cm.password = "replpw";
  cm.mode = mysql::ReplicationMode::kMariadbSlavePos;
  r.expect("SELECT MASTER_GTID_WAIT('0-1-150', 30)").returns({"w"}, {{"0"}});
  r.expect("STOP SLAVE");
  r.expect(*d_.change_master(cm));
  r.expect("START SLAVE");
  m.expect("UNLOCK TABLES");
  m.expect("SET GLOBAL rpl_semi_sync_master_enabled=0");
  m.expect("SET GLOBAL rpl_semi_sync_slave_enabled=1");
  cm.mode = mysql::ReplicationMode::kMariadbCurrentPos;
  m.expect(*d_.change_master(cm));
  m.expect("START SLAVE");

  const Outcome out = run();
  EXPECT_EQ(out.exit_code, 0) << out.summary;
  EXPECT_TRUE(out.switched);
  // Everything on the replicas and the old master ran before the new master took writes (the
  // script's start is the last call; the steps are logged in order).
  std::size_t connected = out.steps.size(), writable = 0, follows = 0, rejoined = 0;
  for (std::size_t i = 0; i < out.steps.size(); ++i) {
    if (out.steps[i].find("semi-sync replica(s) connected") != std::string::npos) connected = i;
    if (out.steps[i].find("is writable") != std::string::npos) writable = i;
    if (out.steps[i].rfind("db3(10.77.0.13:3306) now replicates", 0) == 0) follows = i;
    if (out.steps[i].rfind("db1(10.77.0.11:3306) now replicates", 0) == 0) rejoined = i;
  }
  EXPECT_LT(follows, connected);
  EXPECT_LT(rejoined, connected);
  EXPECT_LT(connected, writable);
  ASSERT_EQ(runner_.calls().size(), 2u);
  EXPECT_THAT(*runner_.calls()[1].shell_command, HasSubstr("'--command=start'"));
}

// Semi-sync, but no replica registers as a semi-sync client within the bounded wait
// (mysql::kSemiSyncClientWait): the switch goes on (the followers already follow the new master,
// so there is no rollback), the new master takes writes, the address moves, and the exit is 10
// with the reason as a warning (docs/switchover.md, step 5).
TEST_F(ExecutorTest, SemiSyncSwitchWithoutASemiSyncClientTakesWritesWithExitTen) {
  plan_.semi_sync = true;
  plan_.semi_sync_followers = 1;
  FakeSqlSession& m = sql_.session("10.77.0.11:3306");
  FakeSqlSession& n = sql_.session("10.77.0.12:3306");
  FakeSqlSession& r = sql_.session("10.77.0.13:3306");
  expect_block_writes(m);
  expect_new_master_caught_up(n);
  n.expect("SET GLOBAL rpl_semi_sync_master_enabled=1");
  // The one poll of the client count outlasts the whole wait, as if no replica ever came: the
  // wait's deadline has passed when it returns 0, so it is the only poll (no timing guess about
  // how many 50 ms polls fit into 3 s).
  n.expect("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'")
      .during([] {
        const auto until = std::chrono::steady_clock::now() + mysql::kSemiSyncClientWait;
        while (std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(mysql::kSemiSyncClientWait / 10);
        }
      })
      .returns({"Variable_name", "Value"}, {{"Rpl_semi_sync_master_clients", "0"}});
  n.expect("SET GLOBAL read_only = OFF");
  n.expect("RESET SLAVE ALL");
  mysql::ChangeMasterOptions cm;
  cm.host = "10.77.0.12";
  cm.user = "repl";
  cm.password = "replpw";
  cm.mode = mysql::ReplicationMode::kMariadbSlavePos;
  r.expect("SELECT MASTER_GTID_WAIT('0-1-150', 30)").returns({"w"}, {{"0"}});
  r.expect("STOP SLAVE");
  r.expect(*d_.change_master(cm));
  r.expect("START SLAVE");
  m.expect("UNLOCK TABLES");

  const Outcome out = run();
  EXPECT_EQ(out.exit_code, 10) << out.summary;
  EXPECT_TRUE(out.switched);
  EXPECT_FALSE(out.rolled_back);
  ASSERT_TRUE(out.write_block_ms);
  EXPECT_GE(*out.write_block_ms, mysql::kSemiSyncClientWait.count());
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_THAT(out.warnings[0],
              HasSubstr("db2(10.77.0.12:3306): no semi-sync replica connected within 3000 ms"));
  EXPECT_THAT(out.warnings[0], HasSubstr("takes writes anyway"));
  EXPECT_THAT(out.summary, HasSubstr("done, but 1 step(s) failed"));
  // Writable after the followers were re-pointed; the address moved afterwards.
  std::size_t follows = out.steps.size(), writable = out.steps.size();
  for (std::size_t i = 0; i < out.steps.size(); ++i) {
    if (out.steps[i].rfind("db3(10.77.0.13:3306) now replicates", 0) == 0) follows = i;
    if (out.steps[i].find("is writable") != std::string::npos) writable = i;
  }
  EXPECT_LT(follows, writable);
  ASSERT_LT(writable, out.steps.size());
  EXPECT_THAT(out.steps, Not(Contains(HasSubstr("semi-sync replica(s) connected"))));
  const std::vector<hooks::ProcessSpec> calls = runner_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_THAT(*calls[1].shell_command, HasSubstr("'--command=start'"));
  EXPECT_THAT(*calls[1].shell_command, HasSubstr("'--new_master_host=db2'"));
  EXPECT_THAT(report_json(config_, snap_, plan_, out),
              HasSubstr("\"result\":\"partially failed\""));
}

TEST_F(ExecutorTest, SemiSyncMasterThatCannotBeEnabledRollsBack) {
  plan_.semi_sync = true;
  plan_.semi_sync_followers = 1;
  FakeSqlSession& m = sql_.session("10.77.0.11:3306");
  FakeSqlSession& n = sql_.session("10.77.0.12:3306");
  sql_.session("10.77.0.13:3306");  // never used: replicas are untouched
  expect_block_writes(m);
  expect_new_master_caught_up(n);
  n.expect("SET GLOBAL rpl_semi_sync_master_enabled=1").fails(1193, "Unknown system variable");
  n.expect("START SLAVE");
  m.expect("UNLOCK TABLES");
  m.expect("SET GLOBAL read_only = OFF");

  const Outcome out = run();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_FALSE(out.switched);
  EXPECT_TRUE(out.rolled_back) << out.summary;
  EXPECT_THAT(out.summary, HasSubstr("replicas untouched"));
}

TEST_F(ExecutorTest, RollsBackWhenTheNewMasterDoesNotCatchUp) {
  FakeSqlSession& m = sql_.session("10.77.0.11:3306");
  FakeSqlSession& n = sql_.session("10.77.0.12:3306");
  sql_.session("10.77.0.13:3306");  // never contacted
  expect_block_writes(m);
  n.expect("SELECT MASTER_GTID_WAIT('0-1-150', 30)").returns({"w"}, {{"-1"}});
  m.expect("UNLOCK TABLES");
  m.expect("SET GLOBAL read_only = OFF");

  const Outcome out = run();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_FALSE(out.switched);
  EXPECT_TRUE(out.rolled_back);
  EXPECT_FALSE(out.write_block_ms);
  EXPECT_THAT(out.summary, HasSubstr("did not reach the old master's final position within 30 s"));
  EXPECT_THAT(out.summary, HasSubstr("rolled back"));
  const std::vector<hooks::ProcessSpec> calls = runner_.calls();
  ASSERT_EQ(calls.size(), 2u);
  // The start after a rollback names the old master as the one to take writes.
  EXPECT_THAT(*calls[1].shell_command, HasSubstr("'--command=start'"));
  EXPECT_THAT(*calls[1].shell_command, HasSubstr("'--new_master_host=db1'"));
  EXPECT_THAT(*calls[1].shell_command, HasSubstr("'--orig_master_host=db2'"));
  // db3's session was opened before the block (to keep the window short) but never used.
  EXPECT_TRUE(sql_.session("10.77.0.13:3306").history().empty());
  EXPECT_THAT(report_json(config_, snap_, plan_, out), HasSubstr("\"result\":\"rolled back\""));
}

TEST_F(ExecutorTest, StopScriptFailureStillRunsStartToRestoreTheAddress) {
  runner_.on(
      [](const hooks::ProcessSpec& s) {
        return s.shell_command->find("--command=stop") != std::string::npos;
      },
      [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> { return exit_with(1); });
  FakeSqlSession& m = sql_.session("10.77.0.11:3306");
  sql_.session("10.77.0.12:3306");
  sql_.session("10.77.0.13:3306");
  m.expect("SELECT CONNECTION_ID()").returns({"CONNECTION_ID()"}, {{"100"}});
  m.expect("SET SESSION lock_wait_timeout = 10");
  const Outcome out = run();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_TRUE(out.rolled_back);
  EXPECT_THAT(out.summary, HasSubstr("--command=stop failed: exit 1"));
  EXPECT_EQ(runner_.calls().size(), 2u);
}

}  // namespace
}  // namespace mha::switchover
