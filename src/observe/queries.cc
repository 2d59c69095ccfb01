#include "queries.h"

#include "mha/mysql/sql_text.h"

namespace mha::observe::internal {
namespace {

std::string in_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += mysql::quote_string(n);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& variable_names() {
  static const std::vector<std::string> kNames = {
      "version",
      "server_id",
      "read_only",
      "super_read_only",
      "log_bin",
      "log_slave_updates",
      "log_replica_updates",
      "binlog_format",
      "relay_log_purge",
      "gtid_strict_mode",
      "slave_net_timeout",
      "replica_net_timeout",
      "rpl_semi_sync_master_enabled",
      "rpl_semi_sync_slave_enabled",
      "rpl_semi_sync_source_enabled",
      "rpl_semi_sync_replica_enabled",
  };
  return kNames;
}

std::string show_variables_of_interest() {
  return "SHOW GLOBAL VARIABLES WHERE Variable_name IN (" + in_list(variable_names()) + ")";
}

std::string show_semi_sync_status(const mysql::Dialect& dialect) {
  const mysql::SemiSyncNames n = dialect.semi_sync();
  return "SHOW GLOBAL STATUS WHERE Variable_name IN (" +
         in_list({n.source_clients, n.source_status}) + ")";
}

std::string select_heartbeat_period(const mysql::Dialect& dialect) {
  if (dialect.is_mariadb()) return "";
  return "SELECT HEARTBEAT_INTERVAL FROM performance_schema.replication_connection_configuration "
         "WHERE CHANNEL_NAME = ''";
}

std::string select_repl_privilege(std::string_view user) {
  return "SELECT Repl_slave_priv FROM mysql.user WHERE User = " + mysql::quote_string(user);
}

}  // namespace mha::observe::internal
