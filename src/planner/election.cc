// Stages 2 and 3: latest replicas and the new master election (MHA §3.4, §3.6).

#include <algorithm>
#include <functional>

#include "planner_internal.h"

namespace mha::planner::internal {
namespace {

bool contains_index(const std::vector<std::size_t>& v, std::size_t i) {
  return std::find(v.begin(), v.end(), i) != v.end();
}

// How far the SQL thread of `s` is behind what `base` received: bytes of master binlog in
// file/position mode, transactions in GTID modes. nullopt when it cannot be told.
struct Lag {
  uint64_t amount = 0;
  bool at_least = false;  // across a binlog file boundary only a lower bound is known
  const char* unit = "bytes";
};

std::optional<Lag> sql_lag(const topology::ServerObservation& s, const ReceivedPosition& base) {
  const topology::ReplicaStatus& r = *s.replica;
  switch (base.mode) {
    case ReplicationMode::kFilePosition: {
      std::string base_a, base_b;
      uint64_t num_a = 0, num_b = 0;
      if (!r.exec_master.split_file(&base_a, &num_a) ||
          !base.file_pos.split_file(&base_b, &num_b) || base_a != base_b) {
        return std::nullopt;
      }
      if (num_a > num_b || (num_a == num_b && r.exec_master.pos >= base.file_pos.pos)) {
        return Lag{0, false, "bytes"};
      }
      if (num_a == num_b) return Lag{base.file_pos.pos - r.exec_master.pos, false, "bytes"};
      // Across files we know neither the size of the earlier file(s) nor where they end; what the
      // latest replica has of its current file is a lower bound. MHA disqualifies any file
      // boundary instead (its issue #143), which rejects a candidate 1 KB behind at a rotation.
      return Lag{base.file_pos.pos, true, "bytes"};
    }
    case ReplicationMode::kMariadbGtid: {
      std::optional<topology::GtidPosition> exec = s.mariadb_gtid.slave_pos;
      if (!exec) exec = s.mariadb_gtid.current_pos;
      if (!exec) return std::nullopt;
      uint64_t n = 0;
      for (const topology::MariadbGtid& g : base.mariadb.entries()) {
        const topology::MariadbGtid* have = exec->find(g.domain_id);
        const uint64_t done = have ? have->seq_no : 0;
        if (g.seq_no > done) n += g.seq_no - done;
      }
      return Lag{n, false, "transactions"};
    }
    case ReplicationMode::kMysqlGtid: {
      topology::GtidSet exec = r.executed_gtid_set;
      if (s.mysql_gtid.executed) exec.add(*s.mysql_gtid.executed);
      return Lag{base.mysql.subtract(exec).count(), false, "transactions"};
    }
  }
  return std::nullopt;
}

// MHA compares "major versions"; we compare major.minor within one family (MariaDB 10.6 vs
// 10.11 differ the same way MySQL 5.7 vs 8.0 do).
std::optional<std::string> newer_than_oldest(const topology::ClusterSnapshot& snap,
                                             const std::vector<std::size_t>& managed,
                                             const topology::ServerObservation& s) {
  if (!s.version) return std::nullopt;
  std::optional<topology::ServerVersion> oldest;
  for (std::size_t j : managed) {
    const auto& v = snap.servers[j].version;
    if (!v || v->is_mariadb() != s.version->is_mariadb()) continue;
    if (!oldest || std::pair(v->major, v->minor) < std::pair(oldest->major, oldest->minor)) {
      oldest = v;
    }
  }
  if (!oldest) return std::nullopt;
  if (std::pair(s.version->major, s.version->minor) <= std::pair(oldest->major, oldest->minor)) {
    return std::nullopt;
  }
  return "version " + s.version->numeric() + " is newer than the oldest replica's " +
         oldest->numeric() + " (replicas cannot follow a newer major version)";
}

}  // namespace

Ranking rank_replicas(const topology::ClusterSnapshot& snap,
                      const std::vector<std::size_t>& managed, ReplicationMode mode,
                      const std::map<std::size_t, Errant>& errant) {
  Ranking r;
  for (std::size_t i : managed) {
    ReceivedPosition p = *received_position(snap.servers[i], mode);
    // Errant transactions did not come from the master: they must not make a replica "latest"
    // nor make two replicas' positions incomparable.
    if (auto e = errant.find(i); e != errant.end() && mode == ReplicationMode::kMysqlGtid) {
      p.mysql = p.mysql.subtract(e->second.mysql);
    }
    r.received[i] = p;
  }
  for (std::size_t i : managed) {
    bool dominated = false;
    for (std::size_t j : managed) {
      if (i == j) continue;
      const std::partial_ordering o = compare_received(r.received[j], r.received[i]);
      if (o == std::partial_ordering::unordered && mode == ReplicationMode::kFilePosition) {
        r.refuse = Refuse{RefuseRule::kUnorderedPositions,
                          "The received positions of " + snap.servers[i].id.display() + " (" +
                              r.received[i].to_string() + ") and " + snap.servers[j].id.display() +
                              " (" + r.received[j].to_string() +
                              ") cannot be compared: they name different binlogs, so the "
                              "replicas did not replicate from the same master.",
                          std::nullopt};
        return r;
      }
      if (o == std::partial_ordering::greater) dominated = true;
    }
    if (!dominated) r.latest.push_back(i);
  }
  return r;
}

Election elect_new_master(const topology::ClusterSnapshot& snap, const FailoverPolicy& policy,
                          const std::vector<std::size_t>& managed, const Ranking& ranking,
                          const std::map<std::size_t, Errant>& errant) {
  Election e;
  // MHA's "base" replica: the first latest one; lag is measured against what it received.
  const bool have_base = !ranking.latest.empty();
  const std::size_t base = have_base ? ranking.latest.front() : 0;
  for (std::size_t i : managed) {
    const topology::ServerObservation& s = snap.servers[i];
    std::vector<std::string> why;
    if (s.id.no_master) why.push_back("no_master=1");
    if (s.log_bin != true) why.push_back(s.log_bin ? "log-bin is off" : "log-bin state unknown");
    if (auto v = newer_than_oldest(snap, managed, s)) why.push_back(*v);
    if (auto it = errant.find(i); it != errant.end()) {
      why.push_back("errant transactions " + it->second.text +
                    " (executed there, received from the master by no replica)");
    }
    if (policy.check_repl_delay && have_base && base != i) {
      const uint64_t limit = ranking.received.at(i).mode == ReplicationMode::kFilePosition
                                 ? policy.max_delay_bytes
                                 : policy.max_delay_transactions;
      std::optional<Lag> lag = sql_lag(s, ranking.received.at(base));
      if (lag && lag->amount > limit) {
        why.push_back(std::string("SQL thread ") + (lag->at_least ? "at least " : "") +
                      std::to_string(lag->amount) + " " + lag->unit + " behind what " +
                      snap.servers[base].id.display() + " received (check_repl_delay limit " +
                      std::to_string(limit) + ")");
      }
    }
    if (!why.empty()) e.bad[i] = join(why, "; ");
  }
  auto good = [&](std::size_t i) { return !e.bad.contains(i); };
  auto candidate = [&](std::size_t i) { return snap.servers[i].id.candidate_master; };

  if (policy.new_master_host) {
    const std::string& host = *policy.new_master_host;
    std::vector<std::size_t> named;
    for (std::size_t i = 0; i < snap.servers.size(); ++i) {
      const topology::ServerIdentity& id = snap.servers[i].id;
      if ((id.hostname == host || id.ip == host) &&
          (policy.new_master_port == 0 || id.port == policy.new_master_port)) {
        named.push_back(i);
      }
    }
    const std::string spec =
        host + (policy.new_master_port ? ":" + std::to_string(policy.new_master_port) : "");
    std::string problem;
    if (named.empty()) {
      problem = "is not a configured server";
    } else if (named.size() > 1) {
      problem = "names several configured servers; add --new_master_port";
    } else if (!contains_index(managed, named.front())) {
      problem = "(" + snap.servers[named.front()].id.display() +
                ") is not an alive replica of the dead master";
    } else if (!good(named.front())) {
      problem = "(" + snap.servers[named.front()].id.display() +
                ") cannot be the new master: " + e.bad.at(named.front());
    }
    if (!problem.empty()) {
      e.refuse = Refuse{RefuseRule::kNewMasterHostInvalid,
                        "--new_master_host " + spec + " " + problem + ".", std::nullopt};
      return e;
    }
    e.chosen = named.front();
    e.rule = ElectionRule::kNewMasterHost;
    return e;
  }

  auto first = [&](const std::vector<std::size_t>& from, auto pred) -> std::optional<std::size_t> {
    for (std::size_t i : from) {
      if (pred(i)) return i;
    }
    return std::nullopt;
  };
  const bool any_candidate = std::any_of(managed.begin(), managed.end(), candidate);
  struct Rule {
    ElectionRule rule;
    bool enabled;
    const std::vector<std::size_t>* from;
    std::function<bool(std::size_t)> pred;
  };
  const std::vector<Rule> rules = {
      {ElectionRule::kLatestNoCandidates, policy.latest_priority && !any_candidate && e.bad.empty(),
       &ranking.latest, [](std::size_t) { return true; }},
      {ElectionRule::kLatestCandidateMaster, policy.latest_priority, &ranking.latest,
       [&](std::size_t i) { return candidate(i) && good(i); }},
      {ElectionRule::kCandidateMaster, true, &managed,
       [&](std::size_t i) { return candidate(i) && good(i); }},
      {ElectionRule::kLatest, policy.latest_priority, &ranking.latest, good},
      {ElectionRule::kAny, true, &managed, good},
  };
  for (const Rule& r : rules) {
    if (!r.enabled) continue;
    if (std::optional<std::size_t> c = first(*r.from, r.pred)) {
      e.chosen = c;
      e.rule = r.rule;
      return e;
    }
  }
  std::vector<std::string> parts;
  for (std::size_t i : managed) {
    parts.push_back(snap.servers[i].id.display() + ": " + e.bad.at(i));
  }
  e.refuse = Refuse{
      RefuseRule::kNoCandidate,
      "None of the replicas can be the new master" +
          (parts.empty() ? std::string(" (no alive replica)") : ": " + join(parts, "; ")) + ".",
      std::nullopt};
  return e;
}

}  // namespace mha::planner::internal
