// The per-observation rules: connect-failure classification, what one replica's evidence says,
// secondary_check_script exit codes, quorum sizes and policy validation.

#include "mha/health/evidence.h"

#include "mha/health/policy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace mha::health {
namespace {

using namespace std::chrono_literals;
using topology::IoThreadState;

TEST(ClassifyConnectFailure, FastConnectErrorIsRefusedSlowIsUnreachable) {
  // Measured on the test bed: kill -9 gives 2002 at once, a cut link 2002 after the timeout.
  EXPECT_EQ(classify_connect_failure(2002, 3ms, 2s), PingFailureKind::kRefused);
  EXPECT_EQ(classify_connect_failure(2003, 999ms, 2s), PingFailureKind::kRefused);
  EXPECT_EQ(classify_connect_failure(2002, 1s, 2s), PingFailureKind::kUnreachable);
  EXPECT_EQ(classify_connect_failure(2002, 2s, 2s), PingFailureKind::kUnreachable);
  // Unknown host (2005) fails fast too but is not a closed port.
  EXPECT_EQ(classify_connect_failure(2005, 1ms, 2s), PingFailureKind::kUnreachable);
}

struct JudgeCase {
  const char* name;
  ReplicaEvidence evidence;
  ReplicaVote vote;
  const char* why;
};

class JudgeReplica : public ::testing::TestWithParam<JudgeCase> {};

TEST_P(JudgeReplica, Votes) {
  const JudgeCase& c = GetParam();
  ReplicaJudgement j = judge_replica(c.evidence);
  EXPECT_EQ(j.vote, c.vote) << replica_vote_name(j.vote);
  EXPECT_EQ(j.why, c.why);
}

ReplicaEvidence ev(std::optional<IoThreadState> io, int err, HandshakeProbe probe) {
  return ReplicaEvidence{"db2", io, err, probe};
}

INSTANTIATE_TEST_SUITE_P(
    Table, JudgeReplica,
    ::testing::Values(
        // The probe outranks a lagging IO thread: SIGSTOP keeps the IO thread at Yes.
        JudgeCase{"hung_master_probe_fails", ev(IoThreadState::kYes, 0, HandshakeProbe::kFailed),
                  ReplicaVote::kMasterLost, "handshake probe failed (IO thread Yes)"},
        JudgeCase{"probe_ok_outranks_connecting",
                  ev(IoThreadState::kConnecting, 2003, HandshakeProbe::kOk),
                  ReplicaVote::kMasterAlive, "handshake probe succeeded"},
        JudgeCase{"probe_failed_replica_unreadable", ev(std::nullopt, 0, HandshakeProbe::kFailed),
                  ReplicaVote::kMasterLost, "handshake probe failed"},
        JudgeCase{"io_yes_no_probe", ev(IoThreadState::kYes, 0, HandshakeProbe::kNotRun),
                  ReplicaVote::kMasterAlive, "IO thread Yes"},
        JudgeCase{"io_yes_probe_ssh_failed", ev(IoThreadState::kYes, 0, HandshakeProbe::kSshFailed),
                  ReplicaVote::kMasterAlive, "IO thread Yes; probe: ssh failed"},
        JudgeCase{"crashed_master_2003",
                  ev(IoThreadState::kConnecting, 2003, HandshakeProbe::kNotRun),
                  ReplicaVote::kMasterLost, "IO thread Connecting, errno 2003"},
        JudgeCase{"lost_connection_2013",
                  ev(IoThreadState::kConnecting, 2013, HandshakeProbe::kNotRun),
                  ReplicaVote::kMasterLost, "IO thread Connecting, errno 2013"},
        // MariaDB after slave_net_timeout: Connecting with errno 0.
        JudgeCase{"net_timeout_errno_0", ev(IoThreadState::kConnecting, 0, HandshakeProbe::kNotRun),
                  ReplicaVote::kMasterLost, "IO thread Connecting"},
        // The master answered the replica with an error: not a lost master.
        JudgeCase{"connecting_access_denied",
                  ev(IoThreadState::kConnecting, 1045, HandshakeProbe::kNotRun),
                  ReplicaVote::kNoOpinion, "IO thread Connecting, errno 1045"},
        JudgeCase{"retries_exhausted", ev(IoThreadState::kNo, 2003, HandshakeProbe::kNotRun),
                  ReplicaVote::kMasterLost, "IO thread No, errno 2003"},
        JudgeCase{"stopped_by_hand", ev(IoThreadState::kNo, 0, HandshakeProbe::kNotRun),
                  ReplicaVote::kNoOpinion, "IO thread No"},
        JudgeCase{"replica_down", ev(std::nullopt, 0, HandshakeProbe::kSshFailed),
                  ReplicaVote::kNoOpinion, "replica unreadable; probe: ssh failed"}),
    [](const ::testing::TestParamInfo<JudgeCase>& p) { return std::string(p.param.name); });

TEST(Secondary, MhaExitCodeContract) {
  EXPECT_EQ(interpret_secondary(0), SecondaryMeaning::kMasterUnreachable);
  EXPECT_EQ(interpret_secondary(2), SecondaryMeaning::kNetworkProblem);
  EXPECT_EQ(interpret_secondary(3), SecondaryMeaning::kMasterReachable);
  EXPECT_EQ(interpret_secondary(1), SecondaryMeaning::kError);
  EXPECT_EQ(interpret_secondary(-1), SecondaryMeaning::kError);
  EXPECT_EQ(interpret_secondary(10), SecondaryMeaning::kError);
}

TEST(Quorum, RequiredConfirmations) {
  EXPECT_EQ(required_confirmations(ReplicaQuorum::kMajority, 1), 1);
  EXPECT_EQ(required_confirmations(ReplicaQuorum::kMajority, 2), 2);
  EXPECT_EQ(required_confirmations(ReplicaQuorum::kMajority, 3), 2);
  EXPECT_EQ(required_confirmations(ReplicaQuorum::kMajority, 4), 3);
  EXPECT_EQ(required_confirmations(ReplicaQuorum::kAny, 5), 1);
  EXPECT_EQ(required_confirmations(ReplicaQuorum::kAll, 5), 5);
  EXPECT_EQ(required_confirmations(ReplicaQuorum::kAll, 0), 0);
}

TEST(Policy, DefaultsAreValidAndMhaLike) {
  HealthPolicy p;
  EXPECT_TRUE(validate_policy(p));
  EXPECT_EQ(p.ping_failures_threshold, 4);
  EXPECT_TRUE(p.require_replica_confirmation);
  EXPECT_EQ(p.replica_quorum, ReplicaQuorum::kMajority);
}

TEST(Policy, RejectsNonsense) {
  auto check = [](HealthPolicy p, const char* field) {
    Status s = validate_policy(p);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::kConfig);
    EXPECT_NE(s.error().message.find(field), std::string::npos) << s.error().message;
  };
  HealthPolicy p;
  p.ping_failures_threshold = 0;
  check(p, "ping_failures_threshold");
  p = HealthPolicy{};
  p.refused_pings_required = -1;
  check(p, "refused_pings_required");
  p = HealthPolicy{};
  p.handshake_probe_timeout = 0ms;
  check(p, "handshake_probe_timeout");
  p = HealthPolicy{};
  p.reprobe_interval = 0ms;
  check(p, "reprobe_interval");
  p = HealthPolicy{};
  p.evidence_max_age = p.reprobe_interval;
  check(p, "evidence_max_age");
  p = HealthPolicy{};
  p.refused_pings_required = 0;  // fast path off is allowed
  EXPECT_TRUE(validate_policy(p));
}

}  // namespace
}  // namespace mha::health
