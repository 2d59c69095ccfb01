#include "mha/topology/cluster_snapshot.h"

#include <set>

namespace mha::topology {

std::string ServerIdentity::display() const {
  return hostname + "(" + ip + ":" + std::to_string(port) + ")";
}

bool ServerIdentity::matches(std::string_view host, int p) const {
  return p == port && !host.empty() && (host == hostname || host == ip);
}

const char* sql_reach_name(SqlReach r) {
  switch (r) {
    case SqlReach::kAlive:
      return "alive";
    case SqlReach::kDead:
      return "dead";
    case SqlReach::kRefused:
      return "refused";
  }
  return "dead";
}

std::optional<std::size_t> ClusterSnapshot::find(std::string_view host, int port) const {
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (servers[i].id.matches(host, port)) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> ClusterSnapshot::upstream_of(std::size_t i) const {
  if (i >= servers.size() || !servers[i].replica) return std::nullopt;
  const ReplicaStatus& r = *servers[i].replica;
  return find(r.master_host, r.master_port);
}

std::optional<std::size_t> ClusterSnapshot::derive_master() const {
  std::set<std::size_t> referenced;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (!servers[i].alive()) continue;
    if (auto up = upstream_of(i)) referenced.insert(*up);
  }
  if (referenced.size() == 1) return *referenced.begin();
  std::optional<std::size_t> found;
  if (referenced.size() >= 2) {
    for (std::size_t m : referenced) {
      const ServerObservation& s = servers[m];
      const bool writable_or_dead = s.sql == SqlReach::kDead || !s.read_only.value_or(false);
      if (!writable_or_dead) continue;
      if (found) return std::nullopt;  // two writable-or-dead masters: ambiguous
      found = m;
    }
    return found;
  }
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const ServerObservation& s = servers[i];
    if (!s.alive() || s.is_replica() || s.read_only.value_or(false)) continue;
    if (found) return std::nullopt;
    found = i;
  }
  return found;
}

}  // namespace mha::topology
