// File syntax: spellings, quotes, inline comments, lists, line endings; and the parameter list.

#include "mha/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "config_test_util.h"

namespace mha::config::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Result<AppConfig> load_text(const TempDir& dir, const std::string& text,
                            const std::string& name = "app1.cnf") {
  return load(options(dir.write(name, text), ""));
}

TEST(Syntax, HyphenAndUnderscoreSpellAnyKey) {
  TempDir dir;
  const auto r = load_text(dir, R"(
[server default]
ssh-user=admin
master-binlog-dir=/data/binlog
ping-interval=7
[server1]
hostname=db1
candidate-master=1
)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->servers[0].ssh_user, "admin");
  EXPECT_THAT(r->servers[0].master_binlog_dir, ElementsAre("/data/binlog"));
  EXPECT_EQ(r->app.ping_interval, 7);
  EXPECT_TRUE(r->servers[0].candidate_master);
}

TEST(Syntax, InlineCommentsAndQuotes) {
  TempDir dir;
  const auto r = load_text(dir,
                           "[server default]   # the defaults\n"
                           "manager_workdir = /etc/mha          //工作目录\n"
                           "manager_log=/var/log/mha.log ; semicolon note\n"
                           "report_script=/usr/bin/report --to=ops#1\n"  // no space: kept
                           "password=\"a #b ;c //d\"   # quoted: literal\n"
                           "ssh_options=\"-o ConnectTimeout=3\"\n"
                           "shutdown_script=\n"
                           "secondary_check_script= # only a note\n"
                           "[server1]#note right after the header\n"
                           "  hostname = db1\t// tab before the note\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->app.manager_workdir, "/etc/mha");
  EXPECT_EQ(r->app.manager_log, "/var/log/mha.log");
  EXPECT_EQ(r->app.report_script, "/usr/bin/report --to=ops#1");
  EXPECT_EQ(r->app.shutdown_script, "");
  EXPECT_EQ(r->app.secondary_check_script, "");
  const ServerConfig& s = r->servers[0];
  EXPECT_EQ(s.password, "a #b ;c //d");
  EXPECT_EQ(s.ssh_options, "-o ConnectTimeout=3");
  EXPECT_EQ(s.hostname, "db1");
}

TEST(Syntax, TextAfterAClosingQuoteIsAnError) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", "[server1]\nhostname=db1\npassword='it''s'\n");
  const auto r = load(options(conf, ""));
  ASSERT_TRUE(IsConfigErrorAt(r, conf, 3, "password"));
  EXPECT_THAT(r.error().message, HasSubstr("after the closing quote"));
  EXPECT_THAT(r.error().message, Not(HasSubstr("it'")));
}

TEST(Syntax, MasterBinlogDirIsACommaListWithoutWhitespace) {
  TempDir dir;
  const auto r = load_text(dir, R"(
[server1]
hostname=db1
master_binlog_dir= /var/lib/mysql , /data/bin log,,/x  # note
[server2]
hostname=db2
master_binlog_dir=" /q , /r "
)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_THAT(r->servers[0].master_binlog_dir, ElementsAre("/var/lib/mysql", "/data/binlog", "/x"));
  EXPECT_THAT(r->servers[1].master_binlog_dir, ElementsAre("/q", "/r"));
}

TEST(Syntax, CrlfLineEndingsAndByteOrderMark) {
  TempDir dir;
  const auto r = load_text(dir,
                           "\xEF\xBB\xBF[server default]\r\nuser=mha\r\n[server1]\r\n"
                           "hostname=db1\r\nport=3307\r\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->servers[0].user, "mha");
  EXPECT_EQ(r->servers[0].port, 3307);
}

TEST(Syntax, LongLinesAreNotTruncated) {
  TempDir dir;
  const std::string options_value = "-o " + std::string(5000, 'x');
  const auto r = load_text(dir, "[server1]\nhostname=db1\nssh_options=" + options_value + "\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->servers[0].ssh_options, options_value);
}

TEST(Syntax, FlagsPingTypeAndLogLevelSpellings) {
  TempDir dir;
  const auto r = load_text(dir, R"(
[server default]
ping_type=connect
log_level=WARN
check_repl_delay=0
latest_priority=false
multi_tier_slave=yes
handle_raw_binlog=off
[server1]
hostname=db1
no_master=On
disable_log_bin=TRUE
)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->app.ping_type, PingType::kConnect);
  EXPECT_STREQ(ping_type_name(r->app.ping_type), "CONNECT");
  EXPECT_EQ(r->app.log_level, "warning");
  EXPECT_FALSE(r->app.check_repl_delay);
  EXPECT_FALSE(r->app.latest_priority);
  EXPECT_TRUE(r->app.multi_tier_slave);
  EXPECT_FALSE(r->servers[0].handle_raw_binlog);
  EXPECT_TRUE(r->servers[0].no_master);
  EXPECT_TRUE(r->servers[0].disable_log_bin);
}

TEST(Syntax, AppNameIsTheFileNameWithoutExtension) {
  TempDir dir;
  const std::string text = "[server1]\nhostname=db1\n";
  auto a = load_text(dir, text, "prod_db.cnf");
  auto b = load_text(dir, text, "noext");
  auto c = load_text(dir, text, "app.v2.conf");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->app_name, "prod_db");
  EXPECT_EQ(b->app_name, "noext");
  EXPECT_EQ(c->app_name, "app.v2");
  EXPECT_EQ(a->conf_path, dir.path() + "/prod_db.cnf");
}

