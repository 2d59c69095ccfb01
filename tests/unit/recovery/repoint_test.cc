// RepointReplica: the wait for the new master's position is cut short when the replica's own
// threads stop on an error, so one broken replica does not hold the promotion back.

#include "executor_fixture.h"

namespace mha::recovery::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kChangeMaster =
    "CHANGE MASTER TO MASTER_HOST='10.77.0.12', MASTER_PORT=3306, MASTER_USER='repl', "
    "MASTER_PASSWORD='repl-secret', MASTER_USE_GTID=slave_pos";

mysql::ResultSet replica_status(const std::string& sql_running, const std::string& sql_errno,
                                const std::string& io_running = "Yes",
                                const std::string& io_errno = "0") {
  return mysql::ResultSet{
      {"Master_Host", "Master_Port", "Slave_IO_Running", "Slave_SQL_Running", "Using_Gtid",
       "Master_Log_File", "Read_Master_Log_Pos", "Relay_Master_Log_File", "Exec_Master_Log_Pos",
       "Relay_Log_File", "Relay_Log_Pos", "Gtid_IO_Pos", "Last_IO_Errno", "Last_IO_Error",
       "Last_SQL_Errno", "Last_SQL_Error"},
      {{"10.77.0.12", "3306", io_running, sql_running, "Slave_Pos", "mysql-bin.000001", "1234",
        "mysql-bin.000001", "1000", "relay-bin.000002", "900", "0-1-99", io_errno,
        io_errno == "0" ? "" : "error connecting to master", sql_errno,
        sql_errno == "0" ? "" : "Duplicate entry '7' for key 'PRIMARY'"}},
      0};
}

class RepointTest : public ExecutorFixture {
 protected:
  void expect_change_master() {
    db(kDb2)
        .expect(kGtidState)
        .returns({"gtid_binlog_pos", "gtid_slave_pos", "gtid_current_pos"},
                 {{"0-1-100", "0-1-100", "0-1-100"}});
    db(kDb3).expect("STOP SLAVE");
    db(kDb3).expect(kChangeMaster);
    db(kDb3).expect("START SLAVE");
  }
  planner::RepointReplica repoint() const {
    return planner::RepointReplica{db3(), db2(), planner::RepointMethod::kMariadbSlavePos, true,
                                   seconds(120)};
  }
};

TEST_F(RepointTest, ReachedInTheFirstSlice) {
  expect_change_master();
  db(kDb3).expect("SELECT MASTER_GTID_WAIT('0-1-100', 2)").returns({"w"}, {{"0"}});
  auto r = run({repoint()});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
  EXPECT_TRUE(r->not_recovered.empty());
  EXPECT_NE(r->steps[0].detail.find("reached 0-1-100"), std::string::npos) << r->steps[0].detail;
}

TEST_F(RepointTest, SqlThreadErrorEndsTheWaitAtOnceAndLeavesTheReplica) {
  expect_change_master();
  db(kDb3).expect("SELECT MASTER_GTID_WAIT('0-1-100', 2)").returns({"w"}, {{"-1"}});
  db(kDb3).expect("SHOW SLAVE STATUS").returns(replica_status("Yes", "0"));  // still working
  db(kDb3).expect("SELECT MASTER_GTID_WAIT('0-1-100', 2)").returns({"w"}, {{"-1"}});
  db(kDb3).expect("SHOW SLAVE STATUS").returns(replica_status("No", "1062"));
  auto r = run({repoint()});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
  ASSERT_EQ(r->not_recovered.size(), 1u);
  EXPECT_EQ(r->not_recovered[0].server, db3());
  EXPECT_NE(r->not_recovered[0].reason.find("SQL thread stopped on error 1062"), std::string::npos)
      << r->not_recovered[0].reason;
  EXPECT_EQ(r->not_recovered[0].reason.find("ignore_fail"), std::string::npos);
  EXPECT_EQ(r->steps[0].outcome, StepOutcome::kWarning);
}

TEST_F(RepointTest, IoThreadThatGaveUpEndsTheWait) {
  expect_change_master();
  db(kDb3).expect("SELECT MASTER_GTID_WAIT('0-1-100', 2)").returns({"w"}, {{"-1"}});
  db(kDb3).expect("SHOW SLAVE STATUS").returns(replica_status("Yes", "0", "No", "1045"));
  auto r = run({repoint()});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->not_recovered.size(), 1u);
  EXPECT_NE(r->not_recovered[0].reason.find("IO thread stopped on error 1045"), std::string::npos)
      << r->not_recovered[0].reason;
}

// File/position: a follower whose own relay log cannot be applied (its SQL thread stopped on a
// conflicting row) is left out and reported, and nothing later is tried on it; the new master's
// own wait has no may_fail and fails the failover instead.
TEST_F(RepointTest, FollowerThatCannotApplyItsRelayLogIsLeftOutNotFatal) {
  db(kDb3).expect("SHOW SLAVE STATUS").returns(replica_status("No", "1062"));
  planner::WaitRelayApplied wait{db3(), seconds(300), std::nullopt, true};
  auto r = run({wait, repoint()});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_EQ(r->steps[0].outcome, StepOutcome::kWarning);
  EXPECT_EQ(r->steps[1].outcome, StepOutcome::kSkipped);
  ASSERT_EQ(r->not_recovered.size(), 1u);
  EXPECT_EQ(r->not_recovered[0].server, db3());
  EXPECT_NE(r->not_recovered[0].reason.find("SQL thread stopped on error 1062"), std::string::npos)
      << r->not_recovered[0].reason;
}

TEST_F(RepointTest, NewMasterThatCannotApplyItsRelayLogFailsTheFailover) {
  db(kDb3).expect("SHOW SLAVE STATUS").returns(replica_status("No", "1062"));
  planner::WaitRelayApplied wait{db3(), seconds(300), std::nullopt, false};
  auto r = run({wait});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->failure);
  EXPECT_EQ(r->failure->name, "wait_relay_applied");
  EXPECT_TRUE(r->not_recovered.empty());
}

}  // namespace
}  // namespace mha::recovery::testing
