#pragma once

// MasterHealth: failure detection for one master as a state machine over injected observations.
// The monitoring loop owns one per monitored master, feeds it everything it observes, calls
// evaluate() after each observation and acts on the verdict; requests() tells it which evidence
// to collect next. No clock is read here: every observation carries the steady_clock time it was
// collected at, and evaluate()/requests() take "now".
//
//   loop:  ping -> observe_ping(outcome, t)        first failure -> requests() asks for replica
//          probes, the SSH check and the secondary check, run IN PARALLEL with the ping retries
//          (this is what confirms a hung master in seconds instead of after slave_net_timeout)
//          -> observe_replicas / observe_ssh / observe_secondary as results arrive
//          -> evaluate(now): Dead -> fail over; NotDead -> log reason; Suspect -> keep going
//
// Freshness: evidence counts only when it was collected at or after the first failed ping of the
// current streak AND is at most policy.evidence_max_age old. Stamp a probe with the time it was
// STARTED, so a probe that began before a streak never counts for it. Observations older than
// the one already held for the same source are ignored (parallel probes may finish out of order).
//
// Pings must be fed in the order they were made. Not thread-safe: one loop thread owns it.

#include "mha/common/result.h"
#include "mha/health/evidence.h"
#include "mha/health/policy.h"
#include "mha/health/verdict.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mha::health {

// What a ping did to the failure streak (after Envoy's HealthTransition).
enum class HealthTransition {
  kUnchanged,  // no streak before or after: the master stays alive
  kPending,    // a failure was counted (a streak began or grew): evaluate() and requests() again
  kChanged,    // a streak ended (success or "alive" refusal): the master is alive again
};

const char* health_transition_name(HealthTransition t);  // "unchanged", "pending", "changed"

// Evidence the loop should collect now. Empty outside a failure streak.
struct Requests {
  // Run SHOW SLAVE STATUS and a handshake probe (policy.handshake_probe_timeout) on these
  // replicas: those without fresh evidence or with evidence older than policy.reprobe_interval.
  std::vector<std::string> probe_replicas;
  bool check_ssh = false;            // SSH check of the master host
  bool run_secondary_check = false;  // only when policy.secondary_check_configured

  bool any() const { return !probe_replicas.empty() || check_ssh || run_secondary_check; }
};

class MasterHealth {
 public:
  // `replicas`: ids of the master's direct replicas (what ReplicaEvidence::replica names), in the
  // order reports should list them. Errors: ErrorCode::kConfig for an invalid policy, an empty
  // or duplicated replica id.
  static Result<MasterHealth> create(HealthPolicy policy, std::vector<std::string> replicas);

  // A success or an "alive" refusal ends the streak (an "alive" refusal proves mysqld runs, so it
  // does not count as a failure and earlier failures no longer count either); any other failure
  // extends it. Evidence gathered during an ended streak never counts again.
  HealthTransition observe_ping(const PingOutcome& outcome, TimePoint at);

  // Records the newest evidence per replica (a later entry for the same replica in one call
  // wins). Entries naming a replica not given to create() are skipped and reported as
  // ErrorCode::kNotFound; the others are still recorded.
  Status observe_replicas(const std::vector<ReplicaEvidence>& evidence, TimePoint at);

  void observe_secondary(SecondaryCheckResult result, TimePoint at);
  void observe_ssh(SshToMaster ssh, TimePoint at);

  Verdict evaluate(TimePoint now) const;
  Requests requests(TimePoint now) const;

  int consecutive_failures() const { return failures_; }
  std::optional<TimePoint> streak_started() const { return streak_started_; }
  const HealthPolicy& policy() const { return policy_; }
  const std::vector<std::string>& replicas() const { return replica_ids_; }

 private:
  template <typename T>
  struct Stamped {
    T value;
    TimePoint at;
  };

  MasterHealth(HealthPolicy policy, std::vector<std::string> replicas);

  bool fresh(TimePoint at, TimePoint now) const;
  bool due(const std::optional<TimePoint>& at, TimePoint now) const;
  EvidenceSummary summarize(TimePoint now) const;

  HealthPolicy policy_;
  std::vector<std::string> replica_ids_;

  int failures_ = 0;
  int refused_in_a_row_ = 0;
  std::optional<TimePoint> streak_started_;
  std::optional<PingFailure> last_failure_;
  std::optional<unsigned> refusing_errno_;  // set by an "alive" refusal, cleared by a success

  std::map<std::string, Stamped<ReplicaEvidence>> replica_evidence_;
  std::optional<Stamped<int>> secondary_exit_;
  std::optional<Stamped<SshToMaster>> ssh_;
};

}  // namespace mha::health
