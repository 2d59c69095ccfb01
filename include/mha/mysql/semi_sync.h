#pragma once

// Turning a promoted master into a semi-sync master, shared by the failover's promotion and the
// online switchover. The statements use the Dialect's variable names (MariaDB's built-in
// semi-sync, MySQL's rpl_semi_sync_master_* before 8.0.26 and _source_* after); on MySQL the
// plugin must already be loaded, as it is wherever the cluster ran semi-sync before.
//
// Why wait for a client before the first write: a master with the semi-sync side on but no
// semi-sync replica connected makes each commit wait rpl_semi_sync_master_timeout and then
// acknowledges it without any replica having it (and on MariaDB Rpl_semi_sync_master_status
// still reads ON with zero clients, so the status alone proves nothing).

#include "mha/common/result.h"
#include "mha/mysql/dialect.h"
#include "mha/mysql/sql_session.h"

#include <chrono>
#include <string>

namespace mha::mysql {

// The bound used by the failover and the switchover for the first semi-sync replica to register.
inline constexpr std::chrono::milliseconds kSemiSyncClientWait{3000};

// SET GLOBAL of the master (source) side / the replica side. The replica side takes effect when
// the IO thread (re)starts.
std::string set_semi_sync_master(const Dialect& dialect, bool on);
std::string set_semi_sync_replica(const Dialect& dialect, bool on);
// One row (Variable_name, Value): the number of connected semi-sync replicas.
std::string show_semi_sync_clients(const Dialect& dialect);
// One row (Variable_name, Value): ON while the master runs semi-synchronously.
std::string show_semi_sync_status(const Dialect& dialect);

// Polls show_semi_sync_clients() every 50 ms until at least `at_least` replicas are connected or
// `timeout` has passed, and returns the last count seen (less than `at_least` on timeout). An
// error only when the status could not be read at all.
Result<int> wait_semi_sync_clients(SqlSession& session, const Dialect& dialect, int at_least,
                                   std::chrono::milliseconds timeout);

}  // namespace mha::mysql
