#pragma once

// Comparing replication filters (replicate_* on replicas) and binlog filters (binlog_do_db /
// binlog_ignore_db on servers with a binary log) between servers. Pure. Used by
// masterha_check_repl (MHA's check_repl_filter) and by the online switchover, which refuses to
// move the master between servers whose filters differ: rows filtered on one side only would
// appear or vanish with the switch.
//
// Filter lists are compared as sets: servers print them in configuration order, which is noise.

#include "mha/topology/replica_status.h"

#include <string>

namespace mha::topology {

// A comma-separated filter list, items trimmed, sorted and re-joined with ",".
std::string normalise_filter_list(const std::string& list);

// Every differing column as "Replicate_Do_DB='a' (<ref_name> has 'b')", joined with ", ";
// "" when the two are equal.
std::string replicate_filter_differences(const ReplicationFilters& here,
                                         const ReplicationFilters& ref,
                                         const std::string& ref_name);
// The same for Binlog_Do_DB / Binlog_Ignore_DB of SHOW MASTER STATUS.
std::string binlog_filter_differences(const MasterStatus& here, const MasterStatus& ref,
                                      const std::string& ref_name);

}  // namespace mha::topology
