#include "option_groups.h"

namespace mha::cli::internal {

void add_monitor_checks(ArgParser& parser, MonitorOptions& monitor) {
  parser.add_bool("--skip_ssh_check,--skip_check_ssh", monitor.skip_ssh_check,
                  "Skip the SSH checks at start-up");
  parser.add_bool("--ignore_fail_on_start", monitor.ignore_fail_on_start,
                  "Start even if ignore_fail servers are down");
  parser
      .add_value("--seconds_behind_master", monitor.seconds_behind_master,
                 "Largest acceptable slave lag in seconds")
      ->type_name("SECONDS")
      ->check(non_negative())
      ->capture_default_str();
}

void add_new_master(ArgParser& parser, FailoverOptions& failover) {
  parser.add_value("--new_master_host", failover.new_master_host, "Promote this server")
      ->type_name("HOST");
  parser.add_value("--new_master_port", failover.new_master_port, "Port of --new_master_host")
      ->type_name("PORT")
      ->check(int_range(1, 65535))
      ->capture_default_str();
}

void add_remove_master_conf(ArgParser& parser, FailoverOptions& failover) {
  parser.add_bool("--remove_dead_master_conf,--remove_orig_master_conf",
                  failover.remove_dead_master_conf,
                  "After success, delete the old master's block from --conf");
}

void add_dry_run(ArgParser& parser, FailoverOptions& failover) {
  parser.add_bool("--dry-run,--dry_run", failover.dry_run,
                  "Print the plan and change nothing (not in MHA)");
}

void add_failover_behaviour(ArgParser& parser, FailoverOptions& failover) {
  parser
      .add_value("--last_failover_minute", failover.last_failover_minute,
                 "Refuse a failover this many minutes after the last one")
      ->type_name("MINUTES")
      ->check(non_negative())
      ->capture_default_str();
  parser.add_bool("--ignore_last_failover", failover.ignore_last_failover,
                  "Fail over even if the last failover was recent or failed");
  parser
      .add_value("--wait_on_failover_error", failover.wait_on_failover_error,
                 "Seconds to wait before exiting after a failover error")
      ->type_name("SECONDS")
      ->check(non_negative())
      ->capture_default_str();
  parser.add_bool("--skip_save_master_binlog", failover.skip_save_master_binlog,
                  "Do not fetch binlog events from the dead master");
  parser.add_bool("--skip_change_master", failover.skip_change_master,
                  "Apply missing events but do not re-point the slaves");
  parser.add_bool("--skip_disable_read_only", failover.skip_disable_read_only,
                  "Leave read_only on the new master");
  parser.add_bool("--wait_until_gtid_in_sync", failover.wait_until_gtid_in_sync,
                  "Wait until slaves caught up with the new master (GTID mode)");
  parser.add_bool("--ignore_binlog_server_error", failover.ignore_binlog_server_error,
                  "Go on when a binlog server cannot be read");
}

}  // namespace mha::cli::internal
