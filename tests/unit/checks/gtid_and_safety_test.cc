// Checks MHA does not have: GTID consistency, errant transactions, semi-sync, failure detection
// and data-loss risk.

#include <gtest/gtest.h>

#include "report_matchers.h"
#include "snapshot_builder.h"

namespace mha::checks::testing {
namespace {

using S = Severity;

TEST(GtidConsistency, MariadbMixedUsingGtidIsAWarning) {
  SnapshotBuilder b;
  b.replica("db3").using_gtid = topology::UsingGtid::kNo;
  CheckReport r = b.run();
  expect_problems(r, {{"gtid_consistency", S::kWarning, ""}});
  EXPECT_NE(problem(r, "gtid_consistency").message.find("No on " + std::string(kDb3)),
            std::string::npos);
  EXPECT_EQ(r.topology.mode, ReplicationMode::kFilePosition);
}

TEST(GtidConsistency, SlavePosNextToCurrentPosIsFine) {
  SnapshotBuilder b;
  b.replica("db3").using_gtid = topology::UsingGtid::kCurrentPos;
  expect_problems(b.run(), {});
}

TEST(GtidConsistency, MariadbStrictModeDifferenceIsAWarning) {
  SnapshotBuilder b;
  b.server("db2").mariadb_gtid.strict_mode = false;
  CheckReport r = b.run();
  expect_problems(r, {{"gtid_consistency", S::kWarning, ""}});
  EXPECT_NE(problem(r, "gtid_consistency").message.find("OFF on " + std::string(kDb2)),
            std::string::npos);
}

TEST(GtidConsistency, MysqlGtidModeDifferenceIsAWarning) {
  SnapshotBuilder b = SnapshotBuilder::mysql8();
  b.server("db3").mysql_gtid.gtid_mode = "ON_PERMISSIVE";
  CheckReport r = b.run();
  expect_problems(r, {{"gtid_consistency", S::kWarning, ""}});
  EXPECT_EQ(r.topology.mode, ReplicationMode::kFilePosition);
}

TEST(ErrantTransactions, MariadbHigherSeqNoIsNamed) {
  SnapshotBuilder b;
  b.server("db3").mariadb_gtid.current_pos = mariadb_pos("0-3-101");
  CheckReport r = b.run();
  expect_problems(r, {{"errant_transactions", S::kError, kDb3}});
  EXPECT_NE(problem(r, "errant_transactions")
                .message.find(std::string(kDb3) + " has transactions the master does not: 0-3-101"),
            std::string::npos)
      << problem(r, "errant_transactions").message;
}

TEST(ErrantTransactions, MariadbUnknownDomainIsNamed) {
  SnapshotBuilder b;
  b.server("db2").mariadb_gtid.current_pos = mariadb_pos("0-1-100,1-2-5");
  CheckReport r = b.run();
  expect_problems(r, {{"errant_transactions", S::kError, kDb2}});
  EXPECT_NE(problem(r, "errant_transactions").message.find("does not: 1-2-5 "), std::string::npos);
}

TEST(ErrantTransactions, MariadbSameSeqNoFromAnotherServerIsDiverged) {
  SnapshotBuilder b;
  b.server("db2").mariadb_gtid.current_pos = mariadb_pos("0-2-100");
  expect_problems(b.run(), {{"errant_transactions", S::kError, kDb2}});
}

TEST(ErrantTransactions, MariadbLaggingReplicaIsNotErrant) {
  SnapshotBuilder b;
  b.server("db2").mariadb_gtid.current_pos = mariadb_pos("0-1-90");
  expect_problems(b.run(), {});
}

TEST(ErrantTransactions, MysqlExtraGtidsAreNamedAsASet) {
  SnapshotBuilder b = SnapshotBuilder::mysql8();
  b.server("db3").mysql_gtid.executed =
      mysql_set(std::string(kUuid1) + ":1-100," + kUuid3 + ":1-3");
  CheckReport r = b.run();
  expect_problems(r, {{"errant_transactions", S::kError, kDb3}});
  EXPECT_NE(problem(r, "errant_transactions").message.find(std::string(kUuid3) + ":1-3"),
            std::string::npos);
}

TEST(ErrantTransactions, MysqlLaggingReplicaIsNotErrant) {
  SnapshotBuilder b = SnapshotBuilder::mysql8();
  b.server("db3").mysql_gtid.executed = mysql_set(std::string(kUuid1) + ":1-80");
  expect_problems(b.run(), {});
}

TEST(SemiSync, OffIsAWarningAndADataLossRisk) {
  SnapshotBuilder b;
  b.server("db1").semi_sync.master_enabled = false;
  CheckReport r = b.run();
  expect_problems(r, {{"semi_sync", S::kWarning, kDb1}, {"data_loss_risk", S::kWarning, ""}});
  EXPECT_NE(problem(r, "data_loss_risk").message.find("semi-sync is not active"),
            std::string::npos);
}

TEST(SemiSync, FellBackToAsyncIsAWarningAndADataLossRisk) {
  SnapshotBuilder b;
  b.server("db1").semi_sync.master_status = false;
  expect_problems(b.run(), {{"semi_sync", S::kWarning, kDb1}, {"data_loss_risk", S::kWarning, ""}});
}

TEST(SemiSync, FewerClientsThanSemiSyncReplicasIsAWarning) {
  SnapshotBuilder b;
  b.server("db1").semi_sync.master_clients = 1;
  CheckReport r = b.run();
  expect_problems(r, {{"semi_sync", S::kWarning, kDb1}});
  EXPECT_NE(problem(r, "semi_sync").message.find("1 semi-sync client(s) connected; 2 of 2"),
            std::string::npos);
}

TEST(FailureDetection, LongSlaveNetTimeoutIsAWarning) {
  SnapshotBuilder b;
  b.server("db2").slave_net_timeout = 60;
  b.server("db2").heartbeat_period = 30;
  CheckReport r = b.run();
  expect_problems(r, {{"failure_detection", S::kWarning, kDb2}});
  EXPECT_NE(problem(r, "failure_detection").message.find("after at most 60 s"), std::string::npos);
}

TEST(FailureDetection, HeartbeatNotShorterThanTimeoutIsAWarning) {
  SnapshotBuilder b;
  b.server("db3").heartbeat_period = 0;
  CheckReport r = b.run();
  expect_problems(r, {{"failure_detection", S::kWarning, kDb3}});
  EXPECT_NE(problem(r, "failure_detection").message.find("MASTER_HEARTBEAT_PERIOD"),
            std::string::npos);
}

TEST(FailureDetection, ThresholdIsAnOption) {
  SnapshotBuilder b;
  b.opts().max_detection_seconds = 10;
  expect_problems(b.run(), {{"failure_detection", S::kWarning, kDb2},
                            {"failure_detection", S::kWarning, kDb3}});
}

TEST(DataLossRisk, MostAdvancedReplicaNotPromotableGtid) {
  SnapshotBuilder b;
  b.replica("db3").gtid_io_pos = mariadb_pos("0-1-105");
  b.no_master("db3");
  CheckReport r = b.run();
  expect_problems(r, {{"data_loss_risk", S::kWarning, ""}});
  EXPECT_NE(problem(r, "data_loss_risk").message.find(std::string(kDb3) + " (no_master=1)"),
            std::string::npos);
}

TEST(DataLossRisk, MostAdvancedReplicaNotPromotableFilePosition) {
  SnapshotBuilder b = SnapshotBuilder::mariadb_file_position();
  b.replica("db2").read_master = {"mysql-bin.000004", 120};
  b.server("db2").log_bin = false;
  b.server("db2").master_status.reset();
  CheckReport r = b.run();
  expect_problems(r, {{"log_bin", S::kWarning, kDb2}, {"data_loss_risk", S::kWarning, ""}});
  EXPECT_NE(problem(r, "data_loss_risk").message.find(std::string(kDb2) + " (log-bin off)"),
            std::string::npos);
}

TEST(DataLossRisk, PromotableReplicaAmongTheMostAdvancedIsFine) {
  SnapshotBuilder b;
  b.replica("db2").gtid_io_pos = mariadb_pos("0-1-105");
  b.no_master("db3");
  expect_problems(b.run(), {});
}

TEST(DataLossRisk, MysqlUsesRetrievedSets) {
  SnapshotBuilder b = SnapshotBuilder::mysql8();
  b.replica("db2").retrieved_gtid_set = mysql_set(std::string(kUuid1) + ":1-120");
  b.no_master("db2");
  expect_problems(b.run(), {{"data_loss_risk", S::kWarning, ""}});
}

}  // namespace
}  // namespace mha::checks::testing
