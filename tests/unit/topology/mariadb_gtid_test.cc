#include "mha/topology/mariadb_gtid.h"

#include <gtest/gtest.h>

namespace mha::topology {
namespace {

GtidPosition pos(const char* text) {
  Result<GtidPosition> p = GtidPosition::parse(text);
  EXPECT_TRUE(p) << text << ": " << (p ? "" : p.error().message);
  return p ? *p : GtidPosition{};
}

TEST(MariadbGtid, ParsesAndFormatsOrderedByDomain) {
  GtidPosition p = pos("1-2-7,0-1-133");
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p.to_string(), "0-1-133,1-2-7");
  const MariadbGtid* d1 = p.find(1);
  ASSERT_NE(d1, nullptr);
  EXPECT_EQ(d1->server_id, 2u);
  EXPECT_EQ(d1->seq_no, 7u);
  EXPECT_EQ(p.find(5), nullptr);
}

TEST(MariadbGtid, EmptyAndWhitespace) {
  EXPECT_TRUE(pos("").empty());
  EXPECT_TRUE(pos("  \n").empty());
  EXPECT_EQ(pos(" 0-1-5 ,\n 2-3-4 ").to_string(), "0-1-5,2-3-4");
}

TEST(MariadbGtid, LargeNumbers) {
  EXPECT_EQ(pos("4294967295-4294967295-18446744073709551615").to_string(),
            "4294967295-4294967295-18446744073709551615");
}

TEST(MariadbGtid, RejectsMalformed) {
  for (const char* bad :
       {"0-1", "0-1-2-3", "a-1-2", "0-1-", "0--1-2", "0-1-2,", ",0-1-2", "0-1-2,,1-1-1", "-0-1-2",
        "0-1-2 3", "4294967296-1-1", "0-1-18446744073709551616", "0-1-5,0-2-6"}) {
    Result<GtidPosition> p = GtidPosition::parse(bad);
    EXPECT_FALSE(p) << "accepted '" << bad << "'";
    if (!p) {
      EXPECT_EQ(p.error().code, ErrorCode::kQuery);
    }
  }
}

TEST(MariadbGtid, ContainsComparesSeqPerDomainIgnoringServerId) {
  GtidPosition master = pos("0-1-133,1-2-7");
  EXPECT_TRUE(master.contains(pos("0-1-133")));
  EXPECT_TRUE(master.contains(pos("0-1-100,1-2-7")));
  // A different server_id with a lower seq is still contained: seq orders a domain.
  EXPECT_TRUE(master.contains(pos("0-3-120")));
  EXPECT_FALSE(master.contains(pos("0-1-134")));
  EXPECT_FALSE(master.contains(pos("2-1-1")));
  EXPECT_TRUE(master.contains(pos("")));
  EXPECT_TRUE(master.contains(master));
}

TEST(MariadbGtid, IsAheadOf) {
  EXPECT_TRUE(pos("0-1-10").is_ahead_of(pos("0-1-9")));
  EXPECT_FALSE(pos("0-1-10").is_ahead_of(pos("0-1-10")));
  EXPECT_FALSE(pos("0-1-9").is_ahead_of(pos("0-1-10")));
  EXPECT_TRUE(pos("0-1-10,1-1-1").is_ahead_of(pos("0-1-10")));
  // Ahead in one domain, behind in another: neither is ahead.
  EXPECT_FALSE(pos("0-1-10,1-1-1").is_ahead_of(pos("0-1-9,1-1-2")));
  EXPECT_FALSE(pos("0-1-9,1-1-2").is_ahead_of(pos("0-1-10,1-1-1")));
}

TEST(MariadbGtid, SubtractNamesErrantDomains) {
  GtidPosition master = pos("0-1-133,1-2-7");
  // In sync or behind: nothing errant.
  EXPECT_TRUE(pos("0-1-133,1-2-7").subtract(master).empty());
  EXPECT_TRUE(pos("0-1-120").subtract(master).empty());
  // Replica wrote in its own domain 5 and is ahead in domain 1.
  GtidPosition errant = pos("0-1-133,1-3-9,5-3-2").subtract(master);
  EXPECT_EQ(errant.to_string(), "1-3-9,5-3-2");
  // The other direction: what the replica lacks.
  EXPECT_EQ(master.subtract(pos("0-1-120")).to_string(), "0-1-133,1-2-7");
}

TEST(MariadbGtid, SetReplacesDomain) {
  GtidPosition p = pos("0-1-5");
  p.set(MariadbGtid{0, 2, 9});
  p.set(MariadbGtid{3, 1, 1});
  EXPECT_EQ(p.to_string(), "0-2-9,3-1-1");
  EXPECT_EQ(p.entries().size(), 2u);
  EXPECT_EQ(p, pos("3-1-1,0-2-9"));
}

}  // namespace
}  // namespace mha::topology
