// The steps of a plan: order, targets and flags.

#include <gtest/gtest.h>

#include <algorithm>

#include "plan_fixture.h"

namespace mha::planner::testing {
namespace {

std::vector<std::string> step_names(const FailoverPlan& p) {
  std::vector<std::string> out;
  for (const PlanStep& s : p.steps) out.push_back(step_name(s));
  return out;
}

template <typename T>
std::vector<const T*> steps_of(const FailoverPlan& p) {
  std::vector<const T*> out;
  for (const PlanStep& s : p.steps) {
    if (const T* t = std::get_if<T>(&s)) out.push_back(t);
  }
  return out;
}

TEST(PlanSteps, GtidInSyncOrder) {
  Decision d = PlanFixture::mariadb_gtid().decide();
  const FailoverPlan& p = plan_of(d);
  EXPECT_EQ(step_names(p),
            (std::vector<std::string>{"stop_replica_io", "fence_old_master", "confirm_received",
                                      "wait_relay_applied", "repoint_replica", "promote_new_master",
                                      "run_failover_script"}));
  EXPECT_EQ(p.mode, ReplicationMode::kMariadbGtid);
  auto repoint = steps_of<RepointReplica>(p);
  ASSERT_EQ(repoint.size(), 1u);
  EXPECT_EQ(repoint[0]->replica.name, "db3(10.77.0.13:3306)");
  EXPECT_EQ(repoint[0]->method, RepointMethod::kMariadbSlavePos);
  auto fence = steps_of<FenceOldMaster>(p);
  ASSERT_EQ(fence.size(), 1u);
  EXPECT_EQ(fence[0]->command, FenceCommand::kStop);  // SSH unreachable
  ASSERT_TRUE(fence[0]->new_master);  // passed to the VIP script so it can prepare the start
  EXPECT_EQ(fence[0]->new_master->name, p.new_master.name);
  auto promote = steps_of<PromoteNewMaster>(p);
  ASSERT_EQ(promote.size(), 1u);
  EXPECT_TRUE(promote[0]->reset_slave_all);
  EXPECT_TRUE(promote[0]->disable_read_only);
  EXPECT_TRUE(promote[0]->enable_semi_sync_master);
}

TEST(PlanSteps, CatchUpFromLatestBeforePromotion) {
  PlanFixture f = PlanFixture::mariadb_gtid().candidate("db3").received_gtid("db2", "0-1-105");
  const FailoverPlan& p = plan_of(f.decide());
  std::vector<std::string> names = step_names(p);
  auto pos = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) - names.begin();
  };
  ASSERT_LT(pos("catch_up_from_latest"), static_cast<long>(names.size()));
  EXPECT_LT(pos("catch_up_from_latest"), pos("promote_new_master"));
  EXPECT_LT(pos("catch_up_from_latest"), pos("repoint_replica"));
  auto catch_up = steps_of<CatchUpFromLatest>(p);
  ASSERT_EQ(catch_up.size(), 1u);
  EXPECT_EQ(catch_up[0]->new_master.name, "db3(10.77.0.13:3306)");
  EXPECT_EQ(catch_up[0]->source.name, "db2(10.77.0.12:3306)");
  EXPECT_EQ(catch_up[0]->target.to_string(), "0-1-105");
  // The source applies its relay log first, so its binlog holds what it serves.
  auto waits = steps_of<WaitRelayApplied>(p);
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_EQ(waits[1]->replica.name, "db2(10.77.0.12:3306)");
}

TEST(PlanSteps, NoCatchUpWhenTheNewMasterIsLatest) {
  PlanFixture f = PlanFixture::mariadb_gtid().candidate("db3").received_gtid("db3", "0-1-105");
  const FailoverPlan p = plan_of(f.decide());
  EXPECT_TRUE(steps_of<CatchUpFromLatest>(p).empty());
}

TEST(PlanSteps, CatchUpFromEachDomainLeader) {
  // db2 is ahead in domain 0, db4 in domain 1: the new master (db3) needs both.
  PlanFixture f = PlanFixture::mariadb_gtid().add_server("db4", "10.77.0.14", 4, "db1");
  f.candidate("db3")
      .received_gtid("db2", "0-1-105,1-1-7")
      .received_gtid("db3", "0-1-100,1-1-7")
      .received_gtid("db4", "0-1-100,1-1-9");
  const FailoverPlan p = plan_of(f.decide());
  auto catch_up = steps_of<CatchUpFromLatest>(p);
  ASSERT_EQ(catch_up.size(), 2u);
  EXPECT_EQ(catch_up[0]->source.name, "db2(10.77.0.12:3306)");
  EXPECT_EQ(catch_up[1]->source.name, "db4(10.77.0.14:3306)");
}

