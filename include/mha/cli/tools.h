#pragma once

// Entry points of the masterha_* programs. Each parses its arguments (mha/cli/parse.h), loads the
// configuration when the tool takes --conf, and runs. src/cli/bin/<tool>.cc only forwards argv.
//
// Exit codes (docs/cli.md): 0 success; 1 any error, including a rejected command line or
// configuration (mha::config::kExitConfigError); 10 done but partially failed;
// masterha_check_status exits with the status code it prints; masterha_secondary_check with 0/2/3.

#include "mha/config/config.h"

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

namespace mha::cli {

// What a tool may use from its surroundings; tests pass string streams and fakes. The streams
// must outlive the call.
struct Context {
  std::ostream& out;
  std::ostream& err;
  std::istream& in;  // masterha_secondary_check --master_password_file=-
  // Runs init_conf_load_script for mha::config::load. Empty: a configuration that sets the
  // script is rejected by the loader.
  config::ScriptRunner script_runner;
};

using ToolMain = int (*)(std::span<const std::string> args, const Context& ctx);

// `args` are the arguments after the program name. Not thread-safe with respect to the process
// logger; one tool runs per process.
int manager_main(std::span<const std::string> args, const Context& ctx);
int check_ssh_main(std::span<const std::string> args, const Context& ctx);
int check_repl_main(std::span<const std::string> args, const Context& ctx);
int check_status_main(std::span<const std::string> args, const Context& ctx);
int stop_main(std::span<const std::string> args, const Context& ctx);
int master_switch_main(std::span<const std::string> args, const Context& ctx);
int secondary_check_main(std::span<const std::string> args, const Context& ctx);
int conf_host_main(std::span<const std::string> args, const Context& ctx);

struct Tool {
  std::string_view name;  // "masterha_manager", ...
  ToolMain main;
};

// Every tool, in the order of docs/cli.md.
std::span<const Tool> all_tools();

// The init_conf_load_script runner real programs use: the line runs under /bin/sh through
// hooks::PosixProcessRunner with a 30 s deadline (process group killed after it); stdout is the
// result; a non-zero exit, signal or timeout is an error that does not quote the script's output.
config::ScriptRunner default_script_runner();

// For main(): runs `tool` on argv with std::cin/cout/cerr and default_script_runner(). An
// exception escaping the tool becomes "<program>: internal error: <what>" and exit 1.
int run_main(ToolMain tool, int argc, char** argv);

}  // namespace mha::cli
