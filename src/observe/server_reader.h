#pragma once

// Reading one server for observe_cluster(). Private to mha_observe.

#include "mha/config/config.h"
#include "mha/mysql/dialect.h"
#include "mha/mysql/endpoint.h"
#include "mha/mysql/sql_session.h"
#include "mha/topology/cluster_snapshot.h"

#include <memory>
#include <optional>
#include <string>

namespace mha::observe::internal {

// One server's observation plus what a later re-read needs. Move-only (owns the session).
struct ServerRead {
  topology::ServerObservation obs;
  std::unique_ptr<mysql::SqlSession> session;  // null once the server is dead or refused us
  std::optional<mysql::Dialect> dialect;       // absent until the version was read and supported
};

// Connects and reads every fact of ServerObservation except the SSH ones. `repl_user` is the
// configured replication user ("" = the replica's Master_User). Never fails: problems end up in
// obs.sql / obs.sql_error or leave facts unset (logged as warnings).
ServerRead read_server(const config::ServerConfig& server, topology::ServerIdentity id,
                       mysql::SqlConnector& connector, const mysql::Timeouts& timeouts);

// Reads the GTID state and the binary log status again (the master, after the replicas).
void reread_binlog_state(ServerRead& read);

}  // namespace mha::observe::internal
