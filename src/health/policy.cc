#include "mha/health/policy.h"

#include <string>

namespace mha::health {

const char* replica_quorum_name(ReplicaQuorum q) {
  switch (q) {
    case ReplicaQuorum::kAny:
      return "any";
    case ReplicaQuorum::kMajority:
      return "majority";
    case ReplicaQuorum::kAll:
      return "all";
  }
  return "majority";
}

int required_confirmations(ReplicaQuorum q, int replica_count) {
  if (replica_count <= 0) return 0;
  switch (q) {
    case ReplicaQuorum::kAny:
      return 1;
    case ReplicaQuorum::kMajority:
      return replica_count / 2 + 1;
    case ReplicaQuorum::kAll:
      return replica_count;
  }
  return replica_count;
}

Status validate_policy(const HealthPolicy& p) {
  auto bad = [](const char* field, const std::string& why) {
    return Unexpected(
        make_error(ErrorCode::kConfig, std::string("health policy: ") + field + " " + why));
  };
  if (p.ping_failures_threshold < 1) return bad("ping_failures_threshold", "must be at least 1");
  if (p.refused_pings_required < 0) {
    return bad("refused_pings_required", "must be 0 (off) or more");
  }
  if (p.probe_confirmed_pings < 0) {
    return bad("probe_confirmed_pings", "must be 0 (off) or more");
  }
  if (p.handshake_probe_timeout.count() <= 0) {
    return bad("handshake_probe_timeout", "must be positive");
  }
  if (p.reprobe_interval.count() <= 0) return bad("reprobe_interval", "must be positive");
  if (p.evidence_max_age <= p.reprobe_interval) {
    return bad("evidence_max_age", "must exceed reprobe_interval (" +
                                       std::to_string(p.reprobe_interval.count()) + " ms)");
  }
  return ok_status();
}

}  // namespace mha::health
