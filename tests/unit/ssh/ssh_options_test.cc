#include "mha/ssh/ssh_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mha::ssh {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

SshOptions parse_ok(std::string_view text) {
  auto r = parse_ssh_options(text);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : SshOptions{};
}

Error parse_error(std::string_view text) {
  auto r = parse_ssh_options(text);
  EXPECT_FALSE(r.has_value()) << "accepted: " << text;
  return r ? Error{} : r.error();
}

TEST(SplitShellWords, HandlesQuotesAndEscapes) {
  auto words = split_shell_words(R"(  -o 'A B'  "c \"d\" \$x"  e\ f g''h "" )");
  ASSERT_TRUE(words.has_value());
  EXPECT_THAT(*words, ElementsAre("-o", "A B", "c \"d\" $x", "e f", "gh", ""));
}

TEST(SplitShellWords, RejectsUnterminatedQuotes) {
  EXPECT_FALSE(split_shell_words("-o 'abc").has_value());
  EXPECT_FALSE(split_shell_words("-o \"abc").has_value());
  EXPECT_FALSE(split_shell_words("abc\\").has_value());
}

TEST(ParseSshOptions, EmptyStringMeansDefaults) {
  SshOptions o = parse_ok("");
  EXPECT_FALSE(o.user);
  EXPECT_FALSE(o.port);
  EXPECT_THAT(o.identity_files, IsEmpty());
  EXPECT_FALSE(o.host_key_policy);
  EXPECT_THAT(o.warnings, IsEmpty());
}

TEST(ParseSshOptions, ShortFlagsSeparateAndAttached) {
  SshOptions o = parse_ok("-i /k/one -i/k/two -p 2222 -l admin");
  EXPECT_THAT(o.identity_files, ElementsAre("/k/one", "/k/two"));
  EXPECT_EQ(o.port, 2222);
  EXPECT_EQ(o.user, "admin");
  EXPECT_EQ(parse_ok("-p2200").port, 2200);
}

TEST(ParseSshOptions, DashOFormsAndCaseInsensitiveKeys) {
  SshOptions o = parse_ok(
      "-o Port=2201 -oUser=u1 -o 'IdentityFile /k/a' -o \"connecttimeout = 7\" "
      "-o StrictHostKeyChecking no -o UserKnownHostsFile=~/kh");
  EXPECT_EQ(o.port, 2201);
  EXPECT_EQ(o.user, "u1");
  EXPECT_THAT(o.identity_files, ElementsAre("/k/a"));
  EXPECT_EQ(o.connect_timeout, std::chrono::seconds(7));
  EXPECT_EQ(o.host_key_policy, HostKeyPolicy::kOff);
  EXPECT_EQ(o.known_hosts_file, "~/kh");
  EXPECT_THAT(o.warnings, IsEmpty());
}

TEST(ParseSshOptions, StrictHostKeyCheckingValues) {
  EXPECT_EQ(parse_ok("-o StrictHostKeyChecking=yes").host_key_policy, HostKeyPolicy::kStrict);
  EXPECT_EQ(parse_ok("-o StrictHostKeyChecking=ask").host_key_policy, HostKeyPolicy::kStrict);
  EXPECT_EQ(parse_ok("-o StrictHostKeyChecking=accept-new").host_key_policy,
            HostKeyPolicy::kAcceptNew);
  EXPECT_EQ(parse_ok("-o StrictHostKeyChecking=NO").host_key_policy, HostKeyPolicy::kOff);
  EXPECT_THAT(parse_error("-o StrictHostKeyChecking=maybe").message,
              HasSubstr("StrictHostKeyChecking"));
}

TEST(ParseSshOptions, QuotedPathsWithSpaces) {
  SshOptions o = parse_ok(R"(-i "/keys/my key" -o 'UserKnownHostsFile=/etc/ssh/known hosts')");
  EXPECT_THAT(o.identity_files, ElementsAre("/keys/my key"));
  // ssh reads several files from one UserKnownHostsFile; we use the first and say so.
  EXPECT_EQ(o.known_hosts_file, "/etc/ssh/known");
  EXPECT_THAT(o.warnings, ElementsAre(HasSubstr("only the first UserKnownHostsFile")));
}

