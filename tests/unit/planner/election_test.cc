// Which outcome and which new master, table-driven over PlanFixture variations.

#include <gtest/gtest.h>

#include <functional>
#include <ostream>

#include "plan_fixture.h"

namespace mha::planner::testing {
namespace {

using namespace std::chrono_literals;

struct Case {
  std::string name;
  std::function<PlanFixture()> setup;
  std::string outcome;     // "failover", "refuse", "no_failover"
  std::string rule;        // DecisionRecord::rule
  std::string new_master;  // hostname, for "failover"
  std::string reason_has;  // substring of the refusal / no-failover reason
};

// Test names instead of byte dumps in failure messages.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string outcome_of(const Decision& d) {
  return d.plan() ? "failover" : d.refusal() ? "refuse" : "no_failover";
}

std::string reason_of(const Decision& d) {
  if (d.refusal()) return d.refusal()->reason;
  if (d.no_failover()) return d.no_failover()->reason;
  return "";
}

class ElectionTest : public ::testing::TestWithParam<Case> {};

TEST_P(ElectionTest, Decides) {
  const Case& c = GetParam();
  PlanFixture f = c.setup();
  Decision d = f.decide();
  SCOPED_TRACE(f.text());
  EXPECT_EQ(outcome_of(d), c.outcome);
  EXPECT_EQ(d.record.rule, c.rule);
  if (!c.new_master.empty() && c.outcome == outcome_of(d)) {
    EXPECT_EQ(f.snapshot().servers[plan_of(d).new_master.index].id.hostname, c.new_master);
  }
  if (!c.reason_has.empty()) {
    EXPECT_NE(reason_of(d).find(c.reason_has), std::string::npos) << reason_of(d);
  }
}

PlanFixture base() { return PlanFixture::mariadb_gtid(); }

const Case kCases[] = {
    {"InSyncFirstInConfigOrder", [] { return base(); }, "failover", "elect:latest_no_candidates",
     "db2", ""},
    {"LatestReplicaWins", [] { return base().received_gtid("db3", "0-1-105"); }, "failover",
     "elect:latest_no_candidates", "db3", ""},
    {"CandidateMasterWinsOverLatest",
     [] { return base().received_gtid("db2", "0-1-105").candidate("db3"); }, "failover",
     "elect:candidate_master", "db3", ""},
    {"LatestCandidateMasterFirst",
     [] { return base().candidate("db2").candidate("db3").received_gtid("db3", "0-1-105"); },
     "failover", "elect:latest_candidate_master", "db3", ""},
    {"BadCandidateMasterSkipped", [] { return base().candidate("db3").no_master("db3"); },
     "failover", "elect:latest", "db2", ""},
    {"NoMasterExcludedEvenIfLatest",
     [] { return base().received_gtid("db2", "0-1-105").no_master("db2"); }, "failover",
     "elect:any", "db3", ""},
    {"LogBinOffIsBad",
     [] {
       PlanFixture f = base().candidate("db2");
       f.server("db2").log_bin = false;
       return f;
     },
     "failover", "elect:latest", "db3", ""},
    {"NewerMajorVersionIsBad",
     [] {
       PlanFixture f = base().candidate("db2");
       f.server("db3").version = *topology::parse_server_version("10.6.18-MariaDB-log");
       return f;
     },
     "failover", "elect:latest", "db3", ""},
    {"LatestPriorityOffIsConfigOrder",
     [] {
       PlanFixture f = base().received_gtid("db3", "0-1-105");
       f.policy().latest_priority = false;
       return f;
     },
     "failover", "elect:any", "db2", ""},
    {"LatestPriorityOffStillPrefersCandidate",
     [] {
       PlanFixture f = base().received_gtid("db2", "0-1-105").candidate("db3");
       f.policy().latest_priority = false;
       return f;
     },
     "failover", "elect:candidate_master", "db3", ""},
    {"TiesInConfigOrder",
     [] {
       return base().add_server("db4", "10.77.0.14", 4, "db1").candidate("db4").candidate("db3");
     },
     "failover", "elect:latest_candidate_master", "db3", ""},
    {"NewMasterHostValid",
     [] {
       PlanFixture f = base().candidate("db2");
       f.policy().new_master_host = "10.77.0.13";
       return f;
     },
     "failover", "elect:new_master_host", "db3", ""},
    {"NewMasterHostUnknown",
     [] {
       PlanFixture f = base();
       f.policy().new_master_host = "db9";
       return f;
     },
     "refuse", "refuse:new_master_host_invalid", "", "db9 is not a configured server"},
    {"NewMasterHostBad",
     [] {
       PlanFixture f = base().no_master("db3");
       f.policy().new_master_host = "db3";
       return f;
     },
     "refuse", "refuse:new_master_host_invalid", "", "no_master=1"},
    {"NewMasterHostDead",
     [] {
       PlanFixture f = base().dead("db3").ignore_fail("db3");
       f.policy().new_master_host = "db3";
       f.policy().new_master_port = 3306;
       return f;
     },
     "refuse", "refuse:new_master_host_invalid", "", "not an alive replica"},
    {"NewMasterHostIsTheDeadMaster",
     [] {
       PlanFixture f = base();
       f.policy().new_master_host = "db1";
       return f;
     },
     "refuse", "refuse:new_master_host_invalid", "", "not an alive replica"},
    {"NobodyQualifies", [] { return base().no_master("db2").no_master("db3"); }, "refuse",
     "refuse:no_candidate", "", "db3(10.77.0.13:3306): no_master=1"},
    {"ReplDelayDisqualifies",
     [] {
       return base()
           .candidate("db3")
           .received_gtid("db2", "0-1-200000")
           .received_gtid("db3", "0-1-200000")
           .applied_gtid("db3", "0-1-100");
     },
     "failover", "elect:latest", "db2", ""},
    {"ReplDelayCheckOff",
     [] {
       PlanFixture f = base()
                           .candidate("db3")
                           .received_gtid("db2", "0-1-200000")
                           .received_gtid("db3", "0-1-200000")
                           .applied_gtid("db3", "0-1-100");
       f.policy().check_repl_delay = false;
       return f;
     },
     "failover", "elect:latest_candidate_master", "db3", ""},
    {"FileBoundaryIsNotDelay",  // MHA issue #143: a rotation alone must not disqualify
     [] {
       PlanFixture f = PlanFixture::mariadb_file_position().candidate("db3");
       f.received_file("db2", "mysql-bin.000004", 500);
       f.received_file("db3", "mysql-bin.000004", 500, false);
       f.replica("db3").exec_master = {"mysql-bin.000003", 99'999'000};
       return f;
     },
     "failover", "elect:latest_candidate_master", "db3", ""},
    {"FileDelayInSameFileDisqualifies",
     [] {
       PlanFixture f = PlanFixture::mariadb_file_position().candidate("db3");
       f.received_file("db2", "mysql-bin.000004", 150'000'000);
       f.received_file("db3", "mysql-bin.000004", 150'000'000, false);
       f.replica("db3").exec_master = {"mysql-bin.000004", 1'000};
       return f;
     },
     "failover", "elect:latest", "db2", ""},
    {"ErrantGtidCandidateIsPassedOver",
     [] {
       PlanFixture f = base().candidate("db3");
       f.server("db3").mariadb_gtid.current_pos = mariadb_pos("0-3-101");
       return f;
     },
     "failover", "elect:latest", "db2", ""},
    {"ErrantGtidOvertakenByMasterStillFound",
     [] {
       PlanFixture f = base().candidate("db3").received_gtid("db2", "0-1-105");
       f.server("db3").mariadb_gtid.current_pos = mariadb_pos("0-3-101");
       return f;
     },
     "failover", "elect:latest", "db2", ""},
    {"ErrantGtidOnOnlySourceRefuses",
     [] {
       PlanFixture f = base().received_gtid("db3", "0-1-105").applied_gtid("db3", "0-1-105");
       f.server("db3").mariadb_gtid.current_pos = mariadb_pos("0-3-106");
       return f;
     },
     "refuse", "refuse:catch_up_impossible", "", "errant transactions 0-3-106"},
    {"MysqlErrantCandidateIsPassedOver",
     [] {
       PlanFixture f = PlanFixture::mysql8().candidate("db3");
       f.mysql_gtids("db3", uuid1("1-100"), uuid1("1-100") + "," + kUuid3 + ":1-2");
       return f;
     },
     "failover", "elect:latest", "db2", ""},
    {"MysqlLatestByRetrievedSet",
     [] {
       PlanFixture f = PlanFixture::mysql8();
       f.mysql_gtids("db3", uuid1("1-110"), uuid1("1-100"));
       return f;
     },
     "failover", "elect:latest_no_candidates", "db3", ""},
    {"NotConfirmedIsNoFailover",
     [] {
       PlanFixture f = base();
       f.policy().evidence.master_dead = false;
       return f;
     },
     "no_failover", "no_failover:not_confirmed", "", "has not confirmed"},
    {"MasterAliveIsNoFailover",
     [] {
       PlanFixture f = base();
       f.server("db1").sql = topology::SqlReach::kAlive;
       return f;
     },
     "no_failover", "no_failover:master_alive", "", "answers SQL"},
    {"MasterRefusingLoginIsNoFailover",
     [] {
       PlanFixture f = base();
       f.server("db1").sql = topology::SqlReach::kRefused;
       f.server("db1").sql_error = make_error(ErrorCode::kAuth, "too many", 1040);
       return f;
     },
     "no_failover", "no_failover:master_refused", "", "errno 1040"},
    {"DeadReplicaRefuses", [] { return base().dead("db3"); }, "refuse", "refuse:replica_failed", "",
     "db3(10.77.0.13:3306) is dead (errno 2003). Repair it, or set ignore_fail=1"},
    {"BrokenReplicaRefuses", [] { return base().sql_error("db2", 1062); }, "refuse",
     "refuse:replica_failed", "", "SQL thread stopped with error 1062"},
    {"DeadIgnoreFailReplicaSkipped", [] { return base().dead("db2").ignore_fail("db2"); },
     "failover", "elect:latest_no_candidates", "db3", ""},
    {"DifferentMastersRefuse",
     [] {
       PlanFixture f = base();
       f.replica("db3").master_host = "10.77.0.99";
       return f;
     },
     "refuse", "refuse:different_masters", "", "10.77.0.99:3306"},
    {"MultiTierWithoutFlagRefuses", [] { return base().add_server("db4", "10.77.0.14", 4, "db3"); },
     "refuse", "refuse:different_masters", "", "multi_tier_slave=1"},
    {"MultiTierUnmanaged",
     [] {
       PlanFixture f = base().add_server("db4", "10.77.0.14", 4, "db3");
       f.policy().multi_tier_slave = true;
       return f;
     },
     "failover", "elect:latest_no_candidates", "db2", ""},
    {"DetectionNamesAnotherMaster",
     [] {
       PlanFixture f = base();
       f.policy().evidence.dead_master_host = "db2";
       return f;
     },
     "refuse", "refuse:master_mismatch", "", "replicate from db1"},
    {"ErrorMarkerRefuses",
     [] {
       PlanFixture f = base();
       f.policy().markers.error_marker_exists = true;
       return f;
     },
     "refuse", "refuse:error_marker", "", ".failover.error"},
    {"ErrorMarkerIgnored",
     [] {
       PlanFixture f = base();
       f.policy().markers.error_marker_exists = true;
       f.policy().ignore_last_failover = true;
       return f;
     },
     "failover", "elect:latest_no_candidates", "db2", ""},
    {"InsideGuardWindowRefuses",
     [] {
       PlanFixture f = base();
       f.policy().markers.last_complete = kNow - 479min;
       return f;
     },
     "refuse", "refuse:recent_failover", "", "2024-05-01T04:01:00Z"},
    {"GuardWindowOver",
     [] {
       PlanFixture f = base();
       f.policy().markers.last_complete = kNow - 480min;
       return f;
     },
     "failover", "elect:latest_no_candidates", "db2", ""},
    {"InsideGuardWindowIgnored",
     [] {
       PlanFixture f = base();
       f.policy().markers.last_complete = kNow - 10min;
       f.policy().ignore_last_failover = true;
       return f;
     },
     "failover", "elect:latest_no_candidates", "db2", ""},
    {"FilePositionInSync", [] { return PlanFixture::mariadb_file_position(); }, "failover",
     "elect:latest_no_candidates", "db2", ""},
    // The lagging replica gets a relay-log diff from the latest one (plan_steps_test.cc).
    {"FilePositionLagFailsOverToTheLatest",
     [] {
       return PlanFixture::mariadb_file_position().received_file("db2", "mysql-bin.000003", 900);
     },
     "failover", "elect:latest_no_candidates", "db3", ""},
    {"FilePositionDifferentBinlogsRefuse",
     [] {
       return PlanFixture::mariadb_file_position().received_file("db2", "db9-bin.000003", 900);
     },
     "refuse", "refuse:unordered_positions", "", "different binlogs"},
};

INSTANTIATE_TEST_SUITE_P(Cases, ElectionTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

// mysql-bin.999999 -> mysql-bin.1000000: a string compare would call db2 the latest.
TEST(Latest, BinlogFileNumbersCompareNumerically) {
  PlanFixture f = PlanFixture::mariadb_file_position().ignore_fail("db2");
  f.received_file("db2", "mysql-bin.999999", 5000);
  f.received_file("db3", "mysql-bin.1000000", 120);
  const Decision d = f.decide();
  const FailoverPlan& p = plan_of(d);
  EXPECT_EQ(p.new_master.name, "db3(10.77.0.13:3306)");
  ASSERT_EQ(p.latest.size(), 1u);
  EXPECT_EQ(p.latest[0].name, "db3(10.77.0.13:3306)");
  // db2 (ignore_fail) is brought level with a relay-log diff across the numeric rotation.
  EXPECT_TRUE(p.not_recovered.empty());
  std::vector<const ApplyRelayDiff*> diffs;
  for (const PlanStep& s : p.steps) {
    if (const auto* diff = std::get_if<ApplyRelayDiff>(&s)) diffs.push_back(diff);
  }
  ASSERT_EQ(diffs.size(), 2u);  // the check, then the apply
  EXPECT_TRUE(diffs[0]->check_only);
  EXPECT_FALSE(diffs[1]->check_only);
  EXPECT_EQ(diffs[1]->from.to_string(), "mysql-bin.999999:5000");
  EXPECT_EQ(diffs[1]->to.to_string(), "mysql-bin.1000000:120");
}

TEST(Latest, TiesAreAllLatestInConfigOrder) {
  PlanFixture f = PlanFixture::mariadb_gtid().add_server("db4", "10.77.0.14", 4, "db1");
  f.received_gtid("db2", "0-1-99").applied_gtid("db2", "0-1-99");
  const Decision d = f.decide();
  const FailoverPlan& p = plan_of(d);
  ASSERT_EQ(p.latest.size(), 2u);
  EXPECT_EQ(p.latest[0].name, "db3(10.77.0.13:3306)");
  EXPECT_EQ(p.latest[1].name, "db4(10.77.0.14:3306)");
}

TEST(Record, EveryReplicaHasAWhy) {
  PlanFixture f = PlanFixture::mariadb_gtid().add_server("db4", "10.77.0.14", 4, "db1");
  f.received_gtid("db2", "0-1-105").candidate("db3").no_master("db4");
  Decision d = f.decide();
  ASSERT_EQ(d.record.candidates.size(), 3u);
  const CandidateVerdict& db2 = d.record.candidates[0];
  const CandidateVerdict& db3 = d.record.candidates[1];
  const CandidateVerdict& db4 = d.record.candidates[2];
  EXPECT_TRUE(db2.latest);
  EXPECT_TRUE(db2.eligible);
  EXPECT_FALSE(db2.chosen);
  EXPECT_EQ(db2.why, "eligible; rule candidate_master chose db3(10.77.0.13:3306) first");
  EXPECT_TRUE(db3.chosen);
  EXPECT_EQ(db3.why, "chosen by rule candidate_master; candidate_master=1");
  EXPECT_FALSE(db4.eligible);
  EXPECT_EQ(db4.why, "bad candidate: no_master=1");
  EXPECT_EQ(db2.received, "0-1-105");
}

}  // namespace
}  // namespace mha::planner::testing
