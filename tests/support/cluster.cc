#include "support/cluster.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mha::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kScriptTimeoutS = 300;
constexpr int kSqlTimeoutS = 30;
constexpr size_t kStderrTailLines = 30;

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : std::string(fallback);
}

constexpr char kLeasePath[] = "/run/mha-testbed.lease";
// The network namespace the process started in (the root namespace, where cluster.sh must run),
// opened before main() so that no thread can have entered ManagerNetns yet. (/proc/1/ns/net is
// not readable in every container.)
const int g_initial_netns_fd = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

std::string netns_path(const std::string& netns) { return "/var/run/netns/" + netns; }

std::string last_lines(const std::string& text, size_t n) {
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  for (size_t i = 0; i < n && pos > 0; ++i) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

std::string strip_final_newline(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read.reset(fds[0]);
    write.reset(fds[1]);
    return true;
  }
};

// In the child after fork(): only async-signal-safe calls until exec.
[[noreturn]] void exec_child(const char* command_line, int in, int out, int err, int netns_fd) {
  ::setpgid(0, 0);
  ::signal(SIGPIPE, SIG_DFL);
  if (netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) != 0) {
    static const char kMsg[] = "run_command: setns failed\n";
    (void)!::write(err, kMsg, sizeof(kMsg) - 1);
    ::_exit(126);
  }
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  ::close_range(3, ~0U, 0);  // no inherited descriptor (pipes, locks) leaks into daemons
  ::execl("/bin/bash", "bash", "-c", command_line, static_cast<char*>(nullptr));
  ::_exit(127);
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads what is available; false once the pipe reports EOF or an error.
bool drain(int fd, std::string* sink) {
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      sink->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

int decode_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// bash -c `command_line`, stdin fed from `input`; inside the network namespace `netns_fd` refers
// to, or the caller's if it is -1.
CommandResult run_process(const std::string& command_line, const std::string& input, int timeout_s,
                          int netns_fd) {
  CommandResult result;
  Pipe in, out, err;
  if (!in.open() || !out.open() || !err.open()) {
    result.err = std::string("run_command: pipe: ") + std::strerror(errno);
    return result;
  }
  // Writing to a shell that exited early must not kill the test with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  pid_t pid = ::fork();
  if (pid < 0) {
    result.err = std::string("run_command: fork: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    exec_child(command_line.c_str(), in.read.get(), out.write.get(), err.write.get(), netns_fd);
  }
  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins the race
  in.read.reset();
  out.write.reset();
  err.write.reset();
  set_nonblocking(in.write.get());
  set_nonblocking(out.read.get());
  set_nonblocking(err.read.get());

  const auto deadline = SteadyClock::now() + std::chrono::seconds(timeout_s);
  size_t written = 0;
  if (input.empty()) in.write.reset();
  bool out_open = true, err_open = true;
  int status = 0;
  bool exited = false, timed_out = false;
  while (!exited) {
    pollfd fds[3];
    nfds_t nfds = 0;
    if (out_open) fds[nfds++] = {out.read.get(), POLLIN, 0};
    if (err_open) fds[nfds++] = {err.read.get(), POLLIN, 0};
    if (in.write.get() >= 0) fds[nfds++] = {in.write.get(), POLLOUT, 0};
    // Short waits: the child's exit is noticed by waitpid, not by poll; with every pipe at EOF
    // the shell is about to exit, so look again almost at once.
    ::poll(fds, nfds, nfds == 0 ? 2 : 50);
    if (out_open) out_open = drain(out.read.get(), &result.out);
    if (err_open) err_open = drain(err.read.get(), &result.err);
    if (in.write.get() >= 0) {
      ssize_t n = ::write(in.write.get(), input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (written == input.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        in.write.reset();
      }
    }
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      exited = true;
    } else if (SteadyClock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      exited = true;
      timed_out = true;
    }
  }
  // Whatever the shell wrote before exiting is in the pipes now; a daemon it started may still
  // hold them open, so take what is there instead of waiting for EOF.
  if (out_open) drain(out.read.get(), &result.out);
  if (err_open) drain(err.read.get(), &result.err);
  if (timed_out) {
    result.exit_code = -1;
    result.err += "\n[run_command: killed after " + std::to_string(timeout_s) + " s]\n";
  } else {
    result.exit_code = decode_wait_status(status);
  }
  return result;
}

// One POSIX shell word starting at text[*pos]: quotes and backslashes are removed. Stops at
// unquoted whitespace. False on an unterminated quote.
bool parse_shell_word(const std::string& text, size_t* pos, std::string* word) {
  size_t i = *pos;
  while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
    char c = text[i];
    if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string::npos) return false;
      word->append(text, i + 1, end - i - 1);
      i = end + 1;
    } else if (c == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size() &&
            std::strchr("\"\\$`", text[i + 1]) != nullptr) {
          ++i;
        }
        word->push_back(text[i++]);
      }
      if (i >= text.size()) return false;
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) return false;
      word->push_back(text[i + 1]);
      i += 2;
    } else {
      word->push_back(c);
      ++i;
    }
  }
  *pos = i;
  return true;
}

