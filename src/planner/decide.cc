// decide_failover(): the rules in the order decision.h lists them.

#include "mha/common/time_text.h"

#include <algorithm>

#include "planner_internal.h"

namespace mha::planner {
namespace {

using internal::ref;

const char* flag(bool b) { return b ? "1" : "0"; }

std::vector<std::string> policy_inputs(const FailoverPolicy& p) {
  std::vector<std::string> in = {
      std::string("ignore_last_failover=") + flag(p.ignore_last_failover),
      "last_failover_minute=" + std::to_string(p.last_failover_minute.count()),
      std::string("error_marker=") + (p.markers.error_marker_exists ? "present" : "absent"),
      "last_failover_complete=" +
          (p.markers.last_complete ? iso8601_utc(*p.markers.last_complete) : "none"),
      std::string("latest_priority=") + flag(p.latest_priority),
      std::string("check_repl_delay=") + flag(p.check_repl_delay),
      std::string("multi_tier_slave=") + flag(p.multi_tier_slave),
      std::string("skip_change_master=") + flag(p.skip_change_master),
      std::string("skip_disable_read_only=") + flag(p.skip_disable_read_only),
      std::string("already_fenced=") + flag(p.already_fenced),
  };
  if (p.new_master_host) {
    in.push_back("new_master_host=" + *p.new_master_host +
                 (p.new_master_port ? ":" + std::to_string(p.new_master_port) : ""));
  }
  return in;
}

Decision finish(Decision d, Outcome outcome, std::string rule) {
  d.outcome = std::move(outcome);
  d.record.rule = std::move(rule);
  return d;
}

Decision refuse(Decision d, Refuse r) {
  std::string rule = std::string("refuse:") + refuse_rule_name(r.rule);
  return finish(std::move(d), std::move(r), std::move(rule));
}

// Every configured server but the dead master, with what the stages found about it.
void fill_verdicts(Decision& d, const topology::ClusterSnapshot& snap, std::size_t master,
                   const internal::Classification& classes, const internal::Ranking* ranking,
                   const internal::Election* election) {
  for (std::size_t i = 0; i < snap.servers.size(); ++i) {
    if (i == master) continue;
    CandidateVerdict v;
    v.server = ref(snap, i);
    v.candidate_master = snap.servers[i].id.candidate_master;
    const bool managed =
        std::find(classes.managed.begin(), classes.managed.end(), i) != classes.managed.end();
    if (ranking != nullptr && ranking->received.contains(i)) {
      v.received = ranking->received.at(i).to_string();
      v.latest =
          std::find(ranking->latest.begin(), ranking->latest.end(), i) != ranking->latest.end();
    }
    if (!managed) {
      v.why = classes.notes.contains(i) ? classes.notes.at(i) : "not taking part";
    } else if (election == nullptr) {
      v.why = "alive replica; no election was held";
    } else if (election->bad.contains(i)) {
      v.why = "bad candidate: " + election->bad.at(i);
    } else {
      v.eligible = true;
      if (election->chosen == i) {
        v.chosen = true;
        v.why = std::string("chosen by rule ") + election_rule_name(*election->rule);
        if (v.latest) v.why += "; latest";
        if (v.candidate_master) v.why += "; candidate_master=1";
      } else if (election->chosen) {
        v.why = std::string("eligible; rule ") + election_rule_name(*election->rule) + " chose " +
                snap.servers[*election->chosen].id.display() + " first";
      } else {
        v.why = "eligible";
      }
    }
    d.record.candidates.push_back(std::move(v));
  }
}

}  // namespace

const char* refuse_rule_name(RefuseRule r) {
  switch (r) {
    case RefuseRule::kErrorMarker:
      return "error_marker";
    case RefuseRule::kRecentFailover:
      return "recent_failover";
    case RefuseRule::kMasterMismatch:
      return "master_mismatch";
    case RefuseRule::kMasterUndetermined:
      return "master_undetermined";
    case RefuseRule::kDifferentMasters:
      return "different_masters";
    case RefuseRule::kReplicaFailed:
      return "replica_failed";
    case RefuseRule::kUnorderedPositions:
      return "unordered_positions";
    case RefuseRule::kNewMasterHostInvalid:
      return "new_master_host_invalid";
    case RefuseRule::kNoCandidate:
      return "no_candidate";
    case RefuseRule::kCatchUpImpossible:
      return "catch_up_impossible";
    case RefuseRule::kRelayDiffNeeded:
      return "relay_diff_needed";
  }
  return "unknown";
}

const char* election_rule_name(ElectionRule r) {
  switch (r) {
    case ElectionRule::kNewMasterHost:
      return "new_master_host";
    case ElectionRule::kLatestNoCandidates:
      return "latest_no_candidates";
    case ElectionRule::kLatestCandidateMaster:
      return "latest_candidate_master";
    case ElectionRule::kCandidateMaster:
      return "candidate_master";
    case ElectionRule::kLatest:
      return "latest";
    case ElectionRule::kAny:
      return "any";
  }
  return "unknown";
}

Decision decide_failover(const topology::ClusterSnapshot& snap, const FailoverPolicy& policy,
                         TimePoint now) {
  Decision d;
  d.record.decided_at = now;
  d.record.snapshot_taken_at = snap.taken_at;
  d.record.evidence = policy.evidence.summary;
  d.record.dead_master_ssh_reachable = policy.evidence.ssh_reachable;
  d.record.inputs = policy_inputs(policy);

  // Which master: the one detection watched, which must be the one the replicas follow.
  std::optional<std::size_t> master = snap.derive_master();
  const DetectionEvidence& ev = policy.evidence;
  if (!ev.master_dead && !ev.assume_dead) {
    if (master) d.record.dead_master = snap.servers[*master].id.display();
    return finish(std::move(d),
                  NoFailover{"Failure detection has not confirmed that the master" +
                             (master ? " " + snap.servers[*master].id.display() : std::string()) +
                             " is dead."},
                  "no_failover:not_confirmed");
  }
  if (!ev.dead_master_host.empty()) {
    const std::optional<std::size_t> named = snap.find(ev.dead_master_host, ev.dead_master_port);
    const std::string spec = ev.dead_master_host + ":" + std::to_string(ev.dead_master_port);
    if (!named) {
      return refuse(std::move(d), Refuse{RefuseRule::kMasterMismatch,
                                         "The dead master " + spec + " is not a configured server.",
                                         std::nullopt});
    }
    if (master && *master != *named) {
      return refuse(std::move(d), Refuse{RefuseRule::kMasterMismatch,
                                         "Detection declared " + snap.servers[*named].id.display() +
                                             " dead, but the replicas replicate from " +
                                             snap.servers[*master].id.display() + ".",
                                         std::nullopt});
    }
    master = named;
  }
  if (!master) {
    return refuse(std::move(d),
                  Refuse{RefuseRule::kMasterUndetermined,
                         "No master can be derived: no alive replica points at a single "
                         "configured server.",
                         std::nullopt});
  }
  const topology::ServerObservation& m = snap.servers[*master];
  d.record.dead_master = m.id.display();

  // Rule 1: only a master that is dead by the evidence and by the snapshot.
  if (m.sql == topology::SqlReach::kAlive) {
    return finish(std::move(d), NoFailover{m.id.display() + " answers SQL: it is not dead."},
                  "no_failover:master_alive");
  }
  if (m.sql == topology::SqlReach::kRefused) {
    return finish(std::move(d),
                  NoFailover{m.id.display() + " answered but refused the login" +
                             (m.sql_error ? " (errno " + std::to_string(m.sql_error->detail) + ")"
                                          : std::string()) +
                             ": a running server, not a crashed one."},
                  "no_failover:master_refused");
  }

  // Rule 2: the markers (MHA's anti-flapping guard).
  if (!policy.ignore_last_failover) {
    if (policy.markers.error_marker_exists) {
      return refuse(std::move(d),
                    Refuse{RefuseRule::kErrorMarker,
                           "The last failover failed (.failover.error exists in manager_workdir). "
                           "Check the cluster, then remove the file or run with "
                           "--ignore_last_failover.",
                           std::nullopt});
    }
    if (policy.markers.last_complete &&
        now - *policy.markers.last_complete < policy.last_failover_minute) {
      return refuse(
          std::move(d),
          Refuse{RefuseRule::kRecentFailover,
                 "The last failover completed at " + iso8601_utc(*policy.markers.last_complete) +
                     ", less than " + std::to_string(policy.last_failover_minute.count()) +
                     " minutes (--last_failover_minute) before " + iso8601_utc(now) +
                     ". Run with --ignore_last_failover or remove .failover.complete to allow "
                     "another one.",
                 std::nullopt});
    }
  }

  // Rule 3: who takes part.
  internal::Classification classes = internal::classify_replicas(snap, *master, policy);
  if (classes.refuse) {
    fill_verdicts(d, snap, *master, classes, nullptr, nullptr);
    return refuse(std::move(d), std::move(*classes.refuse));
  }
  const ReplicationMode mode = derive_mode(snap, classes.managed);
  d.record.mode = mode;

  // Rule 4: latest replicas and the election.
  const std::map<std::size_t, internal::Errant> errant =
      internal::find_errant(snap, classes.managed, mode);
  internal::Ranking ranking = internal::rank_replicas(snap, classes.managed, mode, errant);
  if (ranking.refuse) {
    fill_verdicts(d, snap, *master, classes, &ranking, nullptr);
    return refuse(std::move(d), std::move(*ranking.refuse));
  }
  internal::Election election =
      internal::elect_new_master(snap, policy, classes.managed, ranking, errant);
  fill_verdicts(d, snap, *master, classes, &ranking, &election);
  if (election.refuse) return refuse(std::move(d), std::move(*election.refuse));

  // Rule 5: the plan, gated on what is implemented.
  internal::PlanInputs in{*master, *election.chosen, mode, &classes, &ranking, &errant};
  std::variant<FailoverPlan, Refuse> built = internal::build_plan(snap, policy, in);
  if (Refuse* r = std::get_if<Refuse>(&built)) return refuse(std::move(d), std::move(*r));
  FailoverPlan plan = std::get<FailoverPlan>(std::move(built));
  std::vector<std::string> missing;
  for (const PlanStep& step : plan.steps) {
    if (!step_implemented(step)) missing.push_back(describe_step(step));
  }
  if (!missing.empty()) {
    return refuse(std::move(d), Refuse{RefuseRule::kRelayDiffNeeded,
                                       "The plan needs steps that are not implemented yet: " +
                                           internal::join(missing, "; "),
                                       std::move(plan)});
  }
  return finish(std::move(d), std::move(plan),
                std::string("elect:") + election_rule_name(*election.rule));
}

}  // namespace mha::planner
