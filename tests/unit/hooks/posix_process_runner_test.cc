// PosixProcessRunner against real processes (/bin/sh, /bin/cat, sleep). Timing assertions are
// upper bounds with wide margins (the machine is shared and tests may run under sanitizers);
// nothing here sleeps to wait for a result.

#include "mha/hooks/process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mha::hooks {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

ProcessSpec shell(std::string line) {
  ProcessSpec spec;
  spec.shell_command = std::move(line);
  spec.timeout = milliseconds(20'000);
  return spec;
}

ProcessSpec argv(std::vector<std::string> args) {
  ProcessSpec spec;
  spec.argv = std::move(args);
  spec.timeout = milliseconds(20'000);
  return spec;
}

ProcessResult run_ok(const ProcessSpec& spec) {
  PosixProcessRunner runner;
  auto result = runner.run(spec);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().to_string());
  return result ? *result : ProcessResult{};
}

// True when `pid` no longer runs (gone, or a zombie waiting for its new parent to reap it).
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  const size_t close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() &&
         line[close_paren + 2] == 'Z';
}

// Polls until `pid` is gone or the deadline passes.
bool wait_gone(pid_t pid, milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (process_gone(pid)) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return process_gone(pid);
}

pid_t first_line_pid(const std::string& out) {
  std::istringstream in(out);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

TEST(PosixProcessRunnerTest, ReportsExitCodes) {
  EXPECT_EQ(run_ok(argv({"/bin/true"})).exit_code, 0);
  EXPECT_TRUE(run_ok(argv({"/bin/true"})).success());
  const ProcessResult three = run_ok(shell("exit 3"));
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_EQ(three.term_signal, 0);
  EXPECT_FALSE(three.timed_out);
  EXPECT_FALSE(three.success());
  EXPECT_EQ(three.describe(), "exit 3");
}

TEST(PosixProcessRunnerTest, ReportsDeathBySignal) {
  const ProcessResult result = run_ok(shell("kill -KILL $$"));
  EXPECT_EQ(result.term_signal, SIGKILL);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_FALSE(result.timed_out);
  EXPECT_FALSE(result.success());
  EXPECT_EQ(result.describe(), "signal 9 (SIGKILL)");
}

TEST(PosixProcessRunnerTest, PassesArgvWithoutAShell) {
  const ProcessResult result =
      run_ok(argv({"/bin/sh", "-c", "printf '%s|' \"$@\"", "sh", "a b", "$HOME", "*"}));
  EXPECT_EQ(result.out, "a b|$HOME|*|");
}

TEST(PosixProcessRunnerTest, CapturesMegabytesOnBothStreamsAtOnce) {
  // Two writers fill stdout and stderr at the same time: reading one stream to EOF before the
  // other would deadlock once the other pipe's buffer is full.
  const ProcessResult result =
      run_ok(shell("(head -c 1500000 /dev/zero | tr '\\0' o) & "
                   "(head -c 1300000 /dev/zero | tr '\\0' e >&2) & wait"));
  ASSERT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.size(), 1'500'000u);
  EXPECT_EQ(result.err.size(), 1'300'000u);
  EXPECT_EQ(result.out.find_first_not_of('o'), std::string::npos);
  EXPECT_EQ(result.err.find_first_not_of('e'), std::string::npos);
  EXPECT_FALSE(result.out_truncated);
  EXPECT_FALSE(result.err_truncated);
}

TEST(PosixProcessRunnerTest, DeliversStdinWhileReadingStdout) {
  // cat echoes as it reads: 3 MB in and out only completes if feeding and reading interleave.
  std::string data;
  for (int i = 0; data.size() < 3'000'000; ++i) data += "line " + std::to_string(i) + "\n";
  ProcessSpec spec = argv({"/bin/cat"});
  spec.stdin_data = data;
  const ProcessResult result = run_ok(spec);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(result.out == data) << "stdout differs from stdin (" << result.out.size() << " vs "
                                  << data.size() << " bytes)";
}

TEST(PosixProcessRunnerTest, StdinIsClosedAfterTheData) {
  ProcessSpec spec = shell("read first; read second || echo EOF; echo \"$first\"");
  spec.stdin_data = "secret-password\n";
  const ProcessResult result = run_ok(spec);
  EXPECT_EQ(result.out, "EOF\nsecret-password\n");
}

TEST(PosixProcessRunnerTest, ChildIgnoringStdinIsNotAnError) {
  // The child exits without reading: our write gets EPIPE, which must neither kill the test
  // process (SIGPIPE) nor fail the run.
  ProcessSpec spec = shell("exit 0");
  spec.stdin_data = std::string(4'000'000, 'x');
  const ProcessResult result = run_ok(spec);
  EXPECT_EQ(result.exit_code, 0);
}