Result<std::map<std::string, std::string>> parse_tab_table(const std::string& text) {
  std::map<std::string, std::string> row;
  std::istringstream in(text);
  std::string header, values;
  if (!std::getline(in, header)) return row;
  if (!std::getline(in, values)) return row;
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      cells.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    return cells;
  };
  std::vector<std::string> names = split(header), cells = split(values);
  if (names.size() != cells.size()) {
    return Unexpected(
        make_error(ErrorCode::kInternal, "result header has " + std::to_string(names.size()) +
                                             " columns, row has " + std::to_string(cells.size())));
  }
  for (size_t i = 0; i < names.size(); ++i) row[names[i]] = cells[i];
  return row;
}

bool valid_host_name(const std::string& name) {
  if (name.empty() || name.size() > 16) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)))) {
      return false;
    }
  }
  return true;
}

}  // namespace

CommandResult run_command(const std::string& command_line, int timeout_s) {
  return run_process(command_line, "", timeout_s, -1);
}

CommandResult run_command_with_input(const std::string& command_line, const std::string& input,
                                     int timeout_s) {
  return run_process(command_line, input, timeout_s, -1);
}

Result<std::map<std::string, std::string>> parse_env_text(const std::string& text) {
  std::map<std::string, std::string> env;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t eq = line.find('=', start);
    std::string key = eq == std::string::npos ? "" : line.substr(start, eq - start);
    bool key_ok = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0]));
    for (char c : key) key_ok = key_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    std::string value;
    size_t pos = eq + 1;
    if (!key_ok || !parse_shell_word(line, &pos, &value) ||
        line.find_first_not_of(" \t", pos) != std::string::npos) {
      return Unexpected(make_error(
          ErrorCode::kConfig,
          "cluster.env line " + std::to_string(line_no) + ": not KEY=<shell word>", line_no));
    }
    env[key] = value;
  }
  return env;
}

// --- Cluster ---------------------------------------------------------------------------------

Cluster::~Cluster() {
  if (!up_) {
    release_lease();
    return;
  }
  Status s = down();
  if (!s) std::fprintf(stderr, "~Cluster: down failed: %s\n", s.error().to_string().c_str());
}

Status Cluster::acquire_lease() {
  if (lease_fd_ >= 0) return ok_status();
  Fd fd(::open(kLeasePath, O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    return Unexpected(
        make_error(ErrorCode::kIo,
                   std::string("cannot open ") + kLeasePath + ": " + std::strerror(errno), errno));
  }
  const int wait_s = std::atoi(env_or("MHA_TESTBED_LEASE_WAIT", "900").c_str());
  const auto deadline = SteadyClock::now() + std::chrono::seconds(wait_s);
  bool told = false;
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Unexpected(make_error(
          ErrorCode::kIo, std::string("flock ") + kLeasePath + ": " + std::strerror(errno), errno));
    }
    char holder[256] = {};
    ssize_t n = ::pread(fd.get(), holder, sizeof holder - 1, 0);
    std::string who =
        n > 0 ? strip_final_newline(std::string(holder, static_cast<size_t>(n))) : "?";
    if (SteadyClock::now() >= deadline) {
      return Unexpected(make_error(
          ErrorCode::kConflict,
          "the test bed is still leased after " + std::to_string(wait_s) + " s by: " + who));
    }
    if (!told) {
      std::fprintf(stderr, "Cluster: waiting up to %d s for the test bed, leased by: %s\n", wait_s,
                   who.c_str());
      told = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polls the lease until deadline
  }
  char exe[512] = {};
  ssize_t len = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  std::string who = "pid " + std::to_string(::getpid()) + " " +
                    (len > 0 ? std::string(exe, static_cast<size_t>(len)) : "?") + "\n";
  if (::ftruncate(fd.get(), 0) == 0) (void)!::pwrite(fd.get(), who.data(), who.size(), 0);
  lease_fd_ = fd.release();
  return ok_status();
}

