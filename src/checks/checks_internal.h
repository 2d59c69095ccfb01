#pragma once

// Shared state of one run_replication_checks() call (private to the checks module). Each check
// group is a free function over a Context; groups run in MHA's order (see replication_checks.cc).

#include "mha/checks/check_report.h"
#include "mha/checks/replication_checks.h"
#include "mha/config/config.h"
#include "mha/topology/cluster_snapshot.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mha::checks::internal {

struct Context {
  const topology::ClusterSnapshot& snap;
  const config::AppConfig& config;
  const CheckOptions& options;
  CheckReport& report;

  std::optional<std::size_t> master;
  std::vector<std::size_t> replicas;   // direct replicas of the master, every state, config order
  std::vector<std::size_t> unmanaged;  // multi-tier replicas (multi_tier_slave=1)

  const topology::ServerObservation& at(std::size_t i) const { return snap.servers[i]; }
  std::string name(std::size_t i) const { return at(i).id.display(); }

  void add(std::string_view check, Severity severity, std::string message,
           std::optional<std::size_t> server = std::nullopt);

  // MHA's "failed slave": alive, but its SQL thread stopped with an error.
  bool failed(std::size_t i) const;
  // MHA's "alive slaves": direct replicas that are alive and not failed.
  std::vector<std::size_t> alive_replicas() const;
  // Alive replicas that could become master: log-bin on and not no_master.
  bool promotable(std::size_t i) const;
  std::vector<std::size_t> promotable_replicas() const;
  // Whether a dead/failed server may be skipped (--ignore_fail_on_start and ignore_fail=1).
  bool ignorable(std::size_t i) const;
};

// Check groups, in the order they run.
void check_access_and_topology(Context& ctx);  // sql_access, master, topology, dead/failed
void check_server_settings(Context& ctx);      // versions, server_id, read_only, log_bin, ...
void check_filters(Context& ctx);              // replication_filters, binlog_filters
void check_gtid(Context& ctx);                 // gtid_consistency, errant_transactions
void check_promotion(Context& ctx);            // repl_user_privilege, promotable_replica
void check_ssh(Context& ctx);                  // ssh, node_helper
void check_replication_running(Context& ctx);  // replication_running
void check_safety(Context& ctx);               // semi_sync, failure_detection, data_loss_risk
void check_scripts(Context& ctx);              // master_ip_failover_script, shutdown_script

// The mode a failover would use, from the alive direct replicas.
ReplicationMode derive_mode(const Context& ctx);

// "a, b and c".
std::string join_names(const std::vector<std::string>& names);

}  // namespace mha::checks::internal
