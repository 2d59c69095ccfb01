// EvidenceCollector's connection upkeep: the hosts it would ask over SSH at a failure (the
// master's host and each direct replica's host) are kept ready in the background for as long as
// it lives, and a host whose connect fails is retried with a growing pause. Also the bounds the
// evidence's SSH commands get.

#include "mha/manager/evidence_collector.h"

#include "mha/hooks/testing/fake_process_runner.h"
#include "mha/mysql/testing/fake_sql_session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "unit/ssh/fake_remote_exec.h"

namespace mha::manager {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Records every keep_ready() call and answers with `answer`.
class UpkeepExec : public ssh::FakeRemoteExec {
 public:
  explicit UpkeepExec(ssh::Upkeep answer) : answer_(answer) {}
  using ssh::FakeRemoteExec::calls;  // the commands run (upkeep must run none)

  ssh::UpkeepResult keep_ready(const ssh::SshTarget& target, milliseconds idle,
                               milliseconds proof_timeout) override {
    std::lock_guard lock(mu_);
    calls_[target.host].push_back(Clock::now());
    idle_ = idle;
    proof_ = proof_timeout;
    return ssh::UpkeepResult{answer_, milliseconds(0),
                             answer_ == ssh::Upkeep::kFailed ? "refused" : ""};
  }

  std::vector<Clock::time_point> calls(const std::string& host) {
    std::lock_guard lock(mu_);
    auto it = calls_.find(host);
    return it == calls_.end() ? std::vector<Clock::time_point>{} : it->second;
  }
  milliseconds idle() {
    std::lock_guard lock(mu_);
    return idle_;
  }
  milliseconds proof() {
    std::lock_guard lock(mu_);
    return proof_;
  }

