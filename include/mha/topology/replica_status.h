#pragma once

// What one replication channel of a server reports (SHOW SLAVE STATUS / SHOW REPLICA STATUS /
// SHOW ALL SLAVES STATUS row) and what a server reports about its own binary log (SHOW MASTER
// STATUS / SHOW BINARY LOG STATUS). Pure data: filled by mha::mysql parsers or by tests; the
// failover planner reads it. Spelling-neutral: "master"/"source" columns land in the same fields.

#include "mha/topology/binlog_position.h"
#include "mha/topology/mariadb_gtid.h"
#include "mha/topology/mysql_gtid.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mha::topology {

// Slave_IO_Running / Replica_IO_Running.
enum class IoThreadState { kNo, kYes, kConnecting };

// MariaDB Using_Gtid. MySQL has no such column (it uses Auto_Position): kNo there.
enum class UsingGtid { kNo, kCurrentPos, kSlavePos };

const char* io_thread_state_name(IoThreadState s);  // "No", "Yes", "Connecting"
const char* using_gtid_name(UsingGtid g);           // "No", "Current_Pos", "Slave_Pos"

// Case-insensitive; nullopt for anything else.
std::optional<IoThreadState> parse_io_thread_state(std::string_view text);
std::optional<UsingGtid> parse_using_gtid(std::string_view text);

struct ReplicationFilters {
  std::string do_db;
  std::string ignore_db;
  std::string do_table;
  std::string ignore_table;
  std::string wild_do_table;
  std::string wild_ignore_table;

  bool empty() const;
  friend bool operator==(const ReplicationFilters&, const ReplicationFilters&) = default;
};

struct ReplicaStatus {
  // "" for the default channel (MySQL Channel_Name / MariaDB Connection_name).
  std::string channel;

  std::string master_host;
  int master_port = 0;
  std::string master_user;
  uint32_t master_server_id = 0;  // 0 until the IO thread has connected once
  int connect_retry = 0;

  IoThreadState io_running = IoThreadState::kNo;
  bool sql_running = false;
  std::string io_state;   // Slave_IO_State text (informational only)
  std::string sql_state;  // Slave_SQL_Running_State text (informational only)

  // What the IO thread has received from the master (master coordinates).
  BinlogPosition read_master;  // Master_Log_File + Read_Master_Log_Pos
  // What the SQL thread has applied (master coordinates).
  BinlogPosition exec_master;  // Relay_Master_Log_File + Exec_Master_Log_Pos
  // Where the SQL thread is in the local relay log.
  BinlogPosition relay_log;  // Relay_Log_File + Relay_Log_Pos
  uint64_t relay_log_space = 0;

  int last_errno = 0;  // Last_Errno: kept for MHA compatibility; mirrors the SQL error
  std::string last_error;
  int last_io_errno = 0;
  std::string last_io_error;
  int last_sql_errno = 0;
  std::string last_sql_error;

  std::optional<int64_t> seconds_behind_master;  // NULL when the SQL thread is not running
  int64_t sql_delay = 0;

  // MariaDB GTID.
  UsingGtid using_gtid = UsingGtid::kNo;
  GtidPosition gtid_io_pos;  // Gtid_IO_Pos

  // MySQL GTID.
  bool auto_position = false;
  GtidSet retrieved_gtid_set;
  GtidSet executed_gtid_set;

  ReplicationFilters filters;
  std::string replicate_ignore_server_ids;

  // Both threads running.
  bool healthy() const { return io_running == IoThreadState::kYes && sql_running; }
  // The SQL thread stopped on an error (MHA's "failed slave").
  bool sql_failed() const { return !sql_running && last_sql_errno != 0; }
  // Replicating with GTIDs in either dialect.
  bool uses_gtid() const { return using_gtid != UsingGtid::kNo || auto_position; }
};

struct MasterStatus {
  BinlogPosition position;  // File + Position
  std::string binlog_do_db;
  std::string binlog_ignore_db;
  GtidSet executed_gtid_set;  // MySQL only; empty on MariaDB
};

}  // namespace mha::topology
