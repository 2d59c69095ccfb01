// MasterHealth's contract beyond the fault tables: transitions, what it asks the loop to collect,
// the texts it gives for the log, freshness and ordering of evidence, construction errors.

#include "mha/health/master_health.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace mha::health {
namespace {

using namespace std::chrono_literals;
using topology::IoThreadState;

const TimePoint kT0 = TimePoint{} + 1000h;

PingOutcome unreachable() { return PingOutcome::failed(PingFailureKind::kUnreachable, 2002, 2s); }
PingOutcome refused() { return PingOutcome::failed(PingFailureKind::kRefused, 2002, 3ms); }
PingOutcome lost() { return PingOutcome::failed(PingFailureKind::kLost, 2013, 2s); }

ReplicaEvidence rep(const char* id, std::optional<IoThreadState> io, int err, HandshakeProbe p) {
  return ReplicaEvidence{id, io, err, p};
}

MasterHealth make(HealthPolicy p = {}, std::vector<std::string> replicas = {"db2", "db3"}) {
  Result<MasterHealth> h = MasterHealth::create(p, std::move(replicas));
  EXPECT_TRUE(h) << h.error().message;
  return std::move(h).value();
}

TEST(MasterHealthCreate, RejectsBadReplicaListsAndPolicies) {
  Result<MasterHealth> dup = MasterHealth::create(HealthPolicy{}, {"db2", "db2"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kConfig);
  EXPECT_EQ(dup.error().message, "health: replica db2 listed twice");

  ASSERT_FALSE(MasterHealth::create(HealthPolicy{}, {"db2", ""}));

  HealthPolicy p;
  p.ping_failures_threshold = 0;
  Result<MasterHealth> bad = MasterHealth::create(p, {"db2"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kConfig);
}

TEST(MasterHealthTransitions, EnvoyStyle) {
  MasterHealth h = make();
  EXPECT_EQ(h.observe_ping(PingOutcome::ok(), kT0), HealthTransition::kUnchanged);
  EXPECT_EQ(h.observe_ping(unreachable(), kT0 + 1s), HealthTransition::kPending);
  EXPECT_EQ(h.streak_started(), kT0 + 1s);
  EXPECT_EQ(h.observe_ping(unreachable(), kT0 + 2s), HealthTransition::kPending);
  EXPECT_EQ(h.consecutive_failures(), 2);
  EXPECT_EQ(h.streak_started(), kT0 + 1s);  // the first failure of the streak
  EXPECT_EQ(h.observe_ping(PingOutcome::ok(), kT0 + 3s), HealthTransition::kChanged);
  EXPECT_EQ(h.consecutive_failures(), 0);
  EXPECT_EQ(h.streak_started(), std::nullopt);
  EXPECT_EQ(h.observe_ping(PingOutcome::ok(), kT0 + 4s), HealthTransition::kUnchanged);

  // An "alive" refusal ends a streak like a success and is never counted.
  EXPECT_EQ(h.observe_ping(unreachable(), kT0 + 5s), HealthTransition::kPending);
  const PingOutcome too_many = PingOutcome::failed(PingFailureKind::kAliveRefusal, 1040, 1ms);
  EXPECT_EQ(h.observe_ping(too_many, kT0 + 6s), HealthTransition::kChanged);
  EXPECT_EQ(h.consecutive_failures(), 0);
  EXPECT_EQ(h.observe_ping(too_many, kT0 + 7s), HealthTransition::kUnchanged);
  EXPECT_EQ(h.consecutive_failures(), 0);
  const Verdict v = h.evaluate(kT0 + 7s);
  ASSERT_TRUE(std::holds_alternative<Alive>(v));
  EXPECT_EQ(std::get<Alive>(v).refusing_errno, 1040u);
  EXPECT_EQ(describe(v),
            "alive (alive_refusal): the master refuses the monitor with errno 1040; mysqld is "
            "running, so this is not a failure (fix the grants or limits)");
  (void)h.observe_ping(PingOutcome::ok(), kT0 + 8s);
  EXPECT_EQ(std::get<Alive>(h.evaluate(kT0 + 8s)).refusing_errno, std::nullopt);
}

TEST(MasterHealthRequests, NothingWhileHealthy) {
  MasterHealth h = make(HealthPolicy{.secondary_check_configured = true});
  (void)h.observe_ping(PingOutcome::ok(), kT0);
  EXPECT_FALSE(h.requests(kT0).any());
}

TEST(MasterHealthRequests, EverythingAtTheFirstFailureThenReprobeWhenStale) {
  HealthPolicy p;
  p.secondary_check_configured = true;
  MasterHealth h = make(p);
  (void)h.observe_ping(lost(), kT0);
  Requests r = h.requests(kT0);
  EXPECT_EQ(r.probe_replicas, (std::vector<std::string>{"db2", "db3"}));
  EXPECT_TRUE(r.check_ssh);
  EXPECT_TRUE(r.run_secondary_check);

  // Results arrive (stamped when started): nothing more to ask until reprobe_interval passes.
  ASSERT_TRUE(h.observe_replicas({rep("db2", IoThreadState::kYes, 0, HandshakeProbe::kFailed)},
                                 kT0 + 10ms));
  h.observe_ssh(SshToMaster::kReachable, kT0 + 10ms);
  h.observe_secondary(SecondaryCheckResult{0}, kT0 + 10ms);
  r = h.requests(kT0 + 1s);
  EXPECT_EQ(r.probe_replicas, (std::vector<std::string>{"db3"}));  // db3 has not answered
  EXPECT_FALSE(r.check_ssh);
  EXPECT_FALSE(r.run_secondary_check);

  r = h.requests(kT0 + 10ms + p.reprobe_interval);
  EXPECT_EQ(r.probe_replicas, (std::vector<std::string>{"db2", "db3"}));
  EXPECT_TRUE(r.check_ssh);
  EXPECT_TRUE(r.run_secondary_check);
}

TEST(MasterHealthRequests, NoReplicaProbesInMhaMode) {
  HealthPolicy p;
  p.require_replica_confirmation = false;
  MasterHealth h = make(p);
  (void)h.observe_ping(lost(), kT0);
  const Requests r = h.requests(kT0);
  EXPECT_TRUE(r.probe_replicas.empty());
  EXPECT_TRUE(r.check_ssh);
  EXPECT_FALSE(r.run_secondary_check);
}

TEST(MasterHealthEvidence, OlderResultsDoNotReplaceNewerOnes) {
  MasterHealth h = make();
  (void)h.observe_ping(unreachable(), kT0);
  // The probe started later finished first and says "lost"; the earlier one said "alive".
  ASSERT_TRUE(h.observe_replicas({rep("db2", IoThreadState::kYes, 0, HandshakeProbe::kFailed),
                                  rep("db3", IoThreadState::kYes, 0, HandshakeProbe::kFailed)},
                                 kT0 + 2s));
  ASSERT_TRUE(
      h.observe_replicas({rep("db2", IoThreadState::kYes, 0, HandshakeProbe::kOk)}, kT0 + 1s));
  h.observe_ssh(SshToMaster::kUnreachable, kT0 + 2s);
  h.observe_ssh(SshToMaster::kReachable, kT0 + 1s);
  for (int i = 1; i < 4; ++i) (void)h.observe_ping(unreachable(), kT0 + std::chrono::seconds(i));
  const Verdict v = h.evaluate(kT0 + 3s);
  ASSERT_TRUE(is_dead(v)) << describe(v);
  EXPECT_EQ(std::get<Dead>(v).ssh_reachable, SshToMaster::kUnreachable);
}

TEST(MasterHealthEvidence, UnknownReplicaIsReportedOthersStillCount) {
  MasterHealth h = make();
  (void)h.observe_ping(unreachable(), kT0);
  Status s =
      h.observe_replicas({rep("db9", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
                          rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed)},
                         kT0);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.error().message, "health: evidence for unknown replica(s) db9 ignored");
  const Verdict v = h.evaluate(kT0);
  ASSERT_TRUE(std::holds_alternative<Suspect>(v));
  EXPECT_EQ(std::get<Suspect>(v).evidence.confirming, 1);
}

TEST(MasterHealthEvidence, WithoutReplicasNothingCanConfirm) {
  MasterHealth h = make(HealthPolicy{}, {});
  for (int i = 0; i < 10; ++i) (void)h.observe_ping(unreachable(), kT0 + std::chrono::seconds(i));
  const Verdict v = h.evaluate(kT0 + 9s);
  ASSERT_TRUE(std::holds_alternative<Suspect>(v)) << describe(v);
  EXPECT_EQ(std::get<Suspect>(v).needs, std::vector<Need>{Need::kReplicaEvidence});
  EXPECT_NE(describe(v).find("no replica to ask"), std::string::npos) << describe(v);
}

// MHA's case "an ignore_fail replica is down, then the master dies": under the majority quorum
// the down replica would be a missing confirmation forever (1 of 2). Left out of the denominator
// it is not; a replica without ignore_fail, or one that still has an opinion, counts as before.
TEST(MasterHealthEvidence, DownIgnoreFailReplicaLeavesTheQuorum) {
  const ReplicaEvidence db2_lost =
      rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed);
  const ReplicaEvidence db3_down = rep("db3", std::nullopt, 0, HandshakeProbe::kSshFailed);
  auto verdict = [&](HealthPolicy p, const ReplicaEvidence& third) {
    MasterHealth h = make(p);
    for (int i = 0; i < 4; ++i) (void)h.observe_ping(lost(), kT0 + std::chrono::seconds(i));
    EXPECT_TRUE(h.observe_replicas({db2_lost, third}, kT0 + 3s));
    return h.evaluate(kT0 + 3s);
  };

  const Verdict stuck = verdict(HealthPolicy{}, db3_down);
  ASSERT_TRUE(std::holds_alternative<Suspect>(stuck)) << describe(stuck);
  EXPECT_EQ(std::get<Suspect>(stuck).evidence.required, 2);

  HealthPolicy p;
  p.ignore_fail_replicas = {"db3"};
  const Verdict dead = verdict(p, db3_down);
  ASSERT_TRUE(is_dead(dead)) << describe(dead);
  EXPECT_EQ(std::get<Dead>(dead).evidence.required, 1);
  EXPECT_EQ(std::get<Dead>(dead).evidence.left_out, 1);
  EXPECT_NE(describe(dead).find("down and ignore_fail, left out of the quorum: db3"),
            std::string::npos)
      << describe(dead);

  // A stopped IO thread is an opinion-less but readable replica: it still counts.
  const Verdict readable =
      verdict(p, rep("db3", IoThreadState::kNo, 0, HandshakeProbe::kSshFailed));
  ASSERT_TRUE(std::holds_alternative<Suspect>(readable)) << describe(readable);
  EXPECT_EQ(std::get<Suspect>(readable).evidence.required, 2);

  // Its veto is never left out.
  const Verdict veto = verdict(p, rep("db3", std::nullopt, 0, HandshakeProbe::kOk));
  EXPECT_TRUE(std::holds_alternative<NotDead>(veto)) << describe(veto);

  // Every replica down and ignore_fail: one confirmation is still required.
  p.ignore_fail_replicas = {"db2", "db3"};
  MasterHealth h = make(p);
  for (int i = 0; i < 4; ++i) (void)h.observe_ping(lost(), kT0 + std::chrono::seconds(i));
  ASSERT_TRUE(h.observe_replicas(
      {rep("db2", std::nullopt, 0, HandshakeProbe::kSshFailed), db3_down}, kT0 + 3s));
  const Verdict none = h.evaluate(kT0 + 3s);
  ASSERT_TRUE(std::holds_alternative<Suspect>(none)) << describe(none);
  EXPECT_EQ(std::get<Suspect>(none).evidence.required, 1);
}

TEST(MasterHealthText, SuspectSaysWhatIsMissing) {
  HealthPolicy p;
  p.secondary_check_configured = true;
  MasterHealth h = make(p);
  (void)h.observe_ping(refused(), kT0);
  ASSERT_TRUE(
      h.observe_replicas({rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
                          rep("db3", IoThreadState::kNo, 0, HandshakeProbe::kSshFailed)},
                         kT0));
  const Verdict v = h.evaluate(kT0 + 100ms);
  ASSERT_TRUE(std::holds_alternative<Suspect>(v));
  EXPECT_EQ(std::get<Suspect>(v).needs,
            (std::vector<Need>{Need::kMorePingFailures, Need::kSshCheck, Need::kReplicaEvidence,
                               Need::kSecondaryCheck}));
  EXPECT_EQ(
      describe(v),
      "suspect (awaiting_evidence): 1 failed ping in a row (last: refused, errno 2002 after "
      "3 ms); waiting for: 3 more failed pings (1 if the replicas' handshake probes confirm); "
      "the ssh check of the master host (refused: "
      "mysqld may have crashed); replica confirmation (1 of 2 required; db3: IO thread No; "
      "probe: ssh failed); secondary_check_script");
}

TEST(MasterHealthText, DeadSummaryForTheFastPath) {
  MasterHealth h = make();
  (void)h.observe_ping(refused(), kT0);
  h.observe_ssh(SshToMaster::kReachable, kT0 + 50ms);
  ASSERT_TRUE(
      h.observe_replicas({rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
                          rep("db3", IoThreadState::kConnecting, 2013, HandshakeProbe::kNotRun)},
                         kT0 + 60ms));
  const Verdict v = h.evaluate(kT0 + 100ms);
  ASSERT_TRUE(is_dead(v)) << describe(v);
  const Dead& d = std::get<Dead>(v);
  EXPECT_EQ(d.ssh_reachable, SshToMaster::kReachable);
  EXPECT_EQ(d.evidence.confirming, 2);
  EXPECT_EQ(d.evidence.required, 2);
  EXPECT_EQ(describe(v),
            "dead (refused_with_ssh): master is dead: connection refused (refused, errno 2002 "
            "after 3 ms) while the host answers SSH: mysqld is down on a living host; replicas "
            "confirm (2, 2 required): db2: handshake probe failed (IO thread Connecting, errno "
            "2003); db3: IO thread Connecting, errno 2013; no secondary_check_script; ssh to the "
            "master host: reachable");
}

TEST(MasterHealthText, DeadSummaryAfterTheThreshold) {
  HealthPolicy p;
  p.secondary_check_configured = true;
  MasterHealth h = make(p);
  for (int i = 0; i < 4; ++i) (void)h.observe_ping(lost(), kT0 + std::chrono::seconds(i));
  ASSERT_TRUE(h.observe_replicas({rep("db2", IoThreadState::kYes, 0, HandshakeProbe::kFailed),
                                  rep("db3", IoThreadState::kYes, 0, HandshakeProbe::kFailed)},
                                 kT0 + 100ms));
  h.observe_secondary(SecondaryCheckResult{0}, kT0 + 200ms);
  const Verdict v = h.evaluate(kT0 + 3s);
  ASSERT_TRUE(is_dead(v)) << describe(v);
  EXPECT_EQ(std::get<Dead>(v).ssh_reachable, SshToMaster::kUnknown);
  EXPECT_EQ(describe(v),
            "dead (ping_threshold): master is dead: 4 failed pings in a row (last: lost, errno "
            "2013 after 2.00 s); replicas confirm (2, 2 required): db2: handshake probe failed (IO "
            "thread Yes); db3: handshake probe failed (IO thread Yes); secondary_check_script "
            "agrees (exit 0); ssh to the master host: unknown");
}

TEST(MasterHealthText, PartialPartitionAndSecondaryReasons) {
  MasterHealth h = make(HealthPolicy{}, {"db2", "db3", "db4"});
  (void)h.observe_ping(unreachable(), kT0);
  ASSERT_TRUE(
      h.observe_replicas({rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed),
                          rep("db3", IoThreadState::kYes, 0, HandshakeProbe::kNotRun),
                          rep("db4", IoThreadState::kYes, 0, HandshakeProbe::kOk)},
                         kT0));
  EXPECT_EQ(describe(h.evaluate(kT0)),
            "not_dead (replicas_see_master): replicas disagree: db3 and db4 still reach the "
            "master while db2 has lost it (db3: IO thread Yes; db4: handshake probe succeeded; "
            "db2: handshake probe failed (IO thread Connecting, errno 2003)); a partial partition, "
            "not failing over");