void Cluster::release_lease() {
  if (lease_fd_ < 0) return;
  (void)!::ftruncate(lease_fd_, 0);
  ::close(lease_fd_);  // drops the flock
  lease_fd_ = -1;
}

Status Cluster::script(const std::string& args, std::string* out) const {
  std::string cmd = shell_quote(source_dir() + "/scripts/testbed/cluster.sh") + " " + args;
  if (lease_fd_ >= 0) cmd = "MHA_TESTBED_LEASE_HELD=1 " + cmd;
  CommandResult r = run_process(cmd, "", kScriptTimeoutS, g_initial_netns_fd);
  if (out != nullptr) *out = r.out;
  if (r.exit_code == 0) return ok_status();
  std::string msg = "cluster.sh " + args + " failed (exit " + std::to_string(r.exit_code) + "):\n" +
                    last_lines(r.err, kStderrTailLines);
  return Unexpected(make_error(r.exit_code < 0 ? ErrorCode::kTimeout : ErrorCode::kIo,
                               std::move(msg), r.exit_code));
}

Status Cluster::load_env() {
  std::string path = state_dir() + "/cluster.env";
  std::ifstream in(path);
  if (!in) return Unexpected(make_error(ErrorCode::kNotFound, "cannot read " + path));
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_env_text(text.str());
  if (!parsed) return Unexpected(std::move(parsed).error());
  env_ = std::move(*parsed);

  auto need = [&](const std::string& key) -> Result<std::string> {
    auto it = env_.find(key);
    if (it == env_.end() || it->second.empty()) {
      return Unexpected(make_error(ErrorCode::kConfig, path + ": missing " + key));
    }
    return it->second;
  };
  hosts_.clear();
  std::istringstream names(env_["HOSTS"]);
  std::string name;
  while (names >> name) {
    std::string up_name;
    for (char c : name) up_name.push_back(static_cast<char>(std::toupper(c)));
    Host h;
    h.name = name;
    for (auto [field, key] : {std::pair{&h.ip, "_IP"}, std::pair{&h.netns, "_NS"},
                              std::pair{&h.socket, "_SOCKET"}, std::pair{&h.datadir, "_DATADIR"}}) {
      auto v = need(up_name + key);
      if (!v) return Unexpected(std::move(v).error());
      *field = *v;
    }
    hosts_.push_back(std::move(h));
  }
  if (hosts_.empty()) return Unexpected(make_error(ErrorCode::kConfig, path + ": no HOSTS"));
  manager_ = Host{};
  manager_.name = "mgr";
  auto ns = need("MGR_NS");
  auto ip = need("MGR_IP");
  if (!ns) return Unexpected(std::move(ns).error());
  if (!ip) return Unexpected(std::move(ip).error());
  manager_.netns = *ns;
  manager_.ip = *ip;
  return ok_status();
}

Status Cluster::up(const ClusterOptions& options) {
  up_ = false;
  hosts_.clear();
  env_.clear();
  std::string args = "up --hosts " + std::to_string(options.hosts) + " --mode " +
                     (options.mode == ReplMode::kGtid ? "gtid" : "pos");
  if (!options.semi_sync) args += " --no-semi-sync";
  // SSH sessions on the hosts find the node helper of this build (cluster.sh puts
  // MHA_NODE_BINDIR on their PATH; the script inherits our environment).
  const std::string node = binary("masterha_node");
  if (::access(node.c_str(), X_OK) == 0) {
    ::setenv("MHA_NODE_BINDIR", node.substr(0, node.rfind('/')).c_str(), /*overwrite=*/1);
  }
  MHA_TRY(acquire_lease());
  if (Status s = script(args); !s) {
    release_lease();  // the script has torn down what it built
    return s;
  }
  up_ = true;  // from here on the destructor tears down, even if reading the env fails
  return load_env();
}

Status Cluster::down() {
  up_ = false;
  hosts_.clear();
  manager_ = Host{};
  env_.clear();
  Status s = script("down");
  release_lease();
  return s;
}

const Host& Cluster::host(const std::string& name) const {
  if (name == "mgr" && !manager_.netns.empty()) return manager_;
  for (const Host& h : hosts_) {
    if (h.name == name) return h;
  }
  ADD_FAILURE() << "unknown test-bed host '" << name << "'";
  throw std::out_of_range("unknown test-bed host '" + name + "'");
}

