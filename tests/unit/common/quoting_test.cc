// The two quoting rules of mha_common: shell words and option-file values, each proved by the
// program that reads them back (/bin/sh, my_print_defaults).

#include "mha/common/quoting.h"

#include "mha/ssh/shell_quote.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace mha {
namespace {

TEST(ShellQuote, WrapsInSingleQuotes) {
  EXPECT_EQ(shell_quote("abc"), "'abc'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
}

TEST(ShellQuote, EscapesEmbeddedSingleQuotes) {
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("'"), "''\\'''");
  EXPECT_EQ(shell_quote("''"), "''\\'''\\'''");
}

TEST(ShellQuote, LeavesOtherMetacharactersLiteral) {
  EXPECT_EQ(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
  EXPECT_EQ(shell_quote("`id`;&|<>*?\\\"\n"), "'`id`;&|<>*?\\\"\n'");
}

// The real proof: /bin/sh reads each quoted word back as exactly the original bytes.
std::string echo_through_sh(const std::string& word) {
  std::string command = "printf '%s' " + shell_quote(word);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "<popen failed>";
  std::string out;
  char buf[256];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "<sh failed>";
  return out;
}

TEST(ShellQuote, RoundTripsThroughPosixShell) {
  const std::string nasty[] = {
      "plain",
      "",
      "it's",
      "'",
      "\"double\"",
      "back\\slash\\",
      "$HOME ${HOME} $(id) `id`",
      "new\nline\n",
      "tab\there",
      "-n",
      "--",
      "*?[a-z]",
      "semi;colon && or || pipe | amp &",
      "~root",
      "a'b\"c\\d$e`f",
      "\x01\x7f\xc3\xa9 utf8 é",
  };
  for (const auto& word : nasty) {
    EXPECT_EQ(echo_through_sh(word), word) << "quoted as " << shell_quote(word);
  }
}

// ssh::shell_quote is the same function (the SSH module's callers use that name).
TEST(ShellQuote, TheSshNameIsTheCommonFunction) { EXPECT_EQ(&ssh::shell_quote, &mha::shell_quote); }

TEST(OptionFile, QuotesAndEscapesBothValues) {
  EXPECT_EQ(client_option_file_text("mha", "pw"), "[client]\nuser=\"mha\"\npassword=\"pw\"\n");
  EXPECT_EQ(client_option_file_text("a\"b", "x\\y z#;"),
            "[client]\nuser=\"a\\\"b\"\npassword=\"x\\\\y z#;\"\n");
  // A newline cannot end the value's line and start an option of its own.
  EXPECT_EQ(client_option_file_text("mha", "x\nhost=evil\r\t"),
            "[client]\nuser=\"mha\"\npassword=\"x\\nhost=evil\\r\\t\"\n");
}

// The real proof: the clients' own option parser reads each value back as the original bytes.
TEST(OptionFile, RoundTripsThroughTheClientsOptionParser) {
  if (std::system("command -v my_print_defaults >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "my_print_defaults (MariaDB client) is not installed";
  }
  char path[] = "/tmp/mha-quoting-test-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string values[] = {"plain",
                                "",
                                " lead and trail ",
                                "a\"b",
                                "back\\slash\\",
                                "hash # and ; semi",
                                "new\nline",
                                "host=x\nport=1",
                                "tab\there",
                                "cr\rhere",
                                "quote ' single",
                                "\xc3\xa9 utf8"};
  for (const std::string& v : values) {
    {
      std::ofstream out(path, std::ios::trunc);
      out << client_option_file_text("u" + v, v);
    }
    std::string command = std::string("my_print_defaults --defaults-file=") + path + " client";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buf[256];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    ASSERT_EQ(::pclose(pipe), 0) << out;
    EXPECT_EQ(out, "--user=u" + v + "\n--password=" + v + "\n") << "value: " << v;
  }
  ::unlink(path);
}

}  // namespace
}  // namespace mha
