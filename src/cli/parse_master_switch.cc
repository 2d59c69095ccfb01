#include "mha/cli/parse.h"

#include <vector>

#include "arg_parser.h"
#include "option_groups.h"

namespace mha::cli {
namespace {

using internal::ArgParser;

constexpr const char* kDeadOnly[] = {"--dead_master_host", "--dead_master_ip", "--dead_master_port",
                                     "--ssh_reachable", "--log_output"};
constexpr const char* kAliveOnly[] = {"--check_only",
                                      "--orig_master_is_new_slave",
                                      "--running_updates_limit",
                                      "--running_seconds_limit",
                                      "--seconds_behind_master",
                                      "--skip_lock_all_tables",
                                      "--flush_tables",
                                      "--catchup_timeout"};

}  // namespace

Parsed<MasterSwitchOptions> parse_master_switch_args(std::span<const std::string> args) {
  MasterSwitchOptions o;
  std::string state;
  int ssh_reachable = static_cast<int>(o.dead.ssh_reachable);
  int flush_tables = static_cast<int>(o.switchover.flush_tables);
  ArgParser parser(kMasterSwitchTool,
                   "Fail over from a dead master (--master_state=dead) or switch over from a "
                   "live one (--master_state=alive).");
  parser.add_value("--master_state", state, "dead or alive (required)")
      ->type_name("STATE")
      ->check(internal::one_of({"dead", "alive"}));
  parser.add_conf_source(o.conf);
  parser.add_path_overrides(o.paths);
  parser.add_bool("--interactive", o.interactive, "Ask before acting (default 1)");
  internal::add_new_master(parser, o.failover);
  internal::add_remove_master_conf(parser, o.failover);
  internal::add_dry_run(parser, o.failover);

  parser.add_value("--dead_master_host", o.dead.host, "dead: the failed master (required)")
      ->type_name("HOST");
  parser.add_value("--dead_master_ip", o.dead.ip, "dead: its IP (default: resolved)")
      ->type_name("IP");
  parser.add_value("--dead_master_port", o.dead.port, "dead: its port")
      ->type_name("PORT")
      ->check(internal::int_range(1, 65535))
      ->capture_default_str();
  parser
      .add_value("--ssh_reachable", ssh_reachable,
                 "dead: SSH to it works (1), does not (0), unknown (2)")
      ->type_name("0|1|2")
      ->check(internal::int_range(0, 2))
      ->capture_default_str();
  internal::add_failover_behaviour(parser, o.failover);

  parser.add_bool("--check_only", o.switchover.check_only, "alive: only check, change nothing");
  parser.add_bool("--orig_master_is_new_slave", o.switchover.orig_master_is_new_slave,
                  "alive: make the old master a slave of the new one");
  parser
      .add_value("--running_updates_limit", o.switchover.running_updates_limit,
                 "alive: refuse if a write has run longer on the master")
      ->type_name("SECONDS")
      ->check(internal::non_negative())
      ->capture_default_str();
  parser
      .add_value("--running_seconds_limit", o.switchover.running_seconds_limit,
                 "alive: refuse if a query has run longer on the new master")
      ->type_name("SECONDS")
      ->check(internal::non_negative())
      ->capture_default_str();
  parser
      .add_value("--seconds_behind_master", o.switchover.seconds_behind_master,
                 "alive: largest acceptable slave lag")
      ->type_name("SECONDS")
      ->check(internal::non_negative())
      ->capture_default_str();
  parser
      .add_value("--catchup_timeout", o.switchover.catchup_timeout,
                 "alive: seconds the new master may take to catch up (else roll back)")
      ->type_name("SECONDS")
      ->check(internal::int_range(1, 86400))
      ->capture_default_str();
  parser.add_bool("--skip_lock_all_tables", o.switchover.skip_lock_all_tables,
                  "alive: do not FLUSH TABLES WITH READ LOCK on the old master");
  parser
      .add_value("--flush_tables", flush_tables,
                 "alive: FLUSH TABLES first: 0 no, 1 yes, 2 ask if interactive")
      ->type_name("0|1|2")
      ->check(internal::int_range(0, 2))
      ->capture_default_str();

  if (auto done = parser.parse(args)) return *done;
  if (state.empty()) return parser.usage_error("--master_state=dead|alive must be set.");
  o.state = state == "dead" ? MasterState::kDead : MasterState::kAlive;
  // MHA's option sets differ per mode; an option of the other mode is refused rather than
  // silently ignored. (--log_output: alive mode logs to the terminal only.)
  std::vector<const char*> foreign;
  if (o.state == MasterState::kDead) {
    foreign.assign(std::begin(kAliveOnly), std::end(kAliveOnly));
  } else {
    foreign.assign(std::begin(kDeadOnly), std::end(kDeadOnly));
    foreign.insert(foreign.end(), std::begin(internal::kFailoverBehaviourOptions),
                   std::end(internal::kFailoverBehaviourOptions));
  }
  for (const char* name : foreign) {
    if (parser.given(name)) {
      return parser.usage_error(std::string("option '") + name + "' does not apply to " +
                                "--master_state=" + state);
    }
  }
  if (auto done = internal::require_conf(o.conf)) return *done;
  if (o.state == MasterState::kDead && o.dead.host.empty()) {
    return EarlyExit{1, "", "--dead_master_host=<dead master hostname> must be set.\n"};
  }
  o.dead.port_given = parser.given("--dead_master_port");
  o.dead.ssh_reachable = static_cast<SshReachable>(ssh_reachable);
  o.switchover.flush_tables = static_cast<FlushTables>(flush_tables);
  // --dry-run means the same as MHA's --check_only in alive mode.
  if (o.state == MasterState::kAlive && o.failover.dry_run) o.switchover.check_only = true;
  return o;
}

}  // namespace mha::cli
