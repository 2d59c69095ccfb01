// Layering: built-in < global [server default] < app [server default] < init_conf_load_script
// output < [serverN]; local-only keys; block order.

#include "mha/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace mha::config::test {
namespace {

using ::testing::ElementsAre;

// Each key is set by a different number of layers, so each assertion shows which layer won.
TEST(Precedence, AllFiveLayers) {
  TempDir dir;
  const std::string global = dir.write("global.cnf", R"(
[server default]
remote_workdir=/global/work
user=global_user
repl_user=global_repl
port=1001
ping_interval=11
manager_workdir=/global/mgr
ping_type=CONNECT
init_conf_load_script=/global/load.sh
)");
  const std::string conf = dir.write("app1.cnf", R"(
[server default]
user=app_user
repl_user=app_repl
port=1002
manager_workdir=/app/mgr
ping_type=select
init_conf_load_script=/app/load.sh

[server1]
hostname=db1
port=1004

[server2]
hostname=db2
)");
  std::vector<std::string> calls;
  LoadOptions o = options(conf, global);
  o.script_runner = [&calls](const std::string& script) -> Result<std::string> {
    calls.push_back(script);
    return std::string("repl_user=script_repl\nport=1003\nping_type=insert\n");
  };

  const auto r = load(o);

  ASSERT_TRUE(r.has_value()) << r.error().message;
  // The app file's init_conf_load_script wins over the global one, and runs once.
  EXPECT_THAT(calls, ElementsAre("/app/load.sh"));
  ASSERT_EQ(r->servers.size(), 2u);
  const ServerConfig& db1 = r->servers[0];
  const ServerConfig& db2 = r->servers[1];
  EXPECT_EQ(db1.ssh_connection_timeout, 5);  // built-in
  EXPECT_EQ(db1.remote_workdir, "/global/work");
  EXPECT_EQ(db1.user, "app_user");
  EXPECT_EQ(db1.repl_user, "script_repl");
  EXPECT_EQ(db1.port, 1004);            // [server1]
  EXPECT_EQ(db2.port, 1003);            // script
  EXPECT_EQ(r->app.ping_interval, 11);  // global
  EXPECT_EQ(r->app.manager_workdir, "/app/mgr");
  EXPECT_EQ(r->app.ping_type, PingType::kInsert);
  EXPECT_EQ(r->app.init_conf_load_script, "/app/load.sh");
  EXPECT_EQ(r->app.log_level, "info");  // built-in
}

TEST(Precedence, BuiltInDefaults) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", "[server1]\nhostname=db1\n");

  const auto r = load(options(conf, dir.missing("none.cnf")));

  ASSERT_TRUE(r.has_value()) << r.error().message;
  const ServerConfig& s = r->servers[0];
  EXPECT_EQ(s.ip, "db1");
  EXPECT_EQ(s.ssh_host, "db1");
  EXPECT_EQ(s.ssh_ip, "db1");
  EXPECT_EQ(s.port, 3306);
  EXPECT_EQ(s.ssh_port, 22);
  EXPECT_EQ(s.ssh_user, "tester");  // LoadOptions::default_ssh_user
  EXPECT_EQ(s.user, "root");
  EXPECT_EQ(s.password, "");
  EXPECT_EQ(s.repl_password, std::nullopt);
  EXPECT_THAT(s.master_binlog_dir, ElementsAre("/var/lib/mysql", "/var/log/mysql"));
  EXPECT_EQ(s.remote_workdir, "/var/tmp");
  EXPECT_TRUE(s.handle_raw_binlog);
  EXPECT_TRUE(s.use_gtid_auto_pos);
  EXPECT_FALSE(s.candidate_master);
  const AppSettings& a = r->app;
  EXPECT_EQ(a.manager_workdir, "/var/tmp");
  EXPECT_EQ(a.manager_log, "");
  EXPECT_EQ(a.ping_interval, 3);
  EXPECT_EQ(a.ping_type, PingType::kSelect);
  EXPECT_TRUE(a.check_repl_delay);
  EXPECT_TRUE(a.check_repl_filter);
  EXPECT_TRUE(a.latest_priority);
  EXPECT_FALSE(a.multi_tier_slave);
  EXPECT_EQ(a.ping_failures_threshold, 4);
  EXPECT_EQ(a.refused_pings_required, 1);
  EXPECT_EQ(a.probe_confirmed_pings, 2);
  EXPECT_EQ(a.replica_quorum, "majority");
  EXPECT_TRUE(a.require_replica_confirmation);
  EXPECT_FALSE(r->global_conf_found);
}

