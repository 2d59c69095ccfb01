// The sample configuration of the seed document (the original Chinese deployment notes), which
// users copy as it stands: notes written after values with "//", indented lines, "ssh-user".

#include "mha/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace mha::config::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Copied verbatim from the seed, placeholders included ("ip地址" = "IP address", "密码" =
// "password", "[server数字]" = "[server<number>]"). Everything else in it is valid for us: the
// "//" notes are inline comments, "ssh-user" is ssh_user, "server数字" is a legal block name
// ("server" + non-space characters) and user names/passwords may be any text. The one thing that
// cannot work is the host: "ip地址" is a placeholder, so loading must stop exactly there, naming
// the file, line 19 and 'hostname'. (MHA 0.58 stops earlier, at "ssh-user", without a line
// number; with that fixed it would keep the notes inside the values and fail later on the host.)
TEST(SeedSample, VerbatimIsRejectedAtThePlaceholderHostnameOnly) {
  TempDir dir;
  const std::string conf = data_file("seed_verbatim.cnf");
  const int hostname_line = line_of(conf, "hostname=ip地址");
  ASSERT_EQ(hostname_line, 19);

  const auto r = load(options(conf, dir.missing("masterha_default.cnf")));

  ASSERT_TRUE(IsConfigErrorAt(r, conf, hostname_line, "hostname"));
  EXPECT_THAT(r.error().message, HasSubstr("[server数字]"));
  EXPECT_THAT(r.error().message, HasSubstr("non-ASCII"));
  EXPECT_THAT(r.error().message, Not(HasSubstr("密码")));
}

// Proof that the hostname is the *only* problem: the same bytes with just that placeholder
// replaced load, and the other placeholders are kept as the (odd but legal) values they are.
TEST(SeedSample, VerbatimWithOnlyTheHostnameReplacedLoads) {
  TempDir dir;
  std::string text = read_text(data_file("seed_verbatim.cnf"));
  const size_t pos = text.find("ip地址");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, std::string("ip地址").size(), "192.168.4.51");
  const std::string conf = dir.write("app1.cnf", text);

  const auto r = load(options(conf, dir.missing("masterha_default.cnf")));

  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->servers.size(), 1u);
  const ServerConfig& s = r->servers[0];
  EXPECT_EQ(s.block, "server数字");
  EXPECT_EQ(s.line, 18);
  EXPECT_EQ(s.hostname, "192.168.4.51");
  EXPECT_EQ(s.repl_user, "同步用户名");
  EXPECT_EQ(s.repl_password, std::optional<std::string>("密码"));
  EXPECT_EQ(s.password, "密码");
  EXPECT_EQ(s.ssh_user, "root");
  EXPECT_TRUE(s.candidate_master);
  EXPECT_EQ(r->app.manager_workdir, "/etc/mha");
}

// The sample as a user deploys it: real addresses and passwords, every "//" note kept.
TEST(SeedSample, FilledInWithNotesKeptLoads) {
  TempDir dir;
  const std::string conf = data_file("seed_filled.cnf");

  const auto r = load(options(conf, dir.missing("masterha_default.cnf")));

  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->app_name, "seed_filled");
  EXPECT_EQ(r->app.manager_workdir, "/etc/mha");
  EXPECT_EQ(r->app.manager_log, "/etc/mha/manager.log");
  EXPECT_EQ(r->app.master_ip_failover_script, "/etc/mha/master_ip_failover");
  ASSERT_EQ(r->servers.size(), 3u);
  std::vector<std::string> blocks;
  for (const auto& s : r->servers) blocks.push_back(s.block);
  EXPECT_THAT(blocks, ElementsAre("server51", "server52", "server53"));
  for (const auto& s : r->servers) {
    SCOPED_TRACE(s.block);
    EXPECT_EQ(s.ssh_user, "root");
    EXPECT_EQ(s.ssh_port, 22);
    EXPECT_EQ(s.port, 3306);
    EXPECT_EQ(s.user, "root");
    EXPECT_EQ(s.repl_user, "repluser");
    // '#' without whitespace before it is part of the value; a quoted value is literal.
    EXPECT_EQ(s.repl_password, std::optional<std::string>("Repl#2024"));
    EXPECT_EQ(s.password, "Mon itor #1");
  }
  EXPECT_EQ(r->servers[0].display(), "192.168.4.51(192.168.4.51:3306)");
  EXPECT_TRUE(r->servers[0].candidate_master);
  EXPECT_TRUE(r->servers[1].candidate_master);
  EXPECT_FALSE(r->servers[2].candidate_master);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0], "Global configuration file " + dir.missing("masterha_default.cnf") +
                                " not found. Skipping.");
}

}  // namespace
}  // namespace mha::config::test