 private:
  const ssh::Upkeep answer_;
  std::mutex mu_;
  std::map<std::string, std::vector<Clock::time_point>> calls_;
  milliseconds idle_{0};
  milliseconds proof_{0};
};

observe::SshSettings ssh_to(const std::string& host) {
  observe::SshSettings s;
  s.target = ssh::SshTarget{host, "", 22, "root"};
  return s;
}

EvidenceTargets targets() {
  EvidenceTargets t;
  t.master_address = "10.0.0.1";
  t.master_ssh = ssh_to("db1");
  t.replicas.push_back({"db2", mysql::Endpoint{"10.0.0.2", 3306, ""}, ssh_to("db2")});
  t.replicas.push_back({"db3", mysql::Endpoint{"10.0.0.3", 3306, ""}, std::nullopt});  // no SSH
  return t;
}

// Polls `done` until it holds or 5 s pass.
template <typename F>
bool eventually(F done) {
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

class EvidenceUpkeepTest : public ::testing::Test {
 protected:
  mysql::testing::FakeSqlConnector sql_;
  hooks::testing::FakeProcessRunner runner_;
};

TEST_F(EvidenceUpkeepTest, KeepsTheMasterAndReplicaHostsReadyWhileItLives) {
  UpkeepExec exec(ssh::Upkeep::kAlive);
  observe::SingleExecSource source(exec);
  EvidenceTimeouts t;
  t.upkeep_interval = milliseconds(5);
  t.upkeep_idle = milliseconds(7000);
  t.upkeep_proof = milliseconds(1500);
  std::size_t at_end_db1 = 0;
  std::size_t at_end_db2 = 0;
  {
    EvidenceCollector collector(targets(), sql_, {"mha", "pw"}, source, runner_, t);
    // Again and again, not once: a connection that dies later is replaced too.
    EXPECT_TRUE(eventually([&] { return exec.calls("db1").size() >= 3; }));
    EXPECT_TRUE(eventually([&] { return exec.calls("db2").size() >= 3; }));
    EXPECT_FALSE(collector.busy());  // upkeep is not evidence: nothing for the monitor to take
  }
  // The destructor stopped and joined the upkeep threads: no call can follow.
  at_end_db1 = exec.calls("db1").size();
  at_end_db2 = exec.calls("db2").size();
  EXPECT_EQ(exec.idle(), milliseconds(7000));
  EXPECT_EQ(exec.proof(), milliseconds(1500));
  EXPECT_TRUE(exec.calls("db3").empty()) << "db3 has no SSH settings: nothing to keep";
  EXPECT_EQ(exec.calls("db1").size(), at_end_db1);
  EXPECT_EQ(exec.calls("db2").size(), at_end_db2);
  EXPECT_TRUE(exec.calls().empty()) << "upkeep must not run commands itself";
}

TEST_F(EvidenceUpkeepTest, AFailingHostIsRetriedWithAGrowingPause) {
  UpkeepExec exec(ssh::Upkeep::kFailed);
  observe::SingleExecSource source(exec);
  EvidenceTimeouts t;
  t.upkeep_interval = milliseconds(10);
  {
    EvidenceCollector collector(targets(), sql_, {"mha", "pw"}, source, runner_, t);
    EXPECT_TRUE(eventually([&] { return exec.calls("db1").size() >= 4; }));
  }
  const std::vector<Clock::time_point> calls = exec.calls("db1");
  ASSERT_GE(calls.size(), 4u);
  // After the n-th failure in a row the pause is interval * 2^n: 20, 40, 80 ms.
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_GE(calls[i] - calls[i - 1], milliseconds(10) * (1 << i)) << "pause " << i;
  }
}

TEST_F(EvidenceUpkeepTest, DestructionDoesNotWaitForThePause) {
  UpkeepExec exec(ssh::Upkeep::kFailed);
  observe::SingleExecSource source(exec);
  EvidenceTimeouts t;
  t.upkeep_interval = milliseconds(20000);  // a pause far longer than the test
  const auto start = Clock::now();
  {
    EvidenceCollector collector(targets(), sql_, {"mha", "pw"}, source, runner_, t);
    ASSERT_TRUE(eventually([&] { return !exec.calls("db1").empty(); }));
  }
  EXPECT_LT(Clock::now() - start, milliseconds(10000));
  EXPECT_EQ(exec.calls("db1").size(), 1u);
}

// The SSH check of the master host is one channel round trip, bounded on its own (a cut-off host
// must be known as unreachable by the second failed ping); the replicas' handshake probes keep
// their bound plus the slack for a connect and the remote command.
TEST_F(EvidenceUpkeepTest, TheSshCheckHasItsOwnBoundAndTheProbesKeepTheirs) {
  ssh::FakeRemoteExec exec;
  exec.on("db1", "exit 0", ssh::ExecResult{124, "", "", ""});
  exec.on_any([](const ssh::FakeRemoteExec::Call&) -> Result<ssh::ExecResult> {
    return ssh::ExecResult{0, "", "", ""};
  });
  observe::SingleExecSource source(exec);
  sql_.refuse("10.0.0.2:3306", 2003);  // db2's own status: not what this test is about
  EvidenceTimeouts t;
  t.upkeep_interval = milliseconds(0);
  t.handshake = milliseconds(1000);
  t.ssh_slack = milliseconds(3000);
  t.ssh_check = milliseconds(1000);
  EvidenceCollector collector(targets(), sql_, {"mha", "pw"}, source, runner_, t);
  health::Requests requests;
  requests.check_ssh = true;
  requests.probe_replicas = {"db2"};
  collector.start(requests, Clock::now());
  Delivered got;
  ASSERT_TRUE(eventually([&] {
    Delivered d = collector.take_finished();
    if (d.ssh) got.ssh = d.ssh;
    for (health::ReplicaEvidence& e : d.replicas) got.replicas.push_back(e);
    return got.ssh.has_value() && !got.replicas.empty();
  }));
  // A command that ran and exited non-zero is not an answer from a working host.
  EXPECT_EQ(got.ssh->first, health::SshToMaster::kUnreachable);
  std::optional<milliseconds> check_bound;
  std::optional<milliseconds> probe_bound;
  for (const ssh::FakeRemoteExec::Call& c : exec.calls()) {
    if (c.host == "db1") check_bound = c.timeout;
    if (c.host == "db2") probe_bound = c.timeout;
  }
  ASSERT_TRUE(check_bound && probe_bound);
  EXPECT_EQ(*check_bound, milliseconds(1000));
  EXPECT_EQ(*probe_bound, milliseconds(4000));
}

}  // namespace
}  // namespace mha::manager
