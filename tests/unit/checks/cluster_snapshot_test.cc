// ClusterSnapshot helpers: lookup by host:port, upstream, master derivation.

#include "mha/topology/cluster_snapshot.h"

#include <gtest/gtest.h>

#include "snapshot_builder.h"

namespace mha::checks::testing {
namespace {

TEST(ClusterSnapshot, FindsByHostnameOrIpAndPort) {
  topology::ClusterSnapshot s = SnapshotBuilder().build();
  EXPECT_EQ(s.find("db2", 3306), std::optional<std::size_t>(1));
  EXPECT_EQ(s.find("10.77.0.12", 3306), std::optional<std::size_t>(1));
  EXPECT_EQ(s.find("db2", 3307), std::nullopt);
  EXPECT_EQ(s.find("", 3306), std::nullopt);
}

TEST(ClusterSnapshot, UpstreamOfAReplicaIsItsMaster) {
  topology::ClusterSnapshot s = SnapshotBuilder().build();
  EXPECT_EQ(s.upstream_of(2), std::optional<std::size_t>(0));
  EXPECT_EQ(s.upstream_of(0), std::nullopt);
  EXPECT_EQ(s.upstream_of(7), std::nullopt);
}

TEST(ClusterSnapshot, DerivesTheMasterReplicasPointAt) {
  SnapshotBuilder b;
  EXPECT_EQ(b.build().derive_master(), std::optional<std::size_t>(0));
  b.dead("db1");  // a dead master is still the one the replicas point at
  EXPECT_EQ(b.build().derive_master(), std::optional<std::size_t>(0));
}

TEST(ClusterSnapshot, MasterMasterPicksTheWritableOne) {
  SnapshotBuilder b;
  b.server("db1").replica = b.replica("db2");
  b.replicate_from("db1", "10.77.0.12", 3306);
  EXPECT_EQ(b.build().derive_master(), std::optional<std::size_t>(0));
  b.writable("db2");
  EXPECT_EQ(b.build().derive_master(), std::nullopt);
}

TEST(ClusterSnapshot, WithoutReplicasTheSingleWritableServerIsTheMaster) {
  SnapshotBuilder b;
  b.server("db2").replica.reset();
  b.server("db3").replica.reset();
  EXPECT_EQ(b.build().derive_master(), std::optional<std::size_t>(0));
  b.writable("db3");
  EXPECT_EQ(b.build().derive_master(), std::nullopt);
}

TEST(ClusterSnapshot, DisplayIsMhaStyle) {
  topology::ServerIdentity id;
  id.hostname = "db1";
  id.ip = "10.77.0.11";
  id.port = 3307;
  EXPECT_EQ(id.display(), "db1(10.77.0.11:3307)");
  EXPECT_TRUE(id.matches("10.77.0.11", 3307));
  EXPECT_FALSE(id.matches("10.77.0.11", 3306));
}

}  // namespace
}  // namespace mha::checks::testing
