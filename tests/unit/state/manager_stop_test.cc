#include "mha/state/manager_stop.h"

#include <gtest/gtest.h>

#include <map>
#include <utility>
#include <vector>

#include <signal.h>

namespace mha::state {
namespace {

using std::chrono::milliseconds;

ProcessInfo manager(int pid, int pgid) {
  ProcessInfo info;
  info.pid = pid;
  info.ppid = 1;
  info.pgid = pgid;
  info.start_ticks = 1000;
  info.comm = "masterha_manage";
  info.argv0 = "/usr/bin/masterha_manager";
  return info;
}

// A process table the test scripts: which processes exist and what a signal does to them.
class FakeProcesses : public ProcessControl {
 public:
  std::map<int, ProcessInfo> table;
  bool dies_on_sigterm = true;
  std::vector<std::pair<int, int>> sent;  // (target, signal); a group is negative

  std::optional<ProcessInfo> inspect(int pid) override {
    const auto it = table.find(pid);
    if (it == table.end()) return std::nullopt;
    return it->second;
  }
  std::vector<int> leftover_processes(int) override { return {}; }
  Status signal_group(int pgid, int signal) override {
    sent.emplace_back(-pgid, signal);
    apply(pgid, signal);
    return ok_status();
  }
  Status signal_process(int pid, int signal) override {
    sent.emplace_back(pid, signal);
    apply(pid, signal);
    return ok_status();
  }

 private:
  void apply(int pid, int signal) {
    if (signal == SIGKILL || (signal == SIGTERM && dies_on_sigterm)) table.erase(pid);
  }
};

StopSettings settings(bool abort) {
  StopSettings s;
  s.app = "app1";
  s.abort = abort;
  s.abort_timeout = milliseconds(50);
  s.poll_interval = milliseconds(5);
  return s;
}

const StatusRecord kPingOk{4711, ManagerStatus::kPingOk, "db1"};
const StatusRecord kFailover{4711, ManagerStatus::kFailoverRunning, "db1"};

TEST(DecideStopTest, NoStatusOrDeadPidIsNotRunning) {
  EXPECT_EQ(decide_stop(std::nullopt, std::nullopt, {}, false).action, StopAction::kNotRunning);
  EXPECT_EQ(decide_stop(kPingOk, std::nullopt, {}, false).action, StopAction::kNotRunning);
  EXPECT_EQ(decide_stop(kFailover, std::nullopt, {}, true).action, StopAction::kNotRunning);
}

TEST(DecideStopTest, LeftoversOfADeadManagerAreNotSignalled) {
  EXPECT_EQ(decide_stop(kPingOk, std::nullopt, {4720}, true).action, StopAction::kRefuseLeftovers);
}

TEST(DecideStopTest, NeverSignalsAProcessThatIsNotAManager) {
  ProcessInfo other = manager(4711, 4711);
  other.comm = "mysqld";
  other.argv0 = "/usr/sbin/mysqld";
  EXPECT_EQ(decide_stop(kPingOk, other, {}, false).action, StopAction::kRefuseNotManager);
  EXPECT_EQ(decide_stop(kFailover, other, {}, true).action, StopAction::kRefuseNotManager);
}

TEST(DecideStopTest, RecognisesTheManagerByCommOrArgv0) {
  ProcessInfo by_comm = manager(4711, 4711);
  by_comm.argv0 = "/usr/bin/perl";  // e.g. MHA's Perl manager
  EXPECT_EQ(decide_stop(kPingOk, by_comm, {}, false).action, StopAction::kSignal);
  ProcessInfo by_argv0 = manager(4711, 4711);
  by_argv0.comm = "ld-linux-x86-64";
  EXPECT_EQ(decide_stop(kPingOk, by_argv0, {}, false).action, StopAction::kSignal);
}

TEST(DecideStopTest, FailoverRunningNeedsAbort) {
  EXPECT_EQ(decide_stop(kFailover, manager(4711, 4711), {}, false).action,
            StopAction::kRefuseFailover);
  const StopPlan plan = decide_stop(kFailover, manager(4711, 4711), {}, true);
  EXPECT_EQ(plan.action, StopAction::kSignal);
  EXPECT_TRUE(plan.failover_running);
}

TEST(DecideStopTest, SignalsTheGroupOnlyWhenTheManagerLeadsIt) {
  const StopPlan leader = decide_stop(kPingOk, manager(4711, 4711), {}, false);
  EXPECT_EQ(leader.pgid, 4711);
  const StopPlan member = decide_stop(kPingOk, manager(4711, 300), {}, false);
  EXPECT_EQ(member.action, StopAction::kSignal);
  EXPECT_EQ(member.pgid, std::nullopt);
}

TEST(StopManagerTest, MessagesOfTheRefusals) {
  FakeProcesses fake;
  StopOutcome out = stop_manager(decide_stop(std::nullopt, std::nullopt, {}, false), std::nullopt,
                                 settings(false), fake);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out, "MHA Manager is not running on app1(2:NOT_RUNNING).\n");

