#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_test_util.h"

namespace mha::cli {
namespace {

using testing::early_exit;
using testing::parsed_ok;

using Args = std::vector<std::string>;

TEST(ParseMasterSwitchTest, DeadModeOptions) {
  const MasterSwitchOptions o =
      parsed_ok(parse_master_switch_args(Args{"--master_state=dead",
                                              "--conf",
                                              "a",
                                              "--dead_master_host=db1",
                                              "--dead_master_ip",
                                              "10.77.0.11",
                                              "--dead_master_port=3307",
                                              "--new_master_host",
                                              "db2",
                                              "--new_master_port=3308",
                                              "--interactive=0",
                                              "--ssh_reachable",
                                              "0",
                                              "--last_failover_minute=10",
                                              "--ignore_last_failover",
                                              "--wait_on_failover_error=3",
                                              "--workdir=/w",
                                              "--manager_log=/l",
                                              "--skip_save_master_binlog",
                                              "--remove_orig_master_conf",
                                              "--skip_change_master",
                                              "--skip_disable_read_only",
                                              "--wait_until_gtid_in_sync=0",
                                              "--ignore_binlog_server_error",
                                              "--dry-run"}));
  EXPECT_EQ(o.state, MasterState::kDead);
  EXPECT_EQ(o.conf.conf, "a");
  EXPECT_EQ(o.dead.host, "db1");
  EXPECT_EQ(o.dead.ip, "10.77.0.11");
  EXPECT_EQ(o.dead.port, 3307);
  EXPECT_TRUE(o.dead.port_given);
  EXPECT_EQ(o.dead.ssh_reachable, SshReachable::kNo);
  EXPECT_FALSE(o.interactive);
  EXPECT_EQ(o.failover.new_master_host, "db2");
  EXPECT_EQ(o.failover.new_master_port, 3308);
  EXPECT_EQ(o.failover.last_failover_minute, 10);
  EXPECT_TRUE(o.failover.ignore_last_failover);
  EXPECT_EQ(o.failover.wait_on_failover_error, 3);
  EXPECT_EQ(o.paths.workdir, "/w");
  EXPECT_EQ(o.paths.log_output, "/l");
  EXPECT_TRUE(o.failover.skip_save_master_binlog);
  EXPECT_TRUE(o.failover.remove_dead_master_conf);
  EXPECT_TRUE(o.failover.skip_change_master);
  EXPECT_TRUE(o.failover.skip_disable_read_only);
  EXPECT_FALSE(o.failover.wait_until_gtid_in_sync);
  EXPECT_TRUE(o.failover.ignore_binlog_server_error);
  EXPECT_TRUE(o.failover.dry_run);
}

TEST(ParseMasterSwitchTest, DeadModeDefaults) {
  const MasterSwitchOptions o = parsed_ok(parse_master_switch_args(
      Args{"--master_state", "dead", "--conf=a", "--dead_master_host=db1"}));
  EXPECT_TRUE(o.interactive);
  EXPECT_EQ(o.dead.port, 3306);
  EXPECT_FALSE(o.dead.port_given);
  EXPECT_EQ(o.dead.ip, "");
  EXPECT_EQ(o.dead.ssh_reachable, SshReachable::kUnknown);
}

TEST(ParseMasterSwitchTest, AliveModeOptions) {
  const MasterSwitchOptions o = parsed_ok(parse_master_switch_args(
      Args{"--master_state=alive", "--conf=a", "--new_master_host=db2", "--new_master_port", "3307",
           "--orig_master_is_new_slave", "--running_updates_limit=5", "--running_seconds_limit",
           "20", "--seconds_behind_master=60", "--skip_lock_all_tables", "--flush_tables=0",
           "--remove_dead_master_conf", "--check_only", "--interactive", "0", "--manager_workdir",
           "/w"}));
  EXPECT_EQ(o.state, MasterState::kAlive);
  EXPECT_EQ(o.failover.new_master_host, "db2");
  EXPECT_EQ(o.failover.new_master_port, 3307);
  EXPECT_TRUE(o.switchover.orig_master_is_new_slave);
  EXPECT_EQ(o.switchover.running_updates_limit, 5);
  EXPECT_EQ(o.switchover.running_seconds_limit, 20);
  EXPECT_EQ(o.switchover.seconds_behind_master, 60);
  EXPECT_TRUE(o.switchover.skip_lock_all_tables);
  EXPECT_EQ(o.switchover.flush_tables, FlushTables::kSkip);
  EXPECT_TRUE(o.failover.remove_dead_master_conf);
  EXPECT_TRUE(o.switchover.check_only);
  EXPECT_FALSE(o.interactive);
  EXPECT_EQ(o.paths.workdir, "/w");
}

TEST(ParseMasterSwitchTest, AliveModeDefaults) {
  const MasterSwitchOptions o =
      parsed_ok(parse_master_switch_args(Args{"--master_state=alive", "--conf=a"}));
  EXPECT_EQ(o.switchover.running_updates_limit, 1);
  EXPECT_EQ(o.switchover.running_seconds_limit, 10);
  EXPECT_EQ(o.switchover.seconds_behind_master, 30);
  EXPECT_EQ(o.switchover.flush_tables, FlushTables::kAsk);
  EXPECT_FALSE(o.switchover.check_only);
  EXPECT_TRUE(o.interactive);
}

TEST(ParseMasterSwitchTest, StateIsRequiredAndChecked) {
  EarlyExit e = early_exit(parse_master_switch_args(Args{"--conf=a"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err, "masterha_master_switch: --master_state=dead|alive must be set. (see --help)\n");
  e = early_exit(parse_master_switch_args(Args{"--conf=a", "--master_state=zombie"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_NE(e.err.find("zombie"), std::string::npos);
}

TEST(ParseMasterSwitchTest, DeadMasterHostRequiredInDeadMode) {
  const EarlyExit e = early_exit(parse_master_switch_args(Args{"--master_state=dead", "--conf=a"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err, "--dead_master_host=<dead master hostname> must be set.\n");
}

TEST(ParseMasterSwitchTest, OptionsOfTheOtherModeAreRefused) {
  EarlyExit e = early_exit(parse_master_switch_args(
      Args{"--master_state=dead", "--conf=a", "--dead_master_host=db1", "--check_only"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err,
            "masterha_master_switch: option '--check_only' does not apply to "
            "--master_state=dead (see --help)\n");
  e = early_exit(
      parse_master_switch_args(Args{"--master_state=alive", "--conf=a", "--ignore_last_failover"}));
  EXPECT_EQ(e.err,
            "masterha_master_switch: option '--ignore_last_failover' does not apply to "
            "--master_state=alive (see --help)\n");
  e = early_exit(
      parse_master_switch_args(Args{"--master_state=alive", "--conf=a", "--manager_log=/l"}));
  EXPECT_NE(e.err.find("'--log_output'"), std::string::npos) << e.err;
}

TEST(ParseMasterSwitchTest, RangesAreChecked) {
  for (const Args& args :
       {Args{"--master_state=dead", "--conf=a", "--dead_master_host=x", "--ssh_reachable=3"},
        Args{"--master_state=alive", "--conf=a", "--flush_tables=5"},
        Args{"--master_state=dead", "--conf=a", "--dead_master_host=x", "--dead_master_port=0"},
        Args{"--master_state=alive", "--conf=a", "--interactive=2"}}) {
    const EarlyExit e = early_exit(parse_master_switch_args(args));
    EXPECT_EQ(e.code, 1) << args.back();
    EXPECT_EQ(e.err.rfind("masterha_master_switch: ", 0), 0u) << e.err;
  }
}

TEST(ParseMasterSwitchTest, AliveCatchupTimeoutAndDryRun) {
  MasterSwitchOptions o =
      parsed_ok(parse_master_switch_args(Args{"--master_state=alive", "--conf=a"}));
  EXPECT_EQ(o.switchover.catchup_timeout, 30);
  EXPECT_FALSE(o.switchover.check_only);
  o = parsed_ok(parse_master_switch_args(
      Args{"--master_state=alive", "--conf=a", "--catchup_timeout=5", "--dry-run"}));
  EXPECT_EQ(o.switchover.catchup_timeout, 5);
  EXPECT_TRUE(o.switchover.check_only);  // --dry-run is --check_only in alive mode
  EarlyExit e = early_exit(
      parse_master_switch_args(Args{"--master_state=alive", "--conf=a", "--catchup_timeout=0"}));
  EXPECT_EQ(e.code, 1);
  EXPECT_NE(e.err.find("--catchup_timeout"), std::string::npos) << e.err;
  e = early_exit(parse_master_switch_args(
      Args{"--master_state=dead", "--conf=a", "--dead_master_host=x", "--catchup_timeout=5"}));
  EXPECT_EQ(e.err,
            "masterha_master_switch: option '--catchup_timeout' does not apply to "
            "--master_state=dead (see --help)\n");
}

}  // namespace
}  // namespace mha::cli
