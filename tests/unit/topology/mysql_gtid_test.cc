#include "mha/topology/mysql_gtid.h"

#include <gtest/gtest.h>

namespace mha::topology {
namespace {

constexpr const char* kA = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
constexpr const char* kB = "8a94f357-aab4-11df-86ab-c80aa9429562";

GtidSet set(const std::string& text) {
  Result<GtidSet> s = GtidSet::parse(text);
  EXPECT_TRUE(s) << text << ": " << (s ? "" : s.error().message);
  return s ? *s : GtidSet{};
}

std::string A(const std::string& rest) { return std::string(kA) + rest; }
std::string B(const std::string& rest) { return std::string(kB) + rest; }

TEST(MysqlGtidSet, ParsesMultiLineOutputAsMysqlPrintsIt) {
  GtidSet s = set(A(":1-5:7-9") + ",\n" + B(":1-3"));
  EXPECT_EQ(s.sources().size(), 2u);
  EXPECT_EQ(s.count(), 5u + 3u + 3u);
  EXPECT_EQ(s.to_string(), A(":1-5:7-9") + "," + B(":1-3"));
  EXPECT_EQ(s.to_string(",\n"), A(":1-5:7-9") + ",\n" + B(":1-3"));
}

TEST(MysqlGtidSet, NormalisesCaseOrderAndAdjacentIntervals) {
  GtidSet s = set("3E11FA47-71CA-11E1-9E33-C80AA9429562:7-9:1-5:6:12");
  EXPECT_EQ(s.to_string(), A(":1-9:12"));
  EXPECT_EQ(set(B(":1-3,") + A(":4")), set(A(":4,") + B(":1-2:3")));
  // The same UUID twice merges.
  EXPECT_EQ(set(A(":1-3,") + A(":2-8")).to_string(), A(":1-8"));
}

TEST(MysqlGtidSet, EmptySet) {
  EXPECT_TRUE(set("").empty());
  EXPECT_TRUE(set(" \n ").empty());
  EXPECT_EQ(set("").to_string(), "");
  EXPECT_EQ(set("").count(), 0u);
}

TEST(MysqlGtidSet, TaggedGtids) {
  GtidSet s = set(A(":1-5:Blue:1-3:red:7"));
  EXPECT_EQ(s.sources().size(), 3u);
  EXPECT_EQ(s.to_string(), A(":1-5:blue:1-3:red:7"));
  EXPECT_TRUE(s.contains(set(A(":blue:2"))));
  EXPECT_FALSE(s.contains(set(A(":green:2"))));
  EXPECT_FALSE(s.contains(set(A(":red:1"))));
}

TEST(MysqlGtidSet, RejectsMalformed) {
  for (const std::string& bad :
       {std::string("not-a-uuid:1-5"), A(""), A(":"), A(":0"), A(":5-3"), A(":1-"), A(":-3"),
        A(":x-y"), A(":1-5,"), A(":1:tag"), A(":1-5::7"), std::string(kA).substr(1) + ":1",
        A(":1-5") + "," + "zz11fa47-71ca-11e1-9e33-c80aa9429562:1", A(":1-99999999999999999999")}) {
    Result<GtidSet> s = GtidSet::parse(bad);
    EXPECT_FALSE(s) << "accepted '" << bad << "'";
    if (!s) {
      EXPECT_EQ(s.error().code, ErrorCode::kQuery);
    }
  }
}

TEST(MysqlGtidSet, ContainsAndSubset) {
  GtidSet master = set(A(":1-100,") + B(":1-10"));
  EXPECT_TRUE(master.contains(set(A(":1-100"))));
  EXPECT_TRUE(master.contains(set(A(":5-6:50,") + B(":10"))));
  EXPECT_TRUE(master.contains(set("")));
  EXPECT_FALSE(master.contains(set(A(":1-101"))));
  EXPECT_FALSE(master.contains(set(B(":11"))));
  EXPECT_FALSE(set(A(":1-5:7-9")).contains(set(A(":5-7"))));  // 6 is missing
  EXPECT_TRUE(set(A(":1-5")).is_subset_of(master));
  EXPECT_FALSE(master.is_subset_of(set(A(":1-5"))));
}

TEST(MysqlGtidSet, SubtractFindsErrantAndMissingTransactions) {
  GtidSet master = set(A(":1-100"));
  GtidSet replica = set(A(":1-90,") + B(":1-2"));
  EXPECT_EQ(replica.subtract(master).to_string(), B(":1-2"));     // errant
  EXPECT_EQ(master.subtract(replica).to_string(), A(":91-100"));  // missing
  EXPECT_TRUE(master.subtract(master).empty());
  // Holes split intervals.
  EXPECT_EQ(set(A(":1-20")).subtract(set(A(":3-4:10:15-30"))).to_string(), A(":1-2:5-9:11-14"));
  EXPECT_EQ(set(A(":5-10")).subtract(set(A(":1-5"))).to_string(), A(":6-10"));
  EXPECT_EQ(set(A(":5-10")).subtract(set(A(":10-12"))).to_string(), A(":5-9"));
  EXPECT_EQ(set(A(":5-10")).subtract(set(B(":5-10"))).to_string(), A(":5-10"));
}

TEST(MysqlGtidSet, AddUnion) {
  GtidSet s = set(A(":1-3"));
  s.add(set(A(":4-6,") + B(":9")));
  EXPECT_EQ(s.to_string(), A(":1-6,") + B(":9"));
  EXPECT_EQ(s.count(), 7u);
}

}  // namespace
}  // namespace mha::topology
