#include "mha/state/status_reporter.h"

#include "mha/state/memory_state_store.h"

#include <gtest/gtest.h>

namespace mha::state {
namespace {

using std::chrono::seconds;

class StatusReporterTest : public ::testing::Test {
 protected:
  WallTime now_ = WallTime(seconds(1'700'000'000));
  MemoryStateStore store_{[this] { return now_; }};
  StatusReporter reporter_{store_, 4711};

  StatusSnapshot current() {
    auto status = store_.read_status();
    EXPECT_TRUE(status && *status);
    return status && *status ? **status : StatusSnapshot{};
  }
};

TEST_F(StatusReporterTest, UnchangedStatusOnlyHeartbeats) {
  ASSERT_TRUE(reporter_.report(ManagerStatus::kInitializingMonitor));
  EXPECT_EQ(store_.writes(), 1);
  EXPECT_EQ(current().record, (StatusRecord{4711, ManagerStatus::kInitializingMonitor, ""}));

  reporter_.set_master("db1");
  now_ += seconds(3);
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingOk));
  EXPECT_EQ(store_.writes(), 2);

  now_ += seconds(3);
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingOk));
  now_ += seconds(3);
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingOk));
  EXPECT_EQ(store_.writes(), 2);
  EXPECT_EQ(current().heartbeat, now_);
  EXPECT_EQ(current().record, (StatusRecord{4711, ManagerStatus::kPingOk, "db1"}));
}

TEST_F(StatusReporterTest, ChangedStatusOrMasterRewrites) {
  reporter_.set_master("db1");
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingOk));
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingFailing));
  EXPECT_EQ(store_.writes(), 2);
  reporter_.set_master("db2");
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingFailing));
  EXPECT_EQ(store_.writes(), 3);
  EXPECT_EQ(current().record.master, "db2");
}

TEST_F(StatusReporterTest, VanishedRecordIsWrittenAgain) {
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingOk));
  ASSERT_TRUE(store_.remove_status());  // e.g. an operator deleted the file
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingOk));
  EXPECT_EQ(store_.writes(), 2);
  EXPECT_EQ(current().record.status, ManagerStatus::kPingOk);
}

TEST_F(StatusReporterTest, RemoveDeletesAndNextReportWrites) {
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingOk));
  ASSERT_TRUE(reporter_.remove());
  auto status = store_.read_status();
  ASSERT_TRUE(status);
  EXPECT_FALSE(*status);
  ASSERT_TRUE(reporter_.report(ManagerStatus::kPingOk));
  EXPECT_EQ(store_.writes(), 2);
}

}  // namespace
}  // namespace mha::state
