#pragma once

// Server sessions as SHOW FULL PROCESSLIST lists them, and the one rule for which of them belong
// to the application. Pure (no I/O). Both the online switchover (killing the old master's
// sessions, the running_*_limit checks) and the failover's fencing decide with it, so a session
// the one kills is a session the other kills.

#include <cstdint>
#include <string>

namespace mha::topology {

// One row of SHOW FULL PROCESSLIST.
struct ProcessInfo {
  uint64_t id = 0;
  std::string user;
  std::string host;
  std::string command;  // "Query", "Sleep", "Binlog Dump", "Slave_SQL", ...
  int64_t time_s = 0;
  std::string state;
  std::string info;  // the statement ("" when NULL)
};

// True for a session opened by a client of the server, idle ("Sleep") or not: everything except
// server threads (users "system user", "event_scheduler", "unauthenticated user"; commands
// "Daemon", "Connect", "Killed") and replication (a replica's "Binlog Dump" / "Binlog Dump GTID"
// / "Register Slave" on its master, "Slave_IO" / "Slave_SQL" / "Slave_worker" on a replica).
// Case-insensitive. The caller still excludes its own session by id.
bool is_application_session(const ProcessInfo& p);

}  // namespace mha::topology
