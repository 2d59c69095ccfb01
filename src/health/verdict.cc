#include "mha/health/verdict.h"

#include <string>

namespace mha::health {

const char* rule_name(Rule r) {
  switch (r) {
    case Rule::kPingsOk:
      return "pings_ok";
    case Rule::kAliveRefusal:
      return "alive_refusal";
    case Rule::kAwaitingEvidence:
      return "awaiting_evidence";
    case Rule::kReplicasSeeMaster:
      return "replicas_see_master";
    case Rule::kSecondaryDisagrees:
      return "secondary_disagrees";
    case Rule::kPingThreshold:
      return "ping_threshold";
    case Rule::kRefusedWithSsh:
      return "refused_with_ssh";
    case Rule::kProbesConfirm:
      return "probes_confirm";
  }
  return "pings_ok";
}

const char* need_name(Need n) {
  switch (n) {
    case Need::kMorePingFailures:
      return "more failed pings";
    case Need::kReplicaEvidence:
      return "replica evidence";
    case Need::kSecondaryCheck:
      return "secondary check";
    case Need::kSshCheck:
      return "ssh check";
  }
  return "more failed pings";
}

const char* verdict_name(const Verdict& v) {
  struct Name {
    const char* operator()(const Alive&) const { return "alive"; }
    const char* operator()(const Suspect&) const { return "suspect"; }
    const char* operator()(const Dead&) const { return "dead"; }
    const char* operator()(const NotDead&) const { return "not_dead"; }
  };
  return std::visit(Name{}, v);
}

Rule rule_of(const Verdict& v) {
  return std::visit([](const auto& x) { return x.rule; }, v);
}

std::string describe(const Verdict& v) {
  struct Text {
    std::string operator()(const Alive& a) const {
      if (a.refusing_errno) {
        return "the master refuses the monitor with errno " + std::to_string(*a.refusing_errno) +
               "; mysqld is running, so this is not a failure (fix the grants or limits)";
      }
      return "pings succeed";
    }
    std::string operator()(const Suspect& s) const { return s.waiting_for; }
    std::string operator()(const Dead& d) const { return d.summary; }
    std::string operator()(const NotDead& n) const { return n.reason; }
  };
  return std::string(verdict_name(v)) + " (" + rule_name(rule_of(v)) +
         "): " + std::visit(Text{}, v);
}

}  // namespace mha::health
