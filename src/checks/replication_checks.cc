#include "mha/checks/replication_checks.h"

#include "checks_internal.h"

namespace mha::checks {
namespace internal {

void Context::add(std::string_view check, Severity severity, std::string message,
                  std::optional<std::size_t> server) {
  report.checks.push_back(Check{std::string(check), severity, std::move(message),
                                server ? name(*server) : std::string()});
}

bool Context::failed(std::size_t i) const {
  const topology::ServerObservation& s = at(i);
  return s.alive() && s.replica && s.replica->sql_failed();
}

std::vector<std::size_t> Context::alive_replicas() const {
  std::vector<std::size_t> out;
  for (std::size_t i : replicas) {
    if (at(i).alive() && !failed(i)) out.push_back(i);
  }
  return out;
}

bool Context::promotable(std::size_t i) const {
  const topology::ServerObservation& s = at(i);
  return s.alive() && !failed(i) && s.log_bin == true && !s.id.no_master;
}

std::vector<std::size_t> Context::promotable_replicas() const {
  std::vector<std::size_t> out;
  for (std::size_t i : alive_replicas()) {
    if (promotable(i)) out.push_back(i);
  }
  return out;
}

bool Context::ignorable(std::size_t i) const {
  return options.ignore_fail_on_start && at(i).id.ignore_fail;
}

ReplicationMode derive_mode(const Context& ctx) {
  std::vector<std::size_t> alive = ctx.alive_replicas();
  if (alive.empty()) return ReplicationMode::kUnknown;
  bool mariadb = false;
  for (const topology::ServerObservation& s : ctx.snap.servers) {
    if (s.alive() && s.version) {
      mariadb = s.version->is_mariadb();
      break;
    }
  }
  if (mariadb) {
    for (std::size_t i : alive) {
      if (ctx.at(i).replica->using_gtid == topology::UsingGtid::kNo) {
        return ReplicationMode::kFilePosition;
      }
    }
    return ReplicationMode::kMariadbGtid;
  }
  // MySQL: GTID failover needs gtid_mode=ON on every alive server (MHA's get_gtid_status).
  for (const topology::ServerObservation& s : ctx.snap.servers) {
    if (s.alive() && s.mysql_gtid.gtid_mode != std::optional<std::string>("ON")) {
      return ReplicationMode::kFilePosition;
    }
  }
  return ReplicationMode::kMysqlGtid;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " and " : ", ";
    out += names[i];
  }
  return out;
}

namespace {

TopologyServer topology_server(const Context& ctx, std::size_t i, std::string note) {
  const topology::ServerIdentity& id = ctx.at(i).id;
  TopologyServer t;
  t.index = i;
  t.display = id.display();
  t.hostname = id.hostname;
  t.ip = id.ip;
  t.port = id.port;
  t.note = std::move(note);
  return t;
}

std::string note_for(const Context& ctx, std::size_t i) {
  const topology::ServerObservation& s = ctx.at(i);
  if (s.sql == topology::SqlReach::kDead) return "dead";
  if (s.sql == topology::SqlReach::kRefused) return "refused";
  if (ctx.failed(i)) return "failed";
  return "";
}

Topology build_topology(const Context& ctx, ReplicationMode mode) {
  Topology topo;
  topo.mode = mode;
  if (ctx.master) topo.master = topology_server(ctx, *ctx.master, note_for(ctx, *ctx.master));
  for (std::size_t i : ctx.replicas)
    topo.replicas.push_back(topology_server(ctx, i, note_for(ctx, i)));
  for (std::size_t i : ctx.unmanaged) {
    std::string note = note_for(ctx, i);
    TopologyServer t = topology_server(ctx, i, note.empty() ? "unmanaged" : "unmanaged, " + note);
    t.parent = ctx.snap.upstream_of(i);
    topo.unmanaged.push_back(std::move(t));
  }
  return topo;
}

}  // namespace
}  // namespace internal

CheckReport run_replication_checks(const topology::ClusterSnapshot& snapshot,
                                   const config::AppConfig& config, const CheckOptions& options) {
  CheckReport report;
  internal::Context ctx{snapshot, config, options, report, {}, {}, {}};
  // Order follows MHA's start-up sequence (reference §6.1), the checks MHA lacks come after the
  // ones they refine. Later groups only look at what the topology step classified.
  internal::check_access_and_topology(ctx);
  internal::check_server_settings(ctx);
  internal::check_filters(ctx);
  internal::check_gtid(ctx);
  internal::check_promotion(ctx);
  internal::check_ssh(ctx);
  internal::check_replication_running(ctx);
  internal::check_safety(ctx);
  internal::check_scripts(ctx);
  report.topology = internal::build_topology(ctx, internal::derive_mode(ctx));
  return report;
}

}  // namespace mha::checks
