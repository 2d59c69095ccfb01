// gtid_consistency, errant_transactions: checks MHA does not have (its issue #50).

#include <map>

#include "checks_internal.h"

namespace mha::checks::internal {
namespace {

using topology::ServerObservation;

bool cluster_is_mariadb(const Context& ctx) {
  for (const ServerObservation& s : ctx.snap.servers) {
    if (s.alive() && s.version) return s.version->is_mariadb();
  }
  for (const ServerObservation& s : ctx.snap.servers) {
    if (s.alive() && s.mariadb_gtid.current_pos) return true;
  }
  return false;
}

template <typename Key, typename Describe>
void report_groups(Context& ctx, const std::map<Key, std::vector<std::size_t>>& groups,
                   const std::string& what, const std::string& consequence, Describe describe) {
  if (groups.size() <= 1) return;
  std::vector<std::string> parts;
  for (const auto& [key, servers] : groups) {
    std::vector<std::string> names;
    for (std::size_t i : servers) names.push_back(ctx.name(i));
    parts.push_back(describe(key) + " on " + join_names(names));
  }
  std::string msg = what + " differs: ";
  for (std::size_t k = 0; k < parts.size(); ++k) msg += (k ? "; " : "") + parts[k];
  ctx.add("gtid_consistency", Severity::kWarning, msg + ". " + consequence);
}

void check_mariadb_consistency(Context& ctx) {
  std::map<topology::UsingGtid, std::vector<std::size_t>> using_gtid;
  for (std::size_t i : ctx.alive_replicas()) using_gtid[ctx.at(i).replica->using_gtid].push_back(i);
  std::map<bool, std::vector<std::size_t>> strict;
  for (std::size_t i = 0; i < ctx.snap.servers.size(); ++i) {
    const ServerObservation& s = ctx.at(i);
    if (s.alive() && s.mariadb_gtid.strict_mode) strict[*s.mariadb_gtid.strict_mode].push_back(i);
  }
  const std::size_t before = ctx.report.checks.size();
  // Slave_Pos and Current_Pos both replicate with GTIDs; only "No" next to either is a mix.
  std::map<bool, std::vector<std::size_t>> gtid_or_not;
  for (const auto& [mode, servers] : using_gtid) {
    auto& v = gtid_or_not[mode != topology::UsingGtid::kNo];
    v.insert(v.end(), servers.begin(), servers.end());
  }
  report_groups(ctx, gtid_or_not, "Using_Gtid",
                "A failover falls back to file/position mode for all replicas; use "
                "MASTER_USE_GTID=slave_pos everywhere.",
                [](bool g) { return std::string(g ? "GTID (Slave_Pos/Current_Pos)" : "No"); });
  report_groups(ctx, strict, "gtid_strict_mode",
                "Set the same gtid_strict_mode on every server, so a promoted replica enforces "
                "what the old master did.",
                [](bool on) { return std::string(on ? "ON" : "OFF"); });
  if (ctx.report.checks.size() == before && !using_gtid.empty()) {
    ctx.add("gtid_consistency", Severity::kOk,
            std::string("All replicas use Using_Gtid=") +
                topology::using_gtid_name(using_gtid.begin()->first) + ".");
  }
}

void check_mysql_consistency(Context& ctx) {
  std::map<std::string, std::vector<std::size_t>> modes;
  for (std::size_t i = 0; i < ctx.snap.servers.size(); ++i) {
    const ServerObservation& s = ctx.at(i);
    if (s.alive()) modes[s.mysql_gtid.gtid_mode.value_or("(unknown)")].push_back(i);
  }
  if (modes.size() > 1) {
    report_groups(ctx, modes, "gtid_mode",
                  "A failover falls back to file/position mode; set gtid_mode=ON everywhere.",
                  [](const std::string& m) { return m; });
  } else if (!modes.empty()) {
    ctx.add("gtid_consistency", Severity::kOk,
            "gtid_mode=" + modes.begin()->first + " on every alive server.");
  }
}

// Transactions (per domain) the replica has and the master does not: a domain unknown to the
// master, a higher seq_no, or the same seq_no written by another server (diverged history).
std::vector<topology::MariadbGtid> mariadb_errant(const topology::GtidPosition& replica,
                                                  const topology::GtidPosition& master) {
  std::vector<topology::MariadbGtid> out;
  for (const topology::MariadbGtid& g : replica.entries()) {
    const topology::MariadbGtid* m = master.find(g.domain_id);
    if (m == nullptr || g.seq_no > m->seq_no ||
        (g.seq_no == m->seq_no && g.server_id != m->server_id)) {
      out.push_back(g);
    }
  }
  return out;
}

std::optional<topology::GtidPosition> mariadb_state(const ServerObservation& s) {
  if (s.mariadb_gtid.current_pos) return s.mariadb_gtid.current_pos;
  return s.mariadb_gtid.binlog_pos;
}

std::optional<topology::GtidSet> mysql_state(const ServerObservation& s) {
  if (s.mysql_gtid.executed) return s.mysql_gtid.executed;
  if (s.master_status && !s.master_status->executed_gtid_set.empty()) {
    return s.master_status->executed_gtid_set;
  }
  if (s.replica && !s.replica->executed_gtid_set.empty()) return s.replica->executed_gtid_set;
  return std::nullopt;
}

void check_errant(Context& ctx, bool mariadb) {
  const std::size_t m = *ctx.master;
  const ServerObservation& master = ctx.at(m);
  if (!master.alive()) return;  // nothing to compare against
  std::vector<std::size_t> targets;
  for (std::size_t i : ctx.replicas) {
    if (ctx.at(i).alive()) targets.push_back(i);
  }
  for (std::size_t i : ctx.unmanaged) {
    if (ctx.at(i).alive()) targets.push_back(i);
  }
  bool any = false;
  bool checked = false;
  if (mariadb) {
    std::optional<topology::GtidPosition> mpos = mariadb_state(master);
    if (!mpos) return;
    for (std::size_t i : targets) {
      std::optional<topology::GtidPosition> rpos = mariadb_state(ctx.at(i));
      if (!rpos) continue;
      checked = true;
      std::vector<topology::MariadbGtid> errant = mariadb_errant(*rpos, *mpos);
      if (errant.empty()) continue;
      any = true;
      std::string list;
      for (const auto& g : errant) list += (list.empty() ? "" : ",") + g.to_string();
      ctx.add("errant_transactions", Severity::kError,
              ctx.name(i) + " has transactions the master does not: " + list + " (master is at " +
                  (mpos->empty() ? "(empty)" : mpos->to_string()) +
                  "). Remove them (or re-clone the replica) before it can be promoted safely.",
              i);
    }
  } else {
    if (master.mysql_gtid.gtid_mode.value_or("OFF") == "OFF") return;
    std::optional<topology::GtidSet> mset = mysql_state(master);
    if (!mset) return;
    for (std::size_t i : targets) {
      std::optional<topology::GtidSet> rset = mysql_state(ctx.at(i));
      if (!rset) continue;
      checked = true;
      topology::GtidSet errant = rset->subtract(*mset);
      if (errant.empty()) continue;
      any = true;
      ctx.add("errant_transactions", Severity::kError,
              ctx.name(i) + " has transactions the master does not: " + errant.to_string() +
                  ". Remove them (inject empty transactions on the master, or re-clone the "
                  "replica) before it can be promoted safely.",
              i);
    }
  }
  if (checked && !any) {
    ctx.add("errant_transactions", Severity::kOk,
            "No replica has transactions the master does not have.");
  }
}

}  // namespace

void check_gtid(Context& ctx) {
  if (!ctx.master) return;
  const bool mariadb = cluster_is_mariadb(ctx);
  if (mariadb) {
    check_mariadb_consistency(ctx);
  } else {
    check_mysql_consistency(ctx);
  }
  check_errant(ctx, mariadb);
}

}  // namespace mha::checks::internal