TEST(PlanSteps, CatchUpRefusedWhenSourceHasNoSlaveUpdates) {
  PlanFixture f = PlanFixture::mariadb_gtid().candidate("db3").received_gtid("db2", "0-1-105");
  f.server("db2").log_slave_updates = false;
  const Refuse& r = refusal_of(f.decide());
  EXPECT_EQ(r.rule, RefuseRule::kCatchUpImpossible);
  EXPECT_NE(r.reason.find("log_slave_updates is off"), std::string::npos);
}

TEST(PlanSteps, IgnoreFailDeadReplicaIsSkipped) {
  PlanFixture f = PlanFixture::mariadb_gtid().add_server("db4", "10.77.0.14", 4, "db1");
  f.dead("db3").ignore_fail("db3");
  const FailoverPlan& p = plan_of(f.decide());
  ASSERT_EQ(p.not_recovered.size(), 1u);
  EXPECT_EQ(p.not_recovered[0].server.name, "db3(10.77.0.13:3306)");
  for (const PlanStep& s : p.steps) {
    EXPECT_EQ(describe_step(s).find("db3("), std::string::npos) << describe_step(s);
  }
  ASSERT_EQ(p.new_replicas.size(), 1u);
  EXPECT_EQ(p.new_replicas[0].name, "db4(10.77.0.14:3306)");
}

TEST(PlanSteps, IgnoreFailBrokenReplicaStopsItsIoThreadButIsNotRepointed) {
  PlanFixture f = PlanFixture::mariadb_gtid().sql_error("db3", 1062).ignore_fail("db3");
  const FailoverPlan& p = plan_of(f.decide());
  auto stop = steps_of<StopReplicaIo>(p);
  ASSERT_EQ(stop.size(), 1u);
  EXPECT_EQ(stop[0]->replicas.size(), 2u);
  ASSERT_EQ(stop[0]->may_fail.size(), 1u);
  EXPECT_TRUE(steps_of<RepointReplica>(p).empty());
}

TEST(PlanSteps, FilePositionInSyncRecordsTheNewMastersPosition) {
  const FailoverPlan& p = plan_of(PlanFixture::mariadb_file_position().decide());
  EXPECT_EQ(step_names(p),
            (std::vector<std::string>{"stop_replica_io", "fence_old_master", "confirm_received",
                                      "wait_relay_applied", "record_new_master_position",
                                      "wait_relay_applied", "repoint_replica", "promote_new_master",
                                      "run_failover_script"}));
  EXPECT_EQ(steps_of<RepointReplica>(p)[0]->method, RepointMethod::kFilePosition);
}

TEST(PlanSteps, FilePositionLagChecksTheRelayLogsFirstThenAppliesTheDiff) {
  PlanFixture f =
      PlanFixture::mariadb_file_position().received_file("db3", "mysql-bin.000003", 900);
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_EQ(p.new_master.name, "db2(10.77.0.12:3306)");
  // The check changes nothing and runs before the first step that changes data; the diff is
  // applied after db3 executed its own relay log, before it is re-pointed at the new master's
  // recorded position (which it then has exactly: both are at mysql-bin.000003:1234).
  EXPECT_EQ(
      step_names(p),
      (std::vector<std::string>{
          "stop_replica_io", "fence_old_master", "confirm_received", "apply_relay_diff",
          "wait_relay_applied", "record_new_master_position", "wait_relay_applied",
          "apply_relay_diff", "repoint_replica", "promote_new_master", "run_failover_script"}));
  auto diffs = steps_of<ApplyRelayDiff>(p);
  ASSERT_EQ(diffs.size(), 2u);
  for (const ApplyRelayDiff* d : diffs) {
    EXPECT_EQ(d->target.name, "db3(10.77.0.13:3306)");
    EXPECT_EQ(d->source.name, "db2(10.77.0.12:3306)");
    EXPECT_EQ(d->from.to_string(), "mysql-bin.000003:900");
    EXPECT_EQ(d->to.to_string(), "mysql-bin.000003:1234");
    EXPECT_TRUE(step_implemented(PlanStep(*d)));
    EXPECT_GT(d->timeout.count(), 0);
  }
  EXPECT_TRUE(diffs[0]->check_only);
  EXPECT_FALSE(diffs[1]->check_only);
  EXPECT_TRUE(p.not_recovered.empty());
  ASSERT_EQ(p.new_replicas.size(), 1u);
}

