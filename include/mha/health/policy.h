#pragma once

// HealthPolicy: the knobs of failure detection. The manager builds it from the configuration
// (ping failures, secondary_check_script presence, ...); defaults follow docs/detection.md, which
// explains each choice. Plain value type.

#include "mha/common/result.h"

#include <chrono>
#include <set>
#include <string>

namespace mha::health {

// How many of the master's direct replicas must confirm that they lost it. In every mode a
// single fresh "still reaches the master" from any replica vetoes the failover (partial
// partition: the master is alive for someone, so promoting another server splits the brain).
enum class ReplicaQuorum {
  kAny,       // at least one confirmation
  kMajority,  // more than half of the replicas (2 of 2, 2 of 3, 3 of 4, ...)
  kAll,       // every replica
};

const char* replica_quorum_name(ReplicaQuorum q);  // "any", "majority", "all"

// Confirmations `q` requires among `replica_count` replicas (0 replicas -> 0 for kAny/kAll,
// which MasterHealth treats as "cannot confirm": see require_replica_confirmation).
int required_confirmations(ReplicaQuorum q, int replica_count);

struct HealthPolicy {
  // Consecutive failed pings that declare the master dead (with the confirmations below). MHA:
  // 4, the initial failure and three retries.
  int ping_failures_threshold = 4;

  // The fast path for a crashed mysqld on a living host: this many consecutive refused pings, SSH
  // to the master host working, and the same replica/secondary confirmations as the slow path
  // declare the master dead without waiting out ping_failures_threshold. 1 = at the first refused
  // ping. 0 disables the fast path. Raise it to ride over mysqld restarts shorter than
  // (refused_pings_required - 1) x ping_interval.
  int refused_pings_required = 1;

  // The probe-confirmed path for a hung or cut-off master: this many consecutive failed pings
  // (any kind) are enough when the replica quorum below is reached by replicas whose own
  // handshake probe, run on their hosts after the streak began, got no greeting from the master.
  // A probe is direct evidence from another vantage point that mysqld does not answer there
  // either, which is what the remaining pings of ping_failures_threshold wait for; IO-thread
  // votes do not count for this path (they lag by slave_net_timeout). The secondary check, where
  // configured, is still required, and so is an answer (either way) from the SSH check of the
  // master host, which decides stopssh vs stop and the binlog salvage. 0 disables the path;
  // values >= ping_failures_threshold make it redundant. See docs/detection.md for the
  // false-failover trade.
  int probe_confirmed_pings = 2;

  // Require the replicas to confirm (MHA does not; false restores its ping-only rule). With no
  // replica configured, nothing can confirm and the master is never declared dead: there would be
  // nothing to promote anyway.
  bool require_replica_confirmation = true;
  ReplicaQuorum replica_quorum = ReplicaQuorum::kMajority;

  // Replicas configured with ignore_fail=1 (by the id MasterHealth knows them as). One of them
  // that is itself unreadable (its SQL cannot be read and no probe result) is left out of the
  // quorum's denominator instead of counting as a missing confirmation: the operator declared it
  // expendable, and without this a master with two replicas, one of them down, could never be
  // confirmed dead under kMajority. At least one confirmation is still required, and such a
  // replica's veto (it still reaches the master) counts as always.
  std::set<std::string> ignore_fail_replicas{};

  // secondary_check_script is configured: its exit 0 is then required too.
  bool secondary_check_configured = false;

  // Timeout the loop gives each handshake probe on a replica host. Not used by MasterHealth's
  // rules; kept here so the loop and docs/detection.md's formulas read one value.
  std::chrono::milliseconds handshake_probe_timeout{2000};

  // MasterHealth::requests() asks again for evidence older than this, so a long failure streak
  // keeps being re-checked (a manager partition that ends in a real crash is seen as one).
  std::chrono::milliseconds reprobe_interval{3000};

  // Evidence older than this no longer counts, confirming or vetoing. Must exceed
  // reprobe_interval plus the time a probe round takes.
  std::chrono::milliseconds evidence_max_age{15000};
};

// ErrorCode::kConfig naming the bad field: thresholds < 1 (refused_pings_required and
// probe_confirmed_pings < 0), timeouts
// <= 0, evidence_max_age <= reprobe_interval.
Status validate_policy(const HealthPolicy& p);

}  // namespace mha::health
