#pragma once

// FailoverPolicy: everything besides the cluster snapshot that decide_failover() needs — the
// configuration flags, the command-line overrides, the facts the manager found on disk (marker
// files) and what failure detection concluded. Plain data, filled by the caller; the planner never
// reads files, clocks or the network. Thread-compatible value type.

#include "mha/config/config.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mha::planner {

using TimePoint = std::chrono::system_clock::time_point;

// What the manager found in manager_workdir before deciding.
struct MarkerFacts {
  bool error_marker_exists = false;        // <workdir>/<app>.failover.error
  std::optional<TimePoint> last_complete;  // mtime of <workdir>/<app>.failover.complete
};

// What failure detection concluded about the master (the health module's verdict, summarised).
struct DetectionEvidence {
  // The master the monitor watched and declared dead. Empty host: take the master the snapshot
  // derives from the replicas (masterha_master_switch --master_state=dead without a host).
  std::string dead_master_host;
  int dead_master_port = 3306;
  // The evidence agreed that the master is dead (pings AND replicas AND secondary check). False
  // means "evaluate only": the result is NoFailover unless the snapshot itself shows a dead master
  // and `assume_dead` is set (--dry-run, masterha_master_switch --master_state=dead).
  bool master_dead = false;
  bool assume_dead = false;
  // Whether the dead master's host answers SSH; absent = unknown (the executor may probe it).
  // Decides --command=stopssh vs stop for the fencing hooks.
  std::optional<bool> ssh_reachable;
  // One line for the decision record, e.g. "3 pings failed; 2/2 replicas lost the IO thread".
  std::string summary;
};

// Deadlines of the waits the plan asks for. MHA has none of these (its §8.6); defaults are generous
// because hitting one leaves the cluster half-failed-over (.failover.error).
struct Timeouts {
  std::chrono::seconds stop_io{30};  // STOP SLAVE IO_THREAD on every replica
  std::chrono::seconds script{60};   // each external script (fencing, VIP, report)
  // Connect to the old master to set read_only. Best effort beside the fence scripts, and on the
  // critical path when the host is cut off (the connect waits the whole bound): the bound the
  // manager's own pings have (config::ping_timeout, 1 s at ping_interval=1; policy_from_config
  // sets it). A master that greets later than that is fenced by shutdown_script, not by this.
  std::chrono::seconds sql_fence{1};
  std::chrono::seconds relay_apply{300};  // a replica executing its relay log
  std::chrono::seconds catch_up{600};     // the new master catching up from the latest replica
  std::chrono::seconds repoint{120};      // a re-pointed replica reaching the new master
  std::chrono::seconds salvage{120};      // saving, copying and applying the dead master's binlog
};

// Per-server settings that the snapshot's ServerIdentity does not carry. Indexed like
// config::AppConfig::servers (= ServerIdentity::config_index); missing entries mean defaults.
struct ServerPolicy {
  bool skip_reset_slave = false;
};

struct FailoverPolicy {
  DetectionEvidence evidence;
  MarkerFacts markers;

  // --ignore_last_failover: neither marker blocks the failover.
  bool ignore_last_failover = false;
  // --last_failover_minute: a .failover.complete younger than this refuses (MHA's anti-flapping).
  std::chrono::minutes last_failover_minute{480};

  // --new_master_host / --new_master_port. Port 0 = the port of whichever configured server the
  // host names (unambiguous hosts only).
  std::optional<std::string> new_master_host;
  int new_master_port = 0;

  // App settings (config::AppSettings).
  bool latest_priority = true;
  bool check_repl_delay = true;
  bool multi_tier_slave = false;
  // "Too far behind" for check_repl_delay: a candidate whose SQL thread is more than this behind
  // what the latest replica received. Bytes of master binlog (file/position mode, MHA's 100 MB) or
  // transactions (GTID modes: exact counts, no file-boundary guesswork).
  uint64_t max_delay_bytes = 100'000'000;
  uint64_t max_delay_transactions = 100'000;

  // Command-line switches.
  bool skip_change_master = false;       // replicas are not re-pointed (and no RESET SLAVE ALL)
  bool skip_disable_read_only = false;   // the new master keeps read_only=1
  bool skip_save_master_binlog = false;  // no binlog salvage from the dead master's host
  // The fencing steps already ran (the executor re-plans after re-reading positions): the new
  // plan starts after them.
  bool already_fenced = false;

  // Hooks (empty = not configured).
  std::string master_ip_failover_script;
  std::string shutdown_script;
  std::string report_script;

  std::vector<ServerPolicy> servers;
  Timeouts timeouts;

  bool skip_reset_slave(std::size_t config_index) const {
    return config_index < servers.size() && servers[config_index].skip_reset_slave;
  }
};

// The configuration-derived part of a policy: app settings, hooks and per-server flags. The caller
// adds evidence, markers and command-line overrides.
FailoverPolicy policy_from_config(const config::AppConfig& config);

}  // namespace mha::planner
