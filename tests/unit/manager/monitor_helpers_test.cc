#include "mha/manager/monitor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mha::manager {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

topology::ServerObservation server(std::size_t index, const std::string& ip,
                                   const std::string& upstream) {
  topology::ServerObservation s;
  s.id.config_index = index;
  s.id.block = "server" + std::to_string(index + 1);
  s.id.hostname = ip;
  s.id.ip = ip;
  s.id.port = 3306;
  if (!upstream.empty()) {
    topology::ReplicaStatus r;
    r.master_host = upstream;
    r.master_port = 3306;
    r.io_running = topology::IoThreadState::kYes;
    r.sql_running = true;
    s.replica = r;
  }
  s.read_only = !upstream.empty();
  return s;
}

TEST(MonitoredMaster, MasterAndItsDirectReplicasOnly) {
  topology::ClusterSnapshot snap;
  snap.servers = {server(0, "10.0.0.1", ""), server(1, "10.0.0.2", "10.0.0.1"),
                  server(2, "10.0.0.3", "10.0.0.1"), server(3, "10.0.0.4", "10.0.0.3")};
  Result<MonitoredMaster> m = monitored_master(snap);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->config_index, 0u);
  // db4 replicates from db3 (multi-tier): it says nothing about db1.
  EXPECT_THAT(m->replicas, ElementsAre(1u, 2u));
}

TEST(MonitoredMaster, NoMasterIsAPreconditionError) {
  topology::ClusterSnapshot snap;
  snap.servers = {server(0, "10.0.0.1", "10.0.0.9"), server(1, "10.0.0.2", "10.0.0.8")};
  Result<MonitoredMaster> m = monitored_master(snap);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::kPrecondition);
}

TEST(SecondaryCheckCommand, MhaArgumentsWithoutThePassword) {
  config::AppConfig c;
  c.app.secondary_check_script = "masterha_secondary_check -s db2 -s db3";
  config::ServerConfig m;
  m.hostname = "db1";
  m.ip = "10.0.0.1";
  m.port = 3307;
  m.ssh_user = "root";
  m.user = "mha";
  m.password = "s3cret";
  c.servers.push_back(m);
  const std::string line = secondary_check_command(c, 0);
  EXPECT_THAT(line, HasSubstr("masterha_secondary_check -s db2 -s db3 --user='root'"));
  EXPECT_THAT(line, HasSubstr("--master_host='db1' --master_ip='10.0.0.1' --master_port='3307'"));
  EXPECT_THAT(line, HasSubstr("--master_user='mha' --ping_type='SELECT'"));
  EXPECT_THAT(line, Not(HasSubstr("s3cret")));
  EXPECT_THAT(line, Not(HasSubstr("password")));
}

TEST(HealthPolicyFromConfig, SecondaryCheckRequiredOnlyWhenConfigured) {
  config::AppConfig c;
  EXPECT_FALSE(health_policy_from_config(c).secondary_check_configured);
  c.app.secondary_check_script = "/usr/bin/masterha_secondary_check -s db2";
  EXPECT_TRUE(health_policy_from_config(c).secondary_check_configured);
  EXPECT_TRUE(health::validate_policy(health_policy_from_config(c)));
}

}  // namespace
}  // namespace mha::manager
