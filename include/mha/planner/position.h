#pragma once

// What a replica has received from the dead master, in the replication mode the failover uses,
// and how two such positions compare. Pure functions over topology values.

#include "mha/topology/binlog_position.h"
#include "mha/topology/cluster_snapshot.h"
#include "mha/topology/mariadb_gtid.h"
#include "mha/topology/mysql_gtid.h"
#include "mha/topology/replica_status.h"

#include <compare>
#include <optional>
#include <string>

namespace mha::planner {

enum class ReplicationMode {
  kFilePosition,  // master file:position coordinates; lagging replicas get relay-log diffs
  kMariadbGtid,   // every replica Using_Gtid=Slave_Pos/Current_Pos
  kMysqlGtid,     // every server gtid_mode=ON and every replica Auto_Position=1
};

const char* replication_mode_name(ReplicationMode m);  // "file_position", "mariadb_gtid", ...

// The mode every alive managed replica supports; file/position as soon as one does not use GTIDs
// (the same fallback as MHA's get_gtid_status and our masterha_check_repl).
ReplicationMode derive_mode(const topology::ClusterSnapshot& snap,
                            const std::vector<std::size_t>& replicas);

// Everything a replica has received from its master. Only the member of the mode is meaningful.
struct ReceivedPosition {
  ReplicationMode mode = ReplicationMode::kFilePosition;
  topology::BinlogPosition file_pos;  // Master_Log_File:Read_Master_Log_Pos
  topology::GtidPosition mariadb;     // per domain max(Gtid_IO_Pos, gtid_slave_pos)
  topology::GtidSet mysql;            // Retrieved_Gtid_Set ∪ Executed_Gtid_Set

  std::string to_string() const;  // "mysql-bin.000003:1234", "0-1-100", "uuid:1-100"
  friend bool operator==(const ReceivedPosition&, const ReceivedPosition&) = default;
};

// nullopt when the server is not a replica.
std::optional<ReceivedPosition> received_position(const topology::ServerObservation& s,
                                                  ReplicationMode mode);

// Partial order by "has received at least as much": file/position by numeric file extension then
// position (mysql-bin.999999 < mysql-bin.1000000), never a string compare; GTIDs by containment.
// Unordered: different binlog base names, or GTID positions each holding something the other
// lacks (several domains or sources advanced on different replicas).
std::partial_ordering compare_received(const ReceivedPosition& a, const ReceivedPosition& b);

// File/position mode (issue #5): a replica whose IO thread stopped inside a transaction. Its relay
// log ends with the first part of a transaction; the SQL thread has executed everything before it
// and then waits, inside that transaction, for events that will never come, so Exec_Master_Log_Pos
// stays at the transaction's start forever and "wait until Exec == Read" never ends. The plan uses
// the Exec position instead, the last whole-transaction boundary (see docs/failover.md).
//
// The Exec position (Relay_Master_Log_File:Exec_Master_Log_Pos) when `st` shows a relay log that
// ends inside a transaction: the IO thread is not running (stopped or reconnecting to a dead
// master), the SQL thread runs without error and says it has read all of its relay log, and
// Exec < Read. nullopt otherwise (including a SQL thread that is still working through its relay
// log: it may yet reach Read, so nothing can be told from one look).
std::optional<topology::BinlogPosition> unfinished_relay_tail(const topology::ReplicaStatus& st);

}  // namespace mha::planner
