// switchover::decide(): one refusal per test, on the healthy three-server cluster of
// unit/checks/snapshot_builder.h (db1 master, db2 and db3 replicas, MariaDB GTID).

#include "mha/switchover/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/checks/snapshot_builder.h"

namespace mha::switchover {
namespace {

using checks::testing::SnapshotBuilder;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class PlanTest : public ::testing::Test {
 protected:
  PlanTest() : b_(SnapshotBuilder::mariadb_gtid()) {
    in_.repl_password_configured = true;
    for (std::size_t i = 0; i < 3; ++i) in_.processes[i] = {};
  }
  Decision run() {
    snap_ = b_.build();
    in_.snapshot = &snap_;
    return decide(in_, o_);
  }
  // The single refusal, which must contain `text`.
  void expect_refused(const std::string& text) {
    const Decision d = run();
    EXPECT_FALSE(d.plan);
    ASSERT_EQ(d.refusals.size(), 1u) << ::testing::PrintToString(d.refusals);
    EXPECT_THAT(d.refusals[0], HasSubstr(text));
  }
  static ProcessInfo process(uint64_t id, const std::string& command, int64_t time,
                             const std::string& info, const std::string& user = "app") {
    return ProcessInfo{id, user, "10.77.0.10:5000", command, time, "", info};
  }

  SnapshotBuilder b_;
  topology::ClusterSnapshot snap_;
  PlanInput in_;
  PlanOptions o_;
};

TEST_F(PlanTest, HealthyClusterGivesAPlanToTheFirstReplica) {
  const Decision d = run();
  ASSERT_TRUE(d.plan) << ::testing::PrintToString(d.refusals);
  EXPECT_THAT(d.refusals, IsEmpty());
  EXPECT_EQ(d.plan->orig_master, 0u);
  EXPECT_EQ(d.plan->new_master, 1u);
  EXPECT_THAT(d.plan->replicas, ElementsAre(2u));
  EXPECT_TRUE(d.plan->gtid);
  const std::string text = render(snap_, *d.plan);
  EXPECT_THAT(text, HasSubstr("To:\ndb2(10.77.0.12:3306) (new master)\n +--db3"));
  EXPECT_THAT(text, HasSubstr("by GTID"));
}

TEST_F(PlanTest, CandidateMasterIsPreferredAndNewMasterHostIsHonoured) {
  b_.server("db3").id.candidate_master = true;
  Decision d = run();
  ASSERT_TRUE(d.plan);
  EXPECT_EQ(d.plan->new_master, 2u);
  o_.new_master_host = "10.77.0.12";
  d = run();
  ASSERT_TRUE(d.plan);
  EXPECT_EQ(d.plan->new_master, 1u);
}

TEST_F(PlanTest, FilePositionReplicasRePointByPosition) {
  b_ = SnapshotBuilder::mariadb_file_position();
  const Decision d = run();
  ASSERT_TRUE(d.plan);
  EXPECT_FALSE(d.plan->gtid);
}

TEST_F(PlanTest, RefusesAServerDown) {
  b_.dead("db3");
  expect_refused("db3(10.77.0.13:3306) is dead");
}

TEST_F(PlanTest, RefusesALaggingReplica) {
  b_.replica("db3").seconds_behind_master = 31;
  expect_refused("lags 31 s");
  b_.replica("db3").seconds_behind_master = 30;
  EXPECT_TRUE(run().plan);
}

TEST_F(PlanTest, RefusesAStoppedSqlThread) {
  b_.replica("db3").sql_running = false;
  b_.replica("db3").seconds_behind_master.reset();
  expect_refused("db3(10.77.0.13:3306): SQL thread is not running");
}

TEST_F(PlanTest, RefusesAStoppedIoThread) {
  b_.replica("db2").io_running = topology::IoThreadState::kNo;
  expect_refused("db2(10.77.0.12:3306): IO thread is not running");
}

TEST_F(PlanTest, RefusesLongUpdatesOnTheMasterButNotReadsOrReplication) {
  in_.processes[0] = {process(7, "Query", 50, "SELECT sleep(100)"),
                      process(8, "Binlog Dump GTID", 500, "", "repl"), process(9, "Sleep", 900, ""),
                      process(10, "Query", 1, "UPDATE t SET a=1"),
                      process(11, "Query", 30, "UPDATE t SET a=2", "root")};
  in_.own_sessions[0] = {12};
  expect_refused("1 update(s) on master db1(10.77.0.11:3306) running longer than 1 s (id 11");
  o_.running_updates_limit = 30;
  EXPECT_TRUE(run().plan);
}

TEST_F(PlanTest, OwnSessionsAreNotCounted) {
  in_.processes[0] = {process(12, "Query", 50, "INSERT INTO x VALUES (1)")};
  in_.own_sessions[0] = {12};
  EXPECT_TRUE(run().plan);
}

TEST_F(PlanTest, RefusesLongQueriesOnTheNewMaster) {
  in_.processes[1] = {process(5, "Query", 11, "SELECT sleep(100)"),
                      process(6, "Slave_SQL", 5000, "", "system user")};
  expect_refused("1 session(s) on new master db2(10.77.0.12:3306) running longer than 10 s");
}

TEST_F(PlanTest, RefusesARunningManager) {
  in_.manager_pid = 4242;
  expect_refused("masterha_manager (pid 4242)");
}

TEST_F(PlanTest, RefusesTheMonitorLockHeld) {
  in_.monitor_lock_holder = 77;
  expect_refused("holds the monitor lock MHA_Master_High_Availability_Monitor");
}

TEST_F(PlanTest, RefusesErrantGtidsOnTheNewMaster) {
  b_.server("db2").mariadb_gtid.binlog_pos = checks::testing::mariadb_pos("0-1-100,1-2-5");
  expect_refused("errant GTIDs 1-2-5");
}

TEST_F(PlanTest, RefusesErrantGtidsOnMysql) {
  b_ = SnapshotBuilder::mysql8();
  b_.server("db2").mysql_gtid.executed = checks::testing::mysql_set(
      std::string(checks::testing::kUuid1) + ":1-100," + checks::testing::kUuid3 + ":1-2");
  expect_refused("errant GTIDs");
}

TEST_F(PlanTest, RefusesANoMasterNewMaster) {
  b_.server("db2").id.no_master = true;
  o_.new_master_host = "db2";
  expect_refused("has no_master=1");
}

TEST_F(PlanTest, ElectionSkipsNoMasterAndNoBinlogReplicas) {
  b_.server("db2").id.no_master = true;
  b_.server("db3").log_bin = false;
  expect_refused("no replica can become the new master");
}

TEST_F(PlanTest, RefusesAnUnknownOrSelfNewMaster) {
  o_.new_master_host = "db9";
  expect_refused("--new_master_host=db9 --new_master_port=3306 is not a configured server");
  o_.new_master_host = "db1";
  expect_refused("is the current master");
}

TEST_F(PlanTest, RefusesWithoutReplPassword) {
  in_.repl_password_configured = false;
  expect_refused("repl_password is not configured");
}

TEST_F(PlanTest, ReportsEveryRefusalAtOnce) {
  b_.replica("db3").seconds_behind_master = 100;
  in_.manager_pid = 1;
  const Decision d = run();
  EXPECT_FALSE(d.plan);
  EXPECT_EQ(d.refusals.size(), 2u);
}

TEST_F(PlanTest, UnreadProcessListIsANoteNotARefusal) {
  in_.processes.erase(0);
  const Decision d = run();
  ASSERT_TRUE(d.plan);
  ASSERT_EQ(d.plan->notes.size(), 1u);
  EXPECT_THAT(d.plan->notes[0], HasSubstr("not read"));
}

TEST_F(PlanTest, SemiSyncIsKeptWhenTheMasterHadIt) {
  const Decision d = run();
  ASSERT_TRUE(d.plan);
  EXPECT_TRUE(d.plan->semi_sync);
  EXPECT_EQ(d.plan->semi_sync_followers, 1);  // db3; db1 stays out without orig_master_is_new_slave
  EXPECT_THAT(d.plan->notes, IsEmpty());
  EXPECT_THAT(render(snap_, *d.plan), HasSubstr("becomes a semi-sync master"));
}

TEST_F(PlanTest, OrigMasterAsNewSlaveCountsAsASemiSyncFollower) {
  o_.orig_master_is_new_slave = true;
  const Decision d = run();
  ASSERT_TRUE(d.plan);
  EXPECT_EQ(d.plan->semi_sync_followers, 2);
}

TEST_F(PlanTest, NoSemiSyncWhenNobodyUsesIt) {
  b_.server("db1").semi_sync = {};
  b_.server("db2").semi_sync = {};
  b_.server("db3").semi_sync = {};
  const Decision d = run();
  ASSERT_TRUE(d.plan);
  EXPECT_FALSE(d.plan->semi_sync);
  EXPECT_THAT(render(snap_, *d.plan), Not(HasSubstr("semi-sync")));
}

TEST_F(PlanTest, SemiSyncMasterWithoutAFollowerIsANote) {
  b_.server("db3").semi_sync.slave_enabled = false;
  const Decision d = run();
  ASSERT_TRUE(d.plan);
  EXPECT_TRUE(d.plan->semi_sync);
  EXPECT_EQ(d.plan->semi_sync_followers, 0);
  ASSERT_EQ(d.plan->notes.size(), 1u);
  EXPECT_THAT(d.plan->notes[0], HasSubstr("no server will be a semi-sync replica of db2"));
}

TEST_F(PlanTest, RefusesDifferingReplicationFilters) {
  b_.replica("db3").filters.do_db = "app";
  expect_refused("replication filters differ on db3(10.77.0.13:3306): Replicate_Do_DB='app'");
}

TEST_F(PlanTest, FilterListsCompareAsSets) {
  b_.replica("db2").filters.ignore_db = "a,b";
  b_.replica("db3").filters.ignore_db = "b, a";
  EXPECT_TRUE(run().plan);
}

TEST_F(PlanTest, RefusesDifferingBinlogFilters) {
  b_.server("db2").master_status->binlog_ignore_db = "scratch";
  expect_refused("binlog filters differ on db2(10.77.0.12:3306): Binlog_Ignore_DB='scratch'");
}

TEST(PlanHelpers, ReadStatements) {
  EXPECT_TRUE(is_read_statement("select 1"));
  EXPECT_TRUE(is_read_statement("  (SELECT 1)"));
  EXPECT_TRUE(is_read_statement("SHOW PROCESSLIST"));
  EXPECT_FALSE(is_read_statement("INSERT INTO t SELECT 1"));
  EXPECT_FALSE(is_read_statement(""));
}

}  // namespace
}  // namespace mha::switchover