  HealthPolicy p;
  p.secondary_check_configured = true;
  MasterHealth s = make(p);
  (void)s.observe_ping(unreachable(), kT0);
  s.observe_secondary(SecondaryCheckResult{2}, kT0);
  EXPECT_EQ(describe(s.evaluate(kT0)),
            "not_dead (secondary_disagrees): secondary_check_script exited 2: a monitoring server "
            "is unreachable (network problem); not failing over");
}

TEST(MasterHealthText, StaleEvidenceIsExplained) {
  MasterHealth h = make();
  ASSERT_TRUE(h.observe_replicas(
      {rep("db2", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed)}, kT0));
  (void)h.observe_ping(unreachable(), kT0 + 1s);
  ASSERT_TRUE(h.observe_replicas(
      {rep("db3", IoThreadState::kConnecting, 2003, HandshakeProbe::kFailed)}, kT0 + 1s));
  Verdict v = h.evaluate(kT0 + 1s);
  ASSERT_TRUE(std::holds_alternative<Suspect>(v));
  EXPECT_EQ(std::get<Suspect>(v).evidence.replicas[0].why, "evidence predates the failure streak");
  v = h.evaluate(kT0 + 30s);
  EXPECT_EQ(std::get<Suspect>(v).evidence.replicas[1].why, "evidence older than evidence_max_age");
  EXPECT_EQ(std::get<Suspect>(v).evidence.confirming, 0);
}

TEST(MasterHealthNames, StableIds) {
  EXPECT_STREQ(rule_name(Rule::kRefusedWithSsh), "refused_with_ssh");
  EXPECT_STREQ(rule_name(Rule::kReplicasSeeMaster), "replicas_see_master");
  EXPECT_STREQ(health_transition_name(HealthTransition::kPending), "pending");
  EXPECT_STREQ(ping_failure_kind_name(PingFailureKind::kAliveRefusal), "alive refusal");
  EXPECT_STREQ(verdict_name(Verdict{NotDead{}}), "not_dead");
  EXPECT_STREQ(need_name(Need::kSshCheck), "ssh check");
  EXPECT_STREQ(replica_quorum_name(ReplicaQuorum::kMajority), "majority");
}

}  // namespace
}  // namespace mha::health
