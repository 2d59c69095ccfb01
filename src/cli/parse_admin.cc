#include "mha/cli/parse.h"

#include "arg_parser.h"

namespace mha::cli {
namespace {

using internal::ArgParser;

void add_target(ArgParser& parser, AdminTarget& target) {
  parser.add_conf_source(target.conf);
  parser.add_value("--app", target.app, "Application name (instead of --conf)")->type_name("NAME");
  parser
      .add_value("--status_dir,--workdir,--manager_workdir", target.status_dir,
                 "Directory of the status file (default: manager_workdir)")
      ->type_name("DIR");
  parser.add_value("--log_output,--manager_log", target.log_output, "Manager log to point at")
      ->type_name("FILE");
}

// MHA: --app alone means /usr/local/masterha/conf/<app>.cnf; --app with --status_dir needs no
// configuration at all.
std::optional<EarlyExit> resolve_target(AdminTarget& target) {
  if (!target.conf.conf.empty()) return std::nullopt;
  if (target.app.empty()) return internal::require_conf(target.conf);
  if (!target.status_dir) {
    target.conf.conf = std::string(kDefaultAppConfDir) + "/" + target.app + ".cnf";
  }
  return std::nullopt;
}

}  // namespace

Parsed<CheckStatusOptions> parse_check_status_args(std::span<const std::string> args) {
  CheckStatusOptions o;
  ArgParser parser(kCheckStatusTool, "Print the manager's status; the exit code is the status.");
  add_target(parser, o.target);
  parser
      .add_value("--ping_limit", o.ping_limit,
                 "Seconds after which a PING_OK status is reported as TIMESTAMP_OLD")
      ->type_name("SECONDS")
      ->check(internal::positive())
      ->capture_default_str();
  parser.add_bool("--all", o.all, "Report every application under --basedir");
  parser.add_value("--basedir", o.basedir, "--all: daemontools service directory")
      ->type_name("DIR")
      ->capture_default_str();
  parser.add_value("--baselog", o.baselog, "--all: directory of the manager logs")
      ->type_name("DIR");
  parser.add_bool("--json", o.json, "Print the status as JSON on stdout (not in MHA)");
  if (auto done = parser.parse(args)) return *done;
  if (o.all) return o;
  if (auto done = resolve_target(o.target)) return *done;
  return o;
}

Parsed<StopOptions> parse_stop_args(std::span<const std::string> args) {
  StopOptions o;
  ArgParser parser(kStopTool, "Stop a running masterha_manager.");
  add_target(parser, o.target);
  parser.add_bool("--abort", o.abort, "SIGKILL the manager if SIGTERM did not stop it in time");
  parser
      .add_value("--abort_timeout", o.abort_timeout,
                 "Seconds to wait for the manager to exit after SIGTERM")
      ->type_name("SECONDS")
      ->check(internal::non_negative())
      ->capture_default_str();
  if (auto done = parser.parse(args)) return *done;
  if (auto done = resolve_target(o.target)) return *done;
  return o;
}

}  // namespace mha::cli
