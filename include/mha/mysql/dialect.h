#pragma once

// SQL spellings that differ between the servers masterha supports, chosen once from the server
// version: MariaDB 10.x/11.x, MySQL (and Percona) 5.7, 8.0 and 8.4. Pure: builds text, runs
// nothing. Generated statements quote every string with quote_string().
//
// What changes (minimum versions):
//   MySQL 8.0.22  SHOW REPLICA STATUS, START/STOP/RESET REPLICA; status columns Source_*/Replica_*
//   MySQL 8.0.23  CHANGE REPLICATION SOURCE TO with SOURCE_* options
//   MySQL 8.0.26  SOURCE_POS_WAIT; semi-sync rpl_semi_sync_source_*/replica_* (semisync_source
//                 plugin)
//   MySQL 8.2     SHOW BINARY LOG STATUS (8.4 removed SHOW MASTER STATUS and the SLAVE syntax)
//   MariaDB       keeps CHANGE MASTER TO (MASTER_USE_GTID=slave_pos|current_pos), SHOW SLAVE
//                 STATUS, MASTER_GTID_WAIT, gtid_*_pos variables, built-in semi-sync with
//                 master/slave names, no super_read_only; READ_ONLY ADMIN bypasses read_only
//                 (from 10.11 SUPER no longer does).

#include "mha/common/result.h"
#include "mha/mysql/result_set.h"
#include "mha/topology/binlog_position.h"
#include "mha/topology/server_version.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace mha::mysql {

enum class ReplicationMode {
  kFilePosition,       // MASTER_LOG_FILE/POS (both dialects)
  kMariadbSlavePos,    // MASTER_USE_GTID=slave_pos
  kMariadbCurrentPos,  // MASTER_USE_GTID=current_pos (an old master rejoining)
  kMysqlAutoPosition,  // SOURCE_AUTO_POSITION=1
};

struct ChangeMasterOptions {
  std::string host;
  int port = 3306;
  std::string user;
  std::string password;  // written into the statement: log it only through redact_sql()
  ReplicationMode mode = ReplicationMode::kFilePosition;
  std::optional<topology::BinlogPosition> position;  // required for kFilePosition only
  std::optional<std::chrono::milliseconds> heartbeat_period;
  std::optional<std::chrono::seconds> connect_retry;
  std::string channel;  // "" = default channel / connection
};

enum class ReplicaThreads { kBoth, kIoThread, kSqlThread };

enum class WaitOutcome { kReached, kTimedOut, kNotReplicating };

struct SemiSyncNames {
  bool builtin = false;         // MariaDB: no plugin to install
  std::string source_plugin;    // "semisync_master" / "semisync_source" ("" on MariaDB)
  std::string replica_plugin;   // "semisync_slave" / "semisync_replica"
  std::string source_enabled;   // global variable
  std::string replica_enabled;  // global variable
  std::string source_timeout;   // global variable, milliseconds
  std::string source_wait_point;
  std::string source_clients;  // status variable: connected semi-sync replicas
  std::string source_status;   // status variable: ON when semi-sync is active
};

struct GtidVariables {
  // MariaDB: what the server logged, what its SQL thread applied, and their union.
  std::string binlog_pos;   // "gtid_binlog_pos"  ("" on MySQL)
  std::string slave_pos;    // "gtid_slave_pos"   ("" on MySQL)
  std::string current_pos;  // "gtid_current_pos" ("" on MySQL)
  // MySQL.
  std::string executed;  // "gtid_executed" ("" on MariaDB)
  std::string purged;    // "gtid_purged"   ("" on MariaDB)
  std::string mode;      // "gtid_mode"     ("" on MariaDB)
};

class Dialect {
 public:
  // ErrorCode::kPrecondition for servers we do not support (MySQL < 5.7, MariaDB < 10.0).
  static Result<Dialect> for_version(const topology::ServerVersion& version);

  const topology::ServerVersion& version() const { return version_; }
  bool is_mariadb() const { return version_.is_mariadb(); }

  // Status of the default channel (MySQL: every channel, one row each).
  std::string show_replica_status() const;
  // Every channel/connection; MariaDB adds Connection_name (SHOW ALL SLAVES STATUS).
  std::string show_all_replicas_status() const;
  std::string show_master_status() const;
  // The replica-status statements to try, in order, on a server whose version the caller has
  // not read (a low-rate poll that opens a fresh connection each time): SHOW SLAVE STATUS, which
  // every supported server up to MySQL 8.0 accepts, then SHOW REPLICA STATUS for MySQL 8.4
  // (which knows only that; MariaDB >= 10.5.1 and MySQL >= 8.0.22 accept it too). Both return
  // the default channel in the columns status_parsers.h reads.
  static std::vector<std::string> show_replica_status_any_version();

