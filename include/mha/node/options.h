#pragma once

// Command lines of the three node tools, with MHA 0.58's option names and defaults (see
// docs/node.md). Options are written `--name=value` or `--name value`; unlike MHA (Getopt::Long)
// unknown options and abbreviations are refused, so a typo cannot silently change behaviour.
//
// Parsing is pure: no file is read and nothing is printed. Errors are kConfig with a one-line
// message that names the option but never echoes a value (a mistyped --slave_pas=... would
// otherwise print a password). The per-command requirements MHA checks at start-up (e.g.
// save_binary_logs --command=save needs --start_file) are checked here too, so bad input is
// refused before anything runs.

#include "mha/common/result.h"
#include "mha/topology/mariadb_gtid.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mha::node {

enum class Tool { kSaveBinaryLogs, kApplyDiffRelayLogs, kPurgeRelayLogs };

inline constexpr Tool kAllTools[] = {Tool::kSaveBinaryLogs, Tool::kApplyDiffRelayLogs,
                                     Tool::kPurgeRelayLogs};

// "save_binary_logs", "apply_diff_relay_logs", "purge_relay_logs".
std::string_view tool_name(Tool tool);
std::optional<Tool> tool_from_name(std::string_view name);

// Exit codes of the node tools (MHA's).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitNothingToSave = 10;  // save_binary_logs: no events after start_pos

// Where MySQL credentials come from, besides the MHA-compatible argv options.
struct CredentialSource {
  std::string file;         // --credentials_file (must be 0600/0400, owned by the caller)
  bool from_stdin = false;  // --credentials_stdin
};

struct SaveBinaryLogsOptions {
  std::string command;  // "test" | "save"
  std::string start_file;
  std::optional<uint64_t> start_pos;
  // masterha addition: save the transactions AFTER this MariaDB GTID instead of from
  // --start_file/--start_pos (it then needs --start_file, where the search begins, or
  // --binlog_prefix, to search every binlog).
  std::optional<topology::MariadbGtid> start_gtid;
  std::vector<std::string> binlog_dirs = {"/var/lib/mysql"};  // --binlog_dir, comma list
  std::string binlog_prefix;                                  // test without --start_file
  std::string datadir;                                        // MHA compatibility alias
  std::string relay_log_info;
  std::string output_file;
  bool handle_raw_binlog = true;
  bool skip_filter = false;
  bool disable_log_bin = false;
  std::string oldest_version;
  std::string manager_version;
  std::string client_bindir;
  std::string client_libdir;
  bool debug = false;
};

struct ApplyDiffRelayLogsOptions {
  std::string command;  // "test" | "find" | "generate" | "generate_and_send" | "apply"
  std::string datadir;
  std::string relay_log_info;
  std::string relay_dir;
  std::string current_relay_log;
  std::string scp_user = "root";
  std::string scp_host;
  int scp_port = 22;
  std::string ssh_options;
  // masterha addition: where generate_and_send puts the diff on --scp_host; "" = the same path
  // as --diff_file_readtolatest (MHA's only choice).
  std::string remote_diff_file;
  std::string slave_user = "root";
  // Accepted for compatibility; visible in ps. Prefer CredentialSource.
  std::optional<std::string> slave_pass;
  std::string slave_host = "127.0.0.1";
  std::string slave_ip;  // default: resolved from slave_host when needed
  int slave_port = 3306;
  std::optional<uint32_t> master_server_id;
  std::optional<uint32_t> server_id;
  std::string latest_mlf;
  uint64_t latest_rmlp = 0;
  std::string target_mlf;
  uint64_t target_rmlp = 0;
  std::string target_version;
  std::string workdir = "/var/tmp";
  std::string diff_file_readtolatest;
  std::vector<std::string> apply_files;  // --apply_files, comma list
  std::string timestamp = "0";
  bool handle_raw_binlog = true;
  bool disable_log_bin = false;
  bool no_apply = false;
  std::string manager_version;
  std::string client_bindir;
  std::string client_libdir;
  bool debug = false;
  CredentialSource credentials;
};

struct PurgeRelayLogsOptions {
  std::string workdir = "/var/tmp";
  std::string relay_log_info;
  std::string user = "root";
  // Accepted for compatibility; visible in ps. Prefer CredentialSource.
  std::optional<std::string> password;
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;
  std::string defaults_file;
  bool disable_relay_log_purge = false;
  bool use_hardlink = true;
  CredentialSource credentials;
};

enum class ParseAction { kRun, kHelp, kVersion };

template <typename Options>
struct Parsed {
  ParseAction action = ParseAction::kRun;
  Options options;
  std::string help_text;  // filled for kHelp
};

// `args` are the arguments after the tool name (argv[1..] when run under the tool's own name).
Result<Parsed<SaveBinaryLogsOptions>> parse_save_binary_logs(const std::vector<std::string>& args);
Result<Parsed<ApplyDiffRelayLogsOptions>> parse_apply_diff_relay_logs(
    const std::vector<std::string>& args);
Result<Parsed<PurgeRelayLogsOptions>> parse_purge_relay_logs(const std::vector<std::string>& args);

}  // namespace mha::node
