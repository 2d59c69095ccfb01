#pragma once

// Statements observe runs that mysql::Dialect does not provide yet, built from the Dialect's
// names where the flavours differ. Pure: text only. Private to mha_observe.

#include "mha/mysql/dialect.h"

#include <string>
#include <string_view>
#include <vector>

namespace mha::observe::internal {

// Global variables read before the server's version is known, so the list holds every
// flavour's spelling (MySQL 8.0.26 renamed *slave* to *replica*); absent names are simply
// missing from the result. Includes "version", from which the Dialect is chosen.
const std::vector<std::string>& variable_names();

// SHOW GLOBAL VARIABLES WHERE Variable_name IN (<variable_names()>).
std::string show_variables_of_interest();

// SHOW GLOBAL STATUS WHERE Variable_name IN (<semi-sync status counters of this dialect>).
std::string show_semi_sync_status(const mysql::Dialect& dialect);

// The replica's heartbeat period for MySQL (performance_schema, default channel); MariaDB
// reports it as the Slave_heartbeat_period column of SHOW ALL SLAVES STATUS instead, so this is
// empty there.
std::string select_heartbeat_period(const mysql::Dialect& dialect);

// Whether `user` exists and has REPLICATION SLAVE: one row per account host with column
// Repl_slave_priv ('Y'/'N'). mysql.user is a table on MySQL and a view over mysql.global_priv on
// MariaDB >= 10.4; both have the column.
std::string select_repl_privilege(std::string_view user);

}  // namespace mha::observe::internal
