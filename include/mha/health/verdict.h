#pragma once

// Verdict: what MasterHealth::evaluate() concludes about the master, with the evidence and the
// rule that decided, so the caller can log it and write the decision record. Pure data.
//
//   Alive    no failed ping in a row (or the server refuses us with an "alive" errno)
//   Suspect  pings fail, but the evidence does not yet agree; `needs` says what is missing
//   Dead     the evidence agrees: fail over
//   NotDead  pings fail, but a replica or the secondary check says the master is alive: no
//            failover, and `reason` is the log line that says why
//
// Thread-compatible value types.

#include "mha/health/evidence.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mha::health {

enum class Rule {
  kPingsOk,             // Alive: the last ping succeeded (or nothing failed yet)
  kAliveRefusal,        // Alive: the server answered with an "alive" errno
  kAwaitingEvidence,    // Suspect
  kReplicasSeeMaster,   // NotDead: at least one replica still reaches the master
  kSecondaryDisagrees,  // NotDead: secondary_check_script exited 2, 3 or other
  kPingThreshold,       // Dead: ping_failures_threshold failed pings, confirmed
  kRefusedWithSsh,      // Dead: refused while the host answers SSH, confirmed
  kProbesConfirm,       // Dead: probe_confirmed_pings failed pings, replicas' probes confirm
};

const char* rule_name(Rule r);  // stable ids: "pings_ok", "alive_refusal", ... "refused_with_ssh"

enum class Need {
  kMorePingFailures,  // the failure streak is shorter than the threshold
  kReplicaEvidence,   // not enough replicas confirm yet ("ask replicas")
  kSecondaryCheck,    // secondary_check_script has no fresh result ("run secondary check")
  kSshCheck,          // the refused fast path waits for the SSH check ("confirm with ssh")
};

const char* need_name(Need n);  // "more failed pings", "replica evidence", ...

struct ReplicaView {
  std::string replica;
  ReplicaVote vote = ReplicaVote::kNoEvidence;
  std::string why;  // judge_replica()'s text, or why the evidence did not count ("stale")
};

// Everything that counted (only fresh evidence) when the verdict was reached.
struct EvidenceSummary {
  int consecutive_failures = 0;
  int refused_in_a_row = 0;  // trailing refused failures of the streak
  std::optional<TimePoint> streak_started;
  std::optional<PingFailure> last_failure;
  std::vector<ReplicaView> replicas;  // in the order MasterHealth was created with
  int confirming = 0;                 // kMasterLost votes
  int probe_confirming = 0;           // of those, votes from a failed handshake probe
  int required = 0;                   // confirmations the policy requires (0: not required)
  int left_out = 0;  // ignore_fail replicas that are down, not counted (HealthPolicy)
  bool secondary_configured = false;
  std::optional<int> secondary_exit;        // fresh result only
  SshToMaster ssh = SshToMaster::kUnknown;  // fresh result only
};

struct Alive {
  Rule rule = Rule::kPingsOk;
  std::optional<unsigned> refusing_errno;  // set with kAliveRefusal: fix grants / max_connections
};

struct Suspect {
  Rule rule = Rule::kAwaitingEvidence;
  std::vector<Need> needs;  // never empty
  std::string waiting_for;  // "1 more failed ping; replica evidence from db3"
  EvidenceSummary evidence;
};

struct Dead {
  Rule rule = Rule::kPingThreshold;
  std::string summary;  // the evidence in one line, for the log and the failover report
  SshToMaster ssh_reachable = SshToMaster::kUnknown;  // decides stop vs stopssh for the scripts
  EvidenceSummary evidence;
};

struct NotDead {
  Rule rule = Rule::kReplicasSeeMaster;
  std::string reason;  // "the manager alone lost the master: db2 and db3 still reach it (...)"
  EvidenceSummary evidence;
};

using Verdict = std::variant<Alive, Suspect, Dead, NotDead>;

const char* verdict_name(const Verdict& v);  // "alive", "suspect", "dead", "not_dead"
Rule rule_of(const Verdict& v);
// One log line: "dead (refused_with_ssh): ...", "not_dead (replicas_see_master): ...".
std::string describe(const Verdict& v);

inline bool is_dead(const Verdict& v) { return std::holds_alternative<Dead>(v); }

}  // namespace mha::health
