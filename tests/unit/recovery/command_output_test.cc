// loggable_lines (src/recovery/command_output.h): a command's output is logged whole when it is
// short, and bounded when a failed apply echoes megabytes.

#include "command_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mha::recovery::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(LoggableLines, ShortOutputIsKeptWholeWithoutEmptyLines) {
  EXPECT_THAT(loggable_lines("one\n\ntwo\nthree"), ElementsAre("one", "two", "three"));
  EXPECT_TRUE(loggable_lines("").empty());
}

TEST(LoggableLines, KeepsTheLastLinesAndSaysHowManyWereLeftOut) {
  std::string text;
  for (int i = 1; i <= 100; ++i) text += "line " + std::to_string(i) + "\n";
  const std::vector<std::string> lines = loggable_lines(text);
  ASSERT_EQ(lines.size(), kMaxLoggedLines + 1);
  EXPECT_EQ(lines.front(), "(60 earlier line(s) not logged)");
  EXPECT_EQ(lines[1], "line 61");
  EXPECT_EQ(lines.back(), "line 100");
}

TEST(LoggableLines, CutsALongLineAndNotesItsLength) {
  const std::string base64(3 * 1024 * 1024, 'e');
  const std::vector<std::string> lines =
      loggable_lines("BINLOG '\n" + base64 + "\n'\nERROR 2006 (HY000) at line 31: gone away\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_LE(lines[1].size(), kMaxLoggedLineBytes + 32);
  EXPECT_THAT(lines[1], HasSubstr("(3145728 bytes)"));
  EXPECT_EQ(lines.back(), "ERROR 2006 (HY000) at line 31: gone away");
}

}  // namespace
}  // namespace mha::recovery::internal
