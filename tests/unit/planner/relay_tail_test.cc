// File/position mode, relay logs that end inside a transaction (issue #5): the snapshot tells
// (unfinished_relay_tail), and the plan counts such a replica up to its last whole transaction.

#include <gtest/gtest.h>

#include <algorithm>

#include "plan_fixture.h"

namespace mha::planner::testing {
namespace {

constexpr const char* kIdle = "Slave has read all relay log; waiting for more updates";

// The plan's steps of type T, in order (copies: the plan is a temporary in these tests).
template <typename T>
std::vector<T> all_of(const FailoverPlan& p) {
  std::vector<T> found;
  for (const PlanStep& step : p.steps) {
    if (std::holds_alternative<T>(step)) found.push_back(std::get<T>(step));
  }
  return found;
}

// `name` received up to mysql-bin.000003:`read` but its SQL thread sits idle at `exec`.
void cut_inside(PlanFixture& f, std::string_view name, uint64_t read, uint64_t exec) {
  f.received_file(name, "mysql-bin.000003", read, false);
  f.replica(name).exec_master = {"mysql-bin.000003", exec};
  f.replica(name).sql_running = true;
  f.replica(name).sql_state = kIdle;
}

topology::ReplicaStatus idle_tail() {
  topology::ReplicaStatus st;
  st.io_running = topology::IoThreadState::kConnecting;
  st.sql_running = true;
  st.sql_state = kIdle;
  st.read_master = {"mysql-bin.000003", 5000};
  st.exec_master = {"mysql-bin.000003", 900};
  return st;
}

TEST(UnfinishedRelayTail, IdleSqlThreadBehindAStoppedIoThread) {
  auto tail = unfinished_relay_tail(idle_tail());
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->to_string(), "mysql-bin.000003:900");
  topology::ReplicaStatus mysql8 = idle_tail();
  mysql8.io_running = topology::IoThreadState::kNo;
  mysql8.sql_state = "Replica has read all relay log; waiting for more updates";
  EXPECT_TRUE(unfinished_relay_tail(mysql8));
}

TEST(UnfinishedRelayTail, NothingToTellFromABusyStoppedOrCaughtUpReplica) {
  topology::ReplicaStatus busy = idle_tail();
  busy.sql_state = "Reading event from the relay log";
  EXPECT_FALSE(unfinished_relay_tail(busy));  // may still reach Read
  topology::ReplicaStatus io = idle_tail();
  io.io_running = topology::IoThreadState::kYes;
  EXPECT_FALSE(unfinished_relay_tail(io));  // more may come
  topology::ReplicaStatus stopped = idle_tail();
  stopped.sql_running = false;
  EXPECT_FALSE(unfinished_relay_tail(stopped));
  topology::ReplicaStatus failed = idle_tail();
  failed.last_sql_errno = 1062;
  EXPECT_FALSE(unfinished_relay_tail(failed));
  topology::ReplicaStatus level = idle_tail();
  level.exec_master = level.read_master;
  EXPECT_FALSE(unfinished_relay_tail(level));
}

TEST(RelayTailPlan, LaggingReplicaCutInsideATransactionGetsItsDiffFromItsExecPosition) {
  PlanFixture f = PlanFixture::mariadb_file_position();
  cut_inside(f, "db3", 1100, 900);
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_EQ(p.new_master.name, "db2(10.77.0.12:3306)");
  auto diffs = all_of<ApplyRelayDiff>(p);
  ASSERT_EQ(diffs.size(), 2u);
  for (const ApplyRelayDiff& d : diffs) {
    EXPECT_EQ(d.from.to_string(), "mysql-bin.000003:900");
    EXPECT_EQ(d.to.to_string(), "mysql-bin.000003:1234");
  }
  auto waits = all_of<WaitRelayApplied>(p);
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_FALSE(waits[0].stop_at);  // db2, the new master, received whole transactions
  ASSERT_TRUE(waits[1].stop_at);
  EXPECT_EQ(waits[1].replica.name, "db3(10.77.0.13:3306)");
  EXPECT_EQ(waits[1].stop_at->to_string(), "mysql-bin.000003:900");
  EXPECT_NE(describe_step(PlanStep(waits[1])).find("inside a transaction"), std::string::npos);
}

TEST(RelayTailPlan, EveryoneCutInsideTheSameTransactionSalvagesFromItsStart) {
  // No replica has all of the last transaction: nobody needs a diff, and the dead master's
  // binlog (its host answers) is read from the transaction's start, not from the Read position.
  PlanFixture f = PlanFixture::mariadb_file_position();
  cut_inside(f, "db2", 1234, 1000);
  cut_inside(f, "db3", 1234, 1000);
  f.policy().evidence.ssh_reachable = true;
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_TRUE(all_of<ApplyRelayDiff>(p).empty());
  auto salvage = all_of<ApplySavedBinlog>(p);
  ASSERT_EQ(salvage.size(), 1u);
  EXPECT_EQ(salvage[0].from.to_string(), "mysql-bin.000003:1000");
  for (const WaitRelayApplied& w : all_of<WaitRelayApplied>(p)) {
    ASSERT_TRUE(w.stop_at) << w.replica.name;
    EXPECT_EQ(w.stop_at->to_string(), "mysql-bin.000003:1000");
  }
  EXPECT_TRUE(std::any_of(p.warnings.begin(), p.warnings.end(), [](const std::string& w) {
    return w.find("received only part of the transaction at mysql-bin.000003:1000") !=
           std::string::npos;
  }));
}

TEST(RelayTailPlan, LatestCutInsideATransactionBoundsTheOthersDiff) {
  // db2 received part of the transaction after 1000; db3 stopped at 800: its diff ends at 1000.
  PlanFixture f = PlanFixture::mariadb_file_position();
  cut_inside(f, "db2", 1234, 1000);
  f.received_file("db3", "mysql-bin.000003", 800);
  const FailoverPlan& p = plan_of(f.decide());
  auto diffs = all_of<ApplyRelayDiff>(p);
  ASSERT_FALSE(diffs.empty());
  for (const ApplyRelayDiff& d : diffs) {
    EXPECT_EQ(d.from.to_string(), "mysql-bin.000003:800");
    EXPECT_EQ(d.to.to_string(), "mysql-bin.000003:1000");
  }
}

}  // namespace
}  // namespace mha::planner::testing
