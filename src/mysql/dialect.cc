#include "mha/mysql/dialect.h"

#include "mha/mysql/sql_text.h"

#include <algorithm>
#include <charconv>

namespace mha::mysql {
namespace {

Unexpected config_error(std::string message) {
  return Unexpected(make_error(ErrorCode::kConfig, std::move(message)));
}

std::string threads_clause(ReplicaThreads t) {
  switch (t) {
    case ReplicaThreads::kBoth:
      return "";
    case ReplicaThreads::kIoThread:
      return " IO_THREAD";
    case ReplicaThreads::kSqlThread:
      return " SQL_THREAD";
  }
  return "";
}

// 1500 ms -> "1.500": MASTER_HEARTBEAT_PERIOD takes seconds with millisecond resolution.
std::string seconds_text(std::chrono::milliseconds ms) {
  const long long v = ms.count();
  std::string frac = std::to_string(v % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  return std::to_string(v / 1000) + "." + frac;
}

}  // namespace

Result<Dialect> Dialect::for_version(const topology::ServerVersion& version) {
  if (version.is_mariadb() ? !version.at_least(10, 0) : !version.at_least(5, 7)) {
    return Unexpected(make_error(ErrorCode::kPrecondition,
                                 std::string("unsupported server version ") + version.raw +
                                     " (masterha needs MariaDB >= 10.0 or MySQL >= 5.7)"));
  }
  return Dialect(version);
}

bool Dialect::mysql_at_least(int major, int minor, int patch) const {
  return !is_mariadb() && version_.at_least(major, minor, patch);
}

// MariaDB accepts REPLICA from 10.5.1 but keeps SLAVE everywhere and names the status columns
// Slave_* either way; one spelling for every MariaDB version keeps fixtures and logs uniform.
bool Dialect::replica_keywords() const { return mysql_at_least(8, 0, 22); }

bool Dialect::source_change_syntax() const { return mysql_at_least(8, 0, 23); }

std::string Dialect::channel_suffix(const std::string& channel) const {
  if (channel.empty() || is_mariadb()) return "";
  return " FOR CHANNEL " + quote_string(channel);
}

std::string Dialect::show_replica_status() const {
  return replica_keywords() ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
}

std::string Dialect::show_all_replicas_status() const {
  return is_mariadb() ? "SHOW ALL SLAVES STATUS" : show_replica_status();
}

std::vector<std::string> Dialect::show_replica_status_any_version() {
  return {"SHOW SLAVE STATUS", "SHOW REPLICA STATUS"};
}

std::string Dialect::show_master_status() const {
  return mysql_at_least(8, 2, 0) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
}

Result<std::string> Dialect::change_master(const ChangeMasterOptions& o) const {
  if (o.host.empty()) return config_error("CHANGE MASTER: empty master host");
  if (o.port < 1 || o.port > 65535) {
    return config_error("CHANGE MASTER: invalid port " + std::to_string(o.port));
  }
  const bool mariadb_gtid =
      o.mode == ReplicationMode::kMariadbSlavePos || o.mode == ReplicationMode::kMariadbCurrentPos;
  if (mariadb_gtid && !is_mariadb()) {
    return config_error("CHANGE MASTER: MariaDB GTID mode requested for " + version_.raw);
  }
  if (o.mode == ReplicationMode::kMysqlAutoPosition && is_mariadb()) {
    return config_error("CHANGE MASTER: MySQL auto-position requested for " + version_.raw);
  }
  if (o.mode == ReplicationMode::kFilePosition && (!o.position || o.position->file.empty())) {
    return config_error("CHANGE MASTER: file/position mode needs a binlog position");
  }

  const bool src = source_change_syntax();
  const std::string p = src ? "SOURCE_" : "MASTER_";
  std::string sql;
  if (src) {
    sql = "CHANGE REPLICATION SOURCE TO ";
  } else if (is_mariadb() && !o.channel.empty()) {
    sql = "CHANGE MASTER " + quote_string(o.channel) + " TO ";
  } else {
    sql = "CHANGE MASTER TO ";
  }
  sql += p + "HOST=" + quote_string(o.host);
  sql += ", " + p + "PORT=" + std::to_string(o.port);
  sql += ", " + p + "USER=" + quote_string(o.user);
  sql += ", " + p + "PASSWORD=" + quote_string(o.password);
  switch (o.mode) {
    case ReplicationMode::kFilePosition:
      sql += ", " + p + "LOG_FILE=" + quote_string(o.position->file);
      sql += ", " + p + "LOG_POS=" + std::to_string(o.position->pos);
      // Explicitly leave GTID mode, whatever the replica used before.
      sql += is_mariadb() ? ", MASTER_USE_GTID=no" : ", " + p + "AUTO_POSITION=0";
      break;
    case ReplicationMode::kMariadbSlavePos:
      sql += ", MASTER_USE_GTID=slave_pos";
      break;
    case ReplicationMode::kMariadbCurrentPos:
      sql += ", MASTER_USE_GTID=current_pos";
      break;
    case ReplicationMode::kMysqlAutoPosition:
      sql += ", " + p + "AUTO_POSITION=1";
      break;
  }
  if (o.heartbeat_period) {
    sql += ", " + p + "HEARTBEAT_PERIOD=" + seconds_text(*o.heartbeat_period);
  }
  if (o.connect_retry) {
    sql += ", " + p + "CONNECT_RETRY=" + std::to_string(o.connect_retry->count());
  }
  sql += channel_suffix(o.channel);
  return sql;
}

std::string Dialect::start_replica(ReplicaThreads threads, const std::string& channel) const {
  std::string sql = replica_keywords() ? "START REPLICA" : "START SLAVE";
  if (is_mariadb() && !channel.empty()) sql += " " + quote_string(channel);
  return sql + threads_clause(threads) + channel_suffix(channel);
}

std::string Dialect::stop_replica(ReplicaThreads threads, const std::string& channel) const {
  std::string sql = replica_keywords() ? "STOP REPLICA" : "STOP SLAVE";
  if (is_mariadb() && !channel.empty()) sql += " " + quote_string(channel);
  return sql + threads_clause(threads) + channel_suffix(channel);
}

std::string Dialect::reset_replica(bool all, const std::string& channel) const {
  std::string sql = replica_keywords() ? "RESET REPLICA" : "RESET SLAVE";
  if (is_mariadb() && !channel.empty()) sql += " " + quote_string(channel);
  if (all) sql += " ALL";
  return sql + channel_suffix(channel);
}

GtidVariables Dialect::gtid_variables() const {
  GtidVariables v;
  if (is_mariadb()) {
    v.binlog_pos = "gtid_binlog_pos";
    v.slave_pos = "gtid_slave_pos";
    v.current_pos = "gtid_current_pos";
  } else {
    v.executed = "gtid_executed";
    v.purged = "gtid_purged";
    v.mode = "gtid_mode";
  }
  return v;
}

std::string Dialect::select_gtid_state() const {
  GtidVariables v = gtid_variables();
  std::string sql = "SELECT ";
  bool first = true;
  for (const std::string* name :
       {&v.binlog_pos, &v.slave_pos, &v.current_pos, &v.mode, &v.executed, &v.purged}) {
    if (name->empty()) continue;
    if (!first) sql += ", ";
    sql += "@@GLOBAL." + *name + " AS " + *name;
    first = false;
  }
  return sql;
}

std::string Dialect::wait_for_gtid(const std::string& gtid, std::chrono::seconds timeout) const {
  const std::string fn = is_mariadb() ? "MASTER_GTID_WAIT" : "WAIT_FOR_EXECUTED_GTID_SET";
  return "SELECT " + fn + "(" + quote_string(gtid) + ", " + std::to_string(timeout.count()) + ")";
}

std::string Dialect::wait_for_position(const topology::BinlogPosition& position,
                                       std::chrono::seconds timeout) const {
  const std::string fn = mysql_at_least(8, 0, 26) ? "SOURCE_POS_WAIT" : "MASTER_POS_WAIT";
  return "SELECT " + fn + "(" + quote_string(position.file) + ", " + std::to_string(position.pos) +
         ", " + std::to_string(timeout.count()) + ")";
}

namespace {

Result<const Cell*> single_cell(const ResultSet& r, const char* what) {
  if (r.rows.size() != 1 || r.rows[0].size() != 1) {
    return Unexpected(
        make_error(ErrorCode::kQuery, std::string(what) + ": expected one row with one column"));
  }
  return &r.rows[0][0];
}

Result<long long> cell_number(const Cell& cell, const char* what) {
  long long v = 0;
  const std::string& s = *cell;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Unexpected(
        make_error(ErrorCode::kQuery, std::string(what) + ": unexpected result '" + s + "'"));
  }
  return v;
}

}  // namespace

Result<WaitOutcome> Dialect::gtid_wait_outcome(const ResultSet& result) const {
  Result<const Cell*> cell = single_cell(result, "GTID wait");
  if (!cell) return Unexpected(std::move(cell).error());
  if (!**cell) return WaitOutcome::kNotReplicating;
  Result<long long> v = cell_number(**cell, "GTID wait");
  if (!v) return Unexpected(std::move(v).error());
  if (*v == 0) return WaitOutcome::kReached;
  // MASTER_GTID_WAIT: -1 on timeout. WAIT_FOR_EXECUTED_GTID_SET: 1 on timeout.
  if (is_mariadb() ? *v == -1 : *v == 1) return WaitOutcome::kTimedOut;
  return Unexpected(
      make_error(ErrorCode::kQuery, "GTID wait: unexpected result " + std::to_string(*v)));
}

Result<WaitOutcome> Dialect::position_wait_outcome(const ResultSet& result) const {
  Result<const Cell*> cell = single_cell(result, "position wait");
  if (!cell) return Unexpected(std::move(cell).error());
  if (!**cell) return WaitOutcome::kNotReplicating;
  Result<long long> v = cell_number(**cell, "position wait");
  if (!v) return Unexpected(std::move(v).error());
  if (*v >= 0) return WaitOutcome::kReached;  // number of events waited for
  if (*v == -1) return WaitOutcome::kTimedOut;
  return Unexpected(
      make_error(ErrorCode::kQuery, "position wait: unexpected result " + std::to_string(*v)));
}

SemiSyncNames Dialect::semi_sync() const {
  SemiSyncNames n;
  if (mysql_at_least(8, 0, 26)) {
    n.source_plugin = "semisync_source";
    n.replica_plugin = "semisync_replica";
    n.source_enabled = "rpl_semi_sync_source_enabled";
    n.replica_enabled = "rpl_semi_sync_replica_enabled";
    n.source_timeout = "rpl_semi_sync_source_timeout";
    n.source_wait_point = "rpl_semi_sync_source_wait_point";
    n.source_clients = "Rpl_semi_sync_source_clients";
    n.source_status = "Rpl_semi_sync_source_status";
    return n;
  }
  // MariaDB (built in since 10.3.3) and MySQL before 8.0.26 share the old names.
  n.builtin = is_mariadb();
  if (!is_mariadb()) {
    n.source_plugin = "semisync_master";
    n.replica_plugin = "semisync_slave";
  }
  n.source_enabled = "rpl_semi_sync_master_enabled";
  n.replica_enabled = "rpl_semi_sync_slave_enabled";
  n.source_timeout = "rpl_semi_sync_master_timeout";
  n.source_wait_point = "rpl_semi_sync_master_wait_point";
  n.source_clients = "Rpl_semi_sync_master_clients";
  n.source_status = "Rpl_semi_sync_master_status";
  return n;
}

std::vector<std::string> Dialect::set_read_only(bool on) const {
  if (is_mariadb()) return {on ? "SET GLOBAL read_only = ON" : "SET GLOBAL read_only = OFF"};
  // super_read_only=ON implies read_only=ON; read_only=OFF implies super_read_only=OFF.
  if (on) return {"SET GLOBAL read_only = ON", "SET GLOBAL super_read_only = ON"};
  return {"SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF"};
}

std::string Dialect::read_only_bypass_privilege() const {
  if (is_mariadb()) return version_.at_least(10, 11) ? "READ_ONLY ADMIN" : "SUPER";
  return "CONNECTION_ADMIN or SUPER";
}

std::string Dialect::show_full_processlist() const { return "SHOW FULL PROCESSLIST"; }

std::string Dialect::kill_connection(uint64_t connection_id) const {
  return "KILL CONNECTION " + std::to_string(connection_id);
}

std::string Dialect::select_connection_id() const { return "SELECT CONNECTION_ID()"; }

std::string Dialect::flush_tables_no_binlog() const { return "FLUSH NO_WRITE_TO_BINLOG TABLES"; }

std::string Dialect::lock_all_tables() const { return "FLUSH TABLES WITH READ LOCK"; }

std::string Dialect::select_packet_and_read_only() const {
  return "SELECT @@global.max_allowed_packet AS p, @@global.read_only AS r";
}

std::string Dialect::set_max_allowed_packet(uint64_t bytes) const {
  return "SET GLOBAL max_allowed_packet=" + std::to_string(bytes);
}

std::string Dialect::select_relay_log_basename() const {
  return "SELECT @@global.relay_log_basename AS base, @@global.server_id AS id";
}

std::string Dialect::select_logged_gtids() const {
  return std::string("SELECT @@global.") + (is_mariadb() ? "gtid_binlog_pos" : "gtid_executed") +
         " AS g, @@global.log_bin AS b";
}

std::string Dialect::unlock_tables() const { return "UNLOCK TABLES"; }

std::string Dialect::set_session_lock_wait_timeout(std::chrono::seconds timeout) const {
  return "SET SESSION lock_wait_timeout = " +
         std::to_string(std::max<long long>(1, timeout.count()));
}

std::string Dialect::is_used_lock(const std::string& name) const {
  return "SELECT IS_USED_LOCK(" + quote_string(name) + ")";
}

}  // namespace mha::mysql
