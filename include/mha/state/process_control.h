#pragma once

// What the admin tools need to know about, and do to, the process named in a status file.
// ProcessControl is an interface so the decision and stop logic can be unit-tested with fakes;
// ProcProcessControl reads Linux /proc and calls kill(2).
//
// None of these calls block (each reads a few /proc files). Not thread-safe only in the sense
// that the process table changes under the caller: every answer is a snapshot.

#include "mha/common/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mha::state {

// The executable name a manager process runs under. The kernel's comm holds 15 characters, so
// /proc/PID/comm reads "masterha_manage" for it.
inline constexpr const char* kManagerProgram = "masterha_manager";

struct ProcessInfo {
  int pid = 0;
  int ppid = 0;
  int pgid = 0;
  // Start time in clock ticks since boot (/proc/PID/stat field 22): with the pid, identifies
  // one process across pid reuse.
  std::uint64_t start_ticks = 0;
  std::string comm;   // /proc/PID/comm
  std::string argv0;  // first word of /proc/PID/cmdline ("" for kernel threads)

  // Whether this is a masterha_manager (comm or argv[0]'s base name), i.e. a process that
  // masterha_stop may signal.
  bool is_manager() const;
};

class ProcessControl {
 public:
  virtual ~ProcessControl() = default;

  // The running process `pid`; nullopt when there is none or it has exited (a zombie counts as
  // exited: it runs no code and will never remove its status file).
  virtual std::optional<ProcessInfo> inspect(int pid) = 0;

  // Live processes that belong to manager `pid`: its children (PPid == pid) and the members of
  // the process group it leads (pgid == pid), excluding `pid` itself, in ascending pid order.
  // The group matters because a dead manager's children are re-parented to init at once, while
  // they keep the group the manager created with setpgrp.
  virtual std::vector<int> leftover_processes(int pid) = 0;

  // kill(2): `signal` to the process group `pgid` (kill(-pgid, sig)) or to the single process.
  // ErrorCode::kIo with errno in detail on failure.
  virtual Status signal_group(int pgid, int signal) = 0;
  virtual Status signal_process(int pid, int signal) = 0;
};

// Whether `pid` (from a status file) is a running masterha_manager. A live process alone does not
// count: after a manager died its pid may belong to anything. 0 or less is never running.
bool manager_running(ProcessControl& processes, int pid);

class ProcProcessControl final : public ProcessControl {
 public:
  // `proc_root` is "/proc"; tests may point it elsewhere.
  explicit ProcProcessControl(std::string proc_root = "/proc") : proc_root_(std::move(proc_root)) {}

  std::optional<ProcessInfo> inspect(int pid) override;
  std::vector<int> leftover_processes(int pid) override;
  Status signal_group(int pgid, int signal) override;
  Status signal_process(int pid, int signal) override;

 private:
  std::string proc_root_;
};

// Parses the content of /proc/PID/stat into `info` (pid, ppid, pgid, start_ticks) and returns the
// one-letter state ('R', 'S', 'Z', ...). nullopt when the text is not a stat line. Exposed for
// tests: the comm field may contain spaces and parentheses.
std::optional<char> parse_proc_stat(const std::string& stat, ProcessInfo& info);

}  // namespace mha::state