std::string Cluster::manager_ip() const { return env("MGR_IP"); }
std::string Cluster::vip() const { return env("VIP"); }
std::string Cluster::state_dir() const { return env_or("MHA_TESTBED_DIR", "/tmp/mha-testbed"); }

std::string Cluster::env(const std::string& key) const {
  auto it = env_.find(key);
  return it == env_.end() ? std::string() : it->second;
}

Result<std::string> Cluster::sql(const std::string& host_name, const std::string& statement) const {
  const Host& h = host(host_name);
  CommandResult r =
      run_command_with_input("mariadb --no-defaults -S " + shell_quote(h.socket) + " -u root -N -B",
                             statement + "\n", kSqlTimeoutS);
  if (r.exit_code != 0) {
    return Unexpected(make_error(
        ErrorCode::kQuery, "sql on " + host_name + ": " + strip_final_newline(r.err), r.exit_code));
  }
  return strip_final_newline(r.out);
}

Result<std::map<std::string, std::string>> Cluster::sql_row(const std::string& host_name,
                                                            const std::string& statement) const {
  const Host& h = host(host_name);
  CommandResult r =
      run_command_with_input("mariadb --no-defaults -S " + shell_quote(h.socket) + " -u root -B",
                             statement + "\n", kSqlTimeoutS);
  if (r.exit_code != 0) {
    return Unexpected(make_error(
        ErrorCode::kQuery, "sql on " + host_name + ": " + strip_final_newline(r.err), r.exit_code));
  }
  return parse_tab_table(r.out);
}

Status Cluster::kill9(const std::string& h) { return script("kill9 " + shell_quote(h)); }
Status Cluster::stop(const std::string& h) { return script("stop " + shell_quote(h)); }
Status Cluster::cont(const std::string& h) { return script("cont " + shell_quote(h)); }
Status Cluster::link_down(const std::string& h) { return script("linkdown " + shell_quote(h)); }
Status Cluster::link_up(const std::string& h) { return script("linkup " + shell_quote(h)); }
Status Cluster::cut(const std::string& a, const std::string& b) {
  return script("cut " + shell_quote(a) + " " + shell_quote(b));
}
Status Cluster::heal(const std::string& a, const std::string& b) {
  return script("heal " + shell_quote(a) + " " + shell_quote(b));
}
Status Cluster::heal_all() { return script("heal-all"); }
Status Cluster::restart_mysqld(const std::string& h) { return script("restart " + shell_quote(h)); }

CommandResult Cluster::exec_in(const std::string& host_name, const std::string& command_line,
                               int timeout_s) const {
  std::string netns;
  if (host_name == "mgr" && !manager_.netns.empty()) {
    netns = manager_.netns;
  } else {
    for (const Host& h : hosts_) {
      if (h.name == host_name) netns = h.netns;
    }
  }
  // Before up() (or for a host the env does not list) fall back to the script's naming scheme.
  if (netns.empty() && valid_host_name(host_name)) netns = "mha-" + host_name;
  if (netns.empty()) {
    CommandResult r;
    r.err = "exec_in: bad host name '" + host_name + "'";
    return r;
  }
  Fd ns_fd(::open(netns_path(netns).c_str(), O_RDONLY | O_CLOEXEC));
  if (ns_fd.get() < 0) {
    CommandResult r;
    r.err = "exec_in: cannot open " + netns_path(netns) + ": " + std::strerror(errno);
    return r;
  }
  return run_process(command_line, "", timeout_s, ns_fd.get());
}

// --- ManagerNetns ----------------------------------------------------------------------------

ManagerNetns::ManagerNetns(const std::string& netns) {
  original_fd_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_fd_ < 0) return;
  Fd target(::open(netns_path(netns).c_str(), O_RDONLY | O_CLOEXEC));
  if (target.get() < 0) return;
  ok_ = ::setns(target.get(), CLONE_NEWNET) == 0;
}

ManagerNetns::~ManagerNetns() {
  if (original_fd_ < 0) return;
  if (ok_ && ::setns(original_fd_, CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "ManagerNetns: cannot return to the original namespace: %s\n",
                 std::strerror(errno));
    std::abort();
  }
  ::close(original_fd_);
}

// --- paths -----------------------------------------------------------------------------------

std::string source_dir() { return env_or("MHA_SOURCE_DIR", MHA_SOURCE_DIR); }
std::string build_dir() { return env_or("MHA_BUILD_DIR", MHA_BUILD_DIR); }
std::string binary(const std::string& name) {
  return env_or("MHA_BIN_DIR", (build_dir() + "/bin").c_str()) + "/" + name;
}

}  // namespace mha::test
