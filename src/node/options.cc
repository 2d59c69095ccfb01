#include "mha/node/options.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace mha::node {
namespace {

constexpr std::string_view kToolNames[] = {"save_binary_logs", "apply_diff_relay_logs",
                                           "purge_relay_logs"};

Error config_error(std::string message) {
  return make_error(ErrorCode::kConfig, std::move(message));
}

std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> items;
  size_t begin = 0;
  while (begin <= list.size()) {
    const size_t end = std::min(list.find(',', begin), list.size());
    if (end > begin) items.push_back(list.substr(begin, end - begin));
    begin = end + 1;
  }
  return items;
}

// The option name of an unexpected argument, without its value: "--slave_pas=secret" must not
// print the secret.
std::string describe_unexpected(const std::string& arg, size_t position) {
  if (arg.size() > 1 && arg[0] == '-') {
    return "unknown option " + arg.substr(0, arg.find('='));
  }
  return "unexpected argument at position " + std::to_string(position + 1) +
         " (options are written --name=value)";
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// A CLI11 app configured the way every node tool parses: MHA spellings, the last of a repeated
// option wins (as with Getopt::Long), --help/--version handled by the caller, unknown options
// collected and refused with a message of our own.
class Cli {
 public:
  Cli(std::string_view name, std::string description)
      : app_(std::move(description), std::string(name)) {
    app_.set_help_flag();
    app_.allow_extras();
    app_.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app_.add_flag("--help", help_, "Print this help and exit");
    app_.add_flag("--version", version_, "Print the version and exit");
  }

  CLI::App& app() { return app_; }

  // CLI11 reports errors by throwing; nothing escapes this function.
  Result<ParseAction> parse(const std::vector<std::string>& args) {
    // CLI11 pops arguments from the back. It also reads "--name=" as a missing value, while
    // Getopt::Long (and so MHA's manager, e.g. --slave_pass= for an empty password) means an
    // empty one: pass those as "--name" "".
    std::vector<std::string> reversed;
    for (auto it = args.rbegin(); it != args.rend(); ++it) {
      if (it->size() > 3 && it->starts_with("--") && it->back() == '=' &&
          it->find('=') == it->size() - 1) {
        reversed.emplace_back();
        reversed.push_back(it->substr(0, it->size() - 1));
      } else {
        reversed.push_back(*it);
      }
    }
    try {
      app_.parse(reversed);
    } catch (const CLI::ParseError& e) {
      return Unexpected(config_error(one_line(e.what())));
    }
    if (help_) return ParseAction::kHelp;
    if (version_) return ParseAction::kVersion;
    const std::vector<std::string> rest = app_.remaining();
    if (!rest.empty()) {
      const auto it = std::find(args.begin(), args.end(), rest.front());
      return Unexpected(
          config_error(describe_unexpected(rest.front(), static_cast<size_t>(it - args.begin()))));
    }
    return ParseAction::kRun;
  }

  bool given(const std::string& name) { return app_.count(name) > 0; }

 private:
  CLI::App app_;
  bool help_ = false;
  bool version_ = false;
};

Status require(bool present, const std::string& what) {
  if (present) return ok_status();
  return Unexpected(config_error(what + " must be set"));
}

Status check_command(const std::string& command, std::initializer_list<std::string_view> valid) {
  std::string names;
  for (const auto name : valid) {
    if (command == name) return ok_status();
    names += (names.empty() ? "" : "|") + std::string(name);
  }
  if (command.empty()) return Unexpected(config_error("--command=" + names + " must be set"));
  return Unexpected(config_error("unknown --command '" + command + "' (expected " + names + ")"));
}

void add_credential_options(CLI::App& app, CredentialSource& source) {
  auto* file = app.add_option("--credentials_file", source.file,
                              "Read user=/password= lines from this file (mode 0600 or 0400)");
  auto* from_stdin = app.add_flag("--credentials_stdin", source.from_stdin,
                                  "Read user=/password= lines from stdin (the manager's way)");
  file->excludes(from_stdin);
}

Status check_credential_sources(const CredentialSource& source, bool password_in_argv,
                                const std::string& password_option) {
  if (password_in_argv && (!source.file.empty() || source.from_stdin)) {
    return Unexpected(config_error(password_option +
                                   " cannot be combined with --credentials_file or "
                                   "--credentials_stdin"));
  }
  return ok_status();
}

Status validate(const SaveBinaryLogsOptions& o) {
  MHA_TRY(check_command(o.command, {"test", "save"}));
  if (o.start_gtid) {
    if (o.start_pos) {
      return Unexpected(config_error("--start_gtid and --start_pos exclude each other"));
    }
    MHA_TRY(require(!o.start_file.empty() || !o.binlog_prefix.empty(),
                    "--start_file or --binlog_prefix (with --start_gtid)"));
  } else {
    if (o.command == "test") {
      MHA_TRY(
          require(!o.start_file.empty() || !o.binlog_prefix.empty() || !o.relay_log_info.empty(),
                  "--start_file (or --binlog_prefix or --relay_log_info for --command=test)"));
    } else {
      MHA_TRY(require(!o.start_file.empty(), "--start_file (or --start_gtid)"));
    }
    MHA_TRY(require(o.start_pos.has_value(), "--start_pos"));
  }
  MHA_TRY(require(!o.output_file.empty(), "--output_file"));
  if (o.binlog_dirs.empty()) return Unexpected(config_error("--binlog_dir names no directory"));
  return ok_status();
}

Status require_relay_source(const ApplyDiffRelayLogsOptions& o) {
  return require(
      (!o.relay_dir.empty() && !o.current_relay_log.empty()) || !o.relay_log_info.empty(),
      "either --relay_dir with --current_relay_log, or --relay_log_info,");
}

Status validate(const ApplyDiffRelayLogsOptions& o) {
  MHA_TRY(check_command(o.command, {"test", "find", "generate", "generate_and_send", "apply"}));
  if (o.command == "test" || o.command == "apply" || !o.handle_raw_binlog) {
    MHA_TRY(require(!o.target_version.empty(), "--target_version"));
  }
  if (o.command == "test") MHA_TRY(require_relay_source(o));
  if (o.command == "find" || o.command == "generate" || o.command == "generate_and_send") {
    MHA_TRY(require_relay_source(o));
    MHA_TRY(require(!o.latest_mlf.empty(), "--latest_mlf"));
    MHA_TRY(require(o.latest_rmlp != 0, "--latest_rmlp"));
    MHA_TRY(require(!o.target_mlf.empty(), "--target_mlf"));
    MHA_TRY(require(o.target_rmlp != 0, "--target_rmlp"));
    MHA_TRY(require(o.server_id.has_value(), "--server_id"));
  }
  if (o.command == "generate" || o.command == "generate_and_send") {
    MHA_TRY(require(!o.diff_file_readtolatest.empty(), "--diff_file_readtolatest"));
  }
  if (o.command == "generate_and_send") {
    MHA_TRY(require(!o.scp_host.empty() && !o.scp_user.empty(), "--scp_host and --scp_user"));
  }
  if (o.command == "apply") MHA_TRY(require(!o.apply_files.empty(), "--apply_files"));
  return check_credential_sources(o.credentials, o.slave_pass.has_value(), "--slave_pass");
}

Status validate(const PurgeRelayLogsOptions& o) {
  return check_credential_sources(o.credentials, o.password.has_value(), "--password");
}

template <typename Options>
Result<Parsed<Options>> finish(Cli& cli, Result<ParseAction> action, Options options) {
  if (!action) return Unexpected(std::move(action).error());
  Parsed<Options> parsed;
  parsed.action = *action;
  if (parsed.action == ParseAction::kHelp) parsed.help_text = cli.app().help();
  if (parsed.action == ParseAction::kRun) MHA_TRY(validate(options));
  parsed.options = std::move(options);
  return parsed;
}

}  // namespace

