#pragma once

// purge_relay_logs (MHA's cron helper for replicas that keep relay_log_purge=0 so failover can
// use their relay logs, mha.md §1.2): purge the relay logs the SQL thread has finished with,
// without stalling it on a large unlink, and never while a failover holds MHA's advisory lock.
//
// Through the local `mysql` client (credentials in a 0600 option file in --workdir, never argv):
//   1. read @@relay_log_purge and @@relay_log_basename;
//   2. relay_log_purge=1: the server purges by itself, nothing to do (exit 0), unless
//      --disable_relay_log_purge, which turns it off first and goes on;
//   3. open every relay log (--use_hardlink=1, the default: MHA keeps handles so that the
//      server's unlink only drops the name; the space is freed when we close them);
//   4. one session: GET_LOCK('MHA_Master_High_Availability_Failover', 200) (fails when a failover
//      holds it), SET GLOBAL relay_log_purge=1, FLUSH NO_WRITE_TO_BINLOG RELAY LOGS, SLEEP(3),
//      SET GLOBAL relay_log_purge=0. When that session fails, relay_log_purge=0 is set again in
//      a new session so the server is never left purging.
// MariaDB only (step 4 uses a compound statement, BEGIN NOT ATOMIC).

#include "mha/common/result.h"
#include "mha/hooks/process.h"
#include "mha/node/credentials.h"
#include "mha/node/options.h"

#include <iosfwd>
#include <string>

namespace mha::node {

struct PurgeSummary {
  bool purged = false;          // false: relay_log_purge was on and left alone
  bool disabled_purge = false;  // --disable_relay_log_purge turned relay_log_purge off
  std::string relay_dir;
  std::size_t files_before = 0;  // relay logs when we started
  std::size_t files_after = 0;
};

// The SQL of step 4 (for the tests and the docs).
std::string purge_session_sql();

Result<PurgeSummary> purge_relay_logs(const PurgeRelayLogsOptions& options,
                                      const Credentials& credentials, hooks::ProcessRunner& runner,
                                      std::ostream& log);

}  // namespace mha::node
