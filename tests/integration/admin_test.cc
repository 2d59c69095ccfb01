// masterha_check_status and masterha_stop as built binaries, against stand-in managers: copies of
// /bin/sleep named masterha_manager, each in its own process group like the real manager, with a
// status file written here. No cluster is needed; every spawned process is killed and reaped by
// its owner's destructor, whatever the test did.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "support/cluster.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mha::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A directory for the test, removed afterwards.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "mha-admin-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A sleeping child process. With `group` 0 it leads a new process group (as masterha_manager
// does), else it joins that group. The destructor SIGKILLs it and reaps it.
class Sleeper {
 public:
  Sleeper(const std::string& program, bool ignore_sigterm = false, int group = 0) {
    const char* argv[] = {program.c_str(), "1000", nullptr};
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, group);
      // SIG_IGN survives exec: a manager that does not react to SIGTERM.
      if (ignore_sigterm) ::signal(SIGTERM, SIG_IGN);
      ::execv(program.c_str(), const_cast<char* const*>(argv));
      ::_exit(127);
    }
    // Also from the parent, so the group exists before the constructor returns.
    if (pid_ > 0) ::setpgid(pid_, group == 0 ? pid_ : group);
  }
  ~Sleeper() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Sleeper(const Sleeper&) = delete;
  Sleeper& operator=(const Sleeper&) = delete;

  int pid() const { return pid_; }

  // Whether it still runs (not exited; reaps it if it has).
  bool running() {
    if (status_) return false;
    int status = 0;
    const int rc = ::waitpid(pid_, &status, WNOHANG);
    if (rc == pid_) status_ = status;
    return rc == 0;
  }

  // Waits up to 10 s for it to end and returns the signal that ended it (0 if it exited).
  std::optional<int> wait_end() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (running()) {
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return WIFSIGNALED(*status_) ? WTERMSIG(*status_) : 0;
  }

  void kill_and_reap() {
    ::kill(pid_, SIGKILL);
    wait_end();
  }

 private:
  int pid_ = -1;
  std::optional<int> status_;
};

// Waits (10 s at most) until the kernel has set up the exec'd program, so /proc shows its
// final name rather than the forked test binary's.
bool wait_exec(int pid, const std::string& comm) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (std::getline(in, name) && name == comm) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(scratch_.path().empty());
    bin_dir_ = scratch_.path() + "/bin";
    work_ = scratch_.path() + "/work";
    fs::create_directories(bin_dir_);
    fs::create_directories(work_);
    manager_program_ = bin_dir_ + "/masterha_manager";
    fs::copy_file("/bin/sleep", manager_program_);
    fs::permissions(manager_program_, fs::perms::owner_all);
    ASSERT_TRUE(fs::exists(binary("masterha_check_status"))) << binary("masterha_check_status");
    ASSERT_TRUE(fs::exists(binary("masterha_stop"))) << binary("masterha_stop");
  }

  std::string status_file() const { return work_ + "/app1.master_status.health"; }

  void write_status(int pid, const std::string& label, const std::string& master = "db1") {
    std::ofstream out(status_file(), std::ios::trunc);
    out << pid << '\t' << label;
    if (!master.empty()) out << "\tmaster:" << master;
  }

  void age_status(int seconds) {
    struct stat st {};
    ASSERT_EQ(::stat(status_file().c_str(), &st), 0);
    const timespec old{st.st_mtim.tv_sec - seconds, 0};
    const timespec times[2] = {old, old};
    ASSERT_EQ(::utimensat(AT_FDCWD, status_file().c_str(), times, 0), 0);
  }

  // A stand-in manager, exec'd and visible in /proc.
  std::unique_ptr<Sleeper> start_manager(bool ignore_sigterm = false) {
    auto manager = std::make_unique<Sleeper>(manager_program_, ignore_sigterm);
    EXPECT_GT(manager->pid(), 0);
    EXPECT_TRUE(wait_exec(manager->pid(), "masterha_manage"));
    return manager;
  }

  CommandResult tool(const std::string& name, const std::string& args) {
    return run_command(
        shell_quote(binary(name)) + " --app=app1 --status_dir=" + shell_quote(work_) + " " + args,
        60);
  }
  CommandResult check_status(const std::string& args = "") {
    return tool("masterha_check_status", args);
  }
  CommandResult stop(const std::string& args = "") { return tool("masterha_stop", args); }

  Scratch scratch_;
  std::string bin_dir_;
  std::string work_;
  std::string manager_program_;
};

TEST_F(AdminTest, NoStatusFileIsNotRunning) {
  CommandResult r = check_status();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "app1 is stopped(2:NOT_RUNNING).\n");

  r = stop();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "MHA Manager is not running on app1(2:NOT_RUNNING).\n");
}

