#include "mha/cli/tools.h"
#include "mha/hooks/process.h"

#include <chrono>
#include <memory>

namespace mha::cli {
namespace {

// MHA waits for init_conf_load_script forever; a hung secret store must not hang every tool.
constexpr std::chrono::seconds kInitConfLoadTimeout{30};

}  // namespace

config::ScriptRunner default_script_runner() {
  auto runner = std::make_shared<hooks::PosixProcessRunner>();
  return [runner](const std::string& script) -> Result<std::string> {
    hooks::ProcessSpec spec;
    spec.shell_command = script;
    spec.timeout = kInitConfLoadTimeout;
    Result<hooks::ProcessResult> ran = runner->run(spec);
    if (!ran) return Unexpected(std::move(ran).error());
    if (!ran->success()) {
      // Only how it ended: the loader names the script and the file, and the script's output
      // is never quoted because it may echo the secrets it was asked for.
      return Unexpected(make_error(ran->timed_out ? ErrorCode::kTimeout : ErrorCode::kIo,
                                   ran->describe(), ran->exit_code));
    }
    return std::move(ran->out);
  };
}

}  // namespace mha::cli