TEST(PlanSteps, FilePositionNewMasterThatLagsGetsItsDiffBeforeTheRecordedPosition) {
  // db3 is candidate_master but received less than db2: its diff comes first, then its
  // position is recorded, then the salvaged master binlog starts where the latest replica ends.
  PlanFixture f =
      PlanFixture::mariadb_file_position().received_file("db3", "mysql-bin.000003", 900);
  f.candidate("db3");
  f.policy().evidence.ssh_reachable = true;
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_EQ(p.new_master.name, "db3(10.77.0.13:3306)");
  EXPECT_EQ(step_names(p),
            (std::vector<std::string>{"stop_replica_io", "fence_old_master", "confirm_received",
                                      "apply_relay_diff", "wait_relay_applied", "apply_relay_diff",
                                      "record_new_master_position", "apply_saved_binlog",
                                      "wait_relay_applied", "repoint_replica", "promote_new_master",
                                      "run_failover_script"}));
  auto salvage = steps_of<ApplySavedBinlog>(p);
  ASSERT_EQ(salvage.size(), 1u);
  EXPECT_EQ(salvage[0]->from.to_string(), "mysql-bin.000003:1234");
}

// --- file/position: which followers are recovered before the promotion, which after --------

PlanFixture without_semi_sync(PlanFixture f) {
  std::vector<std::string> hosts;
  for (const topology::ServerObservation& s : f.snapshot().servers) hosts.push_back(s.id.hostname);
  for (const std::string& h : hosts) f.server(h).semi_sync.slave_enabled = false;
  return f;
}

std::ptrdiff_t index_of(const FailoverPlan& p, const std::string& name, std::size_t nth = 0) {
  std::size_t seen = 0;
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    if (step_name(p.steps[k]) == name && seen++ == nth) return static_cast<std::ptrdiff_t>(k);
  }
  return -1;
}

// The names of the servers the steps of type T after the promotion (or before it) name.
template <typename T>
std::vector<std::string> around_promotion(const FailoverPlan& p, bool after) {
  const std::ptrdiff_t promote = index_of(p, "promote_new_master");
  std::vector<std::string> out;
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    if ((static_cast<std::ptrdiff_t>(k) > promote) != after) continue;
    if (const T* t = std::get_if<T>(&p.steps[k])) {
      if constexpr (std::is_same_v<T, RepointReplica> || std::is_same_v<T, WaitRelayApplied>) {
        out.push_back(t->replica.name);
      } else {
        out.push_back(t->target.name);
      }
    }
  }
  return out;
}

constexpr const char* kDb2 = "db2(10.77.0.12:3306)";
constexpr const char* kDb3 = "db3(10.77.0.13:3306)";
constexpr const char* kDb4 = "db4(10.77.0.14:3306)";

// Without semi-sync the lagging follower's whole recovery comes after the promotion and the VIP
// move; the new master, its diff source, keeps its relay logs (no RESET SLAVE ALL) until then.
TEST(PlanSteps, FilePositionFollowerDiffComesAfterThePromotionAndTheVipWithoutSemiSync) {
  PlanFixture f = without_semi_sync(
      PlanFixture::mariadb_file_position().received_file("db3", "mysql-bin.000003", 900));
  f.policy().report_script = "/usr/local/bin/send_report";
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_EQ(p.new_master.name, kDb2);
  EXPECT_EQ(step_names(p),
            (std::vector<std::string>{
                "stop_replica_io", "fence_old_master", "confirm_received", "apply_relay_diff",
                "wait_relay_applied", "record_new_master_position", "promote_new_master",
                "run_failover_script", "wait_relay_applied", "apply_relay_diff", "repoint_replica",
                "reset_new_master_replication", "run_report_script"}));
  const PromoteNewMaster& promote = *steps_of<PromoteNewMaster>(p)[0];
  EXPECT_FALSE(promote.enable_semi_sync_master);
  EXPECT_FALSE(promote.reset_slave_all);
  EXPECT_TRUE(promote.reset_later);
  EXPECT_EQ(steps_of<ApplyRelayDiff>(p)[1]->source.name, kDb2);
  EXPECT_TRUE(steps_of<WaitRelayApplied>(p)[1]->may_fail);
  // The report script still names the follower: it runs after the follower's re-point.
  ASSERT_EQ(steps_of<RunReportScript>(p)[0]->new_slaves.size(), 1u);
  EXPECT_EQ(steps_of<RunReportScript>(p)[0]->new_slaves[0].name, kDb3);
  EXPECT_NE(describe_step(PlanStep(promote)).find("keep its replication settings (and relay logs)"),
            std::string::npos);
}

