// semi_sync, failure_detection, data_loss_risk: checks MHA does not have. Severity rationale in
// docs/checks.md: all three are warnings, because the cluster replicates correctly; they say how
// much a failover could lose or how late a replica would notice a dead master.

#include <cmath>
#include <sstream>

#include "checks_internal.h"

namespace mha::checks::internal {
namespace {

using topology::ServerObservation;

std::string seconds(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

// True when semi-sync currently guarantees that an acknowledged commit reached a replica.
bool semi_sync_effective(const Context& ctx) {
  const topology::SemiSyncState& m = ctx.at(*ctx.master).semi_sync;
  return m.master_enabled == true && m.master_status != false && m.master_clients.value_or(0) > 0;
}

void check_semi_sync(Context& ctx) {
  const std::size_t mi = *ctx.master;
  const topology::SemiSyncState& m = ctx.at(mi).semi_sync;
  std::vector<std::string> acking;
  for (std::size_t i : ctx.alive_replicas()) {
    if (ctx.at(i).semi_sync.slave_enabled == true) acking.push_back(ctx.name(i));
  }
  const std::size_t replicas = ctx.alive_replicas().size();
  if (!m.master_enabled) {
    ctx.add("semi_sync", Severity::kWarning,
            "Could not read the semi-sync state of the master " + ctx.name(mi) + ".", mi);
    return;
  }
  if (!*m.master_enabled) {
    ctx.add("semi_sync", Severity::kWarning,
            "Semi-sync is off on the master " + ctx.name(mi) +
                ": writes acknowledged to clients may exist only on the master and are lost at "
                "failover unless its binlog can still be read.",
            mi);
    return;
  }
  if (m.master_status == false) {
    ctx.add("semi_sync", Severity::kWarning,
            "Semi-sync is enabled on the master " + ctx.name(mi) +
                " but inactive (Rpl_semi_sync_master_status=OFF): it fell back to asynchronous "
                "replication after a timeout.",
            mi);
    return;
  }
  const int clients = m.master_clients.value_or(0);
  const std::string summary = std::to_string(clients) + " semi-sync client(s) connected; " +
                              std::to_string(acking.size()) + " of " + std::to_string(replicas) +
                              " replica(s) have rpl_semi_sync_slave_enabled=1" +
                              (acking.empty() ? "" : " (" + join_names(acking) + ")");
  if (acking.empty() || clients == 0) {
    ctx.add("semi_sync", Severity::kWarning,
            "Semi-sync is enabled on the master " + ctx.name(mi) + " but nothing acknowledges: " +
                summary + ". Every commit waits for the timeout, then runs asynchronously.",
            mi);
  } else if (static_cast<std::size_t>(clients) < acking.size()) {
    ctx.add("semi_sync", Severity::kWarning,
            "Semi-sync on the master " + ctx.name(mi) + ": " + summary +
                "; some semi-sync replicas are not connected as clients (restart their IO "
                "thread).",
            mi);
  } else {
    ctx.add("semi_sync", Severity::kOk,
            "Semi-sync on the master " + ctx.name(mi) + ": " + summary + ".", mi);
  }
}

void check_failure_detection(Context& ctx) {
  const int max = ctx.options.max_detection_seconds;
  for (std::size_t i : ctx.alive_replicas()) {
    const ServerObservation& s = ctx.at(i);
    if (!s.slave_net_timeout) {
      ctx.add("failure_detection", Severity::kWarning,
              "Could not read slave_net_timeout on " + ctx.name(i) + ".", i);
      continue;
    }
    const int t = *s.slave_net_timeout;
    const int r = s.connect_retry.value_or(s.replica->connect_retry);
    // The IO thread gives up on a silent connection after slave_net_timeout, counted from the
    // last event or heartbeat; a master that hangs right after a heartbeat is noticed after T.
    // A dead mysqld on a live host resets the connection and is noticed at once.
    std::string msg = ctx.name(i) + " notices a hung or unreachable master after at most " +
                      std::to_string(t) + " s (slave_net_timeout=" + std::to_string(t) +
                      "), and reconnects within " + std::to_string(r + t) +
                      " s (MASTER_CONNECT_RETRY=" + std::to_string(r) + " + slave_net_timeout)";
    std::vector<std::string> problems;
    if (!s.heartbeat_period) {
      msg += "; heartbeat period unknown";
    } else if (*s.heartbeat_period <= 0 || *s.heartbeat_period >= t) {
      msg += "; heartbeat period " + seconds(*s.heartbeat_period) + " s";
      problems.push_back(
          "without a heartbeat shorter than slave_net_timeout an idle master looks dead every " +
          std::to_string(t) + " s; set MASTER_HEARTBEAT_PERIOD to about slave_net_timeout/2");
    } else {
      msg += "; heartbeat every " + seconds(*s.heartbeat_period) + " s";
    }
    if (t > max) {
      problems.push_back("detection takes longer than " + std::to_string(max) +
                         " s; lower slave_net_timeout (and the heartbeat period with it)");
    }
    for (const std::string& p : problems) msg += "; " + p;
    ctx.add("failure_detection", problems.empty() ? Severity::kOk : Severity::kWarning, msg + ".",
            i);
  }
}

// -1, 0, 1 when a has received less, the same, more than b; nullopt when not comparable.
std::optional<int> compare_received(ReplicationMode mode, const topology::ReplicaStatus& a,
                                    const topology::ReplicaStatus& b) {
  switch (mode) {
    case ReplicationMode::kMariadbGtid: {
      const bool ab = a.gtid_io_pos.contains(b.gtid_io_pos);
      const bool ba = b.gtid_io_pos.contains(a.gtid_io_pos);
      if (ab && ba) return 0;
      if (ab) return 1;
      if (ba) return -1;
      return std::nullopt;
    }
    case ReplicationMode::kMysqlGtid: {
      topology::GtidSet sa = a.retrieved_gtid_set;
      sa.add(a.executed_gtid_set);
      topology::GtidSet sb = b.retrieved_gtid_set;
      sb.add(b.executed_gtid_set);
      const bool ab = sa.contains(sb);
      const bool ba = sb.contains(sa);
      if (ab && ba) return 0;
      if (ab) return 1;
      if (ba) return -1;
      return std::nullopt;
    }
    case ReplicationMode::kFilePosition:
    case ReplicationMode::kUnknown: {
      std::partial_ordering o = a.read_master <=> b.read_master;
      if (o == std::partial_ordering::less) return -1;
      if (o == std::partial_ordering::greater) return 1;
      if (o == std::partial_ordering::equivalent) return 0;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void check_data_loss(Context& ctx) {
  const std::vector<std::size_t> alive = ctx.alive_replicas();
  const std::vector<std::size_t> promotable = ctx.promotable_replicas();
  if (alive.empty() || promotable.empty()) return;  // reported by alive/promotable_replica
  const ReplicationMode mode = derive_mode(ctx);
  // The most advanced replicas: those that received at least as much as every other one.
  std::vector<std::size_t> latest;
  for (std::size_t i : alive) {
    bool best = true;
    for (std::size_t j : alive) {
      std::optional<int> c = compare_received(mode, *ctx.at(i).replica, *ctx.at(j).replica);
      if (!c || *c < 0) {
        best = false;
        break;
      }
    }
    if (best) latest.push_back(i);
  }
  std::vector<std::string> problems;
  if (!latest.empty()) {
    bool promotable_latest = false;
    for (std::size_t i : latest) promotable_latest = promotable_latest || ctx.promotable(i);
    if (!promotable_latest) {
      std::vector<std::string> names;
      for (std::size_t i : latest) {
        names.push_back(ctx.name(i) + " (" +
                        (ctx.at(i).id.no_master ? "no_master=1" : "log-bin off") + ")");
      }
      problems.push_back("the most advanced replica(s) " + join_names(names) +
                         " cannot be promoted, so a new master must first catch up from them; "
                         "if they are lost too, their extra transactions are lost");
    }
  }
  if (!semi_sync_effective(ctx)) {
    problems.push_back(
        "semi-sync is not active, so no replica is guaranteed to hold every "
        "transaction the master acknowledged");
  }
  if (problems.empty()) {
    ctx.add("data_loss_risk", Severity::kOk,
            "A promotable replica has everything any replica received, and semi-sync guarantees "
            "acknowledged writes reached a replica.");
    return;
  }
  std::string msg = "No replica can be promoted without risk of data loss: ";
  for (std::size_t k = 0; k < problems.size(); ++k) msg += (k ? "; " : "") + problems[k];
  ctx.add("data_loss_risk", Severity::kWarning, msg + ".");
}

}  // namespace

void check_safety(Context& ctx) {
  if (!ctx.master || !ctx.at(*ctx.master).alive()) return;
  check_semi_sync(ctx);
  check_failure_detection(ctx);
  check_data_loss(ctx);
}

}  // namespace mha::checks::internal
