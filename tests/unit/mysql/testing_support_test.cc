// Tests of the test doubles other modules rely on: TSV fixtures and FakeSqlSession/Connector.
#include "mha/mysql/testing/fake_sql_session.h"
#include "mha/mysql/testing/tsv.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

namespace mha::mysql::testing {
namespace {

TEST(Tsv, RoundTripKeepsNullDistinctFromEmptyAndEscapes) {
  ResultSet r;
  r.columns = {"a", "b", "c"};
  r.rows = {{std::string(""), std::nullopt, std::string("x\ty\nz\\w")},
            {std::string("\\N"), std::string("2"), std::string("")}};
  std::string text = format_tsv(r, "line one\nline two");
  EXPECT_EQ(text.rfind("# line one\n# line two\na\tb\tc\n", 0), 0u) << text;
  Result<ResultSet> back = parse_tsv(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->columns, r.columns);
  EXPECT_EQ(back->rows, r.rows);
}

TEST(Tsv, HeaderOnlyIsEmptyResultAndErrorsAreReported) {
  Result<ResultSet> empty = parse_tsv("# c\nX\tY\n");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->columns.size(), 2u);
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(parse_tsv("# only a comment\n"));
  EXPECT_FALSE(parse_tsv("A\tB\n1\n"));  // wrong cell count
  EXPECT_FALSE(parse_tsv("A\n\\q\n"));   // bad escape
}

TEST(ResultSetLookup, ByNameCaseInsensitive) {
  ResultSet r{
      {"Slave_IO_Running", "Seconds_Behind_Master"}, {{std::string("Yes"), std::nullopt}}, 0};
  ASSERT_NE(r.get(0, "slave_io_running"), nullptr);
  EXPECT_EQ(*r.get(0, "slave_io_running"), "Yes");
  const Cell* lag = r.get(0, "Seconds_Behind_Master");
  ASSERT_NE(lag, nullptr);
  EXPECT_FALSE(lag->has_value());  // NULL, distinct from ""
  EXPECT_EQ(r.get(0, "Nope"), nullptr);
  EXPECT_EQ(r.get(1, "Slave_IO_Running"), nullptr);
}

TEST(FakeSqlSession, PlaysScriptInOrder) {
  FakeSqlSession db("db1:3306");
  db.expect("SELECT @@read_only").returns({"@@read_only"}, {{std::string("1")}});
  db.expect("STOP SLAVE IO_THREAD");
  db.expect("SHOW SLAVE STATUS").fails(2013);
  Result<ResultSet> ro = db.query("  SELECT @@read_only\n");
  ASSERT_TRUE(ro);
  EXPECT_EQ(*ro->get(0, "@@read_only"), "1");
  EXPECT_TRUE(db.execute("STOP SLAVE IO_THREAD"));
  Result<ResultSet> lost = db.query("SHOW SLAVE STATUS");
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kConnect);
  EXPECT_EQ(lost.error().detail, 2013);
  EXPECT_NE(lost.error().message.find("db1:3306"), std::string::npos);
  EXPECT_EQ(db.pending(), 0u);
  EXPECT_EQ(db.history().size(), 3u);
}

TEST(FakeSqlSession, UnexpectedStatementFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(
      {
        FakeSqlSession db;
        Status s = db.execute("SELECT 2");
        EXPECT_FALSE(s);
      },
      "unexpected statement: SELECT 2");
}

TEST(FakeSqlSession, LeftoverExpectationFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(
      {
        FakeSqlSession db;
        db.expect("SHOW MASTER STATUS");
      },
      "expected statement never ran: SHOW MASTER STATUS");
}

TEST(FakeSqlConnector, ScriptedSessionsAndRefusals) {
  FakeSqlConnector connector;
  connector.session("10.0.0.1:3306").expect("SELECT 1").returns({"1"}, {{std::string("1")}});
  connector.refuse("10.0.0.2:3306", 1045);
  Endpoint a{"10.0.0.1", 3306, ""};
  Endpoint b{"10.0.0.2", 3306, ""};
  Result<std::unique_ptr<SqlSession>> sa = connector.connect(a, {"u", "p"}, {});
  ASSERT_TRUE(sa);
  EXPECT_TRUE((*sa)->query("SELECT 1"));
  Result<std::unique_ptr<SqlSession>> sb = connector.connect(b, {"u", "p"}, {});
  ASSERT_FALSE(sb);
  EXPECT_EQ(sb.error().code, ErrorCode::kAuth);
  EXPECT_EQ(sb.error().detail, 1045);
  EXPECT_EQ(connector.connects(), (std::vector<std::string>{"10.0.0.1:3306", "10.0.0.2:3306"}));
}

}  // namespace
}  // namespace mha::mysql::testing
