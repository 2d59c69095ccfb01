// Server classification and master/topology validation (MHA §6.1 items 2, 3, 5, 11).

#include <gtest/gtest.h>

#include "report_matchers.h"
#include "snapshot_builder.h"

namespace mha::checks::testing {
namespace {

using S = Severity;

TEST(HealthyCluster, MariadbGtidHasNoProblems) {
  CheckReport r = SnapshotBuilder::mariadb_gtid().run();
  expect_problems(r, {});
  ASSERT_TRUE(r.topology.master);
  EXPECT_EQ(r.topology.master->display, kDb1);
  ASSERT_EQ(r.topology.replicas.size(), 2u);
  EXPECT_EQ(r.topology.replicas[0].display, kDb2);
  EXPECT_EQ(r.topology.replicas[1].display, kDb3);
  EXPECT_EQ(r.topology.mode, ReplicationMode::kMariadbGtid);
  EXPECT_NE(only(r, "master").message.find(kDb1), std::string::npos);
}

TEST(HealthyCluster, MariadbFilePositionHasNoProblems) {
  CheckReport r = SnapshotBuilder::mariadb_file_position().run();
  expect_problems(r, {});
  EXPECT_EQ(r.topology.mode, ReplicationMode::kFilePosition);
  EXPECT_EQ(r.named("relay_log_purge").size(), 2u);  // judged per replica in this mode
}

TEST(HealthyCluster, Mysql8HasNoProblems) {
  CheckReport r = SnapshotBuilder::mysql8().run();
  expect_problems(r, {});
  EXPECT_EQ(r.topology.mode, ReplicationMode::kMysqlGtid);
}

TEST(SqlAccess, RefusedServerIsAnErrorEvenWithIgnoreFail) {
  SnapshotBuilder b;
  b.refused("db3").ignore_fail("db3").opts().ignore_fail_on_start = true;
  CheckReport r = b.run();
  expect_problems(r, {{"sql_access", S::kError, kDb3}});
  EXPECT_NE(problem(r, "sql_access").message.find("not a crash"), std::string::npos)
      << describe(r.checks);
}

TEST(DeadServers, DeadReplicaIsAnError) {
  SnapshotBuilder b;
  b.dead("db3");
  expect_problems(b.run(), {{"dead_servers", S::kError, kDb3}});
}

TEST(DeadServers, IgnoreFailAloneDoesNotHelp) {
  SnapshotBuilder b;
  b.dead("db3").ignore_fail("db3");
  expect_problems(b.run(), {{"dead_servers", S::kError, kDb3}});
}

TEST(DeadServers, IgnoreFailWithIgnoreFailOnStartIsAWarning) {
  SnapshotBuilder b;
  b.dead("db3").ignore_fail("db3").opts().ignore_fail_on_start = true;
  CheckReport r = b.run();
  expect_problems(r, {{"dead_servers", S::kWarning, kDb3}});
  ASSERT_EQ(r.topology.replicas.size(), 2u);
  EXPECT_EQ(r.topology.replicas[1].note, "dead");
}

TEST(FailedReplicas, SqlThreadErrorIsAnErrorAndNotAlsoAReplicationRunningError) {
  SnapshotBuilder b;
  b.sql_error("db2", 1062, "Duplicate entry '7' for key 'PRIMARY'");
  CheckReport r = b.run();
  expect_problems(r, {{"failed_replicas", S::kError, kDb2}});
  EXPECT_NE(only(r, "failed_replicas").message.find("1062"), std::string::npos);
  EXPECT_EQ(r.topology.replicas[0].note, "failed");
}

TEST(FailedReplicas, IgnorableFailedReplicaIsAWarning) {
  SnapshotBuilder b;
  b.sql_error("db2", 1062, "Duplicate entry").ignore_fail("db2").opts().ignore_fail_on_start = true;
  CheckReport r = b.run();
  EXPECT_TRUE(r.ok()) << describe(r.checks);
  EXPECT_EQ(only(r, "failed_replicas").severity, S::kWarning);
}

TEST(MasterAlive, DeadMasterIsDerivedFromReplicasAndIsAnError) {
  SnapshotBuilder b;
  b.dead("db1");
  CheckReport r = b.run();
  expect_problems(r, {{"master_alive", S::kError, kDb1}});
  ASSERT_TRUE(r.topology.master);
  EXPECT_EQ(r.topology.master->display, kDb1);
  EXPECT_EQ(r.topology.master->note, "dead");
}

TEST(AliveReplicas, NoAliveReplicaIsAnError) {
  SnapshotBuilder b;
  b.dead("db2").dead("db3");
  b.server("db1").semi_sync.master_clients = 0;
  CheckReport r = b.run();
  // Nothing acknowledges semi-sync commits either; data_loss_risk has nothing to judge.
  expect_problems(r, {{"dead_servers", S::kError, kDb2},
                      {"dead_servers", S::kError, kDb3},
                      {"alive_replicas", S::kError, ""},
                      {"semi_sync", S::kWarning, kDb1}});
}

TEST(Master, TwoServersReplicatingFromNobodyIsAnError) {
  SnapshotBuilder b;
  b.server("db3").replica.reset();
  CheckReport r = b.run();
  expect_problems(r, {{"master", S::kError, ""}});
  EXPECT_NE(only(r, "master").message.find(kDb3), std::string::npos);
  EXPECT_FALSE(r.topology.master);
}

TEST(Topology, ReadOnlyServerNotReplicatingIsAnError) {
  // db1 and db2 form a master-master pair; db3 replicates from nobody.
  SnapshotBuilder b;
  b.server("db1").replica = b.replica("db2");
  b.replicate_from("db1", "10.77.0.12", 3306);
  b.server("db3").replica.reset();
  b.server("db3").read_only = true;
  CheckReport r = b.run();
  expect_problems(r, {{"topology", S::kError, kDb3}});
}

TEST(Topology, ReplicaOfUnconfiguredServerIsAnError) {
  SnapshotBuilder b;
  b.replicate_from("db3", "10.77.0.99", 3306);
  CheckReport r = b.run();
  expect_problems(r, {{"topology", S::kError, kDb3}});
  EXPECT_NE(problem(r, "topology").message.find("10.77.0.99:3306"), std::string::npos);
}

TEST(Topology, ReplicaFoundByHostnameToo) {
  SnapshotBuilder b;
  b.replicate_from("db2", "db1", 3306);
  expect_problems(b.run(), {});
}

TEST(MultiMaster, ReadOnlyStandbyIsAccepted) {
  SnapshotBuilder b;
  b.server("db1").replica = b.replica("db2");
  b.replicate_from("db1", "10.77.0.12", 3306);
  CheckReport r = b.run();
  expect_problems(r, {});
  EXPECT_EQ(r.topology.master->display, kDb1);
  EXPECT_NE(only(r, "master").message.find("Multi-master"), std::string::npos);
}

TEST(MultiMaster, TwoWritableMastersIsAnError) {
  SnapshotBuilder b;
  b.server("db1").replica = b.replica("db2");
  b.replicate_from("db1", "10.77.0.12", 3306).writable("db2");
  CheckReport r = b.run();
  expect_problems(r, {{"master", S::kError, ""}});
  EXPECT_NE(only(r, "master").message.find("two or more"), std::string::npos);
}

TEST(MultiMaster, AllReadOnlyIsAnError) {
  SnapshotBuilder b;
  b.server("db1").replica = b.replica("db2");
  b.replicate_from("db1", "10.77.0.12", 3306);
  b.server("db1").read_only = true;
  CheckReport r = b.run();
  expect_problems(r, {{"master", S::kError, ""}});
  EXPECT_NE(only(r, "master").message.find("all of them are read-only"), std::string::npos);
}

TEST(MultiMaster, DeadPrimaryWithReadOnlyStandbyIsTheMaster) {
  SnapshotBuilder b;
  b.server("db1").replica = b.replica("db2");
  b.replicate_from("db1", "10.77.0.12", 3306).dead("db1");
  CheckReport r = b.run();
  expect_problems(r, {{"master_alive", S::kError, kDb1}});
}

TEST(MultiTier, DeeperReplicaWithoutMultiTierSlaveIsAnError) {
  SnapshotBuilder b;
  b.add_server("db4", "10.77.0.14", 4, "db3");
  CheckReport r = b.run();
  expect_problems(r, {{"topology", S::kError, kDb4}});
  EXPECT_NE(problem(r, "topology").message.find("real master is " + std::string(kDb1)),
            std::string::npos);
}

TEST(MultiTier, DeeperReplicaWithMultiTierSlaveIsUnmanaged) {
  SnapshotBuilder b;
  b.add_server("db4", "10.77.0.14", 4, "db3");
  b.app_config().app.multi_tier_slave = true;
  CheckReport r = b.run();
  expect_problems(r, {});
  ASSERT_EQ(r.topology.unmanaged.size(), 1u);
  EXPECT_EQ(r.topology.unmanaged[0].display, kDb4);
  EXPECT_EQ(r.topology.unmanaged[0].parent, std::optional<std::size_t>(2));
  EXPECT_EQ(r.topology.replicas.size(), 2u);
}

TEST(MultiTier, WritableIntermediateReplicaIsTwoMasters) {
  SnapshotBuilder b;
  b.add_server("db4", "10.77.0.14", 4, "db3");
  b.app_config().app.multi_tier_slave = true;
  b.writable("db3");
  expect_problems(b.run(), {{"master", S::kError, ""}});
}

}  // namespace
}  // namespace mha::checks::testing
