#pragma once

// Option groups shared by several tools. Private to mha_cli.

#include "mha/cli/options.h"

#include "arg_parser.h"

namespace mha::cli::internal {

// --skip_ssh_check|--skip_check_ssh, --ignore_fail_on_start, --seconds_behind_master
// (masterha_manager, masterha_check_repl).
void add_monitor_checks(ArgParser& parser, MonitorOptions& monitor);

// --new_master_host, --new_master_port.
void add_new_master(ArgParser& parser, FailoverOptions& failover);
// --remove_dead_master_conf|--remove_orig_master_conf.
void add_remove_master_conf(ArgParser& parser, FailoverOptions& failover);
// --dry-run|--dry_run.
void add_dry_run(ArgParser& parser, FailoverOptions& failover);
// The rest of the dead-master failover options: --last_failover_minute, --ignore_last_failover,
// --wait_on_failover_error, --skip_save_master_binlog, --skip_change_master,
// --skip_disable_read_only, --wait_until_gtid_in_sync, --ignore_binlog_server_error.
void add_failover_behaviour(ArgParser& parser, FailoverOptions& failover);

// Names registered by add_failover_behaviour(), for mode checks.
inline constexpr const char* kFailoverBehaviourOptions[] = {
    "--last_failover_minute",    "--ignore_last_failover",      "--wait_on_failover_error",
    "--skip_save_master_binlog", "--skip_change_master",        "--skip_disable_read_only",
    "--wait_until_gtid_in_sync", "--ignore_binlog_server_error"};

}  // namespace mha::cli::internal