TEST(Precedence, DetectionKeysAreRead) {
  TempDir dir;
  const std::string conf =
      dir.write("app1.cnf",
                "[server default]\nping_failures_threshold=6\nrefused_pings_required=0\n"
                "probe_confirmed_pings=3\nreplica_quorum=ALL\nrequire_replica_confirmation=0\n"
                "[server1]\nhostname=db1\n");
  const auto r = load(options(conf, dir.missing("none.cnf")));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->app.ping_failures_threshold, 6);
  EXPECT_EQ(r->app.refused_pings_required, 0);
  EXPECT_EQ(r->app.probe_confirmed_pings, 3);
  EXPECT_EQ(r->app.replica_quorum, "all");
  EXPECT_FALSE(r->app.require_replica_confirmation);
}

TEST(Precedence, OsUserIsTheSshUserWhenNothingSetsIt) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", "[server1]\nhostname=db1\n");
  LoadOptions o = options(conf, "");
  o.default_ssh_user.clear();

  const auto r = load(o);

  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_FALSE(r->servers[0].ssh_user.empty());
  EXPECT_TRUE(r->warnings.empty());  // no global file asked for, nothing to warn about
}

// Local-only keys of one block never leak into another block.
TEST(Precedence, LocalKeysStayInTheirBlock) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", R"(
[server1]
hostname=db1
ip=10.0.0.1
ssh_host=jump1
ssh_ip=10.1.0.1
candidate_master=1
no_master=0
ignore_fail=1
skip_init_ssh_check=1
node_label=east
[server2]
hostname=db2
)");

  const auto r = load(options(conf, dir.missing("none.cnf")));

  ASSERT_TRUE(r.has_value()) << r.error().message;
  const ServerConfig& db1 = r->servers[0];
  const ServerConfig& db2 = r->servers[1];
  EXPECT_EQ(db1.display(), "db1(10.0.0.1:3306)");
  EXPECT_EQ(db1.ssh_host, "jump1");
  EXPECT_EQ(db1.ssh_ip, "10.1.0.1");
  EXPECT_TRUE(db1.candidate_master);
  EXPECT_TRUE(db1.ignore_fail);
  EXPECT_TRUE(db1.skip_init_ssh_check);
  EXPECT_EQ(db1.node_label, "east");
  EXPECT_EQ(db2.display(), "db2(db2:3306)");
  EXPECT_EQ(db2.ssh_host, "db2");
  EXPECT_EQ(db2.ssh_ip, "db2");
  EXPECT_FALSE(db2.candidate_master);
  EXPECT_FALSE(db2.ignore_fail);
  EXPECT_FALSE(db2.skip_init_ssh_check);
  EXPECT_EQ(db2.node_label, "");
}

std::vector<std::string> block_order(const std::string& conf_text) {
  TempDir dir;
  const auto r = load(options(dir.write("app.cnf", conf_text), ""));
  std::vector<std::string> blocks;
  if (!r) {
    ADD_FAILURE() << r.error().message;
    return blocks;
  }
  for (const auto& s : r->servers) blocks.push_back(s.block);
  return blocks;
}

TEST(BlockOrder, NumericWhenEveryNameHasDigits) {
  EXPECT_THAT(block_order("[server10]\nhostname=a\n[server2]\nhostname=b\n"
                          "[server1]\nhostname=c\n[server_db3]\nhostname=d\n"),
              ElementsAre("server1", "server2", "server_db3", "server10"));
}

TEST(BlockOrder, AlphabeticalWhenAnyNameHasNoDigits) {
  EXPECT_THAT(block_order("[server10]\nhostname=a\n[serverB]\nhostname=b\n"
                          "[server2]\nhostname=c\n[serverA]\nhostname=d\n"),
              ElementsAre("server10", "server2", "serverA", "serverB"));
}

TEST(BlockOrder, BinlogBlocksAreOrderedToo) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", R"(
[server default]
ssh_user=mha
master_binlog_dir=/var/lib/mysql
[server1]
hostname=db1
[binlog10]
hostname=bl10
master_binlog_dir=/backup/binlog10
[binlog9]
hostname=bl9
ssh_port=2222
master_binlog_dir=/backup/a, /backup/b
)");

  const auto r = load(options(conf, ""));

  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->binlog_servers.size(), 2u);
  const BinlogServerConfig& b9 = r->binlog_servers[0];
  EXPECT_EQ(b9.block, "binlog9");
  EXPECT_EQ(b9.ip, "bl9");
  EXPECT_EQ(b9.ssh_user, "mha");  // inherited
  EXPECT_EQ(b9.ssh_port, 2222);
  EXPECT_THAT(b9.master_binlog_dir, ElementsAre("/backup/a", "/backup/b"));
  EXPECT_EQ(r->binlog_servers[1].block, "binlog10");
  EXPECT_EQ(r->binlog_servers[1].ssh_port, 22);
}

}  // namespace
}  // namespace mha::config::test