std::string_view tool_name(Tool tool) { return kToolNames[static_cast<int>(tool)]; }

std::optional<Tool> tool_from_name(std::string_view name) {
  for (const Tool tool : kAllTools) {
    if (tool_name(tool) == name) return tool;
  }
  return std::nullopt;
}

Result<Parsed<SaveBinaryLogsOptions>> parse_save_binary_logs(const std::vector<std::string>& args) {
  SaveBinaryLogsOptions o;
  Cli cli(tool_name(Tool::kSaveBinaryLogs),
          "Concatenate binary or relay logs from a file and position to the end of the newest log");
  auto& app = cli.app();
  uint64_t start_pos = 0;
  std::string binlog_dir;
  int handle_raw_binlog = 1;
  int skip_filter = 0;
  int disable_log_bin = 0;
  app.add_option("--command", o.command, "test | save");
  app.add_option("--start_file", o.start_file, "First binary/relay log file to read");
  app.add_option("--start_pos", start_pos, "Byte offset in --start_file to start from");
  std::string start_gtid;
  app.add_option("--start_gtid", start_gtid,
                 "Save the transactions after this MariaDB GTID (domain-server_id-seq_no)");
  app.add_option("--binlog_dir", binlog_dir,
                 "Comma-separated directories (default /var/lib/mysql)");
  app.add_option("--binlog_prefix", o.binlog_prefix, "Log name prefix (--command=test only)");
  app.add_option("--datadir", o.datadir, "Compatibility alias of --binlog_dir");
  app.add_option("--relay_log_info", o.relay_log_info, "Find relay logs through relay-log.info");
  app.add_option("--output_file", o.output_file, "Where to write the saved events");
  app.add_option("--handle_raw_binlog", handle_raw_binlog, "1: raw events (default), 0: SQL text");
  app.add_option("--skip_filter", skip_filter, "Text mode: do not filter mysqlbinlog output");
  app.add_option("--disable_log_bin", disable_log_bin, "Text mode: add --disable-log-bin");
  app.add_option("--oldest_version", o.oldest_version, "Oldest server version of the cluster");
  app.add_option("--manager_version", o.manager_version, "Version of the calling manager");
  app.add_option("--client_bindir", o.client_bindir, "Directory of mysqlbinlog");
  app.add_option("--client_libdir", o.client_libdir, "Library directory for mysqlbinlog");
  app.add_flag("--debug", o.debug, "Verbose output");

  auto action = cli.parse(args);
  if (cli.given("--start_pos")) o.start_pos = start_pos;
  if (action && cli.given("--start_gtid")) {
    auto gtid = topology::GtidPosition::parse(start_gtid);
    if (!gtid || gtid->size() != 1 || start_gtid.find(',') != std::string::npos) {
      return Unexpected(
          config_error("--start_gtid must be one MariaDB GTID, domain-server_id-seq_no"));
    }
    o.start_gtid = gtid->entries().front();
  }
  if (!binlog_dir.empty()) {
    o.binlog_dirs = split_commas(binlog_dir);
  } else if (!o.datadir.empty()) {
    o.binlog_dirs = split_commas(o.datadir);
  }
  o.handle_raw_binlog = handle_raw_binlog != 0;
  o.skip_filter = skip_filter != 0;
  o.disable_log_bin = disable_log_bin != 0;
  return finish(cli, std::move(action), std::move(o));
}

