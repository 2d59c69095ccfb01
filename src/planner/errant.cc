// Errant transactions with the master gone: MHA has no such check (its issue #50). The master
// cannot be asked, so the reference is what the replicas received through replication.

#include "planner_internal.h"

namespace mha::planner::internal {
namespace {

// MariaDB: an entry of a replica's gtid_current_pos is errant unless some replica received it
// (Gtid_IO_Pos or gtid_slave_pos hold exactly it) or, for a GTID the replica did not write itself,
// some replica received a later one in its domain. The second rule cannot see a local write that
// the master later overtook, hence the first: a GTID carrying the replica's own server_id is only
// fine if it arrived through replication.
std::string mariadb_errant(const topology::ServerObservation& s,
                           const std::vector<topology::MariadbGtid>& reference) {
  std::optional<topology::GtidPosition> state = s.mariadb_gtid.current_pos;
  if (!state) state = s.mariadb_gtid.binlog_pos;
  if (!state) return "";
  std::vector<std::string> errant;
  for (const topology::MariadbGtid& e : state->entries()) {
    bool exact = false;
    bool overtaken = false;
    for (const topology::MariadbGtid& r : reference) {
      if (r.domain_id != e.domain_id) continue;
      if (r == e) exact = true;
      if (r.seq_no > e.seq_no) overtaken = true;
    }
    const bool own = s.server_id && e.server_id == *s.server_id;
    if (!exact && (own || !overtaken)) errant.push_back(e.to_string());
  }
  return join(errant, ",");
}

std::optional<topology::GtidSet> mysql_executed(const topology::ServerObservation& s) {
  if (s.mysql_gtid.executed) return s.mysql_gtid.executed;
  if (s.replica && !s.replica->executed_gtid_set.empty()) return s.replica->executed_gtid_set;
  return std::nullopt;
}

}  // namespace

std::map<std::size_t, Errant> find_errant(const topology::ClusterSnapshot& snap,
                                          const std::vector<std::size_t>& managed,
                                          ReplicationMode mode) {
  std::map<std::size_t, Errant> out;
  if (mode == ReplicationMode::kMariadbGtid) {
    std::vector<topology::MariadbGtid> reference;
    for (std::size_t i : managed) {
      const topology::ServerObservation& s = snap.servers[i];
      for (const auto& g : s.replica->gtid_io_pos.entries()) reference.push_back(g);
      if (s.mariadb_gtid.slave_pos) {
        for (const auto& g : s.mariadb_gtid.slave_pos->entries()) reference.push_back(g);
      }
    }
    for (std::size_t i : managed) {
      std::string text = mariadb_errant(snap.servers[i], reference);
      if (!text.empty()) out[i] = Errant{text, {}};
    }
  } else if (mode == ReplicationMode::kMysqlGtid) {
    // A transaction executed here is accounted for when any replica retrieved it from the master
    // or another replica executed it. With no other replica to compare with the check is skipped:
    // Retrieved_Gtid_Set alone does not reach back before the last relay-log reset.
    for (std::size_t i : managed) {
      std::optional<topology::GtidSet> mine = mysql_executed(snap.servers[i]);
      if (!mine) continue;
      topology::GtidSet reference;
      bool others = false;
      for (std::size_t j : managed) {
        reference.add(snap.servers[j].replica->retrieved_gtid_set);
        if (j == i) continue;
        if (std::optional<topology::GtidSet> theirs = mysql_executed(snap.servers[j])) {
          reference.add(*theirs);
          others = true;
        }
      }
      if (!others) continue;
      topology::GtidSet errant = mine->subtract(reference);
      if (!errant.empty()) out[i] = Errant{errant.to_string(), errant};
    }
  }
  return out;
}

}  // namespace mha::planner::internal
