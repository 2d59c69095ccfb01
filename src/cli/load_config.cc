#include "mha/cli/load_config.h"

#include <utility>

namespace mha::cli {

Result<config::AppConfig> load_app_config(const ConfSource& conf, const PathOverrides& overrides,
                                          const config::ScriptRunner& script_runner) {
  config::LoadOptions options;
  options.conf_path = conf.conf;
  options.global_conf_path = conf.global_conf;
  options.script_runner = script_runner;
  Result<config::AppConfig> loaded = config::load(options);
  if (!loaded) return loaded;
  if (overrides.workdir) loaded->app.manager_workdir = *overrides.workdir;
  if (overrides.log_output) loaded->app.manager_log = *overrides.log_output;
  return loaded;
}

}  // namespace mha::cli
