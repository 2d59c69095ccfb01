#include "mha/hooks/process.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;  // NOLINT: the POSIX way to read the whole environment

namespace mha::hooks {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kReadChunk = 64 * 1024;
// Without a pidfd the child's exit is noticed by polling at this interval.
constexpr milliseconds kExitPollTick{10};
constexpr int kShellNotFound = 127;

Error errno_error(ErrorCode code, const std::string& what, int err) {
  return make_error(code, what + ": " + strerrordesc_np(err), err);
}

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// Our pipe ends must not be 0..2: the child's dup2 onto 0, 1, 2 would otherwise clobber one
// end with another when the caller runs with a standard stream closed.
Result<UniqueFd> above_stdio(int fd) {
  UniqueFd owned(fd);
  if (fd > STDERR_FILENO) return owned;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0) return Unexpected(errno_error(ErrorCode::kIo, "fcntl(F_DUPFD_CLOEXEC)", errno));
  return UniqueFd(moved);
}

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Unexpected(errno_error(ErrorCode::kIo, "pipe2", errno));
  }
  auto read_end = above_stdio(fds[0]);
  auto write_end = above_stdio(fds[1]);
  if (!read_end) return Unexpected(std::move(read_end).error());
  if (!write_end) return Unexpected(std::move(write_end).error());
  return Pipe{std::move(*read_end), std::move(*write_end)};
}

// Writing to a pipe whose reader has gone raises SIGPIPE, which would kill the whole manager.
// SIGPIPE from write() is sent to the writing thread, so blocking it in this thread only is
// enough; one we caused is consumed before the old mask comes back.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set_, &old_mask_);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        sigtimedwait(&set_, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }

 private:
  sigset_t set_;
  sigset_t old_mask_;
  bool was_pending_ = false;
};

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class SpawnAttr {
 public:
  SpawnAttr() { posix_spawnattr_init(&attr_); }
  SpawnAttr(const SpawnAttr&) = delete;
  SpawnAttr& operator=(const SpawnAttr&) = delete;
  ~SpawnAttr() { posix_spawnattr_destroy(&attr_); }
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

std::vector<std::string> build_environment(const std::map<std::string, std::string>& add) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view kv(*entry);
    const std::string name(kv.substr(0, kv.find('=')));
    if (add.count(name) == 0) env.emplace_back(kv);
  }
  for (const auto& [name, value] : add) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

Status validate(const ProcessSpec& spec) {
  if (spec.shell_command.has_value() == !spec.argv.empty()) {
    return Unexpected(
        make_error(ErrorCode::kConfig, "process spec needs exactly one of argv and shell_command"));
  }
  if (!spec.argv.empty() && spec.argv.front().empty()) {
    return Unexpected(make_error(ErrorCode::kConfig, "process spec has an empty program name"));
  }
  if (spec.timeout <= milliseconds::zero()) {
    return Unexpected(make_error(ErrorCode::kConfig,
                                 "process timeout for " + spec.program() + " must be positive"));
  }
  if (!spec.working_dir.empty()) {
    // Checked here because posix_spawn reports a failed chdir with the same errno as a missing
    // program; after this check ENOENT from the spawn means the program.
    struct stat st {};
    if (::stat(spec.working_dir.c_str(), &st) != 0) {
      const int err = errno;
      return Unexpected(errno_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                                    "working directory " + spec.working_dir, err));
    }
    if (!S_ISDIR(st.st_mode)) {
      return Unexpected(make_error(ErrorCode::kIo,
                                   "working directory " + spec.working_dir + " is not a directory",
                                   ENOTDIR));
    }
  }
  return ok_status();
}

