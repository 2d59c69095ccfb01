#include "mha/health/master_health.h"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "text_internal.h"

namespace mha::health {
namespace {

using internal::failure_text;
using internal::join_names;

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "db2: IO thread Yes; db3: handshake probe succeeded" for the replicas with `vote`.
std::string views_text(const std::vector<ReplicaView>& views, ReplicaVote vote) {
  std::string out;
  for (const ReplicaView& v : views) {
    if (v.vote != vote) continue;
    if (!out.empty()) out += "; ";
    out += v.replica + ": " + v.why;
  }
  return out;
}

std::vector<std::string> names_with(const std::vector<ReplicaView>& views, ReplicaVote vote) {
  std::vector<std::string> names;
  for (const ReplicaView& v : views) {
    if (v.vote == vote) names.push_back(v.replica);
  }
  return names;
}

std::string replicas_veto_reason(const EvidenceSummary& ev) {
  const std::vector<std::string> alive = names_with(ev.replicas, ReplicaVote::kMasterAlive);
  const std::vector<std::string> lost = names_with(ev.replicas, ReplicaVote::kMasterLost);
  const char* verb = alive.size() == 1 ? " still reaches" : " still reach";
  if (lost.empty()) {
    return "the manager alone lost the master: " + join_names(alive) + verb + " it (" +
           views_text(ev.replicas, ReplicaVote::kMasterAlive) + "); not failing over";
  }
  return "replicas disagree: " + join_names(alive) + verb + " the master while " +
         join_names(lost) + (lost.size() == 1 ? " has" : " have") + " lost it (" +
         views_text(ev.replicas, ReplicaVote::kMasterAlive) + "; " +
         views_text(ev.replicas, ReplicaVote::kMasterLost) +
         "); a partial partition, not failing over";
}

std::string secondary_veto_reason(int exit_code) {
  return "secondary_check_script exited " + std::to_string(exit_code) + ": " +
         secondary_meaning_text(interpret_secondary(exit_code)) + "; not failing over";
}

std::string pings_text(const EvidenceSummary& ev) {
  std::string text = plural(ev.consecutive_failures, "failed ping", "failed pings") + " in a row";
  if (ev.last_failure) text += " (last: " + failure_text(*ev.last_failure) + ")";
  return text;
}

constexpr std::string_view kLeftOut = " (ignore_fail: left out of the quorum)";

std::string replicas_text(const EvidenceSummary& ev) {
  if (ev.required == 0) return "replica confirmation not required";
  std::string text = "replicas confirm (" + std::to_string(ev.confirming) + ", " +
                     std::to_string(ev.required) +
                     " required): " + views_text(ev.replicas, ReplicaVote::kMasterLost);
  if (ev.left_out > 0) {
    std::string names;
    for (const ReplicaView& v : ev.replicas) {
      if (v.why.ends_with(kLeftOut)) names += (names.empty() ? "" : ", ") + v.replica;
    }
    text += "; down and ignore_fail, left out of the quorum: " + names;
  }
  return text;
}

std::string missing_replicas_text(const EvidenceSummary& ev) {
  std::string text = "replica confirmation (" + std::to_string(ev.confirming) + " of " +
                     std::to_string(ev.required) + " required";
  std::string others;
  for (const ReplicaView& v : ev.replicas) {
    if (v.vote == ReplicaVote::kMasterLost) continue;
    if (!others.empty()) others += "; ";
    others += v.replica + ": " + v.why;
  }
  if (!others.empty()) text += "; " + others;
  if (ev.replicas.empty()) text += "; no replica to ask";
  return text + ")";
}

}  // namespace

const char* health_transition_name(HealthTransition t) {
  switch (t) {
    case HealthTransition::kUnchanged:
      return "unchanged";
    case HealthTransition::kPending:
      return "pending";
    case HealthTransition::kChanged:
      return "changed";
  }
  return "unchanged";
}

Result<MasterHealth> MasterHealth::create(HealthPolicy policy, std::vector<std::string> replicas) {
  MHA_TRY(validate_policy(policy));
  std::set<std::string> seen;
  for (const std::string& id : replicas) {
    if (id.empty()) return Unexpected(make_error(ErrorCode::kConfig, "health: empty replica id"));
    if (!seen.insert(id).second) {
      return Unexpected(make_error(ErrorCode::kConfig, "health: replica " + id + " listed twice"));
    }
  }
  return MasterHealth(std::move(policy), std::move(replicas));
}

MasterHealth::MasterHealth(HealthPolicy policy, std::vector<std::string> replicas)
    : policy_(std::move(policy)), replica_ids_(std::move(replicas)) {}

HealthTransition MasterHealth::observe_ping(const PingOutcome& outcome, TimePoint at) {
  const bool in_streak = failures_ > 0;
  if (outcome.succeeded() || outcome.failure->kind == PingFailureKind::kAliveRefusal) {
    refusing_errno_.reset();
    if (!outcome.succeeded()) refusing_errno_ = outcome.failure->mysql_errno;
    // Whatever was gathered for this streak described a master we now know answers; it must not
    // count for the next one, even with equal timestamps.
    failures_ = 0;
    refused_in_a_row_ = 0;
    streak_started_.reset();
    last_failure_.reset();
    replica_evidence_.clear();
    secondary_exit_.reset();
    ssh_.reset();
    return in_streak ? HealthTransition::kChanged : HealthTransition::kUnchanged;
  }
  const PingFailure& f = *outcome.failure;
  if (!in_streak) streak_started_ = at;
  ++failures_;
  refused_in_a_row_ = f.kind == PingFailureKind::kRefused ? refused_in_a_row_ + 1 : 0;
  last_failure_ = f;
  refusing_errno_.reset();
  return HealthTransition::kPending;
}

Status MasterHealth::observe_replicas(const std::vector<ReplicaEvidence>& evidence, TimePoint at) {
  std::vector<std::string> unknown;
  for (const ReplicaEvidence& e : evidence) {
    if (std::find(replica_ids_.begin(), replica_ids_.end(), e.replica) == replica_ids_.end()) {
      unknown.push_back(e.replica.empty() ? "\"\"" : e.replica);
      continue;
    }
    auto it = replica_evidence_.find(e.replica);
    if (it != replica_evidence_.end() && it->second.at > at) continue;  // a newer one is held
    replica_evidence_.insert_or_assign(e.replica, Stamped<ReplicaEvidence>{e, at});
  }
  if (!unknown.empty()) {
    return Unexpected(make_error(ErrorCode::kNotFound, "health: evidence for unknown replica(s) " +
                                                           join_names(unknown) + " ignored"));
  }
  return ok_status();
}

void MasterHealth::observe_secondary(SecondaryCheckResult result, TimePoint at) {
  if (secondary_exit_ && secondary_exit_->at > at) return;
  secondary_exit_ = Stamped<int>{result.exit_code, at};
}

void MasterHealth::observe_ssh(SshToMaster ssh, TimePoint at) {
  if (ssh_ && ssh_->at > at) return;
  ssh_ = Stamped<SshToMaster>{ssh, at};
}

bool MasterHealth::fresh(TimePoint at, TimePoint now) const {
  return streak_started_ && at >= *streak_started_ && now - at <= policy_.evidence_max_age;
}

bool MasterHealth::due(const std::optional<TimePoint>& at, TimePoint now) const {
  return !at || !fresh(*at, now) || now - *at >= policy_.reprobe_interval;
}

EvidenceSummary MasterHealth::summarize(TimePoint now) const {
  EvidenceSummary s;
  s.consecutive_failures = failures_;
  s.refused_in_a_row = refused_in_a_row_;
  s.streak_started = streak_started_;
  s.last_failure = last_failure_;
  for (const std::string& id : replica_ids_) {
    ReplicaView v{id, ReplicaVote::kNoEvidence, "no evidence"};
    auto it = replica_evidence_.find(id);
    if (it != replica_evidence_.end()) {
      const TimePoint at = it->second.at;
      if (fresh(at, now)) {
        ReplicaJudgement j = judge_replica(it->second.value);
        v.vote = j.vote;
        v.why = std::move(j.why);
      } else if (streak_started_ && at < *streak_started_) {
        v.why = "evidence predates the failure streak";
      } else {
        v.why = "evidence older than evidence_max_age";
      }
    }
    if (v.vote == ReplicaVote::kMasterLost) {
      ++s.confirming;
      if (it->second.value.probe == HandshakeProbe::kFailed) ++s.probe_confirming;
    }
    if (v.vote == ReplicaVote::kNoOpinion && !it->second.value.io_state.has_value() &&
        policy_.ignore_fail_replicas.count(id) > 0) {
      ++s.left_out;
      v.why += kLeftOut;
    }
    s.replicas.push_back(std::move(v));
  }
  if (policy_.require_replica_confirmation) {
    const int n = static_cast<int>(replica_ids_.size()) - s.left_out;
    s.required = std::max(1, required_confirmations(policy_.replica_quorum, n));
  }
  s.secondary_configured = policy_.secondary_check_configured;
  if (secondary_exit_ && fresh(secondary_exit_->at, now)) s.secondary_exit = secondary_exit_->value;
  if (ssh_ && fresh(ssh_->at, now)) s.ssh = ssh_->value;
  return s;
}

Verdict MasterHealth::evaluate(TimePoint now) const {
  if (failures_ == 0) {
    if (refusing_errno_) return Alive{Rule::kAliveRefusal, refusing_errno_};
    return Alive{};
  }
  EvidenceSummary ev = summarize(now);

  // Vetoes first: one witness that the master is alive outweighs any number of failed pings.
  if (policy_.require_replica_confirmation &&
      std::any_of(ev.replicas.begin(), ev.replicas.end(),
                  [](const ReplicaView& v) { return v.vote == ReplicaVote::kMasterAlive; })) {
    std::string reason = replicas_veto_reason(ev);
    return NotDead{Rule::kReplicasSeeMaster, std::move(reason), std::move(ev)};
  }
  if (ev.secondary_configured && ev.secondary_exit && *ev.secondary_exit != 0) {
    std::string reason = secondary_veto_reason(*ev.secondary_exit);
    return NotDead{Rule::kSecondaryDisagrees, std::move(reason), std::move(ev)};
  }

  const bool threshold = failures_ >= policy_.ping_failures_threshold;
  const bool fast_enabled = policy_.refused_pings_required > 0;
  const bool fast = fast_enabled && refused_in_a_row_ >= policy_.refused_pings_required &&
                    ev.ssh == SshToMaster::kReachable;
  const bool replicas_ok = ev.confirming >= ev.required;
  const bool secondary_ok = !ev.secondary_configured || ev.secondary_exit.has_value();
  // Only with confirmation required: without it, "the replicas' probes agree" has no quorum.
  const bool probes_enabled =
      policy_.probe_confirmed_pings > 0 && policy_.require_replica_confirmation;
  const bool probes_agree = probes_enabled && failures_ >= policy_.probe_confirmed_pings &&
                            ev.required > 0 && ev.probe_confirming >= ev.required;
  // The SSH check decides stopssh vs stop and whether the dead master's binlog can be salvaged;
  // on the fast paths it must have answered, or a hung master on a living host would be fenced
  // without SSH and its binlog left behind. Without an answer the threshold path still applies.
  const bool probes = probes_agree && ev.ssh != SshToMaster::kUnknown;

  if ((threshold || fast || probes) && replicas_ok && secondary_ok) {
    Dead d;
    d.rule = fast ? Rule::kRefusedWithSsh : threshold ? Rule::kPingThreshold : Rule::kProbesConfirm;
    if (d.rule == Rule::kProbesConfirm) {
      d.summary = "master is dead: " + pings_text(ev) +
                  ", and the replicas' own handshake probes get no greeting from it either";
    } else if (fast) {
      d.summary = "master is dead: connection refused (" + failure_text(*ev.last_failure) + ")";
      if (ev.refused_in_a_row > 1) {
        d.summary += ", " + std::to_string(ev.refused_in_a_row) + " times in a row,";
      }
      d.summary += " while the host answers SSH: mysqld is down on a living host";
    } else {
      d.summary = "master is dead: " + pings_text(ev);
    }
    d.summary += "; " + replicas_text(ev);
    d.summary += ev.secondary_configured ? "; secondary_check_script agrees (exit 0)"
                                         : "; no secondary_check_script";
    d.summary += std::string("; ssh to the master host: ") + ssh_to_master_name(ev.ssh);
    d.ssh_reachable = ev.ssh;
    d.evidence = std::move(ev);
    return d;
  }

  Suspect s;
  std::vector<std::string> waits;
  if (!threshold && !fast && !probes) {
    s.needs.push_back(Need::kMorePingFailures);
    const int more = policy_.ping_failures_threshold - failures_;
    std::string wait = plural(more, "more failed ping", "more failed pings");
    if (probes_enabled && failures_ < policy_.probe_confirmed_pings) {
      wait += " (" + std::to_string(policy_.probe_confirmed_pings - failures_) +
              " if the replicas' handshake probes confirm)";
    } else if (probes_enabled) {
      wait += " (or the replicas' handshake probes confirming)";
    }
    waits.push_back(std::move(wait));
  }
  if (fast_enabled && !fast && refused_in_a_row_ > 0 && ev.ssh == SshToMaster::kUnknown) {
    s.needs.push_back(Need::kSshCheck);
    waits.push_back("the ssh check of the master host (refused: mysqld may have crashed)");
  } else if (probes_agree && !threshold && ev.ssh == SshToMaster::kUnknown) {
    s.needs.push_back(Need::kSshCheck);
    waits.push_back("the ssh check of the master host (the probes agree it is dead)");
  }
  if (!replicas_ok) {
    s.needs.push_back(Need::kReplicaEvidence);
    waits.push_back(missing_replicas_text(ev));
  }
  if (!secondary_ok) {
    s.needs.push_back(Need::kSecondaryCheck);
    waits.push_back("secondary_check_script");
  }
  s.waiting_for = pings_text(ev) + "; waiting for: ";
  for (std::size_t i = 0; i < waits.size(); ++i) {
    if (i > 0) s.waiting_for += "; ";
    s.waiting_for += waits[i];
  }
  s.evidence = std::move(ev);
  return s;
}

Requests MasterHealth::requests(TimePoint now) const {
  Requests r;
  if (failures_ == 0) return r;
  if (policy_.require_replica_confirmation) {
    for (const std::string& id : replica_ids_) {
      auto it = replica_evidence_.find(id);
      if (it == replica_evidence_.end() || due(it->second.at, now)) r.probe_replicas.push_back(id);
    }
  }
  r.check_ssh = due(ssh_ ? std::optional<TimePoint>(ssh_->at) : std::nullopt, now);
  r.run_secondary_check =
      policy_.secondary_check_configured &&
      due(secondary_exit_ ? std::optional<TimePoint>(secondary_exit_->at) : std::nullopt, now);
  return r;
}

}  // namespace mha::health
