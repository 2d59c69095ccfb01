// WaitRelayApplied in file/position mode (relay_tail.cc): a relay log that ends inside a
// transaction is waited on up to the planned last whole transaction and the SQL thread stopped,
// or, when the plan did not expect it, reported at once instead of waited on until the timeout.

#include "relay_tail.h"

#include "mha/mysql/testing/fake_sql_session.h"
#include "mha/topology/server_version.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mha::recovery::internal {
namespace {

using ::testing::HasSubstr;

const char* kIdle = "Slave has read all relay log; waiting for more updates";

mysql::ResultSet status(const std::string& read, const std::string& exec, const char* state,
                        const char* sql_running = "Yes") {
  return mysql::ResultSet{
      {"Master_Host", "Master_Port", "Slave_IO_Running", "Slave_SQL_Running",
       "Slave_SQL_Running_State", "Using_Gtid", "Master_Log_File", "Read_Master_Log_Pos",
       "Relay_Master_Log_File", "Exec_Master_Log_Pos", "Relay_Log_File", "Relay_Log_Pos"},
      {{"10.77.0.11", "3306", "Connecting", sql_running, state, "No", "mysql-bin.000003", read,
        "mysql-bin.000003", exec, "relay-bin.000007", "900"}},
      0};
}

class RelayTailWait : public ::testing::Test {
 protected:
  RelayTailWait()
      : dialect_(*mysql::Dialect::for_version(
            *topology::parse_server_version("10.11.19-MariaDB-0+deb12u1-log"))) {}
  RelayWaitJob job(uint64_t until, bool tail) {
    return RelayWaitJob{
        "db3", &db_, &dialect_, {"mysql-bin.000003", until}, tail, std::chrono::seconds(60)};
  }
  mysql::Dialect dialect_;
  mysql::testing::FakeSqlSession db_;
};

TEST_F(RelayTailWait, PlannedTailStopsTheSqlThreadAtTheLastWholeTransaction) {
  db_.expect("SHOW SLAVE STATUS").returns(status("5000", "900", kIdle));
  db_.expect(dialect_.stop_replica(mysql::ReplicaThreads::kSqlThread));
  db_.expect("SHOW SLAVE STATUS").returns(status("5000", "900", "", "No"));
  Result<std::string> r = wait_relay_position(job(900, true));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_THAT(*r, HasSubstr("applied up to mysql-bin.000003:900"));
  EXPECT_THAT(*r, HasSubstr("received up to mysql-bin.000003:5000"));
  EXPECT_EQ(db_.pending(), 0u);
}

TEST_F(RelayTailWait, PlannedTailWaitsForTheSqlThreadToGetThereFirst) {
  db_.expect("SHOW SLAVE STATUS")
      .returns(status("5000", "400", "Reading event from the relay log"));
  db_.expect(dialect_.wait_for_position({"mysql-bin.000003", 900}, std::chrono::seconds(2)))
      .returns({"w"}, {{"3"}});
  db_.expect("SHOW SLAVE STATUS").returns(status("5000", "900", kIdle));
  db_.expect(dialect_.stop_replica(mysql::ReplicaThreads::kSqlThread));
  db_.expect("SHOW SLAVE STATUS").returns(status("5000", "900", "", "No"));
  Result<std::string> r = wait_relay_position(job(900, true));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(db_.pending(), 0u);
}

TEST_F(RelayTailWait, UnplannedTailFailsAfterTwoLooksNotAtTheTimeout) {
  db_.expect("SHOW SLAVE STATUS").returns(status("5000", "900", kIdle));
  db_.expect(dialect_.wait_for_position({"mysql-bin.000003", 5000}, std::chrono::seconds(2)))
      .returns({"w"}, {{"-1"}});
  db_.expect("SHOW SLAVE STATUS").returns(status("5000", "900", kIdle));
  Result<std::string> r = wait_relay_position(job(5000, false));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, HasSubstr("ends inside a transaction"));
  EXPECT_THAT(r.error().message, HasSubstr("Run the failover again"));
  EXPECT_EQ(db_.pending(), 0u);
}

TEST_F(RelayTailWait, ExecPastThePlannedTailIsAConflict) {
  db_.expect("SHOW SLAVE STATUS").returns(status("5000", "1200", kIdle));
  db_.expect(dialect_.stop_replica(mysql::ReplicaThreads::kSqlThread));
  db_.expect("SHOW SLAVE STATUS").returns(status("5000", "1200", "", "No"));
  Result<std::string> r = wait_relay_position(job(900, true));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
}

TEST_F(RelayTailWait, NoTailReturnsWithoutStoppingAnything) {
  db_.expect("SHOW SLAVE STATUS").returns(status("5000", "5000", kIdle));
  Result<std::string> r = wait_relay_position(job(5000, false));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(db_.pending(), 0u);
}

}  // namespace
}  // namespace mha::recovery::internal
