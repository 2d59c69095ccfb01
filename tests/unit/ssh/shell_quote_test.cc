#include "mha/ssh/shell_quote.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include <sys/wait.h>

namespace mha::ssh {
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

}  // namespace
}  // namespace mha::ssh
