#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_test_util.h"

namespace mha::cli {
namespace {

using testing::early_exit;
using testing::parsed_ok;

using Args = std::vector<std::string>;

TEST(ParseCheckStatusTest, ConfAndAliases) {
  for (const char* dir_option : {"--status_dir", "--workdir", "--manager_workdir"}) {
    const CheckStatusOptions o = parsed_ok(parse_check_status_args(
        Args{"--conf=/etc/mha/app1.cnf", std::string(dir_option) + "=/var/mha", "--manager_log",
             "/var/log/mha.log", "--ping_limit", "20", "--global_conf=g"}));
    EXPECT_EQ(o.target.conf.conf, "/etc/mha/app1.cnf");
    EXPECT_EQ(o.target.conf.global_conf, "g");
    EXPECT_EQ(o.target.status_dir, "/var/mha") << dir_option;
    EXPECT_EQ(o.target.log_output, "/var/log/mha.log");
    EXPECT_EQ(o.ping_limit, 20);
    EXPECT_FALSE(o.all);
    EXPECT_FALSE(o.json);
  }
}

TEST(ParseCheckStatusTest, AppAloneImpliesMhaConfPath) {
  const CheckStatusOptions o = parsed_ok(parse_check_status_args(Args{"--app", "app1"}));
  EXPECT_EQ(o.target.app, "app1");
  EXPECT_EQ(o.target.conf.conf, "/usr/local/masterha/conf/app1.cnf");
  EXPECT_EQ(o.ping_limit, 10);
}

TEST(ParseCheckStatusTest, AppWithStatusDirNeedsNoConf) {
  const CheckStatusOptions o =
      parsed_ok(parse_check_status_args(Args{"--app=app1", "--status_dir=/var/mha"}));
  EXPECT_EQ(o.target.conf.conf, "");
  EXPECT_EQ(o.target.status_dir, "/var/mha");
}

TEST(ParseCheckStatusTest, AllNeedsNoConf) {
  const CheckStatusOptions o = parsed_ok(parse_check_status_args(
      Args{"--all", "--basedir=/etc/service", "--baselog", "/l", "--json"}));
  EXPECT_TRUE(o.all);
  EXPECT_EQ(o.basedir, "/etc/service");
  EXPECT_EQ(o.baselog, "/l");
  EXPECT_TRUE(o.json);
}

TEST(ParseCheckStatusTest, NeitherConfNorApp) {
  const EarlyExit e = early_exit(parse_check_status_args(Args{"--ping_limit=3"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err, "--conf=<server config file> must be set.\n");
}

TEST(ParseCheckStatusTest, PingLimitMustBePositive) {
  const EarlyExit e = early_exit(parse_check_status_args(Args{"--conf=a", "--ping_limit=0"}));
  EXPECT_EQ(e.code, 1);
}

TEST(ParseStopTest, Options) {
  StopOptions o = parsed_ok(parse_stop_args(Args{"--conf", "a", "--abort", "--abort_timeout=9"}));
  EXPECT_EQ(o.target.conf.conf, "a");
  EXPECT_TRUE(o.abort);
  EXPECT_EQ(o.abort_timeout, 9);
  o = parsed_ok(parse_stop_args(Args{"--app=app1", "--manager_workdir", "/w"}));
  EXPECT_EQ(o.target.app, "app1");
  EXPECT_EQ(o.target.status_dir, "/w");
  EXPECT_FALSE(o.abort);
  EXPECT_EQ(o.abort_timeout, 5);
  const EarlyExit e = early_exit(parse_stop_args(Args{"--abort"}));
  EXPECT_EQ(e.err, "--conf=<server config file> must be set.\n");
}

TEST(ParseSecondaryCheckTest, MhaInvocation) {
  const SecondaryCheckOptions o = parsed_ok(parse_secondary_check_args(
      Args{"-s", "mon2", "--secondary_host=mon3", "-s", "mon4", "--user=mha", "--port", "2222",
           "--options=-o ConnectTimeout=3", "--master_host=db1", "--master_ip=10.77.0.11",
           "--master_port", "3307", "--master_user=root", "--ping_type=insert", "--timeout=7"}));
  EXPECT_EQ(o.secondary_hosts, (std::vector<std::string>{"mon2", "mon3", "mon4"}));
  EXPECT_EQ(o.ssh_user, "mha");
  EXPECT_EQ(o.ssh_port, 2222);
  EXPECT_EQ(o.ssh_options, "-o ConnectTimeout=3");
  EXPECT_EQ(o.master_host, "db1");
  EXPECT_EQ(o.master_ip, "10.77.0.11");
  EXPECT_EQ(o.master_port, 3307);
  EXPECT_EQ(o.master_user, "root");
  EXPECT_EQ(o.ping_type, "INSERT");
  EXPECT_EQ(o.timeout, 7);
  EXPECT_FALSE(o.master_password);
}

TEST(ParseSecondaryCheckTest, DefaultsAndPasswordSources) {
  SecondaryCheckOptions o = parsed_ok(parse_secondary_check_args(Args{"--master_host=db1"}));
  EXPECT_TRUE(o.secondary_hosts.empty());
  EXPECT_EQ(o.ssh_user, "root");
  EXPECT_EQ(o.ssh_port, 22);
  EXPECT_FALSE(o.ssh_options);
  EXPECT_EQ(o.master_port, 3306);
  EXPECT_EQ(o.timeout, 5);
  o = parsed_ok(parse_secondary_check_args(Args{"--master_host=db1", "--master_password=pw"}));
  EXPECT_EQ(o.master_password, "pw");
  o = parsed_ok(parse_secondary_check_args(Args{"--master_host=db1", "--master_password_file=-"}));
  EXPECT_EQ(o.master_password_file, "-");
}

TEST(ParseSecondaryCheckTest, Errors) {
  EarlyExit e = early_exit(parse_secondary_check_args(Args{"-s", "mon2"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err, "--master_host=<master host> must be set.\n");
  e = early_exit(parse_secondary_check_args(Args{"--master_host=db1", "--ping_type=ping"}));
  EXPECT_EQ(e.code, 1);
  e = early_exit(parse_secondary_check_args(
      Args{"--master_host=db1", "--master_password=s3cret", "--master_password_file=f"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err.find("s3cret"), std::string::npos);
}

TEST(ParseConfHostTest, Add) {
  const ConfHostOptions o = parsed_ok(
      parse_conf_host_args(Args{"--command=add", "--conf", "a.cnf", "--hostname=db3",
                                "--params=port=3307; candidate_master = 1;;ssh-user=mha"}));
  EXPECT_EQ(o.command, ConfHostCommand::kAdd);
  EXPECT_EQ(o.conf, "a.cnf");
  EXPECT_EQ(o.hostname, "db3");
  EXPECT_EQ(o.block, "server_db3");
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(o.params, (Pairs{{"port", "3307"}, {"candidate_master", "1"}, {"ssh-user", "mha"}}));
}

TEST(ParseConfHostTest, BlockNamesGetServerPrefix) {
  ConfHostOptions o = parsed_ok(
      parse_conf_host_args(Args{"--command=add", "--conf=a", "--hostname=db3", "--block=3"}));
  EXPECT_EQ(o.block, "server3");
  o = parsed_ok(parse_conf_host_args(Args{"--command", "remove", "--conf=a", "--block=server9"}));
  EXPECT_EQ(o.command, ConfHostCommand::kDelete);
  EXPECT_EQ(o.block, "server9");
  o = parsed_ok(parse_conf_host_args(Args{"--command=delete", "--conf=a", "--hostname=db3"}));
  EXPECT_EQ(o.block, "server_db3");
}

TEST(ParseConfHostTest, Errors) {
  EarlyExit e = early_exit(parse_conf_host_args(Args{"--conf=a", "--hostname=db3"}));
  EXPECT_EQ(e.err, "masterha_conf_host: --command=add|delete must be set. (see --help)\n");
  e = early_exit(parse_conf_host_args(Args{"--command=add", "--conf=a", "--block=server3"}));
  EXPECT_EQ(e.err, "masterha_conf_host: --command=add needs --hostname. (see --help)\n");
  e = early_exit(parse_conf_host_args(Args{"--command=delete", "--conf=a"}));
  EXPECT_EQ(e.err, "masterha_conf_host: --hostname or --block must be set. (see --help)\n");
  e = early_exit(parse_conf_host_args(Args{"--command=move", "--conf=a", "--hostname=x"}));
  EXPECT_EQ(e.code, 1);
  e = early_exit(parse_conf_host_args(
      Args{"--command=add", "--conf=a", "--hostname=x", "--params=port=1;s3cret"}));
  EXPECT_EQ(e.err, "masterha_conf_host: --params item 2 is not name=value (see --help)\n");
}

}  // namespace
}  // namespace mha::cli
