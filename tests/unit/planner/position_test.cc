#include "mha/planner/position.h"

#include <gtest/gtest.h>

#include "plan_fixture.h"

namespace mha::planner::testing {
namespace {

ReceivedPosition file(const std::string& f, uint64_t pos) {
  ReceivedPosition p;
  p.file_pos = {f, pos};
  return p;
}

ReceivedPosition gtid(std::string_view text) {
  ReceivedPosition p;
  p.mode = ReplicationMode::kMariadbGtid;
  p.mariadb = mariadb_pos(text);
  return p;
}

TEST(CompareReceived, FileNumbersNotStrings) {
  EXPECT_EQ(compare_received(file("mysql-bin.999999", 9000), file("mysql-bin.1000000", 4)),
            std::partial_ordering::less);
  EXPECT_EQ(compare_received(file("mysql-bin.000003", 10), file("mysql-bin.000003", 10)),
            std::partial_ordering::equivalent);
  EXPECT_EQ(compare_received(file("a-bin.000003", 10), file("b-bin.000003", 10)),
            std::partial_ordering::unordered);
}

TEST(CompareReceived, MariadbDomainsArePartiallyOrdered) {
  EXPECT_EQ(compare_received(gtid("0-1-105"), gtid("0-1-100")), std::partial_ordering::greater);
  EXPECT_EQ(compare_received(gtid("0-1-100,1-2-5"), gtid("0-1-100")),
            std::partial_ordering::greater);
  EXPECT_EQ(compare_received(gtid("0-1-101,1-2-5"), gtid("0-1-102,1-2-4")),
            std::partial_ordering::unordered);
}

TEST(ReceivedPosition, MariadbTakesTheHigherOfIoAndSlavePos) {
  PlanFixture f;
  f.received_gtid("db2", "0-1-90");  // IO position re-initialised after a restart
  std::optional<ReceivedPosition> p =
      received_position(f.server("db2"), ReplicationMode::kMariadbGtid);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to_string(), "0-1-100");
}

TEST(DeriveMode, MixedUsingGtidFallsBackToFilePosition) {
  PlanFixture f;
  EXPECT_EQ(derive_mode(f.snapshot(), {1, 2}), ReplicationMode::kMariadbGtid);
  f.replica("db3").using_gtid = topology::UsingGtid::kNo;
  EXPECT_EQ(derive_mode(f.snapshot(), {1, 2}), ReplicationMode::kFilePosition);
  EXPECT_EQ(derive_mode(PlanFixture::mysql8().snapshot(), {1, 2}), ReplicationMode::kMysqlGtid);
}

}  // namespace
}  // namespace mha::planner::testing
