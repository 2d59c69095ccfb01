// Per-server settings, filters, promotion, replication threads, SSH and status scripts.

#include <gtest/gtest.h>

#include "report_matchers.h"
#include "snapshot_builder.h"

namespace mha::checks::testing {
namespace {

using S = Severity;

TEST(ServerId, DuplicateIsAnError) {
  SnapshotBuilder b;
  b.server("db3").server_id = 2;
  CheckReport r = b.run();
  expect_problems(r, {{"server_id_unique", S::kError, kDb3}});
  EXPECT_NE(problem(r, "server_id_unique").message.find(kDb2), std::string::npos);
}

TEST(ServerVersions, NewerMajorReplicaIsAWarning) {
  SnapshotBuilder b;
  b.server("db2").version = version("10.6.16-MariaDB-log");
  expect_problems(b.run(), {{"server_versions", S::kWarning, kDb3}});
}

TEST(ReadOnly, WritableReplicaIsAWarning) {
  SnapshotBuilder b;
  b.writable("db2");
  expect_problems(b.run(), {{"read_only", S::kWarning, kDb2}});
}

TEST(ReadOnly, Mysql8SuperReadOnlyOffIsNotedButOk) {
  SnapshotBuilder b = SnapshotBuilder::mysql8();
  b.server("db2").super_read_only = false;
  CheckReport r = b.run();
  expect_problems(r, {});
  EXPECT_NE(r.named("read_only")[0].message.find("super_read_only=0"), std::string::npos);
}

TEST(LogBin, ReplicaWithoutLogBinIsAWarning) {
  SnapshotBuilder b;
  b.server("db2").log_bin = false;
  b.server("db2").master_status.reset();
  expect_problems(b.run(), {{"log_bin", S::kWarning, kDb2}});
}

TEST(LogBin, CandidateMasterWithoutLogBinSaysSo) {
  SnapshotBuilder b;
  b.server("db2").log_bin = false;
  b.server("db2").id.candidate_master = true;
  CheckReport r = b.run();
  EXPECT_NE(problem(r, "log_bin").message.find("candidate_master=1"), std::string::npos);
}

TEST(LogBin, NoMasterWithoutLogBinIsFine) {
  SnapshotBuilder b;
  b.server("db2").log_bin = false;
  b.no_master("db2");
  expect_problems(b.run(), {});
}

TEST(LogSlaveUpdates, OffOnPromotableReplicaInGtidModeIsAWarning) {
  SnapshotBuilder b;
  b.server("db3").log_slave_updates = false;
  expect_problems(b.run(), {{"log_slave_updates", S::kWarning, kDb3}});
}

TEST(LogSlaveUpdates, NotJudgedInFilePositionMode) {
  SnapshotBuilder b = SnapshotBuilder::mariadb_file_position();
  b.server("db3").log_slave_updates = false;
  expect_problems(b.run(), {});
}

TEST(RelayLogPurge, OnInFilePositionModeIsAWarning) {
  SnapshotBuilder b = SnapshotBuilder::mariadb_file_position();
  b.server("db2").relay_log_purge = true;
  expect_problems(b.run(), {{"relay_log_purge", S::kWarning, kDb2}});
}

TEST(RelayLogPurge, OnInGtidModeIsFine) {
  SnapshotBuilder b;
  b.server("db2").relay_log_purge = true;
  expect_problems(b.run(), {});
}

TEST(ReplicationFilters, DifferentFiltersAreAnError) {
  SnapshotBuilder b;
  b.replica("db3").filters.do_db = "app";
  CheckReport r = b.run();
  expect_problems(r, {{"replication_filters", S::kError, kDb3}});
  EXPECT_NE(problem(r, "replication_filters").message.find("Replicate_Do_DB='app'"),
            std::string::npos);
}

TEST(ReplicationFilters, OrderDoesNotMatter) {
  SnapshotBuilder b;
  b.replica("db2").filters.ignore_db = "a,b";
  b.replica("db3").filters.ignore_db = "b, a";
  expect_problems(b.run(), {});
}

TEST(ReplicationFilters, NotComparedWithCheckReplFilterOff) {
  SnapshotBuilder b;
  b.replica("db3").filters.do_db = "app";
  b.app_config().app.check_repl_filter = false;
  expect_problems(b.run(), {});
}

TEST(BinlogFilters, DifferentBinlogFiltersAreAnError) {
  SnapshotBuilder b;
  b.server("db2").master_status->binlog_ignore_db = "scratch";
  expect_problems(b.run(), {{"binlog_filters", S::kError, kDb2}});
}

TEST(BinlogFilters, BinlogDoDbMustMatchReplicateDoDb) {
  SnapshotBuilder b;
  for (const char* n : {"db1", "db2", "db3"}) b.server(n).master_status->binlog_do_db = "app";
  b.replica("db2").filters.do_db = "shop";
  b.replica("db3").filters.do_db = "shop";
  CheckReport r = b.run();
  expect_problems(r, {{"binlog_filters", S::kError, ""}});
  EXPECT_NE(problem(r, "binlog_filters").message.find("replicate_do_db"), std::string::npos);
}

TEST(ReplUser, MissingPrivilegeOnPromotableReplicaIsAnError) {
  SnapshotBuilder b;
  b.server("db2").repl_user = topology::ReplUserGrant{"repl", true, false};
  CheckReport r = b.run();
  expect_problems(r, {{"repl_user_privilege", S::kError, kDb2}});
  EXPECT_NE(problem(r, "repl_user_privilege").message.find("REPLICATION SLAVE"), std::string::npos);
}

TEST(ReplUser, MissingUserOnNoMasterReplicaIsNotJudged) {
  SnapshotBuilder b;
  b.server("db2").repl_user = topology::ReplUserGrant{"repl", false, false};
  b.no_master("db2");
  expect_problems(b.run(), {});
}

TEST(PromotableReplica, NoneIsAnError) {
  SnapshotBuilder b;
  b.no_master("db2").no_master("db3");
  CheckReport r = b.run();
  expect_problems(r, {{"promotable_replica", S::kError, ""}});
  EXPECT_NE(problem(r, "promotable_replica").message.find("no_master=1"), std::string::npos);
}

TEST(ReplicationRunning, IoThreadConnectingIsAnError) {
  SnapshotBuilder b;
  b.replica("db2").io_running = topology::IoThreadState::kConnecting;
  b.replica("db2").last_io_errno = 2003;
  b.replica("db2").seconds_behind_master.reset();
  CheckReport r = b.run();
  expect_problems(r, {{"replication_running", S::kError, kDb2}});
  EXPECT_NE(problem(r, "replication_running").message.find("Slave_IO_Running=Connecting"),
            std::string::npos);
}

TEST(ReplicationRunning, SqlThreadStoppedWithoutErrorIsAnError) {
  SnapshotBuilder b;
  b.replica("db3").sql_running = false;
  b.replica("db3").seconds_behind_master.reset();
  expect_problems(b.run(), {{"replication_running", S::kError, kDb3}});
}

TEST(ReplicationRunning, LagOverTheLimitIsAnError) {
  SnapshotBuilder b;
  b.replica("db3").seconds_behind_master = 31;
  CheckReport r = b.run();
  expect_problems(r, {{"replication_running", S::kError, kDb3}});
  EXPECT_NE(problem(r, "replication_running").message.find("31 exceeds 30"), std::string::npos);
}

TEST(ReplicationRunning, LagWithinARaisedLimitIsFine) {
  SnapshotBuilder b;
  b.replica("db3").seconds_behind_master = 100;
  b.opts().seconds_behind_master = 120;
  expect_problems(b.run(), {});
}

TEST(Ssh, UnreachableInFilePositionModeIsAnError) {
  SnapshotBuilder b = SnapshotBuilder::mariadb_file_position();
  b.server("db2").ssh_reachable = false;
  expect_problems(b.run(), {{"ssh", S::kError, kDb2}});
}

TEST(Ssh, UnreachableInGtidModeIsAWarning) {
  SnapshotBuilder b;
  b.server("db1").ssh_reachable = false;
  expect_problems(b.run(), {{"ssh", S::kWarning, kDb1}});
}

TEST(Ssh, NodeHelperMissingInFilePositionModeIsAnError) {
  SnapshotBuilder b = SnapshotBuilder::mariadb_file_position();
  b.server("db3").node_helper = topology::NodeHelperProbe{false, ""};
  expect_problems(b.run(), {{"node_helper", S::kError, kDb3}});
}

TEST(Ssh, SkipSshCheckSkipsIt) {
  SnapshotBuilder b = SnapshotBuilder::mariadb_file_position();
  b.server("db2").ssh_reachable = false;
  b.opts().skip_ssh = true;
  CheckReport r = b.run();
  expect_problems(r, {});
  EXPECT_EQ(r.named("ssh").size(), 1u);
}

TEST(Scripts, NotConfiguredAreWarnings) {
  SnapshotBuilder b;
  b.app_config().app.master_ip_failover_script.clear();
  b.app_config().app.shutdown_script.clear();
  expect_problems(b.run(), {{"master_ip_failover_script", S::kWarning, ""},
                            {"shutdown_script", S::kWarning, ""}});
}

TEST(Scripts, NonZeroStatusIsAnError) {
  SnapshotBuilder b;
  b.opts().master_ip_failover_status = ScriptResult{1, ""};
  CheckReport r = b.run();
  expect_problems(r, {{"master_ip_failover_script", S::kError, ""}});
  EXPECT_NE(problem(r, "master_ip_failover_script").message.find("exited with 1"),
            std::string::npos);
}

TEST(Scripts, ScriptThatCouldNotRunIsAnError) {
  SnapshotBuilder b;
  b.opts().shutdown_status = ScriptResult{std::nullopt, "timed out after 10 s"};
  CheckReport r = b.run();
  expect_problems(r, {{"shutdown_script", S::kError, ""}});
  EXPECT_NE(problem(r, "shutdown_script").message.find("timed out"), std::string::npos);
}

TEST(Scripts, ConfiguredButNotRunIsAnError) {
  SnapshotBuilder b;
  b.opts().shutdown_status.reset();
  expect_problems(b.run(), {{"shutdown_script", S::kError, ""}});
}

}  // namespace
}  // namespace mha::checks::testing
