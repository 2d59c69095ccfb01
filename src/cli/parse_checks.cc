#include "mha/cli/parse.h"

#include "arg_parser.h"
#include "option_groups.h"

namespace mha::cli {

using internal::ArgParser;

Parsed<CheckSshOptions> parse_check_ssh_args(std::span<const std::string> args) {
  CheckSshOptions o;
  ArgParser parser(kCheckSshTool, "Check SSH connectivity to every configured server.");
  parser.add_conf_source(o.conf);
  parser.add_bool("--mesh", o.mesh,
                  "Also test SSH between every pair of servers, as MHA does (not in MHA)");
  if (auto done = parser.parse(args)) return *done;
  if (auto done = internal::require_conf(o.conf)) return *done;
  return o;
}

Parsed<CheckReplOptions> parse_check_repl_args(std::span<const std::string> args) {
  CheckReplOptions o;
  ArgParser parser(kCheckReplTool, "Run the monitor's start-up checks once and report.");
  parser.add_conf_source(o.conf);
  internal::add_monitor_checks(parser, o.monitor);
  parser.add_bool("--json", o.json, "Print the report as JSON on stdout (not in MHA)");
  if (auto done = parser.parse(args)) return *done;
  if (auto done = internal::require_conf(o.conf)) return *done;
  return o;
}

}  // namespace mha::cli
