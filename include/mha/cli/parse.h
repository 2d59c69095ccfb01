#pragma once

// Command-line parsing of every masterha_* tool into the structs of options.h. Pure: no file,
// environment or terminal access, so every spelling is unit-tested. Parsing follows MHA 0.58
// (Getopt::Long) with these rules:
//
//   --opt=value and --opt value are the same; when an option is repeated the last one wins
//   (except -s/--secondary_host, which collects); boolean options may be bare
//   (--ignore_last_failover) or carry 0/1 (also true/false, yes/no, on/off): --interactive=0,
//   --interactive 0. Unknown options and stray arguments are refused (MHA ignores them):
//     "<tool>: unknown option '--foo' (see --help)", exit 1.
//   --help prints usage (exit 0); --version prints "<tool> version <MHA_VERSION>." (exit 0).
//   A missing --conf prints MHA's "--conf=<server config file> must be set." (exit 1).

#include "mha/cli/options.h"

#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace mha::cli {

inline constexpr std::string_view kManagerTool = "masterha_manager";
inline constexpr std::string_view kCheckSshTool = "masterha_check_ssh";
inline constexpr std::string_view kCheckReplTool = "masterha_check_repl";
inline constexpr std::string_view kCheckStatusTool = "masterha_check_status";
inline constexpr std::string_view kStopTool = "masterha_stop";
inline constexpr std::string_view kMasterSwitchTool = "masterha_master_switch";
inline constexpr std::string_view kSecondaryCheckTool = "masterha_secondary_check";
inline constexpr std::string_view kConfHostTool = "masterha_conf_host";

// A command line that ends the program before it does anything: --help, --version or a usage
// error. Texts end with a newline; either may be empty.
struct EarlyExit {
  int code = 0;
  std::string out;  // for stdout (help, version)
  std::string err;  // for stderr (errors; never contains a password)
};

template <typename Options>
using Parsed = std::variant<Options, EarlyExit>;

// `args` are the arguments after the program name.
Parsed<ManagerOptions> parse_manager_args(std::span<const std::string> args);
Parsed<CheckSshOptions> parse_check_ssh_args(std::span<const std::string> args);
Parsed<CheckReplOptions> parse_check_repl_args(std::span<const std::string> args);
Parsed<CheckStatusOptions> parse_check_status_args(std::span<const std::string> args);
Parsed<StopOptions> parse_stop_args(std::span<const std::string> args);
Parsed<MasterSwitchOptions> parse_master_switch_args(std::span<const std::string> args);
Parsed<SecondaryCheckOptions> parse_secondary_check_args(std::span<const std::string> args);
Parsed<ConfHostOptions> parse_conf_host_args(std::span<const std::string> args);

// MHA's message for a missing --conf, without the newline.
inline constexpr std::string_view kConfNotSetMessage = "--conf=<server config file> must be set.";

}  // namespace mha::cli
