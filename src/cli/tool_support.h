#pragma once

// Small pieces every tool's *_main uses. Private to mha_cli.

#include "mha/cli/options.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/common/error.h"
#include "mha/common/log.h"
#include "mha/manager/failover_run.h"

#include <iostream>
#include <string>
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

// The process logger points at the tool's streams while it runs and back at stderr afterwards,
// so nothing writes to a stream the caller has destroyed.
class LogTo {
 public:
  LogTo(std::ostream& stream, log::Level level) { log::init_stream(stream, level); }
  ~LogTo() { log::init_stream(std::cerr, log::Level::kInfo); }
  LogTo(const LogTo&) = delete;
  LogTo& operator=(const LogTo&) = delete;
};

// --remove_dead_master_conf: deletes [block] from the file at `path`, keeping every other line.
Status remove_server_block(const std::string& path, const std::string& block);

// Creates manager_workdir (mode 0750) unless it exists. kIo naming the directory.
Status ensure_workdir(const std::string& dir);

// The failover switches of masterha_manager / masterha_master_switch --master_state=dead.
manager::FailoverSwitches failover_switches(const FailoverOptions& f);

}  // namespace mha::cli::internal