TEST(PosixProcessRunnerTest, AddsAndOverridesEnvironment) {
  ASSERT_EQ(setenv("MHA_RUNNER_TEST_KEEP", "kept", 1), 0);
  ASSERT_EQ(setenv("MHA_RUNNER_TEST_OVERRIDE", "old", 1), 0);
  ProcessSpec spec = shell(
      "printf '%s,%s,%s' \"$MHA_RUNNER_TEST_KEEP\" \"$MHA_RUNNER_TEST_OVERRIDE\" "
      "\"$MHA_RUNNER_TEST_NEW\"");
  spec.env_add = {{"MHA_RUNNER_TEST_OVERRIDE", "new"}, {"MHA_RUNNER_TEST_NEW", "added value"}};
  EXPECT_EQ(run_ok(spec).out, "kept,new,added value");
  unsetenv("MHA_RUNNER_TEST_KEEP");
  unsetenv("MHA_RUNNER_TEST_OVERRIDE");
}

TEST(PosixProcessRunnerTest, RunsInTheWorkingDirectory) {
  ProcessSpec spec = argv({"/bin/pwd"});
  spec.working_dir = "/";
  EXPECT_EQ(run_ok(spec).out, "/\n");

  spec.working_dir = "/nonexistent/masterha-dir";
  PosixProcessRunner runner;
  auto result = runner.run(spec);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(result.error().message, HasSubstr("/nonexistent/masterha-dir"));
}

TEST(PosixProcessRunnerTest, ChildLeadsItsOwnProcessGroup) {
  // Field 5 of /proc/<pid>/stat is the process group id.
  const ProcessResult result = run_ok(shell("echo $$; cut -d' ' -f5 /proc/$$/stat"));
  std::istringstream in(result.out);
  long pid = 0;
  long pgid = 0;
  in >> pid >> pgid;
  EXPECT_GT(pid, 0);
  EXPECT_EQ(pgid, pid);
  EXPECT_NE(pgid, static_cast<long>(getpgrp()));
}

