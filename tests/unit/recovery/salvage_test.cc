#include "salvage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mha::recovery::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Salvage, SaveCommandQuotesEveryWord) {
  const std::string cmd =
      save_command({"/var/lib/mysql", "/data/binlog"},
                   {"--start_gtid=0-1-8", "--binlog_prefix=mysql-bin"}, "/tmp/x y/saved.binlog");
  EXPECT_EQ(cmd,
            "masterha_node save_binary_logs '--command=save' "
            "'--binlog_dir=/var/lib/mysql,/data/binlog' '--start_gtid=0-1-8' "
            "'--binlog_prefix=mysql-bin' '--output_file=/tmp/x y/saved.binlog'");
}

TEST(Salvage, ReadsTheHelpersSummaryLine) {
  const std::string out =
      "some login banner\n"
      "{\"tool\":\"save_binary_logs\",\"result\":\"saved\",\"output_file\":\"/tmp/s\","
      "\"transactions\":54,\"last_gtid\":\"0-1-120\",\"bytes\":9000,\"incomplete_tail\":null}\n";
  Result<SavedBinlog> s = parse_save_output(out);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->saved);
  EXPECT_EQ(s->transactions, 54u);
  EXPECT_EQ(s->bytes, 9000u);
  ASSERT_TRUE(s->last_gtid);
  EXPECT_EQ(s->last_gtid->to_string(), "0-1-120");
  EXPECT_EQ(s->incomplete_tail, "");
}

TEST(Salvage, NothingSavedAndMissingSummary) {
  Result<SavedBinlog> s = parse_save_output(
      "{\"result\":\"nothing_to_save\",\"output_file\":null,\"last_gtid\":null}\n");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->saved);
  EXPECT_FALSE(s->last_gtid);
  EXPECT_FALSE(parse_save_output("Concat binary logs ... succeeded\n"));
}

TEST(Salvage, ApplyChecksBothStagesAndKeepsSecretsOutOfArgv) {
  const std::string cmd = apply_command("/tmp/s.binlog", "/tmp/c.cnf", "10.0.0.2", 3307);
  EXPECT_THAT(cmd, HasSubstr("mysqlbinlog '\\''/tmp/s.binlog'\\'' | mysql"));
  EXPECT_THAT(cmd, HasSubstr("--defaults-extra-file="));
  EXPECT_THAT(cmd, HasSubstr("PIPESTATUS[1]"));
  EXPECT_THAT(cmd, Not(HasSubstr("password")));
  EXPECT_TRUE(apply_succeeded("...\npipestatus=0 0\n"));
  EXPECT_FALSE(apply_succeeded("pipestatus=1 0\n"));  // mysqlbinlog stopped half way
  EXPECT_FALSE(apply_succeeded("pipestatus=0 1\n"));  // a statement failed
  EXPECT_FALSE(apply_succeeded(""));                  // the shell never got there
}

TEST(Salvage, BinlogPrefix) {
  EXPECT_EQ(binlog_prefix("mysql-bin.000042"), "mysql-bin");
  EXPECT_EQ(binlog_prefix("master.bin.000001"), "master.bin");
  EXPECT_EQ(binlog_prefix("mysql-bin"), "");
  EXPECT_EQ(binlog_prefix("mysql-bin.index"), "");
  EXPECT_EQ(binlog_prefix(""), "");
}

}  // namespace
}  // namespace mha::recovery::internal
