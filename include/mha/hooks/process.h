#pragma once

// Running external programs: the operator's scripts (master_ip_failover_script, shutdown_script,
// report_script, secondary_check_script, init_conf_load_script) and local tools.
//
// A run starts the program in a new process group, feeds it stdin_data, captures stdout and
// stderr, and waits for it with a deadline. When the deadline passes, the whole group gets
// SIGTERM, then SIGKILL after kill_grace, so a script's own children (`sleep 100 & wait`) cannot
// outlive the timeout. Credentials go through stdin_data or env_add, never argv: argv is visible
// to every user in ps.
//
// Error or result:
//   - Result error: the program could not be run at all. kNotFound (detail 127) when the program
//     (argv[0], or the command a shell line names) does not exist; kIo (detail errno, or 126 when
//     it is not executable) for other start failures; kConfig for an invalid spec.
//   - ProcessResult: the program ran. It may still have failed (exit_code != 0), died of a signal
//     (term_signal), or been killed at the deadline (timed_out).
//
// Shell lines: MHA configuration values such as "/usr/local/bin/master_ip_failover --vip=x" are
// command lines, so they run as `/bin/sh -c <line>`. The shell reports "command not found" as
// exit status 127, which run() turns into a kNotFound error naming the line's first word. A
// shell line that runs and then exits 127 for another reason is reported the same way; argv runs
// have no such ambiguity because exec failures are reported by the kernel.

#include "mha/common/result.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mha::hooks {

inline constexpr std::chrono::milliseconds kDefaultProcessTimeout{60'000};
inline constexpr std::chrono::milliseconds kDefaultKillGrace{2'000};
inline constexpr size_t kDefaultOutputLimit = 16 * 1024 * 1024;

struct ProcessSpec {
  // Program and arguments, run without a shell; argv[0] is looked up in PATH when it has no '/'.
  // Exactly one of argv and shell_command must be given.
  std::vector<std::string> argv;
  // A command line run as `/bin/sh -c <shell_command>`.
  std::optional<std::string> shell_command;
  // Added to (or replacing entries of) the caller's environment.
  std::map<std::string, std::string> env_add;
  // Written to the child's stdin, which is then closed (the child sees EOF). A child that exits
  // or closes stdin without reading it all is not an error.
  std::string stdin_data;
  // From the start of the run until the group is signalled. Must be positive.
  std::chrono::milliseconds timeout = kDefaultProcessTimeout;
  // After SIGTERM at the deadline, how long the group has before SIGKILL.
  std::chrono::milliseconds kill_grace = kDefaultKillGrace;
  // Empty: the caller's working directory.
  std::string working_dir;
  // Bytes kept per stream; the rest is read and dropped so the child never blocks on a full
  // pipe.
  size_t output_limit = kDefaultOutputLimit;

  // The program for messages and logs: argv[0], or the first word of the shell line. Never
  // includes arguments (they may carry secrets in operator-written command lines).
  std::string program() const;
};

struct ProcessResult {
  int exit_code = -1;      // exit status 0..255; -1 when the child died of a signal
  int term_signal = 0;     // the signal that ended the child, 0 when it exited
  bool timed_out = false;  // the deadline passed and the group was signalled
  std::string out;
  std::string err;
  bool out_truncated = false;  // more than output_limit bytes were written to stdout
  bool err_truncated = false;
  std::chrono::milliseconds elapsed{0};

  // True when the program exited on its own with status 0.
  bool success() const { return !timed_out && term_signal == 0 && exit_code == 0; }
  // "exit 3", "signal 9 (Killed)", "timed out after 5000 ms": for one-line messages.
  std::string describe() const;
};

// Runs one program to completion. Implementations are safe to call from several threads at once;
// each call blocks its thread until the child has been reaped (at most timeout + kill_grace plus
// the time to reap a SIGKILLed group).
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual Result<ProcessResult> run(const ProcessSpec& spec) = 0;
};

// The real runner: posix_spawn into a new process group, pipes polled with poll(), every fd of
// ours O_CLOEXEC and all other inherited fds closed in the child. Signal dispositions and the
// signal mask are reset to defaults in the child. Callers must not set SIGCHLD to SIG_IGN (the
// kernel would then reap children before run() can collect their status).
//
// When the child exits on its own, anything it left running in its group (a daemon it started)
// is not killed; output those leftovers write after the child's exit is read for at most
// kExitDrain and then dropped, so a leftover holding the pipes open cannot stall the caller.
class PosixProcessRunner final : public ProcessRunner {
 public:
  static constexpr std::chrono::milliseconds kExitDrain{200};

  Result<ProcessResult> run(const ProcessSpec& spec) override;
};

}  // namespace mha::hooks
