#pragma once

// The real-cluster test bed, seen from a gtest integration test.
//
// Cluster::up() runs scripts/testbed/cluster.sh, which builds network namespaces on a bridge in a
// private /24 (10.77.0.0/24 by default): a manager host "mgr" (.10) and database hosts db1..dbN
// (.11, .12, ...), each running its own mariadbd 10.11 (datadir, binlog, relay log, semi-sync) and
// sshd (key login from the manager host). db1 is the master and holds the VIP (.100); the other
// hosts replicate from it in MariaDB GTID mode or file/position mode. While the cluster is up the
// root namespace has an `unreachable` route for the /24, so nothing can leak off the machine.
//
// Teardown is idempotent: ~Cluster() calls down(), a ctest cleanup fixture runs
// `cluster.sh down` after all integration tests, and `up()` first tears down any leftover.
//
// One test bed per machine (namespace names are global): up() takes a machine-wide lease, an
// flock on /run/mha-testbed.lease, waiting up to $MHA_TESTBED_LEASE_WAIT seconds (default 900)
// while another process holds it, and down() releases it. Test binaries run by different people
// at the same time therefore take turns instead of tearing down each other's cluster.
//
// The script always runs in the network namespace the test process started in (the root one),
// even when called from a thread inside ManagerNetns.
//
// Threading: the fixture is single-threaded. ManagerNetns moves the *calling thread* into the
// manager namespace (setns), so in-process clients (libmariadb, libssh2) reach the hosts exactly
// as the manager would; threads started afterwards inherit it.

#include "mha/common/quoting.h"
#include "mha/common/result.h"

#include <map>
#include <string>
#include <vector>

namespace mha::test {

enum class ReplMode { kGtid, kFilePos };

struct ClusterOptions {
  int hosts = 3;  // database hosts, 1..8
  ReplMode mode = ReplMode::kGtid;
  bool semi_sync = true;  // master waits for one replica ack (AFTER_SYNC, timeout 3 s)
};

struct Host {
  std::string name;   // "db1"
  std::string netns;  // "mha-db1"
  std::string ip;     // "10.77.0.11"
  int mysql_port = 3306;
  int ssh_port = 22;
  std::string socket;  // unix socket of its mariadbd (usable from any namespace)
  std::string datadir;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a shell command line (bash -c), capturing stdout/stderr. `timeout_s` kills it after that.
// The command runs in its own process group; on timeout the whole group gets SIGKILL, exit_code
// is -1 and err ends with a "[run_command: killed after N s]" line. Output is collected until
// the shell exits (a daemon it leaves behind does not keep the call waiting). Stdin is empty.
// Side effect: the calling process ignores SIGPIPE from then on (children get the default back).
CommandResult run_command(const std::string& command_line, int timeout_s = 120);

// Same, feeding `input` on stdin (keeps statements and secrets out of argv).
CommandResult run_command_with_input(const std::string& command_line, const std::string& input,
                                     int timeout_s = 120);

// `s` as one single-quoted POSIX shell word (mha_common's rule).
using mha::shell_quote;

class Cluster {
 public:
  Cluster() = default;
  ~Cluster();  // down(), never throws
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Tears down leftovers, builds the cluster, waits until every replica replicates. Error carries
  // the script's stderr tail.
  Status up(const ClusterOptions& options = {});
  Status down();
  bool is_up() const { return up_; }

  const std::vector<Host>& hosts() const { return hosts_; }
  // "dbN" or "mgr". An unknown name fails the test (ADD_FAILURE) and throws std::out_of_range,
  // which gtest reports as a failure of the running test.
  const Host& host(const std::string& name) const;
  std::string manager_ip() const;
  std::string vip() const;
  std::string state_dir() const;  // $MHA_TESTBED_DIR or /tmp/mha-testbed

  // Values from <state_dir>/cluster.env (e.g. "ADMIN_USER", "ADMIN_PASSWORD", "REPL_USER",
  // "REPL_PASSWORD", "APP_USER", "APP_PASSWORD", "SSH_KEY", "KNOWN_HOSTS", "SUBNET", "APP_CONF").
  std::string env(const std::string& key) const;

  // SQL as root over the host's unix socket (mariadb -N -B). Rows are tab-separated lines
  // (the final newline stripped). The statement goes through stdin. Timeout 30 s.
  Result<std::string> sql(const std::string& host, const std::string& statement) const;

  // First row of a statement's result by column name (e.g. "SHOW SLAVE STATUS"); an empty map
  // when the statement returns no row.
  Result<std::map<std::string, std::string>> sql_row(const std::string& host,
                                                     const std::string& statement) const;

  // Faults. Each is undone by the matching call, by restart_mysqld, heal_all or down.
  Status kill9(const std::string& host);      // kill -9 mariadbd (host stays up)
  Status stop(const std::string& host);       // SIGSTOP mariadbd (hung server)
  Status cont(const std::string& host);       // SIGCONT
  Status link_down(const std::string& host);  // host's bridge port down (partition)
  Status link_up(const std::string& host);
  Status cut(const std::string& a, const std::string& b);  // drop traffic between a and b only
  Status heal(const std::string& a, const std::string& b);
  Status heal_all();
  Status restart_mysqld(const std::string& host);  // start it again (after kill9 or a stop)

  // Runs a command line inside a host's namespace ("mgr", "db1", ...): the child joins the
  // namespace with setns(2) before exec'ing bash, so no quoting layer is added.
  CommandResult exec_in(const std::string& host, const std::string& command_line,
                        int timeout_s = 120) const;

 private:
  Status script(const std::string& args, std::string* out = nullptr) const;
  Status load_env();
  Status acquire_lease();
  void release_lease();
  bool up_ = false;
  int lease_fd_ = -1;  // flock'ed lease file while this object owns the test bed
  std::vector<Host> hosts_;
  Host manager_;  // "mgr": no mariadbd, no sshd
  std::map<std::string, std::string> env_;
};

// Parses cluster.env text: KEY=VALUE lines whose values are POSIX shell words ('...', "...",
// backslash escapes); blank lines and # comments are skipped. Malformed lines are an error.
Result<std::map<std::string, std::string>> parse_env_text(const std::string& text);

// RAII: moves the calling thread into the manager host's network namespace (or any other
// namespace of /var/run/netns, e.g. "mha-db2") and back. If restoring fails the process aborts:
// continuing in the wrong namespace would make every later check meaningless.
class ManagerNetns {
 public:
  explicit ManagerNetns(const std::string& netns = "mha-mgr");
  ~ManagerNetns();
  ManagerNetns(const ManagerNetns&) = delete;
  ManagerNetns& operator=(const ManagerNetns&) = delete;
  bool ok() const { return ok_; }

 private:
  int original_fd_ = -1;
  bool ok_ = false;
};

// Absolute paths of the source tree, the build tree and built binaries (build/bin/<name>).
std::string source_dir();
std::string build_dir();
std::string binary(const std::string& name);

}  // namespace mha::test
