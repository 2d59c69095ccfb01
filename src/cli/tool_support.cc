#include "tool_support.h"

#include "mha/common/log.h"
#include "mha/config/config.h"

#include <ostream>

namespace mha::cli::internal {

int finish(const EarlyExit& done, const Context& ctx) {
  ctx.out << done.out;
  ctx.err << done.err;
  ctx.out.flush();
  return done.code;
}

int config_error(const Error& error, const Context& ctx) {
  ctx.err << log::redact(error.message) << '\n';
  return config::kExitConfigError;
}

int fail(std::string_view tool, std::string_view message, const Context& ctx) {
  ctx.err << tool << ": " << log::redact(message) << '\n';
  return 1;
}

int not_implemented(std::string_view tool, std::string_view what, int issue, const Context& ctx) {
  ctx.err << tool << ": " << what << " (issue #" << issue << ")\n";
  return 1;
}

}  // namespace mha::cli::internal
