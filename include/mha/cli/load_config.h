#pragma once

// Configuration loading as every masterha_* tool does it: --conf layered over --global_conf by
// mha::config::load, then the command line's --workdir/--log_output overrides applied on top.

#include "mha/cli/options.h"
#include "mha/common/result.h"
#include "mha/config/config.h"

namespace mha::cli {

// Errors are mha::config::load's (ErrorCode::kConfig, message "file:line: ..."), unchanged.
Result<config::AppConfig> load_app_config(const ConfSource& conf, const PathOverrides& overrides,
                                          const config::ScriptRunner& script_runner);

}  // namespace mha::cli
