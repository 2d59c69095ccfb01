#pragma once

// observe_cluster(): reads everything masterha_check_repl's checks and the failover planner need
// from every configured server, into a topology::ClusterSnapshot (cluster_snapshot.h says what
// each field means).
//
// How it reads:
//   1. One thread per configured server connects (Timeouts from ObserveOptions) and reads its
//      variables, replica status (every channel; the default one is kept), binary log status,
//      GTID state, semi-sync status, heartbeat period and the replication user's privilege. The
//      threads hold a mysql::MysqlThreadToken each.
//   2. After every thread has finished, the master is derived (ClusterSnapshot::derive_master) and
//      its GTID state and binary log status are read again on the calling thread, so a replica
//      never appears ahead of its master because writes happened between the reads.
//
// Reachability: a connection (or a statement) failing with an unreachable/lost errno makes the
// server kDead; an "alive" errno (access denied, too many connections, host blocked) or any other
// error from a server that answered makes it kRefused. Either way sql_error says why (errno in
// Error::detail, no password). A statement that fails on a live server for another reason (a
// missing privilege on mysql.user, an unsupported version) leaves only the facts it would have
// filled unset; it is logged as a warning and does not change the server's reachability.
//
// Bounded time: every connect and statement is bounded by the timeouts, so the call returns
// within about connect + (statements x read) per server, the servers in parallel. All SQL text
// comes from mysql::Dialect or from observe's own statement builders (src/observe/queries.h),
// chosen by the server's version.
//
// SSH facts (ssh_reachable, node_helper) are left unset: they are filled by the SSH probe.
//
// Thread safety: the calling thread must hold a mysql::MysqlLibrary (main) or a
// MysqlThreadToken. `connector` is called from several threads at once and must allow that
// (MysqlConnector does). Each session is used by one thread at a time.

#include "mha/config/config.h"
#include "mha/mysql/endpoint.h"
#include "mha/mysql/sql_session.h"
#include "mha/topology/cluster_snapshot.h"

#include <set>
#include <string>

namespace mha::observe {

struct ObserveOptions {
  mysql::Timeouts timeouts;  // connect 5 s, read 10 s, write 10 s
  // Read the servers one after another on the calling thread instead of one thread each (tests
  // with a connector that is not thread-safe; tools never set it).
  bool sequential = false;
  // Servers (config indexes) not connected to at all: they are recorded as kDead with
  // `presumed_dead_reason` as their sql_error. The failover's own observation passes the master
  // the detector has just declared dead: its verdict is the evidence, and reconnecting to a hung
  // or cut-off host would cost a whole connect timeout before the first step. (A master that came
  // back meanwhile is still found: the fence step connects to it and makes it read-only.)
  std::set<std::size_t> presumed_dead{};
  std::string presumed_dead_reason{};
};

// The server's identity as the snapshot carries it (config index, block, host, ip, port, flags).
topology::ServerIdentity identity_of(const config::AppConfig& config, std::size_t index);

// Observes every server of `config` (config order). Never fails as a whole: what could not be
// read is absent or described in the server's sql_error.
topology::ClusterSnapshot observe_cluster(const config::AppConfig& config,
                                          mysql::SqlConnector& connector,
                                          const ObserveOptions& options = {});

}  // namespace mha::observe
