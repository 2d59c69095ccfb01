#include "mha/topology/server_version.h"

#include <gtest/gtest.h>

namespace mha::topology {
namespace {

struct VersionCase {
  const char* text;
  Flavor flavor;
  int major, minor, patch;
  const char* suffix;
};

class ParseServerVersion : public ::testing::TestWithParam<VersionCase> {};

TEST_P(ParseServerVersion, ReadsFlavourNumbersAndSuffix) {
  const VersionCase& c = GetParam();
  Result<ServerVersion> v = parse_server_version(c.text);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->flavor, c.flavor) << c.text;
  EXPECT_EQ(v->major, c.major);
  EXPECT_EQ(v->minor, c.minor);
  EXPECT_EQ(v->patch, c.patch);
  EXPECT_EQ(v->suffix, c.suffix);
  EXPECT_EQ(v->raw, c.text);
}

INSTANTIATE_TEST_SUITE_P(
    RealWorldStrings, ParseServerVersion,
    ::testing::Values(
        VersionCase{"10.11.19-MariaDB-0+deb12u1-log", Flavor::kMariaDB, 10, 11, 19,
                    "-MariaDB-0+deb12u1-log"},
        VersionCase{"5.5.5-10.11.6-MariaDB-log", Flavor::kMariaDB, 10, 11, 6, "-MariaDB-log"},
        VersionCase{"11.4.2-MariaDB-ubu2404", Flavor::kMariaDB, 11, 4, 2, "-MariaDB-ubu2404"},
        VersionCase{"10.6.16-MariaDB", Flavor::kMariaDB, 10, 6, 16, "-MariaDB"},
        VersionCase{"8.0.36", Flavor::kMySQL, 8, 0, 36, ""},
        VersionCase{"8.4.3-commercial", Flavor::kMySQL, 8, 4, 3, "-commercial"},
        VersionCase{"5.7.44-log", Flavor::kMySQL, 5, 7, 44, "-log"},
        VersionCase{"8.0.35-27-log", Flavor::kPercona, 8, 0, 35, "-27-log"},
        VersionCase{"5.7.43-47", Flavor::kPercona, 5, 7, 43, "-47"}));

TEST(ParseServerVersionErrors, RejectsGarbage) {
  for (const char* bad : {"", "   ", "garbage", "MariaDB", "10", "10.11", "10.11.", "10.x.1",
                          "-1.2.3", "10.11.19abc", "99999999999.1.1"}) {
    Result<ServerVersion> v = parse_server_version(bad);
    EXPECT_FALSE(v) << "accepted '" << bad << "'";
    if (!v) {
      EXPECT_EQ(v.error().code, ErrorCode::kQuery);
    }
  }
}

TEST(ParseServerVersionErrors, MessageQuotesInput) {
  Result<ServerVersion> v = parse_server_version("nonsense");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("'nonsense'"), std::string::npos) << v.error().message;
}

ServerVersion must_parse(const char* s) {
  Result<ServerVersion> v = parse_server_version(s);
  EXPECT_TRUE(v) << s;
  return v ? *v : ServerVersion{};
}

TEST(ServerVersionOrdering, ComparesNumericallyWithinAFamily) {
  EXPECT_LT(must_parse("10.11.9-MariaDB"), must_parse("10.11.19-MariaDB"));
  EXPECT_LT(must_parse("10.6.16-MariaDB"), must_parse("10.11.2-MariaDB"));
  EXPECT_GT(must_parse("11.4.2-MariaDB"), must_parse("5.5.5-10.11.6-MariaDB-log"));
  EXPECT_LT(must_parse("8.0.36"), must_parse("8.4.3-commercial"));
  // Percona is MySQL for ordering purposes.
  EXPECT_LT(must_parse("8.0.35-27-log"), must_parse("8.0.36"));
  EXPECT_EQ(must_parse("10.11.19-MariaDB-log"), must_parse("10.11.19-MariaDB-0+deb12u1"));
}

TEST(ServerVersionOrdering, MariadbAndMysqlAreUnordered) {
  ServerVersion maria = must_parse("10.11.19-MariaDB");
  ServerVersion mysql = must_parse("8.0.36");
  EXPECT_FALSE(maria < mysql);
  EXPECT_FALSE(maria > mysql);
  EXPECT_FALSE(maria == mysql);
  EXPECT_EQ(maria <=> mysql, std::partial_ordering::unordered);
}

TEST(ServerVersionOrdering, AtLeast) {
  ServerVersion v = must_parse("8.0.26");
  EXPECT_TRUE(v.at_least(8, 0, 26));
  EXPECT_TRUE(v.at_least(8, 0));
  EXPECT_FALSE(v.at_least(8, 0, 27));
  EXPECT_FALSE(v.at_least(8, 4));
  EXPECT_EQ(v.numeric(), "8.0.26");
}

}  // namespace
}  // namespace mha::topology