TEST(ParseSshOptions, AcceptedAndIgnoredSettingsGiveNoWarning) {
  SshOptions o = parse_ok(
      "-o BatchMode=yes -o PasswordAuthentication=no -o ServerAliveInterval=5 "
      "-o ServerAliveCountMax=3");
  EXPECT_THAT(o.warnings, IsEmpty());
}

TEST(ParseSshOptions, UnknownOptionsAreWarningsNotErrors) {
  SshOptions o = parse_ok("-q -C -vv -o LogLevel=ERROR -c aes128-ctr -F /etc/cfg stray");
  EXPECT_THAT(o.warnings, ElementsAre("ignored option -q", "ignored option -C", "ignored option -v",
                                      "ignored option -v", "ignored option -o LogLevel",
                                      "ignored option -c aes128-ctr", "ignored option -F /etc/cfg",
                                      "ignored argument 'stray'"));
  // A flag bundle ends at the first flag taking a value.
  SshOptions bundled = parse_ok("-qi/k/x");
  EXPECT_THAT(bundled.identity_files, ElementsAre("/k/x"));
}

TEST(ParseSshOptions, MissingValuesNameTheOption) {
  EXPECT_THAT(parse_error("-i").message, HasSubstr("-i needs a value"));
  EXPECT_THAT(parse_error("-o Port=22 -p").message, HasSubstr("-p needs a value"));
  EXPECT_THAT(parse_error("-o").message, HasSubstr("-o needs a value"));
  EXPECT_THAT(parse_error("-o IdentityFile").message, HasSubstr("-o IdentityFile needs a value"));
  EXPECT_THAT(parse_error("-o Port= -q").message, HasSubstr("-o Port needs a value"));
  EXPECT_EQ(parse_error("-i").code, ErrorCode::kConfig);
}

TEST(ParseSshOptions, RejectsBadNumbers) {
  EXPECT_THAT(parse_error("-p 0").message, HasSubstr("bad port '0' in -p"));
  EXPECT_THAT(parse_error("-p 65536").message, HasSubstr("bad port"));
  EXPECT_THAT(parse_error("-o Port=22x").message, HasSubstr("-o Port"));
  EXPECT_THAT(parse_error("-o ConnectTimeout=soon").message, HasSubstr("ConnectTimeout"));
  EXPECT_THAT(parse_error("-o ConnectTimeout=0").message, HasSubstr("ConnectTimeout"));
  EXPECT_THAT(parse_error("-o BatchMode=perhaps").message, HasSubstr("BatchMode"));
  EXPECT_THAT(parse_error("-o ServerAliveInterval=x").message, HasSubstr("ServerAliveInterval"));
  EXPECT_THAT(parse_error("-i 'unterminated").message, HasSubstr("unterminated"));
}

TEST(ParseSshOptions, LaterSettingsWin) {
  SshOptions o = parse_ok("-p 2200 -o Port=2300 -l a -o User=b");
  EXPECT_EQ(o.port, 2300);
  EXPECT_EQ(o.user, "b");
}

TEST(ExpandHome, OnlyLeadingTilde) {
  EXPECT_EQ(expand_home("~", "/home/u"), "/home/u");
  EXPECT_EQ(expand_home("~/.ssh/id", "/home/u"), "/home/u/.ssh/id");
  EXPECT_EQ(expand_home("~/.ssh/id", "/"), "/.ssh/id");
  EXPECT_EQ(expand_home("/abs/~/x", "/home/u"), "/abs/~/x");
  EXPECT_EQ(expand_home("~other/x", "/home/u"), "~other/x");
}

}  // namespace
}  // namespace mha::ssh
