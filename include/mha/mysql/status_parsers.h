#pragma once

// Pure parsers from query results into the topology model. Columns are read by name, accepting
// both spellings (Slave_IO_Running / Replica_IO_Running, Master_Host / Source_Host,
// Read_Master_Log_Pos / Read_Source_Log_Pos, ...), so one parser serves MariaDB, MySQL 5.7 and
// MySQL 8.x output. Fixture-tested against captured output in tests/data/mysql/.
//
// Errors are ErrorCode::kQuery and name the column and the value that could not be read.

#include "mha/common/result.h"
#include "mha/mysql/result_set.h"
#include "mha/topology/replica_status.h"
#include "mha/topology/sessions.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mha::mysql {

// SHOW SLAVE STATUS / SHOW REPLICA STATUS / SHOW ALL SLAVES STATUS: one entry per row (channel).
// An empty result (a server that is not a replica) gives an empty vector.
Result<std::vector<topology::ReplicaStatus>> parse_replica_status(const ResultSet& result);

// SHOW MASTER STATUS / SHOW BINARY LOG STATUS. nullopt when the result is empty (binary logging
// is disabled on the server).
Result<std::optional<topology::MasterStatus>> parse_master_status(const ResultSet& result);

// SHOW FULL PROCESSLIST: one entry per session. Id is required; NULL Time/Info/State read as 0/"".
// Which of them belong to the application is topology::is_application_session's rule.
Result<std::vector<topology::ProcessInfo>> parse_processlist(const ResultSet& result);

// SHOW [GLOBAL] VARIABLES / STATUS (Variable_name, Value): name -> value, NULL as "".
Result<std::map<std::string, std::string>> parse_variables(const ResultSet& result);

}  // namespace mha::mysql