// With semi-sync and a follower that needs no diff, that follower is re-pointed before the
// promotion (its replica acknowledges the first writes) and the lagging one after the VIP move.
TEST(PlanSteps, FilePositionSemiSyncRepointsTheFollowerWithoutADiffFirst) {
  PlanFixture f = PlanFixture::mariadb_file_position().add_server("db4", "10.77.0.14", 4, "db1");
  f.received_file("db3", "mysql-bin.000003", 900);
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_EQ(p.new_master.name, kDb2);
  EXPECT_TRUE(steps_of<PromoteNewMaster>(p)[0]->enable_semi_sync_master);
  EXPECT_EQ(around_promotion<RepointReplica>(p, false), (std::vector<std::string>{kDb4}));
  EXPECT_EQ(around_promotion<RepointReplica>(p, true), (std::vector<std::string>{kDb3}));
  EXPECT_EQ(around_promotion<WaitRelayApplied>(p, true), (std::vector<std::string>{kDb3}));
  // Only the check before the promotion; the diff itself after the VIP move.
  EXPECT_EQ(around_promotion<ApplyRelayDiff>(p, true), (std::vector<std::string>{kDb3}));
  ASSERT_EQ(steps_of<ApplyRelayDiff>(p).size(), 2u);
  EXPECT_TRUE(steps_of<ApplyRelayDiff>(p)[0]->check_only);
  EXPECT_LT(index_of(p, "run_failover_script"), index_of(p, "apply_relay_diff", 1));
  EXPECT_LT(index_of(p, "apply_relay_diff", 1), index_of(p, "reset_new_master_replication"));
  EXPECT_TRUE(steps_of<PromoteNewMaster>(p)[0]->reset_later);
  // Every follower is a new replica, in config order, whichever side of the promotion it is on.
  ASSERT_EQ(p.new_replicas.size(), 2u);
  EXPECT_EQ(p.new_replicas[0].name, kDb3);
  EXPECT_EQ(p.new_replicas[1].name, kDb4);
}

// With semi-sync and every follower needing a diff, the first in config order is recovered
// before the promotion, the rest after it.
TEST(PlanSteps, FilePositionSemiSyncAllFollowersNeedADiffTheFirstGoesFirst) {
  PlanFixture f = PlanFixture::mariadb_file_position().add_server("db4", "10.77.0.14", 4, "db1");
  f.received_file("db3", "mysql-bin.000003", 900).received_file("db4", "mysql-bin.000003", 1000);
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_EQ(p.new_master.name, kDb2);
  EXPECT_EQ(around_promotion<RepointReplica>(p, false), (std::vector<std::string>{kDb3}));
  EXPECT_EQ(around_promotion<ApplyRelayDiff>(p, false),
            (std::vector<std::string>{kDb3, kDb4, kDb3}));  // two checks, then db3's diff
  EXPECT_EQ(around_promotion<ApplyRelayDiff>(p, true), (std::vector<std::string>{kDb4}));
  EXPECT_EQ(around_promotion<RepointReplica>(p, true), (std::vector<std::string>{kDb4}));
  EXPECT_TRUE(steps_of<PromoteNewMaster>(p)[0]->reset_later);
  EXPECT_EQ(step_names(p).back(), "reset_new_master_replication");
}

