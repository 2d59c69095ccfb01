// repl_user_privilege, promotable_replica, ssh, node_helper, replication_running,
// master_ip_failover_script, shutdown_script: MHA's check_repl_priv, "None of slaves can be
// master", the SSH/node checks, check_replication_health and the status-script calls.

#include "checks_internal.h"

namespace mha::checks::internal {
namespace {

using topology::ServerObservation;

std::string promotion_blocker(const ServerObservation& s) {
  if (s.id.no_master) return "no_master=1";
  if (s.log_bin != true) return "log-bin off";
  return "not alive";
}

void check_script(Context& ctx, const char* name, const std::string& path,
                  const std::optional<ScriptResult>& result, const std::string& if_missing) {
  if (path.empty()) {
    ctx.add(name, Severity::kWarning, std::string(name) + " is not defined: " + if_missing);
    return;
  }
  const std::string what = path + " --command=status";
  if (!result) {
    ctx.add(name, Severity::kError, what + " was not run.");
  } else if (!result->exit_code) {
    ctx.add(
        name, Severity::kError,
        what + " could not be run" + (result->error.empty() ? "." : ": " + result->error + "."));
  } else if (*result->exit_code != 0) {
    ctx.add(name, Severity::kError,
            what + " exited with " + std::to_string(*result->exit_code) +
                " (must be 0). Fix the script before relying on it at failover.");
  } else {
    ctx.add(name, Severity::kOk, what + " exited with 0.");
  }
}

}  // namespace

void check_promotion(Context& ctx) {
  if (!ctx.master) return;
  const std::vector<std::size_t> alive = ctx.alive_replicas();
  const std::vector<std::size_t> promotable = ctx.promotable_replicas();
  for (std::size_t i : promotable) {
    const ServerObservation& s = ctx.at(i);
    if (!s.repl_user) {
      ctx.add("repl_user_privilege", Severity::kWarning,
              "Could not check the replication user on " + ctx.name(i) + ".", i);
    } else if (!s.repl_user->exists || !s.repl_user->has_replication_slave) {
      ctx.add("repl_user_privilege", Severity::kError,
              "User " + s.repl_user->user +
                  (s.repl_user->exists ? " does not have the REPLICATION SLAVE privilege on "
                                       : " does not exist on ") +
                  ctx.name(i) + ". Other replicas could not replicate from it after promotion.",
              i);
    } else {
      ctx.add("repl_user_privilege", Severity::kOk,
              "User " + s.repl_user->user + " has REPLICATION SLAVE on " + ctx.name(i) + ".", i);
    }
  }
  if (alive.empty()) return;  // alive_replicas already failed
  if (promotable.empty()) {
    std::vector<std::string> why;
    for (std::size_t i : alive) {
      why.push_back(ctx.name(i) + " (" + promotion_blocker(ctx.at(i)) + ")");
    }
    ctx.add("promotable_replica", Severity::kError,
            "None of the replicas can be master: " + join_names(why) +
                ". Enable log-bin on a replica or remove no_master.");
    return;
  }
  std::vector<std::string> names;
  for (std::size_t i : promotable) names.push_back(ctx.name(i));
  ctx.add("promotable_replica", Severity::kOk, "Promotable replica(s): " + join_names(names) + ".");
}

void check_ssh(Context& ctx) {
  if (!ctx.master) return;
  if (ctx.options.skip_ssh) {
    ctx.add("ssh", Severity::kOk, "SSH checks skipped (--skip_ssh_check).");
    return;
  }
  // File/position failover needs every host (relay-log diffs are generated and applied over
  // SSH); GTID failover only needs it to save the dead master's binlog.
  const bool needed = derive_mode(ctx) == ReplicationMode::kFilePosition;
  const Severity bad = needed ? Severity::kError : Severity::kWarning;
  const std::string why = needed ? "file/position failover needs it to recover replicas"
                                 : "a dead master's last binlog events could not be saved";
  std::vector<std::size_t> servers;
  if (ctx.at(*ctx.master).alive()) servers.push_back(*ctx.master);
  for (std::size_t i : ctx.alive_replicas()) servers.push_back(i);
  for (std::size_t i : servers) {
    const ServerObservation& s = ctx.at(i);
    if (!s.ssh_reachable) continue;  // not probed (skip_init_ssh_check=1)
    if (!*s.ssh_reachable) {
      ctx.add("ssh", bad, ctx.name(i) + " is not reachable over SSH from the manager: " + why + ".",
              i);
      continue;
    }
    ctx.add("ssh", Severity::kOk, ctx.name(i) + " is reachable over SSH.", i);
    if (!s.node_helper) continue;
    if (!s.node_helper->installed) {
      ctx.add("node_helper", bad,
              "The node helper is not installed on " + ctx.name(i) + ": " + why + ".", i);
    } else {
      ctx.add("node_helper", Severity::kOk,
              "Node helper " + s.node_helper->version + " found on " + ctx.name(i) + ".", i);
    }
  }
}

void check_replication_running(Context& ctx) {
  if (!ctx.master) return;
  const int64_t limit = ctx.options.seconds_behind_master;
  for (std::size_t i : ctx.alive_replicas()) {
    const topology::ReplicaStatus& r = *ctx.at(i).replica;
    std::vector<std::string> problems;
    if (r.io_running != topology::IoThreadState::kYes) {
      std::string p =
          std::string("Slave_IO_Running=") + topology::io_thread_state_name(r.io_running);
      if (r.last_io_errno != 0) {
        p += " (error " + std::to_string(r.last_io_errno) +
             (r.last_io_error.empty() ? ")" : ": " + r.last_io_error + ")");
      }
      problems.push_back(p);
    }
    if (!r.sql_running) problems.push_back("Slave_SQL_Running=No");
    if (!r.seconds_behind_master) {
      problems.push_back("Seconds_Behind_Master is NULL");
    } else if (*r.seconds_behind_master > limit) {
      problems.push_back("Seconds_Behind_Master=" + std::to_string(*r.seconds_behind_master) +
                         " exceeds " + std::to_string(limit));
    }
    if (problems.empty()) {
      ctx.add("replication_running", Severity::kOk,
              ctx.name(i) + ": IO and SQL threads running, " +
                  std::to_string(*r.seconds_behind_master) + " s behind.",
              i);
    } else {
      std::string msg = "Replication on " + ctx.name(i) + " is not healthy: ";
      for (std::size_t k = 0; k < problems.size(); ++k) msg += (k ? ", " : "") + problems[k];
      ctx.add("replication_running", Severity::kError, msg + ".", i);
    }
  }
}

void check_scripts(Context& ctx) {
  check_script(ctx, "master_ip_failover_script", ctx.config.app.master_ip_failover_script,
               ctx.options.master_ip_failover_status,
               "applications will not be redirected to the new master at failover.");
  check_script(ctx, "shutdown_script", ctx.config.app.shutdown_script, ctx.options.shutdown_status,
               "a dead master is not fenced (powered off) before promotion.");
}

}  // namespace mha::checks::internal