TEST(Syntax, GlobalFileReadsOnlyServerDefault) {
  TempDir dir;
  const std::string global = dir.write("global.cnf", R"(
[server default]
user=from_global
[server1]
hostname=ignored
candidate_master=1
)");
  const std::string conf = dir.write("app1.cnf", "[server1]\nhostname=db1\n");

  const auto r = load(options(conf, global));

  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->global_conf_found);
  ASSERT_EQ(r->servers.size(), 1u);
  EXPECT_EQ(r->servers[0].hostname, "db1");
  EXPECT_EQ(r->servers[0].user, "from_global");
  EXPECT_FALSE(r->servers[0].candidate_master);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0], global +
                                ":4: section [server1] ignored: only [server default] is "
                                "read from the global configuration file");
}

TEST(Syntax, ScriptOutputSkipsBlankAndCommentLinesAndKeepsValuesLiterally) {
  TempDir dir;
  const std::string conf = dir.write(
      "app1.cnf", "[server default]\ninit_conf_load_script=/bin/vault\n[server1]\nhostname=db1\n");
  LoadOptions o = options(conf, "");
  o.script_runner = [](const std::string&) -> Result<std::string> {
    return std::string("# from vault\n\npassword = s3cr#t \"x\" ; y\r\nrepl-password=r=1\n");
  };

  const auto r = load(o);

  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->servers[0].password, "s3cr#t \"x\" ; y");
  EXPECT_EQ(r->servers[0].repl_password, std::optional<std::string>("r=1"));
}

