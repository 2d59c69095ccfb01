#include "mha/topology/replica_status.h"

#include <gtest/gtest.h>

namespace mha::topology {
namespace {

TEST(ReplicaStatusEnums, ParseBothWaysCaseInsensitive) {
  EXPECT_EQ(parse_io_thread_state("Yes"), IoThreadState::kYes);
  EXPECT_EQ(parse_io_thread_state("connecting"), IoThreadState::kConnecting);
  EXPECT_EQ(parse_io_thread_state("No"), IoThreadState::kNo);
  EXPECT_EQ(parse_io_thread_state("Maybe"), std::nullopt);
  EXPECT_EQ(parse_using_gtid("Slave_Pos"), UsingGtid::kSlavePos);
  EXPECT_EQ(parse_using_gtid("CURRENT_POS"), UsingGtid::kCurrentPos);
  EXPECT_EQ(parse_using_gtid("No"), UsingGtid::kNo);
  EXPECT_EQ(parse_using_gtid(""), std::nullopt);
  EXPECT_STREQ(io_thread_state_name(IoThreadState::kConnecting), "Connecting");
  EXPECT_STREQ(using_gtid_name(UsingGtid::kSlavePos), "Slave_Pos");
}

TEST(ReplicaStatus, DerivedPredicates) {
  ReplicaStatus s;
  EXPECT_FALSE(s.healthy());
  s.io_running = IoThreadState::kYes;
  s.sql_running = true;
  EXPECT_TRUE(s.healthy());
  s.io_running = IoThreadState::kConnecting;
  EXPECT_FALSE(s.healthy());
  EXPECT_FALSE(s.sql_failed());
  s.sql_running = false;
  EXPECT_FALSE(s.sql_failed());  // stopped by an operator, not failed
  s.last_sql_errno = 1062;
  EXPECT_TRUE(s.sql_failed());
  EXPECT_FALSE(s.uses_gtid());
  s.using_gtid = UsingGtid::kSlavePos;
  EXPECT_TRUE(s.uses_gtid());
  s.using_gtid = UsingGtid::kNo;
  s.auto_position = true;
  EXPECT_TRUE(s.uses_gtid());
  ReplicationFilters f;
  EXPECT_TRUE(f.empty());
  f.wild_ignore_table = "mysql.%";
  EXPECT_FALSE(f.empty());
}

}  // namespace
}  // namespace mha::topology