// The same cluster without semi-sync: nobody needs to go first, both diffs come after the VIP.
TEST(PlanSteps, FilePositionNoSemiSyncAllFollowersNeedADiffAllGoAfter) {
  PlanFixture f = without_semi_sync(
      PlanFixture::mariadb_file_position().add_server("db4", "10.77.0.14", 4, "db1"));
  f.received_file("db3", "mysql-bin.000003", 900).received_file("db4", "mysql-bin.000003", 1000);
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_TRUE(around_promotion<RepointReplica>(p, false).empty());
  EXPECT_EQ(around_promotion<RepointReplica>(p, true), (std::vector<std::string>{kDb3, kDb4}));
  EXPECT_EQ(around_promotion<ApplyRelayDiff>(p, true), (std::vector<std::string>{kDb3, kDb4}));
}

// A follower in sync (nothing to apply) goes before the promotion with or without semi-sync; one
// that still executes its relay log (Exec < Read in the snapshot) goes after it.
TEST(PlanSteps, FilePositionFollowerStillApplyingItsRelayLogGoesAfterThePromotion) {
  PlanFixture f = without_semi_sync(
      PlanFixture::mariadb_file_position().add_server("db4", "10.77.0.14", 4, "db1"));
  f.replica("db4").exec_master = {"mysql-bin.000003", 1000};
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_EQ(around_promotion<RepointReplica>(p, false), (std::vector<std::string>{kDb3}));
  EXPECT_EQ(around_promotion<RepointReplica>(p, true), (std::vector<std::string>{kDb4}));
  EXPECT_TRUE(steps_of<ApplyRelayDiff>(p).empty());
  // No diff reads the new master's relay logs: it is reset at the promotion, as before.
  EXPECT_TRUE(steps_of<PromoteNewMaster>(p)[0]->reset_slave_all);
  EXPECT_FALSE(steps_of<PromoteNewMaster>(p)[0]->reset_later);
  EXPECT_TRUE(steps_of<ResetNewMasterReplication>(p).empty());
}

// A follower that is the diff source is re-pointed (CHANGE MASTER deletes its relay logs) only
// after the last diff that reads them, although it has nothing to apply itself.
TEST(PlanSteps, FilePositionFollowerDiffSourceIsRepointedAfterTheLastDiff) {
  PlanFixture f = without_semi_sync(
      PlanFixture::mariadb_file_position().add_server("db4", "10.77.0.14", 4, "db1"));
  f.received_file("db3", "mysql-bin.000003", 900);
  f.relay_log_purge("db2", true).relay_log_purge("db4", false);
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_EQ(p.new_master.name, kDb2);
  EXPECT_EQ(steps_of<ApplyRelayDiff>(p).back()->source.name, kDb4);
  EXPECT_TRUE(around_promotion<RepointReplica>(p, false).empty());
  EXPECT_EQ(around_promotion<RepointReplica>(p, true), (std::vector<std::string>{kDb3, kDb4}));
  EXPECT_LT(index_of(p, "apply_relay_diff", 1), index_of(p, "repoint_replica", 1));
  // The new master's relay logs are nobody's source: reset at the promotion.
  EXPECT_TRUE(steps_of<PromoteNewMaster>(p)[0]->reset_slave_all);
  EXPECT_TRUE(steps_of<ResetNewMasterReplication>(p).empty());
}

// With semi-sync, the diff source may not go first while a diff still reads it: the first
// follower with a diff does.
TEST(PlanSteps, FilePositionSemiSyncNeverRepointsTheDiffSourceBeforeItsDiffs) {
  PlanFixture f = PlanFixture::mariadb_file_position().add_server("db4", "10.77.0.14", 4, "db1");
  f.received_file("db3", "mysql-bin.000003", 900);
  f.relay_log_purge("db2", true).relay_log_purge("db4", false);
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_EQ(around_promotion<RepointReplica>(p, false), (std::vector<std::string>{kDb3}));
  EXPECT_EQ(around_promotion<RepointReplica>(p, true), (std::vector<std::string>{kDb4}));
}

// GTID modes re-point in one step that catches up by itself: every replica before the promotion,
// with or without semi-sync, even one still applying its relay log.
TEST(PlanSteps, GtidModesStillRepointEveryReplicaBeforeThePromotion) {
  PlanFixture f =
      without_semi_sync(PlanFixture::mariadb_gtid().add_server("db4", "10.77.0.14", 4, "db1"));
  f.applied_gtid("db4", "0-1-90");
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_TRUE(around_promotion<RepointReplica>(p, true).empty());
  EXPECT_EQ(around_promotion<RepointReplica>(p, false).size(), 2u);
  EXPECT_TRUE(steps_of<PromoteNewMaster>(p)[0]->reset_slave_all);
  EXPECT_TRUE(steps_of<ResetNewMasterReplication>(p).empty());
}