TEST(PosixProcessRunnerTest, TimeoutTerminatesTheWholeGroupPromptly) {
  // The shell waits for a grandchild; both must die at the deadline. The grace period is long,
  // so finishing well before it shows SIGTERM to the group was enough.
  ProcessSpec spec = shell("sleep 100 & echo $!; wait");
  spec.timeout = milliseconds(300);
  spec.kill_grace = milliseconds(10'000);
  const ProcessResult result = run_ok(spec);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.term_signal, SIGTERM);
  EXPECT_FALSE(result.success());
  EXPECT_GE(result.elapsed, milliseconds(300));
  EXPECT_LT(result.elapsed, milliseconds(5'000));
  EXPECT_THAT(result.describe(), HasSubstr("timed out"));
  const pid_t grandchild = first_line_pid(result.out);
  ASSERT_GT(grandchild, 0) << result.out;
  EXPECT_TRUE(wait_gone(grandchild, milliseconds(5'000))) << "sleep " << grandchild << " survived";
}

TEST(PosixProcessRunnerTest, TimeoutEscalatesToSigkillForTermIgnorers) {
  // Both the shell and its grandchild ignore SIGTERM; only SIGKILL after the grace ends them.
  ProcessSpec spec = shell("trap '' TERM; sleep 100 & echo $!; wait");
  spec.timeout = milliseconds(200);
  spec.kill_grace = milliseconds(300);
  const ProcessResult result = run_ok(spec);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.term_signal, SIGKILL);
  EXPECT_GE(result.elapsed, milliseconds(500));
  EXPECT_LT(result.elapsed, milliseconds(5'000));
  const pid_t grandchild = first_line_pid(result.out);
  ASSERT_GT(grandchild, 0) << result.out;
  EXPECT_TRUE(wait_gone(grandchild, milliseconds(5'000))) << "sleep " << grandchild << " survived";
}

TEST(PosixProcessRunnerTest, LeftoverHoldingThePipesDoesNotStallTheCaller) {
  // The child exits at once, leaving a background sleep that still holds stdout.
  ProcessSpec spec = shell("sleep 30 & echo $!");
  spec.timeout = milliseconds(20'000);
  const ProcessResult result = run_ok(spec);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_FALSE(result.timed_out);
  EXPECT_LT(result.elapsed, milliseconds(5'000));
  const pid_t leftover = first_line_pid(result.out);
  ASSERT_GT(leftover, 0);
  kill(leftover, SIGKILL);  // not the runner's job after a normal exit
  EXPECT_TRUE(wait_gone(leftover, milliseconds(5'000)));
}

TEST(PosixProcessRunnerTest, MissingProgramIsNotFoundNamingThePath) {
  PosixProcessRunner runner;
  auto by_path = runner.run(argv({"/nonexistent/masterha-script", "--secret=x"}));
  ASSERT_FALSE(by_path.has_value());
  EXPECT_EQ(by_path.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(by_path.error().detail, 127);
  EXPECT_THAT(by_path.error().message, HasSubstr("/nonexistent/masterha-script"));
  EXPECT_THAT(by_path.error().message, Not(HasSubstr("secret")));

  auto by_name = runner.run(argv({"masterha-no-such-program-xyz"}));
  ASSERT_FALSE(by_name.has_value());
  EXPECT_EQ(by_name.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(by_name.error().message, HasSubstr("masterha-no-such-program-xyz"));

  auto shell_line = runner.run(shell("/nonexistent/master_ip_failover --password=secret"));
  ASSERT_FALSE(shell_line.has_value());
  EXPECT_EQ(shell_line.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(shell_line.error().detail, 127);
  EXPECT_THAT(shell_line.error().message, HasSubstr("/nonexistent/master_ip_failover"));
  EXPECT_THAT(shell_line.error().message, Not(HasSubstr("secret")));
}

TEST(PosixProcessRunnerTest, NonExecutableFileIsRefused) {
  char path[] = "/tmp/masterha-runner-test-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
  close(fd);
  ASSERT_EQ(chmod(path, 0600), 0);
  PosixProcessRunner runner;
  auto result = runner.run(argv({path}));
  unlink(path);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kIo);
  EXPECT_EQ(result.error().detail, 126);
}

TEST(PosixProcessRunnerTest, InvalidSpecsAreConfigErrors) {
  PosixProcessRunner runner;
  ProcessSpec neither;
  ProcessSpec both = argv({"/bin/true"});
  both.shell_command = "true";
  ProcessSpec no_timeout = argv({"/bin/true"});
  no_timeout.timeout = milliseconds(0);
  for (const ProcessSpec* spec : {&neither, &both, &no_timeout}) {
    auto result = runner.run(*spec);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kConfig);
  }
}

TEST(PosixProcessRunnerTest, OutputBeyondTheLimitIsDroppedWithoutBlockingTheChild) {
  ProcessSpec spec = shell("head -c 200000 /dev/zero | tr '\\0' x; echo done >&2");
  spec.output_limit = 1000;
  const ProcessResult result = run_ok(spec);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.size(), 1000u);
  EXPECT_TRUE(result.out_truncated);
  EXPECT_EQ(result.err, "done\n");
  EXPECT_FALSE(result.err_truncated);
}

TEST(PosixProcessRunnerTest, ChildInheritsNoStrayDescriptors) {
  // An fd opened without O_CLOEXEC (as another thread or library might) must not reach the
  // child.
  const int stray = open("/dev/null", O_RDONLY);
  ASSERT_GT(stray, 2);
  const ProcessResult result = run_ok(shell("ls /proc/$$/fd"));
  close(stray);
  std::istringstream in(result.out);
  std::vector<int> fds;
  for (int fd = 0; in >> fd;) fds.push_back(fd);
  EXPECT_THAT(fds, ::testing::IsSupersetOf({0, 1, 2}));
  EXPECT_THAT(fds, Not(::testing::Contains(stray)));
}

TEST(PosixProcessRunnerTest, ConcurrentRunsKeepTheirOwnOutput) {
  PosixProcessRunner runner;
  constexpr int kThreads = 8;
  std::vector<std::string> outputs(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&runner, &outputs, i] {
      for (int round = 0; round < 5; ++round) {
        ProcessSpec spec = argv({"/bin/sh", "-c", "read line; printf '%s:%s' \"$1\" \"$line\"",
                                 "sh", std::to_string(i)});
        spec.stdin_data = "round" + std::to_string(round) + "\n";
        auto result = runner.run(spec);
        if (result) outputs[i] += result->out + ";";
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    const std::string id = std::to_string(i);
    EXPECT_EQ(outputs[i], id + ":round0;" + id + ":round1;" + id + ":round2;" + id + ":round3;" +
                              id + ":round4;");
  }
}

TEST(ProcessSpecTest, ProgramNamesOnlyTheExecutable) {
  ProcessSpec spec;
  spec.argv = {"/usr/bin/mysqlbinlog", "--start-position=4"};
  EXPECT_EQ(spec.program(), "/usr/bin/mysqlbinlog");
  ProcessSpec line;
  line.shell_command = "  /usr/local/bin/master_ip_failover --command=stop";
  EXPECT_EQ(line.program(), "/usr/local/bin/master_ip_failover");
  line.shell_command = "/bin/report;rm -rf /";
  EXPECT_EQ(line.program(), "/bin/report");
}

}  // namespace
}  // namespace mha::hooks
