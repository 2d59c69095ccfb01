#include "mha/switchover/plan.h"

#include "mha/topology/filters.h"
#include "mha/topology/semi_sync.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace mha::switchover {
namespace {

using topology::ClusterSnapshot;
using topology::ServerObservation;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string name(const ServerObservation& s) { return s.id.display(); }

// Errant transactions: what the new master has applied or logged that the master has not.
std::string errant_gtids(const ServerObservation& master, const ServerObservation& nm) {
  if (master.mariadb_gtid.binlog_pos && nm.mariadb_gtid.binlog_pos) {
    const topology::GtidPosition extra =
        nm.mariadb_gtid.binlog_pos->subtract(*master.mariadb_gtid.binlog_pos);
    return extra.empty() ? "" : extra.to_string();
  }
  if (master.mysql_gtid.executed && nm.mysql_gtid.executed) {
    const topology::GtidSet extra = nm.mysql_gtid.executed->subtract(*master.mysql_gtid.executed);
    return extra.empty() ? "" : extra.to_string();
  }
  return "";
}

// Why `s` cannot become the new master ("" when it can).
std::string unfit_as_master(const ServerObservation& s) {
  if (s.id.no_master) return "has no_master=1";
  if (s.log_bin && !*s.log_bin) return "has no binary log (log_bin=OFF)";
  if (!s.log_bin) return "did not report log_bin";
  return "";
}

void check_processes(const PlanInput& in, std::size_t index, int limit, bool updates_only,
                     const std::string& role, std::vector<std::string>& refusals,
                     std::vector<std::string>& notes) {
  const ServerObservation& s = in.snapshot->servers[index];
  auto it = in.processes.find(index);
  if (it == in.processes.end()) {
    notes.push_back("the process list of " + name(s) + " was not read: " + role +
                    " limit not checked");
    return;
  }
  const auto own = in.own_sessions.find(index);
  int shown = 0;
  int count = 0;
  std::string detail;
  for (const ProcessInfo& p : it->second) {
    if (own != in.own_sessions.end() && own->second.count(p.id) != 0) continue;
    if (is_background_session(p)) continue;
    if (updates_only && is_read_statement(p.info)) continue;
    if (p.time_s <= limit) continue;
    ++count;
    if (shown++ < 3) {
      std::string stmt = p.info.substr(0, 60);
      detail += (detail.empty() ? "" : "; ") + std::string("id ") + std::to_string(p.id) +
                " user " + p.user + " " + std::to_string(p.time_s) + " s" +
                (stmt.empty() ? "" : ": " + stmt);
    }
  }
  if (count == 0) return;
  refusals.push_back(std::to_string(count) + (updates_only ? " update(s)" : " session(s)") +
                     " on " + role + " " + name(s) + " running longer than " +
                     std::to_string(limit) + " s (" + detail + "); wait or raise --" +
                     (updates_only ? "running_updates_limit" : "running_seconds_limit"));
}

// Replication filters must be equal on every replica, binlog filters on every server with a
// binary log: a database filtered on one side only would appear or vanish with the switch.
void check_filters(const ClusterSnapshot& snap, std::size_t master,
                   const std::vector<std::size_t>& replicas, std::vector<std::string>& refusals) {
  for (std::size_t k = 1; k < replicas.size(); ++k) {
    const ServerObservation& ref = snap.servers[replicas.front()];
    const ServerObservation& s = snap.servers[replicas[k]];
    const std::string diff =
        topology::replicate_filter_differences(s.replica->filters, ref.replica->filters, name(ref));
    if (!diff.empty()) {
      refusals.push_back("replication filters differ on " + name(s) + ": " + diff +
                         "; every replica must filter the same way");
    }
  }
  const ServerObservation& m = snap.servers[master];
  if (!m.master_status) return;
  for (std::size_t i : replicas) {
    const ServerObservation& s = snap.servers[i];
    if (s.log_bin != true || !s.master_status) continue;
    const std::string diff =
        topology::binlog_filter_differences(*s.master_status, *m.master_status, name(m));
    if (!diff.empty()) {
      refusals.push_back("binlog filters differ on " + name(s) + ": " + diff +
                         "; the new master would log a different set of databases");
    }
  }
}

}  // namespace