Result<pid_t> spawn(const ProcessSpec& spec, const Pipe& in, const Pipe& out, const Pipe& err) {
  std::vector<std::string> args =
      spec.shell_command ? std::vector<std::string>{"/bin/sh", "-c", *spec.shell_command}
                         : spec.argv;
  std::vector<std::string> env = build_environment(spec.env_add);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(env);

  SpawnActions actions;
  posix_spawn_file_actions_adddup2(actions.get(), in.read.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), out.write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err.write.get(), STDERR_FILENO);
  // Also closes fds other threads opened without O_CLOEXEC, so no child inherits a descriptor
  // that was never meant for it.
  posix_spawn_file_actions_addclosefrom_np(actions.get(), STDERR_FILENO + 1);
  if (!spec.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(actions.get(), spec.working_dir.c_str());
  }

  SpawnAttr attr;
  sigset_t no_signals;
  sigset_t all_signals;
  sigemptyset(&no_signals);
  sigfillset(&all_signals);
  posix_spawnattr_setflags(attr.get(),
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(attr.get(), 0);  // a new group led by the child
  posix_spawnattr_setsigmask(attr.get(), &no_signals);
  posix_spawnattr_setsigdefault(attr.get(), &all_signals);

  pid_t pid = -1;
  const int rc =
      ::posix_spawnp(&pid, c_args[0], actions.get(), attr.get(), c_args.data(), c_env.data());
  if (rc == 0) return pid;
  const std::string program = spec.program();
  if (rc == ENOENT) {
    return Unexpected(make_error(ErrorCode::kNotFound, "program not found: " + program, 127));
  }
  if (rc == EACCES) {
    return Unexpected(make_error(ErrorCode::kIo, "permission denied running " + program, 126));
  }
  return Unexpected(errno_error(ErrorCode::kIo, "cannot start " + program, rc));
}

// True once the child has exited. WNOWAIT leaves it a zombie: while it is unreaped its pid, and
// so its process group id, cannot be reused, which keeps kill(-pid) aimed at our group.
bool child_exited(pid_t pid) {
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  while (true) {
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
      return info.si_pid != 0;
    }
    if (errno != EINTR) return true;  // ECHILD: reaped behind our back; waitpid reports it
  }
}

// A descriptor that polls readable when the child exits (Linux 5.3+), or -1: then the loop ticks.
// Through syscall() because glibc 2.36's <sys/pidfd.h> lacks C linkage for C++.
int open_pidfd(pid_t pid) {
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return fd < 0 ? -1 : static_cast<int>(fd);
}

int poll_timeout_ms(Clock::time_point now, Clock::time_point until) {
  if (until <= now) return 0;
  const auto ms = std::chrono::ceil<milliseconds>(until - now).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

// One captured stream: keeps up to `limit` bytes, drops the rest.
class Capture {
 public:
  Capture(UniqueFd fd, std::string* sink, bool* truncated, size_t limit)
      : fd_(std::move(fd)), sink_(sink), truncated_(truncated), limit_(limit) {}

  bool open() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

  void read_available() {
    char buf[kReadChunk];
    const ssize_t n = ::read(fd_.get(), buf, sizeof(buf));
    if (n > 0) {
      const size_t room = limit_ - std::min(limit_, sink_->size());
      const size_t keep = std::min(room, static_cast<size_t>(n));
      sink_->append(buf, keep);
      if (keep < static_cast<size_t>(n)) *truncated_ = true;
      return;
    }
    if (n == 0 || (errno != EINTR && errno != EAGAIN)) fd_.reset();
  }

 private:
  UniqueFd fd_;
  std::string* sink_;
  bool* truncated_;
  size_t limit_;
};

// Feeds stdin_data through a non-blocking pipe so a child that writes before it reads cannot
// deadlock us.
class Feeder {
 public:
  Feeder(UniqueFd fd, const std::string& data) : fd_(std::move(fd)), data_(data) {
    if (data_.empty()) {
      fd_.reset();
      return;
    }
    const int flags = ::fcntl(fd_.get(), F_GETFL);
    ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
  }

  bool open() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

  void write_some() {
    const ssize_t n = ::write(fd_.get(), data_.data() + offset_, data_.size() - offset_);
    if (n > 0) {
      offset_ += static_cast<size_t>(n);
      if (offset_ == data_.size()) fd_.reset();
      return;
    }
    if (errno != EINTR && errno != EAGAIN) fd_.reset();  // EPIPE: the child stopped reading
  }

 private:
  UniqueFd fd_;
  const std::string& data_;
  size_t offset_ = 0;
};

}  // namespace