TEST(PlanSteps, FilePositionDiffSourcePrefersALatestReplicaThatKeepsItsRelayLogs) {
  PlanFixture f = PlanFixture::mariadb_file_position().add_server("db4", "10.77.0.14", 4, "db1");
  f.received_file("db2", "mysql-bin.000003", 900);
  f.received_file("db4", "mysql-bin.000003", 1234);
  f.relay_log_purge("db3", true).relay_log_purge("db4", false);
  const FailoverPlan& p = plan_of(f.decide());
  auto diffs = steps_of<ApplyRelayDiff>(p);
  ASSERT_FALSE(diffs.empty());
  for (const ApplyRelayDiff* d : diffs) EXPECT_EQ(d->source.name, "db4(10.77.0.14:3306)");
  for (const std::string& w : p.warnings) EXPECT_EQ(w.find("relay_log_purge"), std::string::npos);
}

TEST(PlanSteps, FilePositionWarnsWhenTheDiffSourcePurgesItsRelayLogs) {
  PlanFixture f =
      PlanFixture::mariadb_file_position().received_file("db2", "mysql-bin.000003", 900);
  f.relay_log_purge("db3", true);
  const FailoverPlan& p = plan_of(f.decide());
  bool warned = false;
  for (const std::string& w : p.warnings) {
    warned = warned || w.find("relay_log_purge is ON on db3(10.77.0.13:3306)") != std::string::npos;
  }
  EXPECT_TRUE(warned);
  ASSERT_FALSE(steps_of<ApplyRelayDiff>(p).empty());
  EXPECT_TRUE(steps_of<ApplyRelayDiff>(p)[0]->check_only);
}

TEST(PlanSteps, MysqlUsesAutoPosition) {
  PlanFixture f = PlanFixture::mysql8();
  f.mysql_gtids("db3", uuid1("1-110"), uuid1("1-100"));
  f.candidate("db2");
  const FailoverPlan& p = plan_of(f.decide());
  auto catch_up = steps_of<CatchUpFromLatest>(p);
  ASSERT_EQ(catch_up.size(), 1u);
  EXPECT_EQ(catch_up[0]->target.to_string(), uuid1("1-110"));
  EXPECT_EQ(steps_of<RepointReplica>(p)[0]->method, RepointMethod::kMysqlAutoPosition);
}

TEST(PlanSteps, FlagsReachThePromotion) {
  PlanFixture f = PlanFixture::mariadb_gtid();
  f.policy().servers[1].skip_reset_slave = true;
  f.policy().skip_disable_read_only = true;
  f.policy().evidence.ssh_reachable = true;
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_FALSE(steps_of<PromoteNewMaster>(p)[0]->reset_slave_all);
  EXPECT_FALSE(steps_of<PromoteNewMaster>(p)[0]->disable_read_only);
  EXPECT_EQ(steps_of<FenceOldMaster>(p)[0]->command, FenceCommand::kStopSsh);
}

TEST(PlanSteps, SkipChangeMasterLeavesReplicasAlone) {
  PlanFixture f = PlanFixture::mariadb_gtid();
  f.policy().skip_change_master = true;
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_TRUE(steps_of<RepointReplica>(p).empty());
  EXPECT_FALSE(steps_of<PromoteNewMaster>(p)[0]->reset_slave_all);
  EXPECT_TRUE(p.new_replicas.empty());
}

TEST(PlanSteps, AlreadyFencedStartsAfterFencing) {
  PlanFixture f = PlanFixture::mariadb_gtid();
  f.policy().already_fenced = true;
  EXPECT_EQ(step_names(plan_of(f.decide())).front(), "wait_relay_applied");
}

TEST(PlanSteps, NoHooksMeansWarningsNotSteps) {
  PlanFixture f = PlanFixture::mariadb_gtid();
  f.policy().master_ip_failover_script.clear();
  f.policy().shutdown_script.clear();
  const FailoverPlan& p = plan_of(f.decide());
  EXPECT_TRUE(steps_of<RunFailoverScript>(p).empty());
  // Both hooks missing, and (the dead master's host not answering SSH) no binlog salvage.
  EXPECT_EQ(p.warnings.size(), 3u);
}

