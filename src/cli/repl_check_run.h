#pragma once

// What masterha_check_repl checks, as a function masterha_manager's start-up runs too: observe
// every server (SQL, and SSH unless skipped), run the status scripts against the current master,
// judge with mha::checks. Private to mha_cli.

#include "mha/checks/replication_checks.h"
#include "mha/cli/options.h"
#include "mha/config/config.h"
#include "mha/mysql/sql_session.h"
#include "mha/observe/ssh_probe.h"
#include "mha/topology/cluster_snapshot.h"

namespace mha::cli::internal {

struct ReplCheckRun {
  topology::ClusterSnapshot snapshot;
  checks::CheckReport report;
};

// `ssh`: null when SSH is skipped (or libssh2 could not start: the report then says SSH failed).
// The caller holds a mysql::MysqlLibrary and, when `ssh` is given, a ssh::Libssh2Library.
ReplCheckRun run_repl_checks(const config::AppConfig& config, const MonitorOptions& monitor,
                             mysql::SqlConnector& connector, observe::ExecSource* ssh);

}  // namespace mha::cli::internal