bool is_read_statement(const std::string& info) {
  std::size_t b = info.find_first_not_of(" \t\r\n(");
  if (b == std::string::npos) return false;
  const std::string head = lower(std::string_view(info).substr(b, 6));
  return head.rfind("select", 0) == 0 || head.rfind("show", 0) == 0;
}

bool is_background_session(const ProcessInfo& p) {
  return !topology::is_application_session(p) || lower(p.command) == "sleep";
}

Decision decide(const PlanInput& in, const PlanOptions& o) {
  Decision d;
  const ClusterSnapshot& snap = *in.snapshot;
  std::vector<std::string>& refuse = d.refusals;
  std::vector<std::string> notes;

  for (const ServerObservation& s : snap.servers) {
    if (!s.alive()) {
      refuse.push_back("server " + name(s) + " is " + topology::sql_reach_name(s.sql) +
                       (s.sql_error ? " (" + s.sql_error->message + ")" : std::string()) +
                       ": every server must be alive for an online switch");
    }
  }
  if (in.manager_pid != 0) {
    refuse.push_back("masterha_manager (pid " + std::to_string(in.manager_pid) +
                     ") monitors this application: stop it first (masterha_stop)");
  }
  if (in.monitor_lock_holder) {
    refuse.push_back("a manager holds the monitor lock " + std::string(kMonitorLockName) +
                     " on the master (connection " + std::to_string(*in.monitor_lock_holder) +
                     "): stop it first");
  }
  if (!in.repl_password_configured) {
    refuse.push_back("repl_password is not configured: the replicas cannot be re-pointed");
  }

  const std::optional<std::size_t> master = snap.derive_master();
  if (!master) {
    refuse.push_back("cannot tell the current master (no server, or several, is replicated from)");
    return d;
  }
  const ServerObservation& m = snap.servers[*master];
  if (!m.alive()) return d;  // already refused above
  if (m.is_replica()) {
    refuse.push_back("the master " + name(m) +
                     " is itself a replica (master-master or multi-tier is not supported)");
  }

  // Every other configured server must be a healthy, current replica of the master.
  std::vector<std::size_t> replicas;
  bool all_gtid = true;
  for (std::size_t i = 0; i < snap.servers.size(); ++i) {
    if (i == *master) continue;
    const ServerObservation& s = snap.servers[i];
    if (!s.alive()) continue;
    if (!s.replica || snap.upstream_of(i) != master) {
      refuse.push_back("server " + name(s) + " does not replicate from the master " + name(m));
      continue;
    }
    replicas.push_back(i);
    const topology::ReplicaStatus& r = *s.replica;
    if (!r.uses_gtid()) all_gtid = false;
    if (r.io_running != topology::IoThreadState::kYes) {
      refuse.push_back("replica " + name(s) + ": IO thread is not running" +
                       (r.last_io_error.empty() ? "" : " (" + r.last_io_error + ")"));
    }
    if (!r.sql_running) {
      refuse.push_back("replica " + name(s) + ": SQL thread is not running" +
                       (r.last_sql_error.empty() ? "" : " (" + r.last_sql_error + ")"));
    } else if (!r.seconds_behind_master) {
      refuse.push_back("replica " + name(s) + ": Seconds_Behind_Master is unknown");
    } else if (*r.seconds_behind_master > o.seconds_behind_master) {
      refuse.push_back("replica " + name(s) + " lags " + std::to_string(*r.seconds_behind_master) +
                       " s behind the master (more than --seconds_behind_master=" +
                       std::to_string(o.seconds_behind_master) + ")");
    }
  }

  // The new master: the one asked for, else the first candidate_master=1 replica, else the first
  // replica that may be a master (config order, MHA's tie-break). kNone: none.
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t nm = kNone;
  if (!o.new_master_host.empty()) {
    const std::optional<std::size_t> asked = snap.find(o.new_master_host, o.new_master_port);
    if (!asked) {
      refuse.push_back("--new_master_host=" + o.new_master_host + " --new_master_port=" +
                       std::to_string(o.new_master_port) + " is not a configured server");
    } else if (*asked == *master) {
      refuse.push_back("--new_master_host=" + o.new_master_host + " is the current master");
    } else if (std::find(replicas.begin(), replicas.end(), *asked) == replicas.end()) {
      // Not an alive replica of the master: already refused above.
    } else if (std::string why = unfit_as_master(snap.servers[*asked]); !why.empty()) {
      refuse.push_back("new master " + name(snap.servers[*asked]) + " " + why);
    } else {
      nm = *asked;
    }
  } else {
    for (int pass = 0; pass < 2 && nm == kNone; ++pass) {
      for (std::size_t i : replicas) {
        const ServerObservation& s = snap.servers[i];
        if (pass == 0 && !s.id.candidate_master) continue;
        if (!unfit_as_master(s).empty()) continue;
        nm = i;
        break;
      }
    }
    if (nm == kNone) {
      refuse.push_back("no replica can become the new master (no_master or no binlog)");
    }
  }

  if (nm != kNone) {
    const ServerObservation& n = snap.servers[nm];
    if (std::string extra = errant_gtids(m, n); !extra.empty()) {
      refuse.push_back("new master " + name(n) + " has transactions the master lacks (errant " +
                       "GTIDs " + extra + "); remove them before switching");
    }
    check_processes(in, nm, o.running_seconds_limit, false, "new master", refuse, notes);
  }
  check_filters(snap, *master, replicas, refuse);
  check_processes(in, *master, o.running_updates_limit, true, "master", refuse, notes);

  if (!refuse.empty() || nm == kNone) return d;
  SwitchPlan p;
  p.orig_master = *master;
  p.new_master = nm;
  for (std::size_t i : replicas) {
    if (i != nm) p.replicas.push_back(i);
  }
  p.gtid = all_gtid;
  p.orig_master_is_new_slave = o.orig_master_is_new_slave;
  std::vector<std::size_t> followers = p.replicas;
  if (p.orig_master_is_new_slave) followers.push_back(p.orig_master);
  p.semi_sync = topology::wants_semi_sync_master(snap, nm, followers, p.orig_master);
  p.semi_sync_followers =
      static_cast<int>(std::count_if(p.replicas.begin(), p.replicas.end(), [&](std::size_t i) {
        return snap.servers[i].semi_sync.slave_enabled == true;
      }));
  if (p.orig_master_is_new_slave) ++p.semi_sync_followers;  // its replica side is turned on
  if (p.semi_sync && p.semi_sync_followers == 0) {
    notes.push_back("semi-sync is on but no server will be a semi-sync replica of " +
                    name(snap.servers[nm]) +
                    " (use --orig_master_is_new_slave, or enable rpl_semi_sync_slave_enabled on "
                    "a replica): its commits will be acknowledged asynchronously");
  }
  p.notes = std::move(notes);
  d.plan = std::move(p);
  return d;
}

std::string render(const ClusterSnapshot& snap, const SwitchPlan& plan) {
  std::string out = "From:\n" + name(snap.servers[plan.orig_master]) + " (current master)\n";
  out += " +--" + name(snap.servers[plan.new_master]) + "\n";
  for (std::size_t i : plan.replicas) out += " +--" + name(snap.servers[i]) + "\n";
  out += "\nTo:\n" + name(snap.servers[plan.new_master]) + " (new master)\n";
  for (std::size_t i : plan.replicas) out += " +--" + name(snap.servers[i]) + "\n";
  if (plan.orig_master_is_new_slave) out += " +--" + name(snap.servers[plan.orig_master]) + "\n";
  out += std::string("\nReplicas re-point by ") + (plan.gtid ? "GTID" : "binlog file/position") +
         ".\n";
  if (plan.semi_sync) {
    out += "Semi-sync: " + name(snap.servers[plan.new_master]) +
           " becomes a semi-sync master and takes writes once a semi-sync replica is connected.\n";
  }
  for (const std::string& n : plan.notes) out += "Note: " + n + "\n";
  return out;
}

}  // namespace mha::switchover
