#pragma once

// decide_failover(): what to do about a master, as a pure function of what was observed (the
// snapshot), what is configured and was detected (the policy) and the time. No I/O, no clock
// reads, no logging: reasons come back as data for the caller to log and to write as the decision
// record. Deterministic: the same inputs always give the same decision, byte for byte once
// rendered. Thread-compatible (no shared state).
//
// Rules, in the order they are applied (docs/failover.md explains each and where we differ from
// MHA):
//   1. no confirmed dead master                          -> NoFailover
//   2. .failover.error marker / last failover too recent -> Refuse (unless ignore_last_failover)
//   3. the dead master is not the replicas' master, replicas with different masters, a dead or
//      broken replica without ignore_fail                -> Refuse
//   4. latest replicas (most received), election (MHA §3.6 order) with bad candidates excluded
//      and a why/why-not line per replica                -> Refuse when nobody qualifies
//   5. plan: fence, catch up from the latest, re-point, promote, VIP, report. A plan that needs a
//      step not implemented yet (none today) -> Refuse carrying that plan.

#include "mha/planner/policy.h"
#include "mha/planner/position.h"
#include "mha/planner/steps.h"
#include "mha/topology/cluster_snapshot.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mha::planner {

struct NoFailover {
  std::string reason;
};

enum class RefuseRule {
  kErrorMarker,           // .failover.error exists
  kRecentFailover,        // .failover.complete younger than last_failover_minute
  kMasterMismatch,        // detection names another master than the replicas replicate from
  kMasterUndetermined,    // no master can be derived from the snapshot
  kDifferentMasters,      // replicas replicate from different masters
  kReplicaFailed,         // a replica without ignore_fail is dead, refused or broken
  kUnorderedPositions,    // received positions cannot be compared (different binlog names)
  kNewMasterHostInvalid,  // --new_master_host is unknown, dead or a bad candidate
  kNoCandidate,           // no replica qualifies as new master
  kCatchUpImpossible,     // the data the new master lacks cannot be fetched (errant/no binlog)
  kRelayDiffNeeded,       // the plan holds a step not implemented yet (none today)
};
const char* refuse_rule_name(RefuseRule r);  // "error_marker", "recent_failover", ...

// The election rule that chose the new master (MHA §3.6 (a)-(e), plus --new_master_host).
enum class ElectionRule {
  kNewMasterHost,          // --new_master_host
  kLatestNoCandidates,     // (a) no candidate_master and no bad replica: first latest
  kLatestCandidateMaster,  // (b) first latest replica with candidate_master=1
  kCandidateMaster,        // (c) first candidate_master=1 in config order
  kLatest,                 // (d) first latest replica
  kAny,                    // (e) first replica in config order
};
const char* election_rule_name(ElectionRule r);  // "new_master_host", "latest_candidate_master"..

struct NotRecovered {
  ServerRef server;
  std::string reason;
};

struct FailoverPlan {
  ReplicationMode mode = ReplicationMode::kFilePosition;
  ServerRef dead_master;
  ServerRef new_master;
  std::vector<ServerRef> latest;            // replicas that received the most, config order
  std::vector<ServerRef> new_replicas;      // re-pointed to the new master, config order
  std::vector<NotRecovered> not_recovered;  // left out (ignore_fail, --skip_change_master): rc 10
  std::vector<ServerRef> unmanaged;         // multi-tier replicas, left replicating as they are
  std::vector<std::string> warnings;        // facts the operator should know (no VIP script, ...)
  std::vector<PlanStep> steps;
};

struct Refuse {
  RefuseRule rule = RefuseRule::kNoCandidate;
  std::string reason;  // one line naming the server(s), positions and the way out
  // The plan that would have run, when the refusal is only about unimplemented steps.
  std::optional<FailoverPlan> blocked_plan;
};

using Outcome = std::variant<NoFailover, Refuse, FailoverPlan>;

// Why a replica was or was not chosen.
struct CandidateVerdict {
  ServerRef server;
  std::string received;  // ReceivedPosition::to_string(), "" when not a usable replica
  bool latest = false;
  bool candidate_master = false;
  bool eligible = false;  // alive, managed and not a bad candidate
  bool chosen = false;
  std::string why;  // "chosen: ..." or why not
};

// The inputs and reasoning behind a decision, for the log and the JSON decision record.
struct DecisionRecord {
  TimePoint decided_at{};
  TimePoint snapshot_taken_at{};
  std::string dead_master;  // display name, "" when undetermined
  std::string evidence;     // DetectionEvidence::summary
  std::optional<bool> dead_master_ssh_reachable;
  std::optional<ReplicationMode> mode;
  std::vector<std::string> inputs;           // "ignore_last_failover=0", "latest_priority=1", ...
  std::string rule;                          // "refuse:error_marker", "elect:candidate_master", ...
  std::vector<CandidateVerdict> candidates;  // every configured server but the dead master
};

struct Decision {
  Outcome outcome;
  DecisionRecord record;

  const FailoverPlan* plan() const { return std::get_if<FailoverPlan>(&outcome); }
  const Refuse* refusal() const { return std::get_if<Refuse>(&outcome); }
  const NoFailover* no_failover() const { return std::get_if<NoFailover>(&outcome); }
};

Decision decide_failover(const topology::ClusterSnapshot& snapshot, const FailoverPolicy& policy,
                         TimePoint now);

}  // namespace mha::planner
