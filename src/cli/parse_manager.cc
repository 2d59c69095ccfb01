#include "mha/cli/parse.h"

#include "arg_parser.h"
#include "option_groups.h"

namespace mha::cli {

using internal::ArgParser;

Parsed<ManagerOptions> parse_manager_args(std::span<const std::string> args) {
  ManagerOptions o;
  ArgParser parser(kManagerTool, "Monitor the master and fail over once when it dies.");
  parser.add_conf_source(o.conf);
  parser.add_path_overrides(o.paths);
  parser
      .add_value("--wait_on_monitor_error", o.monitor.wait_on_monitor_error,
                 "Seconds to wait before exiting after a monitoring error")
      ->type_name("SECONDS")
      ->check(internal::non_negative())
      ->capture_default_str();
  internal::add_monitor_checks(parser, o.monitor);
  internal::add_new_master(parser, o.failover);
  internal::add_remove_master_conf(parser, o.failover);
  internal::add_failover_behaviour(parser, o.failover);
  internal::add_dry_run(parser, o.failover);
  if (auto done = parser.parse(args)) return *done;
  if (auto done = internal::require_conf(o.conf)) return *done;
  return o;
}

}  // namespace mha::cli
