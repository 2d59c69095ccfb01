#include "mha/topology/binlog_position.h"

#include <gtest/gtest.h>

namespace mha::topology {
namespace {

BinlogPosition at(const char* file, uint64_t pos) { return BinlogPosition{file, pos}; }

TEST(BinlogPosition, OrdersByFileNumberNotString) {
  EXPECT_LT(at("mysql-bin.999999", 1000), at("mysql-bin.1000000", 4));
  EXPECT_LT(at("mysql-bin.000009", 9999), at("mysql-bin.000010", 4));
  EXPECT_LT(at("mysql-bin.000010", 4), at("mysql-bin.000010", 5));
  EXPECT_GT(at("mysql-bin.000011", 4), at("mysql-bin.000010", 5000));
  EXPECT_EQ(at("mysql-bin.000010", 5) <=> at("mysql-bin.000010", 5),
            std::partial_ordering::equivalent);
  // Zero padding does not matter for ordering.
  EXPECT_EQ(at("mysql-bin.10", 5) <=> at("mysql-bin.000010", 5), std::partial_ordering::equivalent);
}

TEST(BinlogPosition, DifferentBaseNamesAreUnordered) {
  BinlogPosition a = at("db1-bin.000002", 4);
  BinlogPosition b = at("db2-bin.000001", 4);
  EXPECT_EQ(a <=> b, std::partial_ordering::unordered);
  EXPECT_FALSE(a < b);
  EXPECT_FALSE(b < a);
}

TEST(BinlogPosition, ParseAndFormatRoundTrip) {
  Result<BinlogPosition> p = parse_binlog_position("mysql-bin.000123:4567");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->file, "mysql-bin.000123");
  EXPECT_EQ(p->pos, 4567u);
  EXPECT_EQ(p->to_string(), "mysql-bin.000123:4567");
  std::string base;
  uint64_t n = 0;
  ASSERT_TRUE(p->split_file(&base, &n));
  EXPECT_EQ(base, "mysql-bin");
  EXPECT_EQ(n, 123u);
}

TEST(BinlogPosition, ParseRejectsMalformed) {
  for (const char* bad :
       {"", "mysql-bin.000123", "mysql-bin.000123:", "mysql-bin.000123:x", "mysql-bin:4",
        "mysql-bin.:4", ":4", "mysql-bin.00a1:4", "mysql-bin.000123:-4"}) {
    Result<BinlogPosition> p = parse_binlog_position(bad);
    EXPECT_FALSE(p) << "accepted '" << bad << "'";
  }
}

TEST(BinlogPosition, MakeFromColumns) {
  Result<BinlogPosition> p = make_binlog_position("relay-bin.000002", "1803");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to_string(), "relay-bin.000002:1803");
  EXPECT_FALSE(make_binlog_position("relay-bin.000002", ""));
}

}  // namespace
}  // namespace mha::topology