TEST(PlanSteps, SalvageWhenTheDeadMastersHostAnswersSsh) {
  PlanFixture f = PlanFixture::mariadb_gtid();
  f.policy().evidence.ssh_reachable = true;
  const FailoverPlan& p = plan_of(f.decide());
  const std::vector<std::string> names = step_names(p);
  const auto salvage = std::find(names.begin(), names.end(), "apply_saved_binlog");
  ASSERT_NE(salvage, names.end());
  // Before any replica is re-pointed, so they all replicate the salvaged events.
  EXPECT_LT(salvage, std::find(names.begin(), names.end(), "repoint_replica"));
  EXPECT_TRUE(std::get<ApplySavedBinlog>(p.steps[salvage - names.begin()]).mode ==
              ReplicationMode::kMariadbGtid);
  for (const std::string& w : p.warnings) EXPECT_EQ(w.find("may be lost"), std::string::npos) << w;
}

TEST(PlanSteps, NoSalvageWhenSkippedOrHostDown) {
  PlanFixture f = PlanFixture::mariadb_gtid();
  f.policy().evidence.ssh_reachable = true;
  f.policy().skip_save_master_binlog = true;
  EXPECT_TRUE(steps_of<ApplySavedBinlog>(plan_of(f.decide())).empty());
  PlanFixture g = PlanFixture::mariadb_gtid();
  g.policy().evidence.ssh_reachable = false;
  const FailoverPlan& p = plan_of(g.decide());
  EXPECT_TRUE(steps_of<ApplySavedBinlog>(p).empty());
  EXPECT_NE(p.warnings.back().find("does not answer SSH"), std::string::npos);
}

TEST(PlanSteps, FilePositionSalvageStartsAtTheLatestPosition) {
  PlanFixture f = PlanFixture::mariadb_file_position();
  f.policy().evidence.ssh_reachable = true;
  const FailoverPlan& p = plan_of(f.decide());
  const auto salvage = steps_of<ApplySavedBinlog>(p);
  ASSERT_EQ(salvage.size(), 1u);
  EXPECT_EQ(salvage[0]->from.to_string(), "mysql-bin.000003:1234");
  const std::vector<std::string> names = step_names(p);
  // After the position the others start from is recorded: they replicate the salvage.
  EXPECT_LT(std::find(names.begin(), names.end(), "record_new_master_position"),
            std::find(names.begin(), names.end(), "apply_saved_binlog"));
}

TEST(PlanSteps, PolicyFromConfig) {
  config::AppConfig c;
  c.app.latest_priority = false;
  c.app.report_script = "/bin/report";
  c.servers.resize(2);
  c.servers[1].skip_reset_slave = true;
  FailoverPolicy p = policy_from_config(c);
  EXPECT_FALSE(p.latest_priority);
  EXPECT_EQ(p.report_script, "/bin/report");
  EXPECT_FALSE(p.skip_reset_slave(0));
  EXPECT_TRUE(p.skip_reset_slave(1));
  EXPECT_FALSE(p.skip_reset_slave(7));
}

// The SQL fence's connect is bounded like a ping (config::ping_timeout): 1 s at ping_interval=1,
// never more than 2 s, whatever the interval.
TEST(Policy, TheSqlFenceIsBoundedLikeAPing) {
  config::AppConfig c;
  c.app.ping_interval = 1;
  EXPECT_EQ(policy_from_config(c).timeouts.sql_fence, std::chrono::seconds(1));
  c.app.ping_interval = 2;
  EXPECT_EQ(policy_from_config(c).timeouts.sql_fence, std::chrono::seconds(2));
  c.app.ping_interval = 30;
  EXPECT_EQ(policy_from_config(c).timeouts.sql_fence, std::chrono::seconds(2));
}

TEST(Decide, IsDeterministic) {
  PlanFixture f = PlanFixture::mariadb_gtid().candidate("db3").received_gtid("db2", "0-1-105");
  EXPECT_EQ(render_json(f.decide()), render_json(f.decide()));
}

}  // namespace
}  // namespace mha::planner::testing