// Every one of the 42 MHA parameters (and metrics_listen), set to a non-default value, lands in its
// own field.
TEST(Parameters, EachParameterReachesItsField) {
  TempDir dir;
  const auto r = load_text(dir, R"(
[server default]
manager_workdir=/w
manager_log=/w/log
log_level=debug
check_repl_delay=0
check_repl_filter=0
latest_priority=0
multi_tier_slave=1
ping_interval=9
ping_type=INSERT
secondary_check_script=/s/secondary
master_ip_failover_script=/s/failover
master_ip_online_change_script=/s/online
shutdown_script=/s/shutdown
report_script=/s/report
client_bindir=/c/bin
client_libdir=/c/lib
metrics_listen=127.0.0.1:9104
[server1]
hostname=h
ip=10.0.0.9
port=3307
ssh_host=sh
ssh_ip=10.0.1.9
ssh_port=2222
ssh_user=su
ssh_connection_timeout=7
ssh_options=-v
user=u
password=p
repl_user=ru
repl_password=rp
candidate_master=1
no_master=1
ignore_fail=1
skip_init_ssh_check=1
skip_reset_slave=1
node_label=l
master_binlog_dir=/b1,/b2
remote_workdir=/rw
master_pid_file=/pid
disable_log_bin=1
handle_raw_binlog=0
use_gtid_auto_pos=0
[binlog1]
hostname=bh
ip=10.0.2.9
ssh_port=2223
ssh_user=bu
ssh_options=-q
ssh_connection_timeout=8
master_binlog_dir=/bb
remote_workdir=/brw
)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const AppSettings& a = r->app;
  EXPECT_EQ(a.manager_workdir, "/w");
  EXPECT_EQ(a.manager_log, "/w/log");
  EXPECT_EQ(a.log_level, "debug");
  EXPECT_FALSE(a.check_repl_delay);
  EXPECT_FALSE(a.check_repl_filter);
  EXPECT_FALSE(a.latest_priority);
  EXPECT_TRUE(a.multi_tier_slave);
  EXPECT_EQ(a.ping_interval, 9);
  EXPECT_EQ(a.ping_type, PingType::kInsert);
  EXPECT_EQ(a.secondary_check_script, "/s/secondary");
  EXPECT_EQ(a.metrics_listen, "127.0.0.1:9104");
  EXPECT_EQ(a.master_ip_failover_script, "/s/failover");
  EXPECT_EQ(a.master_ip_online_change_script, "/s/online");
  EXPECT_EQ(a.shutdown_script, "/s/shutdown");
  EXPECT_EQ(a.report_script, "/s/report");
  EXPECT_EQ(a.client_bindir, "/c/bin");
  EXPECT_EQ(a.client_libdir, "/c/lib");
  const ServerConfig& s = r->servers.at(0);
  EXPECT_EQ(s.hostname, "h");
  EXPECT_EQ(s.ip, "10.0.0.9");
  EXPECT_EQ(s.port, 3307);
  EXPECT_EQ(s.ssh_host, "sh");
  EXPECT_EQ(s.ssh_ip, "10.0.1.9");
  EXPECT_EQ(s.ssh_port, 2222);
  EXPECT_EQ(s.ssh_user, "su");
  EXPECT_EQ(s.ssh_connection_timeout, 7);
  EXPECT_EQ(s.ssh_options, "-v");
  EXPECT_EQ(s.user, "u");
  EXPECT_EQ(s.password, "p");
  EXPECT_EQ(s.repl_user, "ru");
  EXPECT_EQ(s.repl_password, std::optional<std::string>("rp"));
  EXPECT_TRUE(s.candidate_master);
  EXPECT_TRUE(s.no_master);
  EXPECT_TRUE(s.ignore_fail);
  EXPECT_TRUE(s.skip_init_ssh_check);
  EXPECT_TRUE(s.skip_reset_slave);
  EXPECT_EQ(s.node_label, "l");
  EXPECT_THAT(s.master_binlog_dir, ElementsAre("/b1", "/b2"));
  EXPECT_EQ(s.remote_workdir, "/rw");
  EXPECT_EQ(s.master_pid_file, "/pid");
  EXPECT_TRUE(s.disable_log_bin);
  EXPECT_FALSE(s.handle_raw_binlog);
  EXPECT_FALSE(s.use_gtid_auto_pos);
  const BinlogServerConfig& b = r->binlog_servers.at(0);
  EXPECT_EQ(b.hostname, "bh");
  EXPECT_EQ(b.ip, "10.0.2.9");
  EXPECT_EQ(b.ssh_port, 2223);
  EXPECT_EQ(b.ssh_user, "bu");
  EXPECT_EQ(b.ssh_options, "-q");
  EXPECT_EQ(b.ssh_connection_timeout, 8);
  EXPECT_THAT(b.master_binlog_dir, ElementsAre("/bb"));
  EXPECT_EQ(b.remote_workdir, "/brw");
}

TEST(Parameters, AllFortyTwoMhaNamesInUnderscoreSpelling) {
  const auto& names = parameter_names();
  // MHA's 42, metrics_listen and the five failure-detection keys (docs/detection.md)
  EXPECT_EQ(names.size(), 48u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (const char* n : {"hostname",
                        "ip",
                        "port",
                        "ssh_host",
                        "ssh_ip",
                        "ssh_port",
                        "ssh_user",
                        "ssh_connection_timeout",
                        "ssh_options",
                        "user",
                        "password",
                        "repl_user",
                        "repl_password",
                        "candidate_master",
                        "no_master",
                        "ignore_fail",
                        "skip_init_ssh_check",
                        "skip_reset_slave",
                        "node_label",
                        "master_binlog_dir",
                        "remote_workdir",
                        "manager_workdir",
                        "manager_log",
                        "log_level",
                        "check_repl_delay",
                        "check_repl_filter",
                        "latest_priority",
                        "multi_tier_slave",
                        "ping_interval",
                        "ping_type",
                        "secondary_check_script",
                        "master_ip_failover_script",
                        "master_ip_online_change_script",
                        "shutdown_script",
                        "report_script",
                        "init_conf_load_script",
                        "master_pid_file",
                        "disable_log_bin",
                        "handle_raw_binlog",
                        "use_gtid_auto_pos",
                        "client_bindir",
                        "client_libdir",
                        "metrics_listen"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  }
}

TEST(Display, HostnameIpAndPort) {
  ServerConfig s;
  s.hostname = "db1";
  s.ip = "10.0.0.1";
  s.port = 3307;
  EXPECT_EQ(s.display(), "db1(10.0.0.1:3307)");
}

}  // namespace
}  // namespace mha::config::test