Result<Parsed<ApplyDiffRelayLogsOptions>> parse_apply_diff_relay_logs(
    const std::vector<std::string>& args) {
  ApplyDiffRelayLogsOptions o;
  Cli cli(tool_name(Tool::kApplyDiffRelayLogs),
          "Find, generate, send and apply relay-log differences between replicas");
  auto& app = cli.app();
  std::string slave_pass;
  uint32_t master_server_id = 0;
  uint32_t server_id = 0;
  std::string apply_files;
  int handle_raw_binlog = 1;
  int disable_log_bin = 0;
  app.add_option("--command", o.command, "test | find | generate | generate_and_send | apply");
  app.add_option("--datadir", o.datadir, "Data directory (compatibility alias of --relay_dir)");
  app.add_option("--relay_log_info", o.relay_log_info, "Path of relay-log.info");
  app.add_option("--relay_dir", o.relay_dir, "Relay log directory");
  app.add_option("--current_relay_log", o.current_relay_log, "Newest relay log file name");
  app.add_option("--scp_user", o.scp_user, "User for sending the diff (default root)");
  app.add_option("--scp_host", o.scp_host, "Host to send the diff to");
  app.add_option("--scp_port", o.scp_port, "SSH port of --scp_host (default 22)")
      ->check(CLI::Range(1, 65535));
  app.add_option("--ssh_options", o.ssh_options, "Extra ssh options");
  app.add_option("--remote_diff_file", o.remote_diff_file,
                 "generate_and_send: path on --scp_host (default: --diff_file_readtolatest)");
  app.add_option("--slave_user", o.slave_user, "MySQL user (default root)");
  app.add_option("--slave_pass", slave_pass,
                 "MySQL password; VISIBLE IN ps, use --credentials_stdin or --credentials_file");
  app.add_option("--slave_host", o.slave_host, "MySQL host (default 127.0.0.1)");
  app.add_option("--slave_ip", o.slave_ip, "MySQL address (default: resolved --slave_host)");
  app.add_option("--slave_port", o.slave_port, "MySQL port (default 3306)")
      ->check(CLI::Range(1, 65535));
  app.add_option("--master_server_id", master_server_id, "server_id of the master");
  app.add_option("--server_id", server_id, "server_id of this replica (its events are skipped)");
  app.add_option("--latest_mlf", o.latest_mlf, "Master_Log_File of the latest replica");
  app.add_option("--latest_rmlp", o.latest_rmlp, "Read_Master_Log_Pos of the latest replica");
  app.add_option("--target_mlf", o.target_mlf, "Master_Log_File of the target replica");
  app.add_option("--target_rmlp", o.target_rmlp, "Read_Master_Log_Pos of the target replica");
  app.add_option("--target_version", o.target_version, "Server version of the target replica");
  app.add_option("--workdir", o.workdir, "Working directory (default /var/tmp)");
  app.add_option("--diff_file_readtolatest", o.diff_file_readtolatest, "Diff file to write");
  app.add_option("--apply_files", apply_files, "Comma-separated files to apply, in order");
  app.add_option("--timestamp", o.timestamp, "Suffix for work file names");
  app.add_option("--handle_raw_binlog", handle_raw_binlog, "1: raw events (default), 0: SQL text");
  app.add_option("--disable_log_bin", disable_log_bin, "Apply with sql_log_bin=0");
  app.add_flag("--no_apply", o.no_apply, "Prepare the files but do not apply them");
  app.add_option("--manager_version", o.manager_version, "Version of the calling manager");
  app.add_option("--client_bindir", o.client_bindir, "Directory of mysql and mysqlbinlog");
  app.add_option("--client_libdir", o.client_libdir, "Library directory for the clients");
  app.add_flag("--debug", o.debug, "Verbose output");
  add_credential_options(app, o.credentials);

  auto action = cli.parse(args);
  if (cli.given("--slave_pass")) o.slave_pass = slave_pass;
  if (cli.given("--master_server_id")) o.master_server_id = master_server_id;
  if (cli.given("--server_id")) o.server_id = server_id;
  if (o.datadir.empty()) o.datadir = o.relay_dir;
  o.apply_files = split_commas(apply_files);
  o.handle_raw_binlog = handle_raw_binlog != 0;
  o.disable_log_bin = disable_log_bin != 0;
  return finish(cli, std::move(action), std::move(o));
}

