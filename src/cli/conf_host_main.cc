// masterha_conf_host: add or delete one server block of an application configuration, keeping
// the rest of the file byte for byte (conf_edit.h), written atomically.

#include "mha/cli/conf_edit.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/common/atomic_file.h"
#include "mha/config/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
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
  const std::string where = options.conf + " [" + options.block + "]";
  std::ifstream in(options.conf, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return internal::fail(kConfHostTool, options.conf + ": cannot read the file", ctx);
  }
  const std::string text = buffer.str();

  std::string edited;
  if (options.command == ConfHostCommand::kAdd) {
    auto added = add_conf_block(text, options.block, options.hostname, options.params);
    if (!added) {
      return internal::fail(kConfHostTool, options.conf + ": " + added.error().message, ctx);
    }
    edited = std::move(*added);
  } else {
    auto deleted = delete_conf_block(text, options.block);
    if (!deleted) {
      // MHA reports a missing entry and still succeeds, so scripts that delete a block that is
      // already gone keep working.
      ctx.out << "Entry [" << options.block << "] not found from " << options.conf << " .\n";
      return 0;
    }
    edited = std::move(*deleted);
  }
  if (auto written =
          replace_file_atomically(options.conf, edited, ReplaceOptions{.keep_existing = true});
      !written) {
    return internal::fail(kConfHostTool, where + ": " + written.error().message, ctx);
  }
  if (options.command == ConfHostCommand::kAdd) {
    ctx.out << "Wrote [" << options.block << "] entry to " << options.conf << " .\n";
  } else {
    ctx.out << "Deleted [" << options.block << "] entry from " << options.conf << " .\n";
  }
  return 0;
}

}  // namespace mha::cli
