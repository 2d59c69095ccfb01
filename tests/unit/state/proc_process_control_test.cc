#include "mha/state/process_control.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mha::state {
namespace {

TEST(ParseProcStatTest, CountsFieldsFromTheLastParenthesis) {
  ProcessInfo info;
  const std::string stat =
      "4711 (a) b (c) S 1 4700 4700 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 100";
  const auto state = parse_proc_stat(stat, info);
  ASSERT_TRUE(state);
  EXPECT_EQ(*state, 'S');
  EXPECT_EQ(info.pid, 4711);
  EXPECT_EQ(info.ppid, 1);
  EXPECT_EQ(info.pgid, 4700);
  EXPECT_EQ(info.start_ticks, 123456u);
}

TEST(ParseProcStatTest, RejectsGarbage) {
  ProcessInfo info;
  EXPECT_FALSE(parse_proc_stat("", info));
  EXPECT_FALSE(parse_proc_stat("4711 (x) S 1 2", info));
  EXPECT_FALSE(parse_proc_stat("x (y) S 1 4700 4700 0 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 5", info));
}

TEST(ProcessInfoTest, ManagerByTruncatedCommOrArgv0) {
  ProcessInfo info;
  info.comm = "masterha_manage";
  EXPECT_TRUE(info.is_manager());
  info.comm = "sleep";
  info.argv0 = "/tmp/x/masterha_manager";
  EXPECT_TRUE(info.is_manager());
  info.argv0 = "/tmp/x/masterha_manager_old";
  EXPECT_FALSE(info.is_manager());
  info.argv0 = "masterha_manager.sh";
  EXPECT_FALSE(info.is_manager());
}

TEST(ManagerRunningTest, ALiveProcessThatIsNoManagerDoesNotCount) {
  // The status file's pid reused by something else (here: this test binary) is not a manager.
  ProcProcessControl processes;
  EXPECT_FALSE(manager_running(processes, static_cast<int>(::getpid())));
  EXPECT_FALSE(manager_running(processes, 0));
  EXPECT_FALSE(manager_running(processes, -1));
}

TEST(ProcProcessControlTest, InspectsItself) {
  ProcProcessControl control;
  const auto self = control.inspect(::getpid());
  ASSERT_TRUE(self);
  EXPECT_EQ(self->pid, ::getpid());
  EXPECT_EQ(self->ppid, ::getppid());
  EXPECT_EQ(self->pgid, ::getpgrp());
  EXPECT_GT(self->start_ticks, 0u);
  EXPECT_FALSE(self->is_manager());
  EXPECT_FALSE(control.inspect(0));
  EXPECT_FALSE(control.inspect(-1));
}

// A child that waits until killed; reaped by the destructor whatever the test did.
class Child {
 public:
  explicit Child(bool own_group) {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (own_group) ::setpgid(0, 0);
      ::pause();
      ::_exit(0);
    }
    if (own_group && pid_ > 0) ::setpgid(pid_, pid_);  // no race with the child's own call
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
};

TEST(ProcProcessControlTest, FindsChildrenAndGroupMembers) {
  ProcProcessControl control;
  Child child(false);
  ASSERT_GT(child.pid(), 0);
  const std::vector<int> leftovers = control.leftover_processes(::getpid());
  EXPECT_NE(std::find(leftovers.begin(), leftovers.end(), child.pid()), leftovers.end());
  EXPECT_EQ(std::find(leftovers.begin(), leftovers.end(), ::getpid()), leftovers.end());
}

TEST(ProcProcessControlTest, ZombieCountsAsGone) {
  ProcProcessControl control;
  Child child(true);
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(control.inspect(child.pid()));
  EXPECT_EQ(control.inspect(child.pid())->pgid, child.pid());
  ASSERT_TRUE(control.signal_group(child.pid(), SIGKILL));
  // Not reaped yet: a zombie until ~Child. Poll until the kernel has marked it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (control.inspect(child.pid()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(control.inspect(child.pid()));
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOWAIT), 0);
  EXPECT_EQ(info.si_status, SIGKILL);
}

TEST(ProcProcessControlTest, RefusesToSignalInitOrEveryone) {
  ProcProcessControl control;
  for (int target : {-1, 0, 1}) {
    EXPECT_FALSE(control.signal_group(target, 0));
    EXPECT_FALSE(control.signal_process(target, 0));
  }
}

}  // namespace
}  // namespace mha::state
