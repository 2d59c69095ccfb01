// Stage 1: which servers take part in the failover (MHA Phase 1 checks 5 and the dead/failed
// slave rules, with ignore_fail).

#include "planner_internal.h"

namespace mha::planner::internal {
namespace {

std::string errno_suffix(const topology::ServerObservation& s) {
  if (!s.sql_error || s.sql_error->detail == 0) return "";
  return " (errno " + std::to_string(s.sql_error->detail) + ")";
}

}  // namespace

ServerRef ref(const topology::ClusterSnapshot& snap, std::size_t i) {
  return ServerRef{i, snap.servers[i].id.display()};
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

Classification classify_replicas(const topology::ClusterSnapshot& snap, std::size_t master,
                                 const FailoverPolicy& policy) {
  Classification c;
  struct Problem {
    std::size_t server;
    RefuseRule rule;
    std::string what;
  };
  std::vector<Problem> problems;
  const std::string master_name = snap.servers[master].id.display();
  for (std::size_t i = 0; i < snap.servers.size(); ++i) {
    if (i == master) continue;
    const topology::ServerObservation& s = snap.servers[i];
    std::optional<Problem> problem;
    if (s.sql == topology::SqlReach::kDead) {
      problem = Problem{i, RefuseRule::kReplicaFailed, "is dead" + errno_suffix(s)};
    } else if (s.sql == topology::SqlReach::kRefused) {
      problem =
          Problem{i, RefuseRule::kReplicaFailed, "refuses the manager's login" + errno_suffix(s)};
    } else if (!s.replica) {
      problem = Problem{i, RefuseRule::kDifferentMasters, "is alive but not replicating"};
    } else {
      const std::optional<std::size_t> up = snap.upstream_of(i);
      if (up == master) {
        c.stop_io.push_back(i);
        if (s.replica->sql_failed()) {
          problem = Problem{
              i, RefuseRule::kReplicaFailed,
              "has its SQL thread stopped with error " + std::to_string(s.replica->last_sql_errno)};
        } else {
          c.managed.push_back(i);
          c.notes[i] = "replicates from " + master_name;
        }
      } else if (up && policy.multi_tier_slave) {
        c.unmanaged[i] = *up;
        c.notes[i] = "multi-tier replica of " + snap.servers[*up].id.display() +
                     ": unmanaged, keeps replicating from it";
      } else if (up) {
        problem = Problem{i, RefuseRule::kDifferentMasters,
                          "replicates from " + snap.servers[*up].id.display() + ", not from " +
                              master_name + " (set multi_tier_slave=1 to leave it unmanaged)"};
      } else {
        problem = Problem{i, RefuseRule::kDifferentMasters,
                          "replicates from " + s.replica->master_host + ":" +
                              std::to_string(s.replica->master_port) +
                              ", which is not the dead master " + master_name};
      }
    }
    if (!problem) continue;
    if (s.id.ignore_fail) {
      c.left_out[i] = problem->what + "; ignore_fail=1, left out";
      c.notes[i] = c.left_out[i];
    } else {
      c.notes[i] = problem->what + "; ignore_fail=0";
      problems.push_back(*problem);
    }
  }
  if (!problems.empty()) {
    std::vector<std::string> parts;
    for (const Problem& p : problems)
      parts.push_back(snap.servers[p.server].id.display() + " " + p.what);
    c.refuse = Refuse{
        problems.front().rule,
        join(parts, "; ") + ". Repair it, or set ignore_fail=1 on it to fail over without it.",
        std::nullopt};
  }
  return c;
}

}  // namespace mha::planner::internal
