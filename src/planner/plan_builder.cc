// Stage 4: the ordered steps of a failover (MHA Phases 2-5; see docs/failover.md "The plan").
// What holds: nothing is promoted before the new master has everything the replicas received
// (and the dead master's salvaged binlog); in GTID modes every replica follows the new master
// before a client can write to it; in file/position mode only the followers with nothing to
// apply do (plus one, so that a semi-sync master has a replica to acknowledge its first writes),
// and a follower that needs a relay-log diff or still executes its relay log is recovered after
// the promotion and the VIP move, as MHA does, from the position recorded before any write.

#include "mha/topology/semi_sync.h"

#include <algorithm>

#include "planner_internal.h"

namespace mha::planner::internal {
namespace {

RepointMethod repoint_method(ReplicationMode mode) {
  switch (mode) {
    case ReplicationMode::kMariadbGtid:
      return RepointMethod::kMariadbSlavePos;
    case ReplicationMode::kMysqlGtid:
      return RepointMethod::kMysqlAutoPosition;
    case ReplicationMode::kFilePosition:
      return RepointMethod::kFilePosition;
  }
  return RepointMethod::kFilePosition;
}

void merge_into(ReceivedPosition& into, const ReceivedPosition& from) {
  for (const topology::MariadbGtid& g : from.mariadb.entries()) {
    const topology::MariadbGtid* have = into.mariadb.find(g.domain_id);
    if (have == nullptr || have->seq_no < g.seq_no) into.mariadb.set(g);
  }
  into.mysql.add(from.mysql);
}

// Why `source` cannot serve the new master what it lacks, or "" when it can.
std::string catch_up_blocker(const topology::ServerObservation& s,
                             const std::map<std::size_t, Errant>& errant, std::size_t i) {
  if (auto it = errant.find(i); it != errant.end()) {
    return "it has errant transactions " + it->second.text +
           ", which catching up from it would copy to the new master";
  }
  if (s.log_bin != true) return "its binary log is off, so it cannot serve them";
  if (s.log_slave_updates == false) {
    return "log_slave_updates is off, so its binary log does not hold replicated events";
  }
  return "";
}

}  // namespace

std::variant<FailoverPlan, Refuse> build_plan(const topology::ClusterSnapshot& snap,
                                              const FailoverPolicy& policy, const PlanInputs& in) {
  const Classification& classes = *in.classes;
  const Ranking& ranking = *in.ranking;
  const Timeouts& t = policy.timeouts;
  const std::size_t n = in.new_master;
  const ServerRef master = ref(snap, in.master);
  const ServerRef new_master = ref(snap, n);

  FailoverPlan plan;
  plan.mode = in.mode;
  plan.dead_master = master;
  plan.new_master = new_master;
  for (std::size_t i : ranking.latest) plan.latest.push_back(ref(snap, i));
  for (const auto& [i, why] : classes.left_out) plan.not_recovered.push_back({ref(snap, i), why});
  for (const auto& [i, parent] : classes.unmanaged) plan.unmanaged.push_back(ref(snap, i));
  std::vector<std::size_t> others;  // managed replicas that will follow the new master
  for (std::size_t i : classes.managed) {
    if (i != n) others.push_back(i);
  }

  if (!policy.already_fenced) {
    StopReplicaIo stop;
    for (std::size_t i : classes.stop_io) {
      stop.replicas.push_back(ref(snap, i));
      // The new master's IO thread must stop, ignore_fail or not: it is about to be promoted.
      if (snap.servers[i].id.ignore_fail && i != n) stop.may_fail.push_back(ref(snap, i));
    }
    stop.timeout = t.stop_io;
    if (!stop.replicas.empty()) plan.steps.emplace_back(std::move(stop));

    FenceOldMaster fence;
    fence.master = master;
    fence.new_master = new_master;
    // Unknown SSH reachability fences as "stop": the hook must then not rely on SSH.
    fence.command =
        policy.evidence.ssh_reachable == true ? FenceCommand::kStopSsh : FenceCommand::kStop;
    fence.ip_failover_script = policy.master_ip_failover_script;
    fence.shutdown_script = policy.shutdown_script;
    fence.script_timeout = t.script;
    fence.sql_connect_timeout = t.sql_fence;
    plan.steps.emplace_back(std::move(fence));

    ConfirmReceived confirm;
    for (std::size_t i : classes.managed) {
      confirm.expected.push_back({ref(snap, i), ranking.received.at(i)});
    }
    plan.steps.emplace_back(std::move(confirm));
  }
  if (policy.master_ip_failover_script.empty()) {
    plan.warnings.push_back(
        "master_ip_failover_script is not defined: the old master is not fenced by a hook and "
        "clients are not redirected to the new master.");
  }
  if (policy.shutdown_script.empty()) {
    plan.warnings.push_back("shutdown_script is not defined: the old master is not powered off.");
  }

  // Binlog salvage needs the dead master's host over SSH (and MariaDB GTIDs or file/position).
  const bool salvage = policy.evidence.ssh_reachable == true && !policy.skip_save_master_binlog &&
                       in.mode != ReplicationMode::kMysqlGtid;
  // Keep the cluster's semi-sync: replicas that acknowledged the old master expect to acknowledge
  // the new one, and one of them is connected before the first write is accepted.
  const bool semi_sync = topology::wants_semi_sync_master(snap, n, classes.managed);
  const RepointMethod method = repoint_method(in.mode);
  auto repoint = [&](std::size_t i, std::vector<PlanStep>& into) {
    // may_fail for every replica, as MHA ("completed with errors", exit 10): once the new master
    // has everything, one replica that cannot follow it (a conflicting row, a failing replication
    // login) must not keep the new master read-only; it is left as it is and reported.
    into.emplace_back(RepointReplica{ref(snap, i), new_master, method, true, t.repoint});
  };
  // File/position mode: the steps that recover and re-point followers after the promotion and
  // the VIP move, and whether the new master's RESET SLAVE ALL waits for them.
  std::vector<PlanStep> after_vip;
  bool reset_later = false;
  if (in.mode == ReplicationMode::kFilePosition) {
    // The diff source: a latest replica that keeps its relay logs (relay_log_purge=0), so the
    // events the others lack are still there; any latest one when none is known to.
    std::size_t latest = ranking.latest.front();
    for (std::size_t i : ranking.latest) {
      if (snap.servers[i].relay_log_purge == false) {
        latest = i;
        break;
      }
    }
    // A relay log that ends inside a transaction (position.h) counts up to its last whole
    // transaction only: the unfinished one is never applied from it. Every latest replica
    // received the same bytes, so any of them showing such a tail tells where it starts for all.
    std::map<std::size_t, topology::BinlogPosition> tails;
    for (std::size_t i : classes.managed) {
      if (!snap.servers[i].replica) continue;
      if (auto tail = unfinished_relay_tail(*snap.servers[i].replica)) tails[i] = *tail;
    }
    auto whole = [&](std::size_t i) {
      auto it = tails.find(i);
      return it != tails.end() ? it->second : ranking.received.at(i).file_pos;
    };
    topology::BinlogPosition top = ranking.received.at(latest).file_pos;
    for (std::size_t i : ranking.latest) {
      if (tails.count(i)) {
        plan.warnings.push_back(
            snap.servers[i].id.display() + " received only part of the transaction at " +
            tails[i].to_string() + " (up to " + top.to_string() +
            "): no replica has all of it, so it is completed from the dead master's binary "
            "log if its host answers SSH, and lost otherwise.");
        top = tails[i];
        break;
      }
    }
    auto needs_diff = [&](std::size_t i) {
      return (whole(i) <=> top) == std::partial_ordering::less;
    };
    auto diff = [&](std::size_t i, bool check_only) {
      // Bounded like a replica's own relay log, which holds the same kind and amount of events
      // (the salvage bound, 120 s, cut off a 100 MB diff that mysqlbinlog | mysql needs ~150 s
      // for on the test bed: docs/benchmarks.md).
      const std::chrono::seconds timeout = t.relay_apply;
      return ApplyRelayDiff{ref(snap, i), ref(snap, latest), whole(i), top, check_only, timeout};
    };
    auto wait_applied = [&](std::size_t i) {
      WaitRelayApplied w{ref(snap, i), t.relay_apply, std::nullopt, i != n};
      if (auto it = tails.find(i); it != tails.end()) w.stop_at = it->second;
      return w;
    };
    std::vector<std::size_t> recovered{n};  // brought level with `top`: the new master first
    if (!policy.skip_change_master) {
      for (std::size_t i : others) recovered.push_back(i);
    }
    // Before anything changes data: the relay logs every diff needs must still be there, or
    // the failover stops here with nobody moved.
    bool any_diff = false;
    for (std::size_t i : recovered) {
      if (!needs_diff(i)) continue;
      plan.steps.emplace_back(diff(i, true));
      any_diff = true;
    }
    if (any_diff && snap.servers[latest].relay_log_purge != false) {
      plan.warnings.push_back(
          "relay_log_purge is " +
          std::string(snap.servers[latest].relay_log_purge ? "ON" : "unknown") + " on " +
          snap.servers[latest].id.display() +
          ": the relay logs the diffs need may be purged; the check step fails if they are.");
    }
    auto recover = [&](std::size_t i, std::vector<PlanStep>& into) {
      into.emplace_back(wait_applied(i));
      if (needs_diff(i)) into.emplace_back(diff(i, false));
    };
    recover(n, plan.steps);
    if (!policy.skip_change_master) plan.steps.emplace_back(RecordNewMasterPosition{new_master});
    // After the recorded position: the others start there and replicate the salvaged events.
    // The relay-log diff brought the new master to `top`, where the saved events begin: the
    // start of the unfinished transaction when the latest replicas received only part of it.
    if (salvage) {
      plan.steps.emplace_back(ApplySavedBinlog{new_master, master, in.mode, top, t.salvage});
    }
    // Before the promotion: the followers with nothing to apply (no diff, and the snapshot showed
    // them having executed all they received), whose wait and re-point take a round trip each.
    // Every other follower would keep the new master read-only for as long as its own recovery
    // takes (a 100 MB diff: minutes, docs/benchmarks.md), so it comes after the VIP move.
    auto idle = [&](std::size_t i) {
      const std::optional<topology::ReplicaStatus>& r = snap.servers[i].replica;
      return !needs_diff(i) && r &&
             (r->exec_master <=> r->read_master) == std::partial_ordering::equivalent;
    };
    std::vector<std::size_t> before, after;
    for (std::size_t i : recovered) {
      if (i != n) (idle(i) ? before : after).push_back(i);
    }
    auto diff_after = [&](std::size_t except) {
      return std::any_of(after.begin(), after.end(),
                         [&](std::size_t j) { return j != except && needs_diff(j); });
    };
    // CHANGE MASTER deletes a replica's relay logs: a follower that is the diff source is
    // re-pointed only after the last diff read them.
    if (latest != n && diff_after(latest)) {
      if (auto it = std::find(before.begin(), before.end(), latest); it != before.end()) {
        before.erase(it);
        after.push_back(latest);
      }
    }
    if (semi_sync && before.empty() && !after.empty()) {
      // Without any replica the new master's first commits wait out rpl_semi_sync_master_timeout:
      // one follower goes first, preferably one without a diff (the diff source only if no diff
      // reads it later), else the first in config order, diff and all.
      auto it = std::find_if(after.begin(), after.end(), [&](std::size_t i) {
        return !needs_diff(i) && (i != latest || !diff_after(i));
      });
      if (it == after.end()) {
        it = std::find_if(after.begin(), after.end(), [&](std::size_t i) { return needs_diff(i); });
      }
      if (it != after.end()) {
        before.push_back(*it);
        after.erase(it);
      }
    }
    std::stable_partition(after.begin(), after.end(), [&](std::size_t i) { return i != latest; });
    for (std::size_t i : before) {
      recover(i, plan.steps);
      repoint(i, plan.steps);
    }
    for (std::size_t i : after) {
      recover(i, after_vip);
      repoint(i, after_vip);
    }
    // The new master as the diff source keeps its relay logs until the last diff read them:
    // RESET SLAVE ALL would delete them (MHA, too, resets the new master only in its last phase).
    reset_later = latest == n && std::any_of(after.begin(), after.end(), needs_diff);
  } else {
    plan.steps.emplace_back(WaitRelayApplied{new_master, t.relay_apply, std::nullopt, false});
    ReceivedPosition have = ranking.received.at(n);
    for (std::size_t src : ranking.latest) {
      const ReceivedPosition& target = ranking.received.at(src);
      const std::partial_ordering o = compare_received(have, target);
      if (o == std::partial_ordering::greater || o == std::partial_ordering::equivalent) continue;
      const std::string blocker = catch_up_blocker(snap.servers[src], *in.errant, src);
      if (!blocker.empty()) {
        return Refuse{RefuseRule::kCatchUpImpossible,
                      new_master.name + " lacks transactions that only " +
                          snap.servers[src].id.display() + " received (it has " +
                          target.to_string() + ", the new master " + have.to_string() + "), but " +
                          blocker + ".",
                      std::nullopt};
      }
      if (snap.servers[src].log_slave_updates != true) {
        plan.warnings.push_back("log_slave_updates of " + snap.servers[src].id.display() +
                                " is unknown; catching up from it needs it ON.");
      }
      plan.steps.emplace_back(WaitRelayApplied{ref(snap, src), t.relay_apply, std::nullopt, false});
      plan.steps.emplace_back(CatchUpFromLatest{new_master, ref(snap, src), target, t.catch_up});
      merge_into(have, target);
    }
    if (salvage && in.mode == ReplicationMode::kMariadbGtid) {
      plan.steps.emplace_back(ApplySavedBinlog{new_master, master, in.mode, {}, t.salvage});
    }
    if (!policy.skip_change_master) {
      for (std::size_t i : others) repoint(i, plan.steps);
    }
  }
  if (!policy.skip_change_master) {
    for (std::size_t i : others) plan.new_replicas.push_back(ref(snap, i));
  }
  if (policy.skip_change_master && !others.empty()) {
    std::vector<std::string> names;
    for (std::size_t i : others) names.push_back(snap.servers[i].id.display());
    plan.warnings.push_back("--skip_change_master: " + join(names) +
                            " keep pointing at the dead master; re-point them by hand.");
  }

  PromoteNewMaster promote;
  promote.new_master = new_master;
  promote.reset_slave_all =
      !policy.skip_reset_slave(snap.servers[n].id.config_index) && !policy.skip_change_master;
  promote.reset_later = promote.reset_slave_all && reset_later;
  if (promote.reset_later) promote.reset_slave_all = false;
  promote.enable_semi_sync_master = semi_sync;
  promote.disable_read_only = !policy.skip_disable_read_only;
  plan.steps.emplace_back(promote);

  if (!policy.master_ip_failover_script.empty()) {
    plan.steps.emplace_back(
        RunFailoverScript{policy.master_ip_failover_script, master, new_master, t.script});
  }
  for (PlanStep& step : after_vip) plan.steps.push_back(std::move(step));
  if (promote.reset_later) plan.steps.emplace_back(ResetNewMasterReplication{new_master});
  if (!policy.report_script.empty()) {
    plan.steps.emplace_back(
        RunReportScript{policy.report_script, master, new_master, plan.new_replicas, t.script});
  }
  const bool salvaged = std::any_of(plan.steps.begin(), plan.steps.end(), [](const PlanStep& s) {
    return std::holds_alternative<ApplySavedBinlog>(s);
  });
  if (!salvaged) {
    plan.warnings.push_back(
        policy.evidence.ssh_reachable != true
            ? "The dead master's host does not answer SSH: events that no replica received "
              "cannot be saved and may be lost."
        : policy.skip_save_master_binlog
            ? "--skip_save_master_binlog: events that no replica received are not saved."
            : "Events that no replica received are not saved (binlog salvage needs MariaDB GTIDs, "
              "or file/position with the new master among the latest replicas).");
  }
  std::sort(
      plan.not_recovered.begin(), plan.not_recovered.end(),
      [](const NotRecovered& a, const NotRecovered& b) { return a.server.index < b.server.index; });
  return plan;
}

}  // namespace mha::planner::internal
