// MHA 0.58's own sample layout (samples/conf/app1.cnf + masterha_default.cnf) and our installed
// samples under conf/.

#include "mha/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace mha::config::test {
namespace {

using ::testing::ElementsAre;

TEST(MhaSample, AppFileOverGlobalDefaults) {
  const std::string conf = data_file("mha_app1.cnf");
  const std::string global = data_file("mha_masterha_default.cnf");

  const auto r = load(options(conf, global));

  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->global_conf_found);
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(r->app_name, "mha_app1");
  EXPECT_EQ(r->app.manager_workdir, "/var/log/masterha/app1");
  EXPECT_EQ(r->app.manager_log, "/var/log/masterha/app1/manager.log");
  EXPECT_EQ(r->app.ping_interval, 3);
  EXPECT_EQ(r->app.secondary_check_script,
            "masterha_secondary_check -s remote_host1 -s remote_host2");
  ASSERT_EQ(r->servers.size(), 4u);
  std::vector<std::string> hosts;
  for (const auto& s : r->servers) {
    SCOPED_TRACE(s.block);
    hosts.push_back(s.hostname);
    EXPECT_EQ(s.user, "root");
    EXPECT_EQ(s.password, "mysqlpass");
    EXPECT_EQ(s.ssh_user, "root");
    EXPECT_THAT(s.master_binlog_dir, ElementsAre("/var/lib/mysql"));
    EXPECT_EQ(s.remote_workdir, "/data/log/masterha");
    EXPECT_EQ(s.port, 3306);
  }
  EXPECT_THAT(hosts, ElementsAre("host1", "host2", "host3", "host4"));
  EXPECT_TRUE(r->servers[0].candidate_master);
  EXPECT_TRUE(r->servers[1].candidate_master);
  EXPECT_FALSE(r->servers[2].candidate_master);
  EXPECT_FALSE(r->servers[3].candidate_master);
  EXPECT_TRUE(r->servers[3].no_master);
  EXPECT_FALSE(r->servers[0].no_master);
}

// The files we install as examples must load as they are.
TEST(InstalledSamples, ConfApp1OverConfMasterhaDefaultLoads) {
  const std::string conf = source_dir() + "/conf/app1.cnf";
  const std::string global = source_dir() + "/conf/masterha_default.cnf";

  const auto r = load(options(conf, global));

  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->global_conf_found);
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(r->app_name, "app1");
  ASSERT_EQ(r->servers.size(), 4u);
  EXPECT_TRUE(r->servers[0].candidate_master);
  EXPECT_TRUE(r->servers[1].candidate_master);
  EXPECT_TRUE(r->servers[3].no_master);
  EXPECT_FALSE(r->app.master_ip_failover_script.empty());
  EXPECT_FALSE(r->servers[0].repl_user.empty());
}

}  // namespace
}  // namespace mha::config::test
