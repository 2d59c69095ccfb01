// sql_access, master, master_alive, topology, dead_servers, failed_replicas, alive_replicas:
// MHA's server classification and current-master validation (reference §6.1 items 2, 3, 5, 11).

#include <set>

#include "checks_internal.h"

namespace mha::checks::internal {
namespace {

using topology::ServerObservation;
using topology::SqlReach;

std::string error_text(const ServerObservation& s) {
  if (!s.sql_error) return "no error recorded";
  return s.sql_error->to_string();
}

bool writable_or_dead(const ServerObservation& s) {
  // An alive server whose read_only could not be read counts as writable: ambiguity must fail
  // the check rather than pick a master by accident.
  return s.sql == SqlReach::kDead || !s.read_only.value_or(false);
}

void check_sql_access(Context& ctx) {
  for (std::size_t i = 0; i < ctx.snap.servers.size(); ++i) {
    const ServerObservation& s = ctx.at(i);
    if (s.sql == SqlReach::kRefused) {
      ctx.add("sql_access", Severity::kError,
              ctx.name(i) + " is alive but refused the connection (" + error_text(s) +
                  "). This is not a crash: fix the account, grants or max_connections.",
              i);
    } else if (s.alive()) {
      std::string version = s.version ? " (" + s.version->raw + ")" : "";
      ctx.add("sql_access", Severity::kOk, ctx.name(i) + " is alive" + version + ".", i);
    }
  }
}

// Derives the master as MHA's validate_current_master/get_primary_master do; records why not.
std::optional<std::size_t> find_master(Context& ctx) {
  const std::size_t n = ctx.snap.servers.size();
  std::set<std::size_t> referenced;
  std::vector<std::size_t> non_replicas;
  bool any_alive = false;
  for (std::size_t i = 0; i < n; ++i) {
    const ServerObservation& s = ctx.at(i);
    if (!s.alive()) continue;
    any_alive = true;
    if (!s.replica) {
      non_replicas.push_back(i);
      continue;
    }
    std::optional<std::size_t> up = ctx.snap.upstream_of(i);
    if (!up) {
      ctx.add("topology", Severity::kError,
              ctx.name(i) + " replicates from " + s.replica->master_host + ":" +
                  std::to_string(s.replica->master_port) +
                  ", which is not defined in the configuration file.",
              i);
      continue;
    }
    referenced.insert(*up);
  }
  if (!any_alive) {
    ctx.add("master", Severity::kError, "There is no alive server. Nothing can be checked.");
    return std::nullopt;
  }
  if (non_replicas.size() >= 2) {
    std::vector<std::string> names;
    for (std::size_t i : non_replicas) names.push_back(ctx.name(i));
    ctx.add("master", Severity::kError,
            "There are " + std::to_string(non_replicas.size()) + " servers that replicate from " +
                "nobody (" + join_names(names) +
                "); at most one (the master) may. Configure replication or remove the extra " +
                "servers from the configuration.");
    return std::nullopt;
  }
  if (referenced.empty()) {
    if (non_replicas.size() == 1) return non_replicas.front();
    ctx.add("master", Severity::kError,
            "No master could be determined: no alive server replicates "
            "from a configured server.");
    return std::nullopt;
  }
  if (referenced.size() == 1) return *referenced.begin();

  // Several masters are referenced: master-master (or multi-tier). Exactly one may be writable
  // or dead; the others must be read_only.
  std::vector<std::size_t> primaries;
  std::vector<std::string> listing;
  for (std::size_t m : referenced) {
    const ServerObservation& s = ctx.at(m);
    std::string state = s.sql == SqlReach::kDead      ? "dead"
                        : s.read_only.value_or(false) ? "read_only=1"
                                                      : "writable";
    listing.push_back(ctx.name(m) + " " + state);
    if (writable_or_dead(s)) primaries.push_back(m);
  }
  if (primaries.empty()) {
    ctx.add("master", Severity::kError,
            "Multi-master configuration is detected, but all of them are read-only (" +
                join_names(listing) + "). Make exactly one of them writable.");
    return std::nullopt;
  }
  if (primaries.size() >= 2) {
    ctx.add("master", Severity::kError,
            "Multi-master configuration is detected, but two or more masters are either writable "
            "(read_only is not set) or dead (" +
                join_names(listing) + "). Set read_only=1 on all but the current master.");
    return std::nullopt;
  }
  return primaries.front();
}

// Places every non-master server: direct replica, unmanaged multi-tier replica, or error.
void classify_servers(Context& ctx) {
  const std::size_t m = *ctx.master;
  const bool multi_tier = ctx.config.app.multi_tier_slave;
  for (std::size_t i = 0; i < ctx.snap.servers.size(); ++i) {
    if (i == m) continue;
    const ServerObservation& s = ctx.at(i);
    if (!s.alive()) {
      // Upstream unknown; MHA counts dead servers as (dead) replicas of the master.
      ctx.replicas.push_back(i);
      continue;
    }
    if (!s.replica) {
      ctx.add("topology", Severity::kError,
              ctx.name(i) + " does not replicate from anybody, but the master is " + ctx.name(m) +
                  ". Every server other than the master must replicate from it.",
              i);
      continue;
    }
    std::optional<std::size_t> up = ctx.snap.upstream_of(i);
    if (!up) continue;  // reported by find_master()
    if (*up == m) {
      ctx.replicas.push_back(i);
      ctx.add("topology", Severity::kOk, ctx.name(i) + " replicates from the master.", i);
    } else if (multi_tier) {
      ctx.unmanaged.push_back(i);
      ctx.add("topology", Severity::kOk,
              ctx.name(i) + " replicates from " + ctx.name(*up) + ", not from the master " +
                  ctx.name(m) + ": unmanaged (multi_tier_slave=1); failover leaves it alone.",
              i);
    } else {
      ctx.add("topology", Severity::kError,
              ctx.name(i) + " replicates from " + ctx.name(*up) + ", but the real master is " +
                  ctx.name(m) + ". Set multi_tier_slave=1 to allow multi-tier replication.",
              i);
    }
  }
}

void check_master(Context& ctx) {
  const std::size_t m = *ctx.master;
  const ServerObservation& s = ctx.at(m);
  std::string msg = "Current master is " + ctx.name(m) + ".";
  if (std::optional<std::size_t> up = ctx.snap.upstream_of(m)) {
    msg += " Multi-master configuration: it replicates from " + ctx.name(*up) +
           " (read-only standby).";
  }
  ctx.add("master", Severity::kOk, msg, m);
  if (s.sql == SqlReach::kDead) {
    ctx.add("master_alive", Severity::kError,
            "The master " + ctx.name(m) + " is not reachable (" + error_text(s) +
                "): replication cannot be healthy. If it is down, masterha_manager would fail "
                "over now.",
            m);
  } else if (s.alive() && s.read_only == true) {
    ctx.add("master_alive", Severity::kWarning,
            "The master " + ctx.name(m) + " is alive but read_only=1: applications cannot write.",
            m);
  } else if (s.alive()) {
    ctx.add("master_alive", Severity::kOk, "The master " + ctx.name(m) + " is alive.", m);
  }
}

void check_dead_and_failed(Context& ctx) {
  for (std::size_t i : ctx.replicas) {
    const ServerObservation& s = ctx.at(i);
    if (s.sql == SqlReach::kDead) {
      if (ctx.ignorable(i)) {
        ctx.add("dead_servers", Severity::kWarning,
                ctx.name(i) + " is dead (" + error_text(s) +
                    "); ignored because ignore_fail=1 and --ignore_fail_on_start.",
                i);
      } else {
        ctx.add("dead_servers", Severity::kError,
                "Server " + ctx.name(i) + " is dead, but must be alive (" + error_text(s) +
                    "). Start it, or set ignore_fail=1 on it and pass --ignore_fail_on_start.",
                i);
      }
    } else if (ctx.failed(i)) {
      const topology::ReplicaStatus& r = *s.replica;
      std::string why = "SQL thread stopped with error " + std::to_string(r.last_sql_errno) +
                        (r.last_sql_error.empty() ? "" : ": " + r.last_sql_error);
      if (ctx.ignorable(i)) {
        ctx.add("failed_replicas", Severity::kWarning,
                "Replication on " + ctx.name(i) + " fails (" + why +
                    "); ignored because ignore_fail=1 and --ignore_fail_on_start.",
                i);
      } else {
        ctx.add("failed_replicas", Severity::kError,
                "Replication on " + ctx.name(i) + " fails (" + why +
                    "). Repair it, or set ignore_fail=1 on it and pass --ignore_fail_on_start.",
                i);
      }
    }
  }
}

void check_alive_replicas(Context& ctx) {
  std::vector<std::size_t> alive = ctx.alive_replicas();
  if (alive.empty()) {
    ctx.add("alive_replicas", Severity::kError,
            "There is no alive replica of the master " + ctx.name(*ctx.master) +
                ": a failover would have nothing to promote.");
    return;
  }
  std::vector<std::string> names;
  for (std::size_t i : alive) names.push_back(ctx.name(i));
  ctx.add("alive_replicas", Severity::kOk,
          std::to_string(alive.size()) + " alive replica(s): " + join_names(names) + ".");
}

}  // namespace

void check_access_and_topology(Context& ctx) {
  check_sql_access(ctx);
  ctx.master = find_master(ctx);
  if (!ctx.master) return;
  check_master(ctx);
  classify_servers(ctx);
  check_dead_and_failed(ctx);
  check_alive_replicas(ctx);
}

}  // namespace mha::checks::internal