Result<Parsed<PurgeRelayLogsOptions>> parse_purge_relay_logs(const std::vector<std::string>& args) {
  PurgeRelayLogsOptions o;
  Cli cli(tool_name(Tool::kPurgeRelayLogs),
          "Purge relay logs of a replica that runs with relay_log_purge=0, without stalling its "
          "SQL thread");
  auto& app = cli.app();
  std::string password;
  int use_hardlink = 1;
  app.add_option("--workdir", o.workdir, "Where hard links are made (default /var/tmp)");
  app.add_option("--relay_log_info", o.relay_log_info, "Path of relay-log.info");
  app.add_option("--user", o.user, "MySQL user (default root)");
  app.add_option("--password", password,
                 "MySQL password; VISIBLE IN ps, use --credentials_stdin or --credentials_file");
  app.add_option("--host", o.host, "MySQL host, must be local (default 127.0.0.1)");
  app.add_option("--port", o.port, "MySQL port (default 3306)")->check(CLI::Range(1, 65535));
  app.add_option("--socket", o.socket, "MySQL socket");
  app.add_option("--defaults_file", o.defaults_file, "MySQL option file");
  app.add_flag("--disable_relay_log_purge", o.disable_relay_log_purge,
               "Set relay_log_purge=0 when it is on, instead of exiting");
  app.add_option("--use_hardlink", use_hardlink, "1: unlink relay logs via hard links (default)");
  add_credential_options(app, o.credentials);

  auto action = cli.parse(args);
  if (cli.given("--password")) o.password = password;
  o.use_hardlink = use_hardlink != 0;
  return finish(cli, std::move(action), std::move(o));
}

}  // namespace mha::node
