#pragma once

// ClusterSnapshot: everything the manager observed about the configured servers at one moment,
// the input of masterha_check_repl's checks and of the failover planner. Pure data: the mysql/ssh
// modules fill it, tests build it by hand; nothing here does I/O.
//
// Every observed fact is optional: absent means "not observed" (server dead, variable missing on
// this flavour, probe skipped), never "false". Consumers must treat absent as unknown.
//
// Consistency contract for the filler: read the master's GTID state and binlog position AFTER the
// replicas' (or re-read it), so that a replica can never appear ahead of its master merely
// because writes happened between the reads; the errant-transaction check relies on it.
//
// Thread-compatible value types.

#include "mha/common/error.h"
#include "mha/topology/mariadb_gtid.h"
#include "mha/topology/mysql_gtid.h"
#include "mha/topology/replica_status.h"
#include "mha/topology/server_version.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mha::topology {

// Who a server is, copied from its [serverN] block (topology does not depend on config).
struct ServerIdentity {
  std::size_t config_index = 0;  // position in config::AppConfig::servers
  std::string block;             // "server1"
  std::string hostname;
  std::string ip;  // address actually used (resolved); equals hostname when not resolved
  int port = 3306;
  bool candidate_master = false;
  bool no_master = false;
  bool ignore_fail = false;
  std::string node_label;

  // "hostname(ip:port)", as MHA prints servers.
  std::string display() const;
  // True when `host` names this server (hostname or ip, exact) and the port matches.
  bool matches(std::string_view host, int port) const;
};

// Outcome of the SQL connection attempt.
enum class SqlReach {
  kAlive,    // connected and queried
  kDead,     // could not connect (refused, unreachable, timeout, lost during handshake)
  kRefused,  // the server answered but refused us (auth, too many connections, host blocked):
             // alive, so it must not be treated as a crashed server (MHA's "alive" errnos)
};

const char* sql_reach_name(SqlReach r);  // "alive", "dead", "refused"

// MariaDB GTID variables (absent on MySQL).
struct MariadbGtidVars {
  std::optional<GtidPosition> current_pos;  // @@gtid_current_pos
  std::optional<GtidPosition> slave_pos;    // @@gtid_slave_pos
  std::optional<GtidPosition> binlog_pos;   // @@gtid_binlog_pos
  std::optional<bool> strict_mode;          // @@gtid_strict_mode
};

// MySQL GTID variables (absent on MariaDB).
struct MysqlGtidVars {
  std::optional<std::string> gtid_mode;  // "OFF", "OFF_PERMISSIVE", "ON_PERMISSIVE", "ON"
  std::optional<GtidSet> executed;       // @@gtid_executed
};

// Semi-synchronous replication state (variables and status counters).
struct SemiSyncState {
  std::optional<bool> master_enabled;  // rpl_semi_sync_master_enabled / _source_enabled
  std::optional<bool> master_status;   // Rpl_semi_sync_master_status (ON = currently semi-sync)
  std::optional<int> master_clients;   // Rpl_semi_sync_master_clients
  std::optional<bool> slave_enabled;   // rpl_semi_sync_slave_enabled / _replica_enabled
};

// Whether the replication account exists on a server with REPLICATION SLAVE.
struct ReplUserGrant {
  std::string user;  // the account checked (config repl_user, else the replica's Master_User)
  bool exists = false;
  bool has_replication_slave = false;
};

// The node helper on the server's host, probed over SSH.
struct NodeHelperProbe {
  bool installed = false;
  std::string version;  // as reported, when installed
};

struct ServerObservation {
  ServerIdentity id;

  SqlReach sql = SqlReach::kAlive;
  std::optional<Error> sql_error;  // why dead/refused (detail = MySQL errno)

  std::optional<ServerVersion> version;
  std::optional<uint32_t> server_id;
  std::optional<bool> read_only;
  std::optional<bool> super_read_only;  // absent on MariaDB and MySQL < 5.7.8
  std::optional<bool> log_bin;
  std::optional<bool> log_slave_updates;
  std::optional<std::string> binlog_format;
  std::optional<bool> relay_log_purge;
  MariadbGtidVars mariadb_gtid;
  MysqlGtidVars mysql_gtid;
  std::optional<MasterStatus> master_status;  // SHOW MASTER STATUS (binlog filters); log_bin only

  // The default replication channel; absent when the server is not a replica.
  std::optional<ReplicaStatus> replica;

  // Failure-detection settings of the replica's IO thread.
  std::optional<int> slave_net_timeout;    // seconds
  std::optional<double> heartbeat_period;  // seconds; 0 = heartbeats disabled
  std::optional<int> connect_retry;        // seconds; falls back to replica->connect_retry

  SemiSyncState semi_sync;
  std::optional<ReplUserGrant> repl_user;

  std::optional<bool> ssh_reachable;           // absent: not probed
  std::optional<NodeHelperProbe> node_helper;  // absent: not probed

  bool alive() const { return sql == SqlReach::kAlive; }
  bool is_replica() const { return replica.has_value(); }
};

struct ClusterSnapshot {
  std::vector<ServerObservation> servers;            // config order
  std::chrono::system_clock::time_point taken_at{};  // for display only

  // Index of the server named by host (hostname or ip) and port; nullopt if not configured.
  std::optional<std::size_t> find(std::string_view host, int port) const;

  // Index of the configured server that server `i` replicates from; nullopt when `i` is not a
  // replica or its master is not a configured server.
  std::optional<std::size_t> upstream_of(std::size_t i) const;

  // The current master, derived as MHA does: the configured servers that alive replicas point
  // at; if that is one server, it is the master; if several (master-master), the single one that
  // is writable (read_only=0) or dead. Without any replica, the single alive writable server
  // that is not a replica. nullopt when none or ambiguous (the checks explain why).
  std::optional<std::size_t> derive_master() const;
};

}  // namespace mha::topology