TEST_F(AdminTest, MissingStatusDirectoryIsAnError) {
  const CommandResult r = run_command(shell_quote(binary("masterha_check_status")) +
                                      " --app=app1 --status_dir=" + shell_quote(work_ + "/nope"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("Directory " + work_ + "/nope not found!"));
}

TEST_F(AdminTest, FreshPingOkIsRunningAndOldIsTimestampOld) {
  auto manager = start_manager();
  write_status(manager->pid(), "0:PING_OK");
  const std::string pid = std::to_string(manager->pid());

  CommandResult r = check_status();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "app1 (pid:" + pid + ") is running(0:PING_OK), master:db1\n");

  r = check_status("--json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["status"], "PING_OK");
  EXPECT_EQ(j["status_code"], 0);
  EXPECT_EQ(j["pid"], manager->pid());
  EXPECT_EQ(j["master"], "db1");
  EXPECT_LT(j["heartbeat_age_seconds"].get<double>(), 60.0);

  age_status(30);
  r = check_status();
  EXPECT_EQ(r.exit_code, 32) << r.err;
  EXPECT_THAT(r.out, HasSubstr(status_file() + " behinds "));
  EXPECT_THAT(r.out, HasSubstr("app1 is running, but master_ping.health is too old"
                               "(32:TIMESTAMP_OLD). Maybe process hangs? master:db1\n"));
  // A larger --ping_limit accepts the same heartbeat.
  r = check_status("--ping_limit=120");
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(AdminTest, GonePidIsNotRunning) {
  auto manager = start_manager();
  write_status(manager->pid(), "50:FAILOVER_RUNNING");
  manager->kill_and_reap();
  const CommandResult r = check_status();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "app1 is stopped(2:NOT_RUNNING).\n");
}

TEST_F(AdminTest, LeftoverGroupMemberIsPartiallyRunningAndNotSignalled) {
  auto manager = start_manager();
  Sleeper child("/bin/sleep", false, manager->pid());
  ASSERT_TRUE(wait_exec(child.pid(), "sleep"));
  write_status(manager->pid(), "0:PING_OK");
  manager->kill_and_reap();

  CommandResult r = check_status();
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out,
            "Main process is not running, but child process is running on app1 (child pid: " +
                std::to_string(child.pid()) +
                ") (3:PARTIALLY_RUNNING). Check ps output for details and kill it.\n");

  r = stop("--abort --abort_timeout=1");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("Failed to stop app1."));
  EXPECT_TRUE(child.running());
}

TEST_F(AdminTest, StopRefusesDuringFailoverWithoutAbort) {
  auto manager = start_manager();
  write_status(manager->pid(), "50:FAILOVER_RUNNING");

  CommandResult r = check_status();
  EXPECT_EQ(r.exit_code, 50) << r.err;
  EXPECT_EQ(r.out,
            "app1 master is down and failover is running(50:FAILOVER_RUNNING). master:db1\n");

  r = stop();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, "Currently Failover is running on app1. Should not stop.\n");
  EXPECT_TRUE(manager->running());

  r = stop("--abort");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Stopped app1 successfully.\n");
  EXPECT_EQ(manager->wait_end(), SIGTERM);
  EXPECT_FALSE(fs::exists(work_ + "/app1.failover.error"));  // it ended on SIGTERM by itself
}

TEST_F(AdminTest, StopSendsSigtermToTheManagersGroup) {
  auto manager = start_manager();
  Sleeper member("/bin/sleep", false, manager->pid());
  ASSERT_TRUE(wait_exec(member.pid(), "sleep"));
  write_status(manager->pid(), "0:PING_OK");

  const CommandResult r = stop();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Stopped app1 successfully.\n");
  EXPECT_EQ(manager->wait_end(), SIGTERM);
  EXPECT_EQ(member.wait_end(), SIGTERM);
}

TEST_F(AdminTest, AbortKillsAManagerIgnoringSigtermAndMarksTheFailoverFailed) {
  auto manager = start_manager(/*ignore_sigterm=*/true);
  write_status(manager->pid(), "50:FAILOVER_RUNNING");

  CommandResult r = stop("--abort_timeout=1");
  EXPECT_EQ(r.exit_code, 1);  // without --abort, FAILOVER_RUNNING is refused outright
  EXPECT_TRUE(manager->running());

  r = stop("--abort --abort_timeout=1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Manager process " + std::to_string(manager->pid()) +
                               " didn't stop in 1 seconds.\nForced stopped app1.\n"));
  EXPECT_EQ(manager->wait_end(), SIGKILL);
  EXPECT_TRUE(fs::exists(work_ + "/app1.failover.error"));
}

TEST_F(AdminTest, StuckManagerWithoutAbortIsAFailure) {
  auto manager = start_manager(/*ignore_sigterm=*/true);
  write_status(manager->pid(), "0:PING_OK");
  const CommandResult r = stop("--abort_timeout=1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("Failed to stop app1.\n"));
  EXPECT_TRUE(manager->running());
}

TEST_F(AdminTest, StaleStatusFileNeverKillsAnotherProcess) {
  // The PID in the file now belongs to something that is not a manager.
  Sleeper other("/bin/sleep");
  ASSERT_TRUE(wait_exec(other.pid(), "sleep"));
  write_status(other.pid(), "0:PING_OK");

  CommandResult r = stop("--abort --abort_timeout=1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("is not a masterha_manager (it runs 'sleep')"));
  EXPECT_TRUE(other.running());

  r = check_status();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "app1 is stopped(2:NOT_RUNNING).\n");
}

TEST_F(AdminTest, ConfGivesAppNameWorkdirAndLog) {
  const std::string conf = scratch_.path() + "/app1.cnf";
  std::ofstream(conf) << "[server default]\nmanager_workdir=" << work_ << "\nmanager_log=" << work_
                      << "/manager.log\n"
                      << "[server1]\nhostname=db1\n[server2]\nhostname=db2\n";
  auto manager = start_manager();
  write_status(manager->pid(), "20:PING_FAILING");
  const CommandResult r =
      run_command(shell_quote(binary("masterha_check_status")) + " --conf=" + shell_quote(conf) +
                  " --global_conf=" + shell_quote(scratch_.path() + "/none.cnf"));
  EXPECT_EQ(r.exit_code, 20) << r.err;
  EXPECT_EQ(r.out, "app1 master maybe down(20:PING_FAILING). master:db1\nCheck " + work_ +
                       "/manager.log for details.\n");
}

}  // namespace
}  // namespace mha::test