  // CHANGE MASTER TO / CHANGE REPLICATION SOURCE TO. ErrorCode::kConfig when the options do not
  // fit this server (a MariaDB GTID mode on MySQL, auto-position on MariaDB, file/pos without a
  // position, empty host, bad port).
  Result<std::string> change_master(const ChangeMasterOptions& options) const;

  std::string start_replica(ReplicaThreads threads = ReplicaThreads::kBoth,
                            const std::string& channel = "") const;
  std::string stop_replica(ReplicaThreads threads = ReplicaThreads::kBoth,
                           const std::string& channel = "") const;
  std::string reset_replica(bool all, const std::string& channel = "") const;

  GtidVariables gtid_variables() const;
  // One row whose columns are named after gtid_variables() (only the ones this server has).
  std::string select_gtid_state() const;

  // SELECT returning one cell; read it with wait_outcome(). `gtid` is a MariaDB position or a
  // MySQL GTID set in text form.
  std::string wait_for_gtid(const std::string& gtid, std::chrono::seconds timeout) const;
  std::string wait_for_position(const topology::BinlogPosition& position,
                                std::chrono::seconds timeout) const;
  // Interprets the single cell the wait functions return: MASTER_GTID_WAIT 0 / -1,
  // WAIT_FOR_EXECUTED_GTID_SET 0 / 1, *_POS_WAIT >=0 / -1 / NULL (SQL thread not running).
  Result<WaitOutcome> gtid_wait_outcome(const ResultSet& result) const;
  Result<WaitOutcome> position_wait_outcome(const ResultSet& result) const;

  SemiSyncNames semi_sync() const;

  bool has_super_read_only() const { return !is_mariadb(); }
  // Statements that make the server read-only (on) or writable (off). MySQL: super_read_only as
  // well, so accounts with SUPER/CONNECTION_ADMIN cannot write either.
  std::vector<std::string> set_read_only(bool on) const;
  // The privilege that lets an account write despite read_only (documentation for checks and
  // error messages): MariaDB >= 10.11 "READ_ONLY ADMIN"; older MariaDB "SUPER"; MySQL
  // "CONNECTION_ADMIN or SUPER" (nobody while super_read_only is ON).
  std::string read_only_bypass_privilege() const;

  // Online switchover (issue #7). Same text on every supported server; kept here so all SQL
  // comes from one place.
  // Columns Id, User, Host, db, Command, Time (seconds), State, Info (the full statement).
  std::string show_full_processlist() const;
  std::string kill_connection(uint64_t connection_id) const;  // ends the session, not the query
  std::string select_connection_id() const;                   // one cell: this session's id
  std::string flush_tables_no_binlog() const;  // FLUSH NO_WRITE_TO_BINLOG TABLES (not replicated)
  // FLUSH TABLES WITH READ LOCK: held by this session until unlock_tables() or disconnect.
  std::string lock_all_tables() const;
  std::string unlock_tables() const;
  // Bounds how long this session waits for metadata/global read locks (FTWRL, read_only).
  std::string set_session_lock_wait_timeout(std::chrono::seconds timeout) const;
  // One cell: the connection id holding the named advisory lock, NULL when free.
  std::string is_used_lock(const std::string& name) const;

  // Applying relay-log diffs and saved binlogs (issue #5) through the mysql client.
  // One row, columns "p" (max_allowed_packet, bytes) and "r" (read_only, 0/1).
  std::string select_packet_and_read_only() const;
  std::string set_max_allowed_packet(uint64_t bytes) const;
  // One row, columns "base" (relay_log_basename, a path) and "id" (server_id).
  std::string select_relay_log_basename() const;
  // One row, columns "g" (the GTID position of the binary log: gtid_binlog_pos on MariaDB,
  // gtid_executed on MySQL) and "b" (log_bin, 0/1).
  std::string select_logged_gtids() const;

 private:
  explicit Dialect(topology::ServerVersion v) : version_(std::move(v)) {}
  bool mysql_at_least(int major, int minor, int patch) const;
  bool replica_keywords() const;                                 // REPLICA instead of SLAVE
  bool source_change_syntax() const;                             // CHANGE REPLICATION SOURCE TO
  std::string channel_suffix(const std::string& channel) const;  // MySQL " FOR CHANNEL '...'"

  topology::ServerVersion version_;
};

}  // namespace mha::mysql
