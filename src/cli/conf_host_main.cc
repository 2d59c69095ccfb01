#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/config/config.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <variant>

#include "tool_support.h"

namespace mha::cli {

int conf_host_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_conf_host_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<ConfHostOptions>(parsed);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(options.conf, ec)) {
    return internal::fail(kConfHostTool, options.conf + ": no such configuration file", ctx);
  }
  // Parameter names are checked like the loader checks them; hyphens spell the same key.
  const std::vector<std::string>& known = config::parameter_names();
  for (const auto& [name, value] : options.params) {
    std::string key = name;
    std::replace(key.begin(), key.end(), '-', '_');
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return internal::fail(kConfHostTool, "unknown parameter '" + name + "' in --params", ctx);
    }
  }
  return internal::not_implemented(kConfHostTool, "configuration editing is not implemented yet", 8,
                                   ctx);
}

}  // namespace mha::cli
