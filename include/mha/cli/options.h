#pragma once

// What each masterha_* command line asked for, as plain values. The CLI fills these from MHA 0.58's
// option spellings (see docs/cli.md); the code that runs monitoring, checks and failovers consumes
// them. Defaults are MHA's. Nothing here touches the system.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mha::cli {

// --conf / --global_conf: where the application configuration comes from.
struct ConfSource {
  std::string conf;  // empty when not given
  std::string global_conf = "/etc/masterha_default.cnf";
};

// Command-line overrides of app settings; unset means "use the configuration's value".
struct PathOverrides {
  std::optional<std::string> workdir;     // --workdir | --manager_workdir
  std::optional<std::string> log_output;  // --log_output | --manager_log
};

// Start-up checks and monitoring (masterha_manager, masterha_check_repl).
struct MonitorOptions {
  int wait_on_monitor_error = 0;  // seconds to sleep before exiting on a monitor error
  bool skip_ssh_check = false;    // --skip_ssh_check | --skip_check_ssh
  bool ignore_fail_on_start = false;
  int seconds_behind_master = 30;  // check_repl's lag limit; accepted and unused by the manager
};

// How a dead master is replaced. Shared by masterha_manager (after it detects the failure) and
// masterha_master_switch --master_state=dead.
struct FailoverOptions {
  int last_failover_minute = 480;  // refuse a new failover this soon after the last one
  bool ignore_last_failover = false;
  int wait_on_failover_error = 0;        // seconds to sleep before exiting on a failover error
  bool remove_dead_master_conf = false;  // | --remove_orig_master_conf
  bool skip_save_master_binlog = false;
  bool skip_change_master = false;
  bool skip_disable_read_only = false;
  bool wait_until_gtid_in_sync = true;
  bool ignore_binlog_server_error = false;
  std::string new_master_host;  // empty: let the planner choose
  int new_master_port = 3306;
  bool dry_run = false;  // --dry-run (beyond MHA): print the plan, change nothing
};

struct ManagerOptions {
  ConfSource conf;
  PathOverrides paths;
  MonitorOptions monitor;
  FailoverOptions failover;
};

struct CheckSshOptions {
  ConfSource conf;
  // --mesh (beyond MHA): also test SSH from every server to every other, as MHA always does.
  // Without it only manager -> server connections are tested; masterha needs no more.
  bool mesh = false;
};

struct CheckReplOptions {
  ConfSource conf;
  MonitorOptions monitor;  // seconds_behind_master, skip_ssh_check, ignore_fail_on_start
  bool json = false;       // --json (beyond MHA): machine-readable report on stdout
};

// The status file of one application: --conf FILE, or --app NAME with --status_dir.
struct AdminTarget {
  ConfSource conf;
  std::string app;  // --app; with no --conf the conf is /usr/local/masterha/conf/<app>.cnf
  std::optional<std::string> status_dir;  // --status_dir | --workdir | --manager_workdir
  std::optional<std::string> log_output;  // --log_output | --manager_log (named in the output)
};

// MHA's default location of <app>.cnf when only --app is given.
inline constexpr const char* kDefaultAppConfDir = "/usr/local/masterha/conf";

struct CheckStatusOptions {
  AdminTarget target;
  int ping_limit = 10;  // seconds; an older PING_OK status reads as TIMESTAMP_OLD
  bool all = false;     // every daemontools service under basedir
  std::string basedir = "/service";
  std::string baselog;  // --all: directory of the per-app logs ("" = not shown)
  bool json = false;    // --json (beyond MHA)
};

struct StopOptions {
  AdminTarget target;
  bool abort = false;     // SIGKILL the process group if SIGTERM did not stop it in time
  int abort_timeout = 5;  // seconds
};

enum class MasterState { kDead, kAlive };

// --ssh_reachable: what the caller knows about SSH to the dead master.
enum class SshReachable { kNo = 0, kYes = 1, kUnknown = 2 };

// --flush_tables: FLUSH TABLES on the old master before locking it.
enum class FlushTables { kSkip = 0, kRun = 1, kAsk = 2 };  // kAsk: ask if interactive, else run

struct DeadMasterOptions {
  std::string host;  // --dead_master_host (required in dead mode)
  std::string ip;    // --dead_master_ip; empty: resolve host
  int port = 3306;   // --dead_master_port
  bool port_given = false;
  SshReachable ssh_reachable = SshReachable::kUnknown;
};

// masterha_master_switch --master_state=alive: online switchover.
struct SwitchoverOptions {
  bool check_only = false;
  bool orig_master_is_new_slave = false;
  int running_updates_limit = 1;   // seconds
  int running_seconds_limit = 10;  // seconds
  int seconds_behind_master = 30;
  bool skip_lock_all_tables = false;
  FlushTables flush_tables = FlushTables::kAsk;
  // Beyond MHA (which waits forever): how long the new master and the replicas may take to reach
  // the old master's final position; on the new master, a timeout rolls the switch back.
  int catchup_timeout = 30;  // seconds
};

struct MasterSwitchOptions {
  ConfSource conf;
  PathOverrides paths;
  MasterState state = MasterState::kDead;
  bool interactive = true;  // --interactive (MHA default 1)
  // Both modes use new_master_host/port, remove_dead_master_conf and dry_run from here; dead mode
  // uses all of it.
  FailoverOptions failover;
  DeadMasterOptions dead;        // dead mode only
  SwitchoverOptions switchover;  // alive mode only
};

struct SecondaryCheckOptions {
  std::vector<std::string> secondary_hosts;  // -s | --secondary_host, in order
  std::string ssh_user = "root";             // --user
  int ssh_port = 22;                         // --port
  std::optional<std::string> ssh_options;    // --options (replaces the default option string)
  std::string master_host;                   // required
  std::string master_ip;
  int master_port = 3306;
  std::string master_user;
  // From --master_password (visible in ps; accepted for MHA compatibility) or read from
  // --master_password_file (a path, or "-" for stdin) when the tool runs.
  std::optional<std::string> master_password;
  std::optional<std::string> master_password_file;
  std::string ping_type;  // SELECT, CONNECT or INSERT (upper-cased); empty: SELECT
  int timeout = 5;        // seconds: SSH connect timeout and TCP timeout
};

enum class ConfHostCommand { kAdd, kDelete };  // "remove" is MHA's alias of delete

struct ConfHostOptions {
  std::string conf;  // required, must exist
  ConfHostCommand command = ConfHostCommand::kAdd;
  std::string hostname;
  // The section to add or delete: --block, prefixed with "server" unless it already starts with
  // it (MHA's rule); without --block, "server_<hostname>".
  std::string block;
  std::vector<std::pair<std::string, std::string>> params;  // --params="k=v;k=v", in order
};

}  // namespace mha::cli
