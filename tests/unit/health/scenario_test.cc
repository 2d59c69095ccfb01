// Fault scenarios as tables of timed observations fed to MasterHealth, with the verdict expected
// after each one. Times are injected (milliseconds after an arbitrary origin); ping_interval is
// 1 s throughout, so "at 4000" is the fourth ping after the fault.

#include "mha/health/master_health.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace mha::health {
namespace {

using namespace std::chrono_literals;
using topology::IoThreadState;

const TimePoint kT0 = TimePoint{} + 1000h;

// ---- observations ------------------------------------------------------------------------------

PingOutcome ok() { return PingOutcome::ok(); }
PingOutcome refused() { return PingOutcome::failed(PingFailureKind::kRefused, 2002, 3ms); }
PingOutcome unreachable() { return PingOutcome::failed(PingFailureKind::kUnreachable, 2002, 1s); }
PingOutcome lost() { return PingOutcome::failed(PingFailureKind::kLost, 2013, 1s); }
PingOutcome hung_query() { return PingOutcome::failed(PingFailureKind::kTimeout, 0, 1s); }
PingOutcome too_many() { return PingOutcome::failed(PingFailureKind::kAliveRefusal, 1040, 2ms); }
PingOutcome denied() { return PingOutcome::failed(PingFailureKind::kAliveRefusal, 1045, 2ms); }

using Replicas = std::vector<ReplicaEvidence>;

ReplicaEvidence rep(const char* id, std::optional<IoThreadState> io, int err, HandshakeProbe p) {
  return ReplicaEvidence{id, io, err, p};
}
// kill -9: the IO threads reconnect and get "connection refused"; the probes are refused too.
Replicas crashed() {
  return {rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
          rep("db3", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed)};
}
// Hang or cut link: the IO threads still say Yes, the handshake probes time out.
Replicas probes_fail() {
  return {rep("db2", IoThreadState::kYes, 0, HandshakeProbe::kFailed),
          rep("db3", IoThreadState::kYes, 0, HandshakeProbe::kFailed)};
}
// The master is fine for the replicas.
Replicas replicating() {
  return {rep("db2", IoThreadState::kYes, 0, HandshakeProbe::kOk),
          rep("db3", IoThreadState::kYes, 0, HandshakeProbe::kOk)};
}
// No SSH to the replica hosts: only the IO threads speak.
Replicas io_only(IoThreadState io, int err) {
  return {rep("db2", io, err, HandshakeProbe::kSshFailed),
          rep("db3", io, err, HandshakeProbe::kSshFailed)};
}

SecondaryCheckResult secondary(int exit_code) { return SecondaryCheckResult{exit_code}; }

// ---- policies ----------------------------------------------------------------------------------

HealthPolicy defaults() { return HealthPolicy{}; }
HealthPolicy with_secondary() {
  HealthPolicy p;
  p.secondary_check_configured = true;
  return p;
}
HealthPolicy mha_mode() {
  HealthPolicy p;
  p.require_replica_confirmation = false;
  p.refused_pings_required = 0;
  return p;
}
HealthPolicy quorum(ReplicaQuorum q) {
  HealthPolicy p;
  p.replica_quorum = q;
  return p;
}
HealthPolicy refused_twice() {
  HealthPolicy p;
  p.refused_pings_required = 2;
  return p;
}
// The 4-ping threshold alone (MHA's count), without the probe-confirmed path.
HealthPolicy threshold_only() {
  HealthPolicy p;
  p.probe_confirmed_pings = 0;
  return p;
}
HealthPolicy probes_after(int pings) {
  HealthPolicy p;
  p.probe_confirmed_pings = pings;
  return p;
}
HealthPolicy no_fast_path() {
  HealthPolicy p;
  p.refused_pings_required = 0;
  return p;
}

// ---- the table ---------------------------------------------------------------------------------

using Input = std::variant<PingOutcome, Replicas, SshToMaster, SecondaryCheckResult>;

struct Step {
  int at_ms;
  Input input;
  const char* expect;  // verdict_name() right after this observation
  std::optional<Rule> rule = std::nullopt;
};

struct Scenario {
  const char* name;
  HealthPolicy policy;
  std::vector<Step> steps;
};

constexpr const char* kAlive = "alive";
constexpr const char* kSuspect = "suspect";
constexpr const char* kDead = "dead";
constexpr const char* kNotDead = "not_dead";

std::vector<Scenario> scenarios() {
  const SshToMaster ssh_up = SshToMaster::kReachable;
  const SshToMaster ssh_down = SshToMaster::kUnreachable;
  return {
      {"kill9_refused_with_ssh_is_dead_at_the_first_ping",
       defaults(),
       {{0, ok(), kAlive, Rule::kPingsOk},
        {1000, refused(), kSuspect},
        {1050, ssh_up, kSuspect},  // replicas not heard yet
        {1100, crashed(), kDead, Rule::kRefusedWithSsh}}},
      {"kill9_replicas_first_then_ssh",
       defaults(),
       {{1000, refused(), kSuspect},
        {1080, crashed(), kSuspect},  // 1 of 4 pings and no ssh yet
        {1150, ssh_up, kDead, Rule::kRefusedWithSsh}}},
      {"refused_but_ssh_down_is_dead_once_two_pings_and_the_probes_agree",
       defaults(),
       {{1000, refused(), kSuspect},
        {1100, crashed(), kSuspect},
        {1500, ssh_down, kSuspect},
        {2000, refused(), kDead, Rule::kProbesConfirm}}},
      {"refused_but_ssh_down_waits_for_the_threshold",
       threshold_only(),
       {{1000, refused(), kSuspect},
        {1100, crashed(), kSuspect},
        {2000, refused(), kSuspect},
        {3000, refused(), kSuspect},
        {3500, ssh_down, kSuspect},
        {4000, refused(), kDead, Rule::kPingThreshold}}},
      {"refused_while_replicas_replicate_is_a_manager_side_reject",
       defaults(),
       {{1000, refused(), kSuspect},
        {1050, ssh_up, kSuspect},
        {1100, replicating(), kNotDead, Rule::kReplicasSeeMaster},
        {9000, refused(), kNotDead, Rule::kReplicasSeeMaster}}},
      {"refused_twice_rides_over_a_quick_restart",
       refused_twice(),
       {{1000, refused(), kSuspect},
        {1050, ssh_up, kSuspect},
        {1100, crashed(), kSuspect},
        {2000, ok(), kAlive, Rule::kPingsOk},  // mysqld is back
        {3000, ok(), kAlive}}},
      {"refused_twice_then_dead",
       refused_twice(),
       {{1000, refused(), kSuspect},
        {1050, ssh_up, kSuspect},
        {1100, crashed(), kSuspect},
        {2000, refused(), kDead, Rule::kRefusedWithSsh}}},
      {"fast_path_disabled",
       no_fast_path(),
       {{1000, refused(), kSuspect},
        {1050, ssh_up, kSuspect},
        {1100, crashed(), kSuspect},
        {2000, refused(), kDead, Rule::kProbesConfirm}}},
      {"link_cut_dead_after_two_pings_when_the_probes_confirm",
       defaults(),
       {{0, ok(), kAlive},
        {1000, unreachable(), kSuspect},
        {1300, probes_fail(), kSuspect},  // one ping is never enough on this path
        {2000, unreachable(), kSuspect},  // the SSH check has not answered yet
        {2100, ssh_down, kDead, Rule::kProbesConfirm}}},
      {"link_cut_without_an_ssh_answer_waits_for_the_threshold",
       defaults(),
       {{1000, unreachable(), kSuspect},
        {1300, probes_fail(), kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, unreachable(), kSuspect},
        {4000, unreachable(), kDead, Rule::kPingThreshold}}},
      {"probes_before_the_second_ping_wait_for_it",
       defaults(),
       {{1000, unreachable(), kSuspect},
        {1500, ssh_up, kSuspect},
        {2000, unreachable(), kSuspect},                           // two pings, no probe result yet
        {2500, io_only(IoThreadState::kConnecting, 0), kSuspect},  // IO votes do not count here
        {2900, probes_fail(), kDead, Rule::kProbesConfirm}}},
      {"probe_confirmed_pings_3",
       probes_after(3),
       {{1000, unreachable(), kSuspect},
        {1300, probes_fail(), kSuspect},
        {1400, ssh_down, kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, unreachable(), kDead, Rule::kProbesConfirm}}},
      {"io_thread_votes_alone_wait_for_the_threshold",
       defaults(),
       {{1000, lost(), kSuspect},
        {1100, io_only(IoThreadState::kConnecting, 2013), kSuspect},
        {2000, lost(), kSuspect},
        {3000, lost(), kSuspect},
        {4000, lost(), kDead, Rule::kPingThreshold}}},
      {"one_probe_and_one_io_vote_wait_for_the_threshold",
       defaults(),
       {{1000, lost(), kSuspect},
        {1100,
         Replicas{rep("db2", IoThreadState::kYes, 0, HandshakeProbe::kFailed),
                  rep("db3", IoThreadState::kConnecting, 0, HandshakeProbe::kSshFailed)},
         kSuspect},
        {2000, lost(), kSuspect},  // 2 confirm, but only 1 by a probe: majority of 2 is 2
        {3000, lost(), kSuspect},
        {4000, lost(), kDead, Rule::kPingThreshold}}},
      {"a_probe_that_succeeds_vetoes_the_probe_path",
       defaults(),
       {{1000, lost(), kSuspect},
        {1100,
         Replicas{rep("db2", IoThreadState::kYes, 0, HandshakeProbe::kFailed),
                  rep("db3", IoThreadState::kYes, 0, HandshakeProbe::kOk)},
         kNotDead, Rule::kReplicasSeeMaster},
        {2000, lost(), kNotDead, Rule::kReplicasSeeMaster}}},
      {"link_cut_dead_after_four_pings",
       threshold_only(),
       {{0, ok(), kAlive},
        {1000, unreachable(), kSuspect},
        {1300, probes_fail(), kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, unreachable(), kSuspect},
        {3600, ssh_down, kSuspect},
        {4000, unreachable(), kDead, Rule::kPingThreshold}}},
      {"sigstop_dead_after_two_pings_and_the_probes",
       defaults(),
       {{1000, lost(), kSuspect},
        {1100, ssh_up, kSuspect},  // the host is fine, mysqld is frozen: no fast path
        {2000, lost(), kSuspect},
        {1000 + 2300, probes_fail(), kDead, Rule::kProbesConfirm}}},
      {"sigstop_dead_after_four_pings_not_after_slave_net_timeout",
       threshold_only(),
       {{1000, lost(), kSuspect},
        {1100, ssh_up, kSuspect},  // the host is fine, mysqld is frozen: no fast path
        {1000 + 2300, probes_fail(), kSuspect},
        {2000, lost(), kSuspect},
        {3000, hung_query(), kSuspect},
        {4000, lost(), kDead, Rule::kPingThreshold}}},
      {"sigstop_without_replica_ssh_waits_for_the_io_threads",
       defaults(),
       {{1000, lost(), kSuspect},
        {1200, io_only(IoThreadState::kYes, 0), kNotDead, Rule::kReplicasSeeMaster},
        {2000, lost(), kNotDead},
        {3000, lost(), kNotDead},
        {4000, lost(), kNotDead},
        {10000, io_only(IoThreadState::kYes, 0), kNotDead},
        {20000, lost(), kNotDead},
        // slave_net_timeout expired: MariaDB shows Connecting with errno 0.
        {21000, io_only(IoThreadState::kConnecting, 0), kDead, Rule::kPingThreshold}}},
      {"flapping_resets_the_probe_evidence_too",
       defaults(),
       {{1000, unreachable(), kSuspect},
        {1100, probes_fail(), kSuspect},
        {2000, ok(), kAlive},
        {3000, unreachable(), kSuspect},
        {3500, ssh_down, kSuspect},
        {4000, unreachable(), kSuspect},  // 2 in a row, but the probes spoke in the old streak
        {4100, probes_fail(), kDead, Rule::kProbesConfirm}}},
      {"flapping_resets_the_streak_and_its_evidence",
       threshold_only(),
       {{1000, unreachable(), kSuspect},
        {1100, probes_fail(), kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, ok(), kAlive},
        {4000, unreachable(), kSuspect},
        {5000, unreachable(), kSuspect},
        {6000, unreachable(), kSuspect},
        {7000, unreachable(), kSuspect},  // 4 in a row, but the replicas spoke in the old streak
        {7100, probes_fail(), kDead, Rule::kPingThreshold}}},
      {"alive_errors_end_the_streak_and_count_nothing",
       threshold_only(),
       {{1000, unreachable(), kSuspect},
        {1100, probes_fail(), kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, unreachable(), kSuspect},
        {4000, too_many(), kAlive, Rule::kAliveRefusal},
        {5000, denied(), kAlive, Rule::kAliveRefusal},
        {6000, unreachable(), kSuspect},
        {6100, probes_fail(), kSuspect},
        {7000, unreachable(), kSuspect},
        {8000, denied(), kAlive, Rule::kAliveRefusal},
        {9000, ok(), kAlive, Rule::kPingsOk}}},
      {"secondary_exit_2_network_problem",
       with_secondary(),
       {{1000, unreachable(), kSuspect},
        {1100, probes_fail(), kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, unreachable(), kSuspect},
        {4000, unreachable(), kSuspect},  // waiting for the script
        {4100, secondary(2), kNotDead, Rule::kSecondaryDisagrees}}},
      {"secondary_exit_3_master_reachable_elsewhere",
       with_secondary(),
       {{1000, unreachable(), kSuspect},
        {1100, probes_fail(), kSuspect},
        {1200, secondary(3), kNotDead, Rule::kSecondaryDisagrees},
        {4000, unreachable(), kNotDead, Rule::kSecondaryDisagrees}}},
      {"secondary_other_exit_is_no",
       with_secondary(),
       {{1000, unreachable(), kSuspect},
        {1100, probes_fail(), kSuspect},
        {1200, secondary(1), kNotDead, Rule::kSecondaryDisagrees},
        {2000, unreachable(), kNotDead},
        {3000, unreachable(), kNotDead},
        {4000, unreachable(), kNotDead},
        {4500, secondary(0), kDead, Rule::kPingThreshold}}},  // a later run agrees
      {"secondary_exit_0_agrees",
       with_secondary(),
       {{1000, unreachable(), kSuspect},
        {1100, probes_fail(), kSuspect},
        {1200, secondary(0), kSuspect},
        {1300, ssh_down, kSuspect},
        {2000, unreachable(), kDead, Rule::kProbesConfirm}}},
      {"secondary_required_on_the_probe_path_too",
       with_secondary(),
       {{1000, unreachable(), kSuspect},
        {1100, probes_fail(), kSuspect},
        {1150, ssh_down, kSuspect},
        {2000, unreachable(), kSuspect},  // probes agree, the script has not answered
        {2300, secondary(0), kDead, Rule::kProbesConfirm}}},
      {"secondary_required_on_the_fast_path_too",
       with_secondary(),
       {{1000, refused(), kSuspect},
        {1050, ssh_up, kSuspect},
        {1100, crashed(), kSuspect},
        {1400, secondary(0), kDead, Rule::kRefusedWithSsh}}},
      {"replica_evidence_from_before_the_streak_is_ignored",
       defaults(),
       {{0, ok(), kAlive},
        {500, probes_fail(), kAlive},  // e.g. a replica-side blip while the master answered us
        {1000, unreachable(), kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, unreachable(), kSuspect},
        {4000, unreachable(), kSuspect}}},
      {"replica_evidence_older_than_max_age_expires",
       threshold_only(),
       {{1000, unreachable(), kSuspect},
        {1100, probes_fail(), kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, unreachable(), kSuspect},
        {4000, unreachable(), kDead},
        {16000, unreachable(), kDead},     // 14.9 s old: still counts
        {17000, unreachable(), kSuspect},  // 15.9 s old: no longer
        {17200, probes_fail(), kDead}}},
      {"a_vetoing_replica_expires_too",
       defaults(),
       {{1000, unreachable(), kSuspect},
        {1100, replicating(), kNotDead},
        {2000, unreachable(), kNotDead},
        {3000, unreachable(), kNotDead},
        {4000, unreachable(), kNotDead},
        {17000, unreachable(), kSuspect},  // the "alive" is 15.9 s old
        {17100, probes_fail(), kDead}}},
      {"one_replica_lost_one_replicates_is_a_partial_partition",
       defaults(),
       {{1000, unreachable(), kSuspect},
        {1100,
         Replicas{rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
                  rep("db3", IoThreadState::kYes, 0, HandshakeProbe::kOk)},
         kNotDead, Rule::kReplicasSeeMaster},
        {4000, unreachable(), kNotDead, Rule::kReplicasSeeMaster}}},
      {"majority_of_two_needs_both",
       defaults(),
       {{1000, unreachable(), kSuspect},
        {1100,
         Replicas{rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
                  rep("db3", std::nullopt, 0, HandshakeProbe::kSshFailed)},
         kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, unreachable(), kSuspect},
        {4000, unreachable(), kSuspect}}},
      {"quorum_any_accepts_one",
       quorum(ReplicaQuorum::kAny),
       {{1000, unreachable(), kSuspect},
        {1100,
         Replicas{rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
                  rep("db3", std::nullopt, 0, HandshakeProbe::kSshFailed)},
         kSuspect},
        {1500, ssh_down, kSuspect},
        {2000, unreachable(), kDead, Rule::kProbesConfirm}}},
      {"quorum_any_still_vetoed_by_a_replicating_replica",
       quorum(ReplicaQuorum::kAny),
       {{1000, unreachable(), kSuspect},
        {1100,
         Replicas{rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
                  rep("db3", IoThreadState::kYes, 0, HandshakeProbe::kNotRun)},
         kNotDead, Rule::kReplicasSeeMaster},
        {4000, unreachable(), kNotDead}}},
      {"quorum_all_with_an_unreadable_replica",
       quorum(ReplicaQuorum::kAll),
       {{1000, unreachable(), kSuspect},
        {1100,
         Replicas{rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
                  rep("db3", IoThreadState::kNo, 0, HandshakeProbe::kSshFailed)},
         kSuspect},
        {2000, unreachable(), kSuspect},
        {3000, unreachable(), kSuspect},
        {4000, unreachable(), kSuspect},
        {4100, crashed(), kDead}}},
      {"mha_mode_counts_pings_only",
       mha_mode(),
       {{1000, refused(), kSuspect},
        {1050, ssh_up, kSuspect},  // no fast path in MHA mode
        {2000, refused(), kSuspect},
        {3000, refused(), kSuspect},
        {4000, refused(), kDead, Rule::kPingThreshold}}},
  };
}

// gtest prints parameters on failure; the name is what identifies a scenario.
void PrintTo(const Scenario& sc, std::ostream* os) { *os << sc.name; }

class ScenarioTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(ScenarioTest, VerdictAfterEachObservation) {
  const Scenario& sc = GetParam();
  Result<MasterHealth> h = MasterHealth::create(sc.policy, {"db2", "db3"});
  ASSERT_TRUE(h) << h.error().message;
  for (const Step& step : sc.steps) {
    const TimePoint t = kT0 + std::chrono::milliseconds(step.at_ms);
    struct Feed {
      MasterHealth& h;
      TimePoint t;
      void operator()(const PingOutcome& p) const { (void)h.observe_ping(p, t); }
      void operator()(const Replicas& r) const { ASSERT_TRUE(h.observe_replicas(r, t)); }
      void operator()(SshToMaster s) const { h.observe_ssh(s, t); }
      void operator()(SecondaryCheckResult s) const { h.observe_secondary(s, t); }
    };
    std::visit(Feed{*h, t}, step.input);
    const Verdict v = h->evaluate(t);
    EXPECT_STREQ(verdict_name(v), step.expect) << "at " << step.at_ms << " ms: " << describe(v);
    if (step.rule) {
      EXPECT_EQ(rule_of(v), *step.rule) << "at " << step.at_ms << " ms: " << describe(v);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, ScenarioTest, ::testing::ValuesIn(scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& p) {
                           return std::string(p.param.name);
                         });

// The manager cut off from the master while the replicas replicate: pings fail for an hour, the
// loop re-probes whenever requests() asks, and the verdict never becomes Dead.
TEST(ManagerPartition, NeverDeadHoweverLongItLasts) {
  Result<MasterHealth> h = MasterHealth::create(HealthPolicy{}, {"db2", "db3"});
  ASSERT_TRUE(h);
  int reprobes = 0;
  for (int s = 1; s <= 3600; ++s) {
    const TimePoint t = kT0 + std::chrono::seconds(s);
    (void)h->observe_ping(unreachable(), t);
    const Requests want = h->requests(t);
    if (!want.probe_replicas.empty()) {
      ++reprobes;
      ASSERT_TRUE(h->observe_replicas(replicating(), t));  // stamped when started
    }
    if (want.check_ssh) h->observe_ssh(SshToMaster::kUnreachable, t);
    const Verdict v = h->evaluate(t + 500ms);
    ASSERT_STREQ(verdict_name(v), kNotDead) << "after " << s << " s: " << describe(v);
  }
  EXPECT_EQ(h->consecutive_failures(), 3600);
  // Re-probed every reprobe_interval (3 s), not once and not every second.
  EXPECT_EQ(reprobes, 1200);
  const Verdict v = h->evaluate(kT0 + 3600s + 500ms);
  EXPECT_EQ(describe(v),
            "not_dead (replicas_see_master): the manager alone lost the master: db2 and db3 still "
            "reach it (db2: handshake probe succeeded; db3: handshake probe succeeded); not "
            "failing over");
}

// A manager partition that ends in a real crash: the fresh evidence replaces the veto.
TEST(ManagerPartition, ThenARealCrashIsSeen) {
  Result<MasterHealth> h = MasterHealth::create(HealthPolicy{}, {"db2", "db3"});
  ASSERT_TRUE(h);
  (void)h->observe_ping(unreachable(), kT0);
  ASSERT_TRUE(h->observe_replicas(replicating(), kT0 + 100ms));
  for (int s = 1; s < 60; ++s) {
    const TimePoint t = kT0 + std::chrono::seconds(s);
    (void)h->observe_ping(unreachable(), t);
    if (!h->requests(t).probe_replicas.empty()) {
      ASSERT_TRUE(h->observe_replicas(replicating(), t));
    }
  }
  EXPECT_STREQ(verdict_name(h->evaluate(kT0 + 59s)), kNotDead);
  ASSERT_TRUE(h->observe_replicas(crashed(), kT0 + 59s + 200ms));
  EXPECT_STREQ(verdict_name(h->evaluate(kT0 + 59s + 200ms)), kDead);
}

}  // namespace
}  // namespace mha::health
