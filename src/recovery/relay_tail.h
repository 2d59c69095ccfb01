#pragma once

// WaitRelayApplied in file/position mode, kept out of executor.cc: wait (bounded) until a replica's
// SQL thread has executed up to a master position, looking at SHOW SLAVE STATUS between short
// waits so that a relay log that ends inside a transaction (planner::unfinished_relay_tail) is
// noticed at once rather than waited on until the timeout. Internal to the recovery module.

#include "mha/common/result.h"
#include "mha/mysql/dialect.h"
#include "mha/mysql/sql_session.h"
#include "mha/topology/binlog_position.h"
#include "mha/topology/replica_status.h"

#include <chrono>
#include <string>

namespace mha::recovery::internal {

struct RelayWaitJob {
  std::string name;  // for messages
  mysql::SqlSession* sql = nullptr;
  const mysql::Dialect* dialect = nullptr;
  topology::BinlogPosition until;  // Read position, or the planned last whole transaction
  // The plan knows the relay log ends inside a transaction after `until`: once Exec reaches
  // `until`, stop the SQL thread (rolling the unfinished transaction back) and check Exec stayed.
  // Without it, such a tail is an error (kConflict): the plan did not account for it.
  bool unfinished_tail = false;
  std::chrono::seconds timeout{};
};

// Starts the SQL thread if it is stopped without error, waits, and returns one line saying what
// was done. Errors: kPrecondition (SQL thread error, not a replica), kConflict (unplanned
// unfinished tail, or Exec moved past the planned tail), kTimeout.
Result<std::string> wait_relay_position(const RelayWaitJob& job);

// SHOW SLAVE STATUS of the default channel.
Result<topology::ReplicaStatus> default_replica_status(mysql::SqlSession& sql,
                                                       const mysql::Dialect& dialect,
                                                       const std::string& name);

}  // namespace mha::recovery::internal