  const ProcessInfo m = manager(4711, 4711);
  fake.table[4711] = m;
  out = stop_manager(decide_stop(kFailover, m, {}, false), m, settings(false), fake);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.out, "Currently Failover is running on app1. Should not stop.\n");
  EXPECT_TRUE(fake.sent.empty());
  EXPECT_TRUE(fake.table.count(4711));
}

TEST(StopManagerTest, SigtermToTheGroupStopsIt) {
  FakeProcesses fake;
  const ProcessInfo m = manager(4711, 4711);
  fake.table[4711] = m;
  const StopOutcome out =
      stop_manager(decide_stop(kPingOk, m, {}, false), m, settings(false), fake);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out, "Stopped app1 successfully.\n");
  EXPECT_EQ(fake.sent, (std::vector<std::pair<int, int>>{{-4711, SIGTERM}}));
}

TEST(StopManagerTest, SigtermToTheProcessWhenItIsNoGroupLeader) {
  FakeProcesses fake;
  const ProcessInfo m = manager(4711, 300);
  fake.table[4711] = m;
  const StopOutcome out =
      stop_manager(decide_stop(kPingOk, m, {}, false), m, settings(false), fake);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(fake.sent, (std::vector<std::pair<int, int>>{{4711, SIGTERM}}));
}

TEST(StopManagerTest, WithoutAbortAStuckManagerIsAFailure) {
  FakeProcesses fake;
  fake.dies_on_sigterm = false;
  const ProcessInfo m = manager(4711, 4711);
  fake.table[4711] = m;
  const StopOutcome out =
      stop_manager(decide_stop(kPingOk, m, {}, false), m, settings(false), fake);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.out, "Manager process 4711 didn't stop in 0 seconds.\nFailed to stop app1.\n");
  EXPECT_EQ(fake.sent, (std::vector<std::pair<int, int>>{{-4711, SIGTERM}}));
}

TEST(StopManagerTest, AbortKillsAStuckManagerAndFlagsAnInterruptedFailover) {
  FakeProcesses fake;
  fake.dies_on_sigterm = false;
  const ProcessInfo m = manager(4711, 4711);
  fake.table[4711] = m;
  const StopOutcome out =
      stop_manager(decide_stop(kFailover, m, {}, true), m, settings(true), fake);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out, "Manager process 4711 didn't stop in 0 seconds.\nForced stopped app1.\n");
  EXPECT_TRUE(out.killed_during_failover);
  EXPECT_EQ(fake.sent, (std::vector<std::pair<int, int>>{{-4711, SIGTERM}, {-4711, SIGKILL}}));
}

TEST(StopManagerTest, AbortAfterPingOkIsNoInterruptedFailover) {
  FakeProcesses fake;
  fake.dies_on_sigterm = false;
  const ProcessInfo m = manager(4711, 4711);
  fake.table[4711] = m;
  const StopOutcome out = stop_manager(decide_stop(kPingOk, m, {}, true), m, settings(true), fake);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_FALSE(out.killed_during_failover);
}

TEST(StopManagerTest, APidReusedSinceTheDecisionIsNotSignalled) {
  FakeProcesses fake;
  const ProcessInfo m = manager(4711, 4711);
  ProcessInfo reused = m;
  reused.start_ticks = 9999;  // same pid and name, another process
  fake.table[4711] = reused;
  const StopOutcome out = stop_manager(decide_stop(kPingOk, m, {}, true), m, settings(true), fake);
  EXPECT_TRUE(fake.sent.empty());
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out, "Stopped app1 successfully.\n");
}

TEST(StopManagerTest, RefusalsSignalNothing) {
  FakeProcesses fake;
  ProcessInfo other = manager(4711, 4711);
  other.comm = "sleep";
  other.argv0 = "sleep";
  fake.table[4711] = other;
  StopOutcome out =
      stop_manager(decide_stop(kPingOk, other, {}, true), other, settings(true), fake);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.out,
            "Process 4711 in the status file of app1 is not a masterha_manager (it runs 'sleep'): "
            "the status file is stale. Not signalling it.\nFailed to stop app1.\n");
  out = stop_manager(decide_stop(kPingOk, std::nullopt, {4720}, true), std::nullopt, settings(true),
                     fake);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.out.find("(3:PARTIALLY_RUNNING)"), std::string::npos) << out.out;
  EXPECT_TRUE(fake.sent.empty());
}

}  // namespace
}  // namespace mha::state
