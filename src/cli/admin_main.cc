#include "mha/cli/load_config.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"

#include <variant>

#include "tool_support.h"

namespace mha::cli {
namespace {

// The configuration is needed only to find the status file; --app with --status_dir names it
// directly.
Status load_if_needed(const AdminTarget& target, const Context& ctx) {
  if (target.conf.conf.empty()) return ok_status();
  PathOverrides overrides;
  overrides.workdir = target.status_dir;
  overrides.log_output = target.log_output;
  auto config = load_app_config(target.conf, overrides, ctx.script_runner);
  if (!config) return Unexpected(config.error());
  return ok_status();
}

}  // namespace

int check_status_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_check_status_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<CheckStatusOptions>(parsed);
  if (!options.all) {
    if (Status loaded = load_if_needed(options.target, ctx); !loaded) {
      return internal::config_error(loaded.error(), ctx);
    }
  }
  return internal::not_implemented(kCheckStatusTool, "status reporting is not implemented yet", 4,
                                   ctx);
}

int stop_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_stop_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<StopOptions>(parsed);
  if (Status loaded = load_if_needed(options.target, ctx); !loaded) {
    return internal::config_error(loaded.error(), ctx);
  }
  return internal::not_implemented(kStopTool, "stopping a manager is not implemented yet", 4, ctx);
}

}  // namespace mha::cli
