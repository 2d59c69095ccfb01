#include "mha/planner/position.h"

namespace mha::planner {
namespace {

bool mysql_gtid_replica(const topology::ServerObservation& s) {
  return s.replica && s.replica->auto_position && s.mysql_gtid.gtid_mode.value_or("") == "ON";
}

// Per domain, the entry with the higher seq_no.
void merge_max(topology::GtidPosition& into, const topology::GtidPosition& from) {
  for (const topology::MariadbGtid& g : from.entries()) {
    const topology::MariadbGtid* have = into.find(g.domain_id);
    if (have == nullptr || have->seq_no < g.seq_no) into.set(g);
  }
}

}  // namespace

const char* replication_mode_name(ReplicationMode m) {
  switch (m) {
    case ReplicationMode::kFilePosition:
      return "file_position";
    case ReplicationMode::kMariadbGtid:
      return "mariadb_gtid";
    case ReplicationMode::kMysqlGtid:
      return "mysql_gtid";
  }
  return "unknown";
}

ReplicationMode derive_mode(const topology::ClusterSnapshot& snap,
                            const std::vector<std::size_t>& replicas) {
  if (replicas.empty()) return ReplicationMode::kFilePosition;
  bool all_mariadb = true;
  bool all_mysql = true;
  for (std::size_t i : replicas) {
    const topology::ServerObservation& s = snap.servers[i];
    if (!s.replica) return ReplicationMode::kFilePosition;
    if (s.replica->using_gtid == topology::UsingGtid::kNo) all_mariadb = false;
    if (!mysql_gtid_replica(s)) all_mysql = false;
  }
  if (all_mariadb) return ReplicationMode::kMariadbGtid;
  if (all_mysql) return ReplicationMode::kMysqlGtid;
  return ReplicationMode::kFilePosition;
}

std::string ReceivedPosition::to_string() const {
  switch (mode) {
    case ReplicationMode::kFilePosition:
      return file_pos.to_string();
    case ReplicationMode::kMariadbGtid:
      return mariadb.empty() ? "(empty)" : mariadb.to_string();
    case ReplicationMode::kMysqlGtid:
      return mysql.empty() ? "(empty)" : mysql.to_string();
  }
  return "";
}

std::optional<ReceivedPosition> received_position(const topology::ServerObservation& s,
                                                  ReplicationMode mode) {
  if (!s.replica) return std::nullopt;
  ReceivedPosition p;
  p.mode = mode;
  p.file_pos = s.replica->read_master;
  if (mode == ReplicationMode::kMariadbGtid) {
    // Gtid_IO_Pos is what the IO thread received; it can lag gtid_slave_pos right after a restart
    // (it is re-initialised when the IO thread starts), so take the higher of both per domain.
    p.mariadb = s.replica->gtid_io_pos;
    if (s.mariadb_gtid.slave_pos) merge_max(p.mariadb, *s.mariadb_gtid.slave_pos);
  } else if (mode == ReplicationMode::kMysqlGtid) {
    p.mysql = s.replica->retrieved_gtid_set;
    p.mysql.add(s.replica->executed_gtid_set);
  }
  return p;
}

std::partial_ordering compare_received(const ReceivedPosition& a, const ReceivedPosition& b) {
  switch (a.mode) {
    case ReplicationMode::kFilePosition:
      return a.file_pos <=> b.file_pos;
    case ReplicationMode::kMariadbGtid: {
      const bool ab = a.mariadb.contains(b.mariadb);
      const bool ba = b.mariadb.contains(a.mariadb);
      if (ab && ba) return std::partial_ordering::equivalent;
      if (ab) return std::partial_ordering::greater;
      if (ba) return std::partial_ordering::less;
      return std::partial_ordering::unordered;
    }
    case ReplicationMode::kMysqlGtid: {
      const bool ab = a.mysql.contains(b.mysql);
      const bool ba = b.mysql.contains(a.mysql);
      if (ab && ba) return std::partial_ordering::equivalent;
      if (ab) return std::partial_ordering::greater;
      if (ba) return std::partial_ordering::less;
      return std::partial_ordering::unordered;
    }
  }
  return std::partial_ordering::unordered;
}

}  // namespace mha::planner
