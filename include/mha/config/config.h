#pragma once

// MHA-compatible configuration: an application file (--conf) layered over a global defaults file
// (--global_conf, default /etc/masterha_default.cnf). Same sections, keys, defaults, scopes and
// precedence as MHA 0.58 (see docs/configuration.md):
//
//   [serverN] > init_conf_load_script output > app [server default] > global [server default]
//   > built-in default.
//
// "Local" keys (hostname, ip, ssh_host, ssh_ip, candidate_master, no_master, ignore_fail,
// skip_init_ssh_check, node_label) are never inherited: in a [server default] section they are
// an error, as are application keys (AppSettings) inside a [serverN] block. Hyphen and underscore
// spellings are the same key (ssh-user == ssh_user), as in MySQL's own option files. Whitespace
// followed by '#', ';' or '//' starts an inline comment; a quoted value is literal. Every error
// names the file, the line and the key, and never contains a password. This module is pure: it
// reads files and calls the injected script runner, nothing else (no DNS: `ip` defaults to the
// hostname string and is resolved at connect time).
//
// Thread safety: load() has no shared state and may run concurrently; parameter_names() returns
// an immutable list.

#include "mha/common/result.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mha::config {

enum class PingType { kSelect, kConnect, kInsert };

const char* ping_type_name(PingType t);  // "SELECT", "CONNECT", "INSERT"

// Settings that may be given per server (or inherited from [server default]).
struct ServerConfig {
  std::string block;     // section name as written, e.g. "server1"
  int line = 0;          // line of the section header in the app file
  std::string hostname;  // required
  std::string ip;        // default: hostname (resolution happens at connect time)
  int port = 3306;
  std::string ssh_host;  // default: hostname
  std::string ssh_ip;    // default: ssh_host
  int ssh_port = 22;
  std::string ssh_user;  // default: the OS user running the tool
  int ssh_connection_timeout = 5;
  std::string ssh_options;
  std::string user = "root";
  std::string password;
  std::string repl_user;  // empty: take Master_User from SHOW SLAVE STATUS
  std::optional<std::string> repl_password;
  bool candidate_master = false;
  bool no_master = false;
  bool ignore_fail = false;
  bool skip_init_ssh_check = false;
  bool skip_reset_slave = false;
  std::string node_label;
  std::vector<std::string> master_binlog_dir = {"/var/lib/mysql", "/var/log/mysql"};
  std::string remote_workdir = "/var/tmp";
  std::string master_pid_file;
  bool disable_log_bin = false;
  bool handle_raw_binlog = true;
  bool use_gtid_auto_pos = true;

  // "hostname(ip:port)" as MHA prints servers.
  std::string display() const;
};

// A [binlogN] block: a binlog server holding copies of the master's binlogs.
struct BinlogServerConfig {
  std::string block;
  int line = 0;
  std::string hostname;
  std::string ip;
  int ssh_port = 22;
  std::string ssh_user;
  std::string ssh_options;
  int ssh_connection_timeout = 5;
  std::vector<std::string> master_binlog_dir;  // required
  std::string remote_workdir = "/var/tmp";
};

// Settings that belong to the application as a whole. MHA technically reads these from "the first
// server" or "the current master"; we resolve them once from the [server default] layers and
// refuse them inside a [serverN] block with a clear error instead of silently ignoring them.
struct AppSettings {
  std::string manager_workdir = "/var/tmp";
  std::string manager_log;  // empty: log to stderr
  std::string log_level = "info";
  bool check_repl_delay = true;
  bool check_repl_filter = true;
  bool latest_priority = true;
  bool multi_tier_slave = false;
  int ping_interval = 3;
  PingType ping_type = PingType::kSelect;
  std::string secondary_check_script;
  std::string master_ip_failover_script;
  std::string master_ip_online_change_script;
  std::string shutdown_script;
  std::string report_script;
  std::string init_conf_load_script;
  std::string client_bindir;
  std::string client_libdir;
  // masterha's own (not MHA's): "host:port" on which masterha_manager serves Prometheus
  // metrics at /metrics (docs/metrics.md). Empty: no listener.
  std::string metrics_listen;
  // masterha's own failure-detection knobs (docs/detection.md); the defaults are
  // mha::health::HealthPolicy's.
  int ping_failures_threshold = 4;
  int refused_pings_required = 1;
  int probe_confirmed_pings = 2;
  std::string replica_quorum = "majority";  // any | majority | all (validated on load)
  bool require_replica_confirmation = true;
};

// How long one ping of the master may take: ping_interval, at least 1 s (libmariadb's whole-second
// floor) and at most 2 s (a ping must end well within the interval). Every bound that must not
// outlast a ping on the failure path follows it: the replicas' handshake probes, the SSH check of
// the master host, the SQL fence's connect (docs/detection.md).
std::chrono::seconds ping_timeout(const AppSettings& app);

struct AppConfig {
  std::string app_name;   // basename of the conf file without extension ("app1")
  std::string conf_path;  // as given
  std::string global_conf_path;
  bool global_conf_found = false;
  AppSettings app;
  std::vector<ServerConfig> servers;  // numeric block order (server2 < server10), else alphabetical
  std::vector<BinlogServerConfig> binlog_servers;
  std::vector<std::string> warnings;  // e.g. "Global configuration file ... not found. Skipping."
};

// Runs init_conf_load_script and returns its stdout ("name=value" lines). Injected so this module
// stays free of process handling; the CLI passes the hooks module's runner.
using ScriptRunner = std::function<Result<std::string>(const std::string& script)>;

struct LoadOptions {
  std::string conf_path;  // required
  // Missing file: a warning in AppConfig::warnings, not an error. Empty: no global file at all.
  std::string global_conf_path = "/etc/masterha_default.cnf";
  ScriptRunner script_runner;  // may be empty: init_conf_load_script is then an error if set
  // ssh_user when no layer sets it. Empty: the effective OS user (getpwuid(geteuid())), as MHA.
  std::string default_ssh_user;
};

// Loads, layers and validates. Errors (ErrorCode::kConfig) read like
//   "/etc/mha/app1.cnf:12: unknown parameter 'ping_intervall' in [server default]; did you mean
//    'ping_interval'?"
Result<AppConfig> load(const LoadOptions& options);

// All parameter names we accept (canonical underscore spelling), for suggestions and tools such as
// masterha_conf_host --params validation.
const std::vector<std::string>& parameter_names();

// Process exit code every tool uses when configuration or command-line input is rejected (MHA: 1).
inline constexpr int kExitConfigError = 1;

}  // namespace mha::config
