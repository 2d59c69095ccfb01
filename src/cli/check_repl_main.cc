#include "mha/cli/load_config.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"

#include <variant>

#include "tool_support.h"

namespace mha::cli {

int check_repl_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_check_repl_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<CheckReplOptions>(parsed);
  auto config = load_app_config(options.conf, PathOverrides{}, ctx.script_runner);
  if (!config) return internal::config_error(config.error(), ctx);
  return internal::not_implemented(kCheckReplTool, "replication checks are not implemented yet", 3,
                                   ctx);
}

}  // namespace mha::cli
