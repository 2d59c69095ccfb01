#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_test_util.h"

namespace mha::cli {
namespace {

using testing::early_exit;
using testing::parsed_ok;

using Args = std::vector<std::string>;

TEST(ParseManagerTest, DefaultsAreMhas) {
  const ManagerOptions o = parsed_ok(parse_manager_args(Args{"--conf=/etc/mha/app1.cnf"}));
  EXPECT_EQ(o.conf.conf, "/etc/mha/app1.cnf");
  EXPECT_EQ(o.conf.global_conf, "/etc/masterha_default.cnf");
  EXPECT_FALSE(o.paths.workdir);
  EXPECT_FALSE(o.paths.log_output);
  EXPECT_EQ(o.monitor.wait_on_monitor_error, 0);
  EXPECT_FALSE(o.monitor.skip_ssh_check);
  EXPECT_FALSE(o.monitor.ignore_fail_on_start);
  EXPECT_EQ(o.failover.last_failover_minute, 480);
  EXPECT_FALSE(o.failover.ignore_last_failover);
  EXPECT_EQ(o.failover.wait_on_failover_error, 0);
  EXPECT_FALSE(o.failover.remove_dead_master_conf);
  EXPECT_TRUE(o.failover.wait_until_gtid_in_sync);
  EXPECT_EQ(o.failover.new_master_port, 3306);
  EXPECT_FALSE(o.failover.dry_run);
}

// Every value option, once as --name=value and once as --name value.
TEST(ParseManagerTest, ValueOptionsInBothSpellings) {
  for (const bool with_equals : {true, false}) {
    SCOPED_TRACE(with_equals ? "--a=b" : "--a b");
    const std::vector<std::pair<std::string, std::string>> given = {
        {"--conf", "/etc/mha/app1.cnf"},   {"--global_conf", "/etc/mha/default.cnf"},
        {"--manager_workdir", "/var/mha"}, {"--manager_log", "/var/log/mha.log"},
        {"--wait_on_monitor_error", "7"},  {"--seconds_behind_master", "40"},
        {"--last_failover_minute", "60"},  {"--wait_on_failover_error", "9"},
        {"--new_master_host", "db2"},      {"--new_master_port", "3307"},
        {"--wait_until_gtid_in_sync", "0"}};
    Args args;
    for (const auto& [name, value] : given) {
      if (with_equals) {
        args.push_back(name + "=" + value);
      } else {
        args.push_back(name);
        args.push_back(value);
      }
    }
    const ManagerOptions o = parsed_ok(parse_manager_args(args));
    EXPECT_EQ(o.conf.conf, "/etc/mha/app1.cnf");
    EXPECT_EQ(o.conf.global_conf, "/etc/mha/default.cnf");
    EXPECT_EQ(o.paths.workdir, "/var/mha");
    EXPECT_EQ(o.paths.log_output, "/var/log/mha.log");
    EXPECT_EQ(o.monitor.wait_on_monitor_error, 7);
    EXPECT_EQ(o.monitor.seconds_behind_master, 40);
    EXPECT_EQ(o.failover.last_failover_minute, 60);
    EXPECT_EQ(o.failover.wait_on_failover_error, 9);
    EXPECT_EQ(o.failover.new_master_host, "db2");
    EXPECT_EQ(o.failover.new_master_port, 3307);
    EXPECT_FALSE(o.failover.wait_until_gtid_in_sync);
  }
}

TEST(ParseManagerTest, AliasesFillTheSameField) {
  ManagerOptions o = parsed_ok(
      parse_manager_args(Args{"--conf=a", "--workdir=/w", "--log_output=/l", "--skip_check_ssh"}));
  EXPECT_EQ(o.paths.workdir, "/w");
  EXPECT_EQ(o.paths.log_output, "/l");
  EXPECT_TRUE(o.monitor.skip_ssh_check);
  o = parsed_ok(parse_manager_args(
      Args{"--conf=a", "--manager_workdir=/w2", "--manager_log", "/l2", "--skip_ssh_check"}));
  EXPECT_EQ(o.paths.workdir, "/w2");
  EXPECT_EQ(o.paths.log_output, "/l2");
  EXPECT_TRUE(o.monitor.skip_ssh_check);
  o = parsed_ok(parse_manager_args(Args{"--conf=a", "--remove_orig_master_conf"}));
  EXPECT_TRUE(o.failover.remove_dead_master_conf);
  o = parsed_ok(parse_manager_args(Args{"--conf=a", "--dry_run"}));
  EXPECT_TRUE(o.failover.dry_run);
}

TEST(ParseManagerTest, BareBooleanFlags) {
  const ManagerOptions o = parsed_ok(parse_manager_args(Args{
      "--conf=a", "--ignore_last_failover", "--remove_dead_master_conf",
      "--skip_save_master_binlog", "--skip_change_master", "--skip_disable_read_only",
      "--ignore_binlog_server_error", "--ignore_fail_on_start", "--skip_ssh_check", "--dry-run"}));
  EXPECT_TRUE(o.failover.ignore_last_failover);
  EXPECT_TRUE(o.failover.remove_dead_master_conf);
  EXPECT_TRUE(o.failover.skip_save_master_binlog);
  EXPECT_TRUE(o.failover.skip_change_master);
  EXPECT_TRUE(o.failover.skip_disable_read_only);
  EXPECT_TRUE(o.failover.ignore_binlog_server_error);
  EXPECT_TRUE(o.monitor.ignore_fail_on_start);
  EXPECT_TRUE(o.monitor.skip_ssh_check);
  EXPECT_TRUE(o.failover.dry_run);
}

TEST(ParseManagerTest, BooleanFlagsTakeValues) {
  ManagerOptions o = parsed_ok(
      parse_manager_args(Args{"--conf=a", "--ignore_last_failover=1", "--skip_change_master", "0",
                              "--wait_until_gtid_in_sync=no", "--skip_disable_read_only=true"}));
  EXPECT_TRUE(o.failover.ignore_last_failover);
  EXPECT_FALSE(o.failover.skip_change_master);
  EXPECT_FALSE(o.failover.wait_until_gtid_in_sync);
  EXPECT_TRUE(o.failover.skip_disable_read_only);
  // A bare flag followed by another option does not swallow it.
  o = parsed_ok(parse_manager_args(Args{"--ignore_last_failover", "--conf", "a"}));
  EXPECT_TRUE(o.failover.ignore_last_failover);
  EXPECT_EQ(o.conf.conf, "a");
}

TEST(ParseManagerTest, LastOccurrenceWins) {
  const ManagerOptions o = parsed_ok(parse_manager_args(
      Args{"--conf=a", "--conf=b", "--ignore_last_failover", "--ignore_last_failover=0"}));
  EXPECT_EQ(o.conf.conf, "b");
  EXPECT_FALSE(o.failover.ignore_last_failover);
}

TEST(ParseManagerTest, BadValuesAreUsageErrors) {
  EarlyExit e = early_exit(parse_manager_args(Args{"--conf=a", "--ignore_last_failover=maybe"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err,
            "masterha_manager: --ignore_last_failover expects 0 or 1, got 'maybe' (see --help)\n");
  e = early_exit(parse_manager_args(Args{"--conf=a", "--new_master_port=http"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err.rfind("masterha_manager: ", 0), 0u);
  EXPECT_NE(e.err.find("--new_master_port"), std::string::npos) << e.err;
  e = early_exit(parse_manager_args(Args{"--conf=a", "--last_failover_minute=-5"}));
  EXPECT_EQ(e.code, 1);
  e = early_exit(parse_manager_args(Args{"--conf"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_NE(e.err.find("--conf"), std::string::npos) << e.err;
}

TEST(ParseManagerTest, MissingConf) {
  const EarlyExit e = early_exit(parse_manager_args(Args{"--ignore_last_failover"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err, "--conf=<server config file> must be set.\n");
}

TEST(ParseChecksTest, CheckSsh) {
  CheckSshOptions o = parsed_ok(parse_check_ssh_args(Args{"--conf", "a", "--global_conf=g"}));
  EXPECT_EQ(o.conf.conf, "a");
  EXPECT_EQ(o.conf.global_conf, "g");
  EXPECT_FALSE(o.mesh);
  o = parsed_ok(parse_check_ssh_args(Args{"--conf=a", "--mesh"}));
  EXPECT_TRUE(o.mesh);
  const EarlyExit e = early_exit(parse_check_ssh_args(Args{"--conf=a", "--skip_ssh_check"}));
  EXPECT_EQ(e.err, "masterha_check_ssh: unknown option '--skip_ssh_check' (see --help)\n");
}

TEST(ParseChecksTest, CheckRepl) {
  CheckReplOptions o = parsed_ok(
      parse_check_repl_args(Args{"--conf=a", "--seconds_behind_master", "5", "--skip_check_ssh",
                                 "--ignore_fail_on_start", "--json"}));
  EXPECT_EQ(o.monitor.seconds_behind_master, 5);
  EXPECT_TRUE(o.monitor.skip_ssh_check);
  EXPECT_TRUE(o.monitor.ignore_fail_on_start);
  EXPECT_TRUE(o.json);
  o = parsed_ok(parse_check_repl_args(Args{"--conf=a"}));
  EXPECT_EQ(o.monitor.seconds_behind_master, 30);
  EXPECT_FALSE(o.json);
}

}  // namespace
}  // namespace mha::cli
