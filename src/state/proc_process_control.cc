#include "mha/state/process_control.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>
#include <vector>

#include "file_ops.h"
#include <dirent.h>
#include <signal.h>

namespace mha::state {
namespace {

// "" when the file is gone (the process exited while we looked) or unreadable.
std::string read_small_file(const std::string& path) {
  auto content = internal::read_file(path);
  return content && *content ? std::move(**content) : std::string();
}

std::string base_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

template <typename T>
bool to_number(std::string_view text, T& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

Status kill_error(const std::string& target, int signal, int err) {
  return Unexpected(make_error(
      ErrorCode::kIo,
      "cannot send signal " + std::to_string(signal) + " to " + target + ": " + std::strerror(err),
      err));
}

}  // namespace

bool manager_running(ProcessControl& processes, int pid) {
  if (pid <= 0) return false;
  const std::optional<ProcessInfo> p = processes.inspect(pid);
  return p && p->is_manager();
}

bool ProcessInfo::is_manager() const {
  static const std::string kComm = std::string(kManagerProgram).substr(0, 15);
  return comm == kComm || base_name(argv0) == kManagerProgram;
}

std::optional<char> parse_proc_stat(const std::string& stat, ProcessInfo& info) {
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
  //  stime cutime cstime priority nice num_threads itrealvalue starttime ...": comm may hold
  // anything, so fields are counted from the last ')'.
  const std::size_t open = stat.find(" (");
  const std::size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  if (!to_number(std::string_view(stat).substr(0, open), info.pid)) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  // fields[0] is the state (field 3); starttime is field 22.
  constexpr std::size_t kStartTime = 22 - 3;
  if (fields.size() <= kStartTime || fields[0].size() != 1) return std::nullopt;
  if (!to_number(std::string_view(fields[1]), info.ppid) ||
      !to_number(std::string_view(fields[2]), info.pgid) ||
      !to_number(std::string_view(fields[kStartTime]), info.start_ticks)) {
    return std::nullopt;
  }
  return fields[0][0];
}

std::optional<ProcessInfo> ProcProcessControl::inspect(int pid) {
  if (pid <= 0) return std::nullopt;
  const std::string dir = proc_root_ + "/" + std::to_string(pid);
  ProcessInfo info;
  const auto state = parse_proc_stat(read_small_file(dir + "/stat"), info);
  // 'Z' zombie, 'X' dead: exited, only not yet reaped.
  if (!state || *state == 'Z' || *state == 'X' || info.pid != pid) return std::nullopt;
  info.comm = read_small_file(dir + "/comm");
  if (!info.comm.empty() && info.comm.back() == '\n') info.comm.pop_back();
  const std::string cmdline = read_small_file(dir + "/cmdline");
  info.argv0 = cmdline.substr(0, cmdline.find('\0'));
  return info;
}

std::vector<int> ProcProcessControl::leftover_processes(int pid) {
  std::vector<int> found;
  if (pid <= 1) return found;
  DIR* dir = ::opendir(proc_root_.c_str());
  if (dir == nullptr) return found;
  while (const dirent* entry = ::readdir(dir)) {
    int other = 0;
    if (!to_number(std::string_view(entry->d_name), other) || other == pid) continue;
    ProcessInfo info;
    const auto state =
        parse_proc_stat(read_small_file(proc_root_ + "/" + entry->d_name + "/stat"), info);
    if (!state || *state == 'Z' || *state == 'X') continue;
    if (info.ppid == pid || info.pgid == pid) found.push_back(other);
  }
  ::closedir(dir);
  std::sort(found.begin(), found.end());
  return found;
}

Status ProcProcessControl::signal_group(int pgid, int signal) {
  // kill(-1) would hit every process we may signal; a group id is always > 1 here.
  if (pgid <= 1) return kill_error("process group " + std::to_string(pgid), signal, EINVAL);
  if (::kill(-pgid, signal) != 0) {
    return kill_error("process group " + std::to_string(pgid), signal, errno);
  }
  return ok_status();
}

Status ProcProcessControl::signal_process(int pid, int signal) {
  if (pid <= 1) return kill_error("process " + std::to_string(pid), signal, EINVAL);
  if (::kill(pid, signal) != 0) return kill_error("process " + std::to_string(pid), signal, errno);
  return ok_status();
}

}  // namespace mha::state
