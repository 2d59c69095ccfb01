// server_versions, server_id_unique, read_only, log_bin, log_slave_updates, relay_log_purge:
// per-server settings (MHA's validate_slaves and compare_slave_version, plus server_id).

#include <map>
#include <tuple>

#include "checks_internal.h"

namespace mha::checks::internal {
namespace {

using topology::ServerObservation;

bool is_gtid(ReplicationMode m) {
  return m == ReplicationMode::kMariadbGtid || m == ReplicationMode::kMysqlGtid;
}

std::vector<std::size_t> alive_direct(const Context& ctx) {
  std::vector<std::size_t> out;
  for (std::size_t i : ctx.replicas) {
    if (ctx.at(i).alive()) out.push_back(i);
  }
  return out;
}

void check_versions(Context& ctx) {
  // MHA never promotes a replica of a newer major version than the oldest replica: the others
  // could not replicate from it.
  std::optional<topology::ServerVersion> oldest;
  for (std::size_t i : ctx.alive_replicas()) {
    const auto& v = ctx.at(i).version;
    if (!v) continue;
    if (!oldest || (v->flavor == oldest->flavor &&
                    std::tie(v->major, v->minor) < std::tie(oldest->major, oldest->minor))) {
      oldest = v;
    }
  }
  if (!oldest) return;
  bool any = false;
  for (std::size_t i : ctx.alive_replicas()) {
    const auto& v = ctx.at(i).version;
    if (!v) continue;
    if (v->is_mariadb() != oldest->is_mariadb()) {
      ctx.add("server_versions", Severity::kWarning,
              ctx.name(i) + " runs " + v->raw + " while other replicas run " + oldest->raw +
                  ": mixing MariaDB and MySQL replicas is not supported for promotion.",
              i);
      any = true;
    } else if (std::tie(v->major, v->minor) > std::tie(oldest->major, oldest->minor)) {
      ctx.add("server_versions", Severity::kWarning,
              ctx.name(i) + " runs " + v->numeric() + ", newer than the oldest replica (" +
                  oldest->numeric() +
                  "): it will not be promoted, because older replicas cannot replicate from it.",
              i);
      any = true;
    }
  }
  if (!any) {
    ctx.add("server_versions", Severity::kOk,
            "All replicas run the same major version (" + std::to_string(oldest->major) + "." +
                std::to_string(oldest->minor) + ").");
  }
}

void check_server_ids(Context& ctx) {
  std::map<uint32_t, std::vector<std::size_t>> by_id;
  for (std::size_t i = 0; i < ctx.snap.servers.size(); ++i) {
    const ServerObservation& s = ctx.at(i);
    if (s.alive() && s.server_id) by_id[*s.server_id].push_back(i);
  }
  if (by_id.empty()) return;
  bool dup = false;
  for (const auto& [id, servers] : by_id) {
    if (servers.size() < 2) continue;
    dup = true;
    std::vector<std::string> names;
    for (std::size_t i : servers) names.push_back(ctx.name(i));
    ctx.add("server_id_unique", Severity::kError,
            "server_id " + std::to_string(id) + " is used by " + join_names(names) +
                ": a replica silently skips events carrying its own server_id. Give every "
                "server a unique server_id.",
            servers[1]);
  }
  if (!dup)
    ctx.add("server_id_unique", Severity::kOk, "Every alive server has a unique server_id.");
}

void check_read_only(Context& ctx) {
  for (std::size_t i : alive_direct(ctx)) {
    const ServerObservation& s = ctx.at(i);
    if (!s.read_only) {
      ctx.add("read_only", Severity::kWarning, "Could not read read_only on " + ctx.name(i) + ".",
              i);
    } else if (!*s.read_only) {
      ctx.add("read_only", Severity::kWarning,
              "read_only=1 is not set on replica " + ctx.name(i) +
                  ": a write there becomes an errant transaction.",
              i);
    } else if (s.super_read_only == false) {
      ctx.add("read_only", Severity::kOk,
              ctx.name(i) +
                  " has read_only=1 (super_read_only=0: accounts with SUPER can still write).",
              i);
    } else {
      ctx.add("read_only", Severity::kOk, ctx.name(i) + " has read_only=1.", i);
    }
  }
}

void check_log_bin(Context& ctx, ReplicationMode mode) {
  for (std::size_t i : alive_direct(ctx)) {
    const ServerObservation& s = ctx.at(i);
    if (!s.log_bin) {
      ctx.add("log_bin", Severity::kWarning, "Could not read log_bin on " + ctx.name(i) + ".", i);
    } else if (!*s.log_bin) {
      if (s.id.no_master) {
        ctx.add("log_bin", Severity::kOk,
                "log-bin is not set on " + ctx.name(i) + " (no_master=1: never promoted).", i);
      } else {
        ctx.add("log_bin", Severity::kWarning,
                "log-bin is not set on replica " + ctx.name(i) + ". This host can not be a master" +
                    (s.id.candidate_master ? ", although it has candidate_master=1." : "."),
                i);
      }
    } else {
      ctx.add("log_bin", Severity::kOk, "log-bin is set on " + ctx.name(i) + ".", i);
    }
    // In GTID mode the other replicas catch up from the new master's binlog, which only holds
    // replicated transactions with log_slave_updates.
    if (is_gtid(mode) && ctx.promotable(i) && s.log_slave_updates == false) {
      ctx.add("log_slave_updates", Severity::kWarning,
              "log_slave_updates=0 on promotable replica " + ctx.name(i) +
                  ": if promoted, replicas behind it cannot fetch the transactions they miss from "
                  "its binlog.",
              i);
    }
  }
}

void check_relay_log_purge(Context& ctx, ReplicationMode mode) {
  if (mode != ReplicationMode::kFilePosition) {
    if (mode != ReplicationMode::kUnknown) {
      ctx.add("relay_log_purge", Severity::kOk,
              "GTID mode: relay logs are not needed for recovery, relay_log_purge is not checked.");
    }
    return;
  }
  for (std::size_t i : alive_direct(ctx)) {
    const ServerObservation& s = ctx.at(i);
    if (!s.relay_log_purge) {
      ctx.add("relay_log_purge", Severity::kWarning,
              "Could not read relay_log_purge on " + ctx.name(i) + ".", i);
    } else if (*s.relay_log_purge) {
      ctx.add("relay_log_purge", Severity::kWarning,
              "relay_log_purge=0 is not set on replica " + ctx.name(i) +
                  ": in file/position mode its relay logs may be gone when other replicas need "
                  "them. Set relay_log_purge=0 and purge with purge_relay_logs from cron.",
              i);
    } else {
      ctx.add("relay_log_purge", Severity::kOk, "relay_log_purge=0 on " + ctx.name(i) + ".", i);
    }
  }
}

}  // namespace

void check_server_settings(Context& ctx) {
  check_server_ids(ctx);
  if (!ctx.master) return;
  const ReplicationMode mode = derive_mode(ctx);
  check_versions(ctx);
  check_read_only(ctx);
  check_log_bin(ctx, mode);
  check_relay_log_purge(ctx, mode);
}

}  // namespace mha::checks::internal
