#include "mha/common/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mha::log {
namespace {

struct Case {
  std::string input;
  std::string expected;
};

TEST(RedactTest, MasksPasswordFragments) {
  const std::vector<Case> cases = {
      {"save_binary_logs --password=s3cret --port=3306",
       "save_binary_logs --password=xxx --port=3306"},
      {"x --new_master_password=s3cret y", "x --new_master_password=xxx y"},
      {"x --orig_master_password s3cret --y", "x --orig_master_password xxx --y"},
      {"x --slave_pass='a b' y", "x --slave_pass='xxx' y"},
      {"--password=ab,cd;ef", "--password=xxx"},
      {"CHANGE MASTER TO MASTER_HOST='db2', MASTER_USER='repl', MASTER_PASSWORD='s3cret', "
       "MASTER_PORT=3306",
       "CHANGE MASTER TO MASTER_HOST='db2', MASTER_USER='repl', MASTER_PASSWORD='xxx', "
       "MASTER_PORT=3306"},
      {"change master to master_password = \"it''s\\\"x\", master_port=1",
       "change master to master_password = \"xxx\", master_port=1"},
      {"CREATE USER 'r'@'%' IDENTIFIED BY 'pw';", "CREATE USER 'r'@'%' IDENTIFIED BY 'xxx';"},
      {"ALTER USER r IDENTIFIED WITH mysql_native_password BY 'pw'",
       "ALTER USER r IDENTIFIED WITH mysql_native_password BY 'xxx'"},
      {"GRANT ALL ON *.* TO r IDENTIFIED BY PASSWORD '*ABC'",
       "GRANT ALL ON *.* TO r IDENTIFIED BY PASSWORD 'xxx'"},
      {"SET PASSWORD = PASSWORD('pw')", "SET PASSWORD = PASSWORD('xxx')"},
      {"--params=\"hostname=db1;password=pw;port=3307\"",
       "--params=\"hostname=db1;password=xxx;port=3307\""},
      {"repl_password=pw", "repl_password=xxx"},
      {"MYSQL_PWD=pw mysql -e x", "MYSQL_PWD=xxx mysql -e x"},
      {"MASTER_PASSWORD='unterminated", "MASTER_PASSWORD='xxx"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(redact(c.input), c.expected) << c.input;
  }
}

TEST(RedactTest, LeavesOrdinaryTextAlone) {
  const std::vector<std::string> inputs = {
      "Master db1(10.77.0.11:3306) is dead.",
      "Password for user root is empty",
      "--password",
      "--master_host=db1 --master_port=3306",
      "IDENTIFIED WITHOUT a literal",
      "compass=north",  // a key ending in "pass" but not "_pass"
      "",
  };
  for (const std::string& input : inputs) {
    EXPECT_EQ(redact(input), input);
  }
}

}  // namespace
}  // namespace mha::log
