// The failure-detection keys of the configuration reach the HealthPolicy the monitor runs with.

#include "mha/manager/monitor.h"

#include <gtest/gtest.h>

namespace mha::manager {
namespace {

TEST(HealthPolicyFromConfig, DefaultsAreTheHealthPolicyDefaults) {
  const config::AppConfig c;
  const health::HealthPolicy p = health_policy_from_config(c);
  const health::HealthPolicy d;
  EXPECT_EQ(p.ping_failures_threshold, d.ping_failures_threshold);
  EXPECT_EQ(p.refused_pings_required, d.refused_pings_required);
  EXPECT_EQ(p.probe_confirmed_pings, d.probe_confirmed_pings);
  EXPECT_EQ(p.replica_quorum, d.replica_quorum);
  EXPECT_EQ(p.require_replica_confirmation, d.require_replica_confirmation);
}

TEST(HealthPolicyFromConfig, DetectionKeysAreMapped) {
  config::AppConfig c;
  c.app.ping_failures_threshold = 6;
  c.app.refused_pings_required = 0;
  c.app.probe_confirmed_pings = 0;
  c.app.require_replica_confirmation = false;
  c.app.replica_quorum = "all";
  health::HealthPolicy p = health_policy_from_config(c);
  EXPECT_EQ(p.ping_failures_threshold, 6);
  EXPECT_EQ(p.refused_pings_required, 0);
  EXPECT_EQ(p.probe_confirmed_pings, 0);
  EXPECT_FALSE(p.require_replica_confirmation);
  EXPECT_EQ(p.replica_quorum, health::ReplicaQuorum::kAll);
  c.app.replica_quorum = "any";
  EXPECT_EQ(health_policy_from_config(c).replica_quorum, health::ReplicaQuorum::kAny);
  EXPECT_TRUE(health::validate_policy(health_policy_from_config(c)));
}

}  // namespace
}  // namespace mha::manager
