#pragma once

// Small pieces every tool's *_main uses. Private to mha_cli.

#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/common/error.h"

#include <string_view>

namespace mha::cli::internal {

// Prints an EarlyExit's texts and returns its code.
int finish(const EarlyExit& done, const Context& ctx);

// Prints the configuration error's one line and returns config::kExitConfigError.
int config_error(const Error& error, const Context& ctx);

// "<tool>: <message>" on stderr (redacted), returns 1.
int fail(std::string_view tool, std::string_view message, const Context& ctx);

// "<tool>: <what> (issue #N)", e.g. "... monitoring and failover are not implemented yet
// (issue #4)", returns 1. Stands where a later issue
// plugs in the tool's behaviour.
int not_implemented(std::string_view tool, std::string_view what, int issue, const Context& ctx);

}  // namespace mha::cli::internal
