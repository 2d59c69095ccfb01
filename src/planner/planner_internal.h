#pragma once

// The stages of decide_failover(), private to the planner. Each stage is a pure function over the
// snapshot and what the previous stages found; decide.cc strings them together.

#include "mha/planner/decision.h"
#include "mha/topology/cluster_snapshot.h"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mha::planner::internal {

ServerRef ref(const topology::ClusterSnapshot& snap, std::size_t i);
std::string join(const std::vector<std::string>& parts, const std::string& sep = ", ");

// Stage 1: which servers take part. Every configured server but the master lands in exactly one
// of managed / left_out / unmanaged, or makes the failover refuse.
struct Classification {
  std::vector<std::size_t> managed;              // alive replicas of the master, SQL thread fine
  std::map<std::size_t, std::string> left_out;   // ignore_fail=1 servers that cannot take part
  std::vector<std::size_t> stop_io;              // every alive replica of the master
  std::map<std::size_t, std::size_t> unmanaged;  // multi-tier replica -> the server it follows
  std::map<std::size_t, std::string> notes;      // why a server is where it is (decision record)
  std::optional<Refuse> refuse;
};
Classification classify_replicas(const topology::ClusterSnapshot& snap, std::size_t master,
                                 const FailoverPolicy& policy);

// Errant transactions of a managed replica: executed there, but received by no replica from the
// master (GTID modes only). `mysql` holds the set in MySQL mode, to keep it out of the ranking.
struct Errant {
  std::string text;
  topology::GtidSet mysql;
};
std::map<std::size_t, Errant> find_errant(const topology::ClusterSnapshot& snap,
                                          const std::vector<std::size_t>& managed,
                                          ReplicationMode mode);

// Stage 2: what each managed replica received, and the latest ones (maximal, config order).
struct Ranking {
  std::map<std::size_t, ReceivedPosition> received;
  std::vector<std::size_t> latest;
  std::optional<Refuse> refuse;
};
Ranking rank_replicas(const topology::ClusterSnapshot& snap,
                      const std::vector<std::size_t>& managed, ReplicationMode mode,
                      const std::map<std::size_t, Errant>& errant);

// Stage 3: the election (MHA §3.6) among managed replicas.
struct Election {
  std::optional<std::size_t> chosen;
  std::optional<ElectionRule> rule;
  std::map<std::size_t, std::string> bad;  // bad candidate -> why
  std::optional<Refuse> refuse;
};
Election elect_new_master(const topology::ClusterSnapshot& snap, const FailoverPolicy& policy,
                          const std::vector<std::size_t>& managed, const Ranking& ranking,
                          const std::map<std::size_t, Errant>& errant);

// Stage 4: the steps. Refuses when the new master cannot get the data it lacks; a plan with
// unimplemented steps is returned as is (decide.cc gates it).
struct PlanInputs {
  std::size_t master = 0;
  std::size_t new_master = 0;
  ReplicationMode mode = ReplicationMode::kFilePosition;
  const Classification* classes = nullptr;
  const Ranking* ranking = nullptr;
  const std::map<std::size_t, Errant>* errant = nullptr;
};
std::variant<FailoverPlan, Refuse> build_plan(const topology::ClusterSnapshot& snap,
                                              const FailoverPolicy& policy, const PlanInputs& in);

}  // namespace mha::planner::internal