Result<ProcessResult> PosixProcessRunner::run(const ProcessSpec& spec) {
  MHA_TRY(validate(spec));
  SigpipeBlock sigpipe_block;

  auto in = make_pipe();
  if (!in) return Unexpected(std::move(in).error());
  auto out = make_pipe();
  if (!out) return Unexpected(std::move(out).error());
  auto err = make_pipe();
  if (!err) return Unexpected(std::move(err).error());

  const auto start = Clock::now();
  auto spawned = spawn(spec, *in, *out, *err);
  if (!spawned) return Unexpected(std::move(spawned).error());
  const pid_t pid = *spawned;
  in->read.reset();
  out->write.reset();
  err->write.reset();

  ProcessResult result;
  Capture out_capture(std::move(out->read), &result.out, &result.out_truncated, spec.output_limit);
  Capture err_capture(std::move(err->read), &result.err, &result.err_truncated, spec.output_limit);
  Feeder feeder(std::move(in->write), spec.stdin_data);
  UniqueFd pidfd(open_pidfd(pid));

  enum class Phase { kRunning, kTerminating, kKilled };
  Phase phase = Phase::kRunning;
  const auto deadline = start + spec.timeout;
  Clock::time_point kill_at{};
  Clock::time_point drain_until{};
  bool exited = false;

  while (true) {
    auto now = Clock::now();
    if (!exited && child_exited(pid)) {
      exited = true;
      feeder.close();
      // After a timeout the group's leftovers get the rest of the grace period; after a normal
      // exit, leftovers holding our pipes only get a short drain.
      drain_until = phase == Phase::kRunning ? now + kExitDrain : kill_at;
    }
    if (exited && ((!out_capture.open() && !err_capture.open()) || now >= drain_until)) break;
    if (!exited && phase == Phase::kRunning && now >= deadline) {
      ::kill(-pid, SIGTERM);
      result.timed_out = true;
      phase = Phase::kTerminating;
      kill_at = now + spec.kill_grace;
      feeder.close();
    }
    if (!exited && phase == Phase::kTerminating && now >= kill_at) {
      ::kill(-pid, SIGKILL);
      phase = Phase::kKilled;
    }

    Clock::time_point wake = now + milliseconds(1000);
    if (exited) {
      wake = drain_until;
    } else if (phase == Phase::kRunning) {
      wake = deadline;
    } else if (phase == Phase::kTerminating) {
      wake = kill_at;
    }
    if (!exited && !pidfd.valid()) wake = std::min(wake, now + kExitPollTick);

    pollfd fds[4];
    nfds_t count = 0;
    const auto add = [&](int fd, short events) {
      fds[count++] = pollfd{fd, events, 0};
      return count - 1;
    };
    const nfds_t none = 4;
    const nfds_t out_index = out_capture.open() ? add(out_capture.fd(), POLLIN) : none;
    const nfds_t err_index = err_capture.open() ? add(err_capture.fd(), POLLIN) : none;
    const nfds_t in_index = feeder.open() ? add(feeder.fd(), POLLOUT) : none;
    if (!exited && pidfd.valid()) add(pidfd.get(), POLLIN);

    const int ready = ::poll(fds, count, poll_timeout_ms(now, wake));
    if (ready < 0) {
      if (errno == EINTR) continue;
      const int poll_errno = errno;
      ::kill(-pid, SIGKILL);
      int ignored = 0;
      ::waitpid(pid, &ignored, 0);
      return Unexpected(
          errno_error(ErrorCode::kIo, "poll while running " + spec.program(), poll_errno));
    }
    const auto fired = [&](nfds_t index) { return index != none && fds[index].revents != 0; };
    if (fired(out_index)) out_capture.read_available();
    if (fired(err_index)) err_capture.read_available();
    if (fired(in_index)) feeder.write_some();
  }

  // Whatever is left of a timed-out group dies now. The unreaped leader still holds the group id,
  // so this cannot hit an unrelated group.
  if (result.timed_out) ::kill(-pid, SIGKILL);

  int status = 0;
  pid_t reaped;
  do {
    reaped = ::waitpid(pid, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  if (reaped < 0) {
    return Unexpected(errno_error(
        ErrorCode::kInternal,
        "collecting the exit status of " + spec.program() + " (is SIGCHLD ignored?)", errno));
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }

  if (spec.shell_command && !result.timed_out && result.exit_code == kShellNotFound) {
    return Unexpected(make_error(
        ErrorCode::kNotFound, "command not found: " + spec.program() + " (shell exit status 127)",
        kShellNotFound));
  }
  return result;
}

}  // namespace mha::hooks
