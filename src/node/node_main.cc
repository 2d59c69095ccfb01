#include "mha/node/node_main.h"

#include "mha/hooks/process.h"
#include "mha/node/apply_diff.h"
#include "mha/node/credentials.h"
#include "mha/node/options.h"
#include "mha/node/purge_relay_logs.h"
#include "mha/node/relay_diff.h"
#include "mha/node/relay_log_info.h"
#include "mha/node/save_binlog.h"
#include "mha/node/version.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace mha::node {
namespace {

constexpr std::string_view kIssue = "issue #5";

std::string basename_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int fail(std::ostream& err, std::string_view program, const std::string& message) {
  err << program << ": " << message << "\n";
  return kExitFailure;
}

// Reads and validates the credentials now, so a bad file or a silent caller is reported the
// same way it will be once the commands are implemented.
Status load_credentials(const CredentialSource& source, int stdin_fd) {
  if (!source.file.empty()) {
    auto creds = load_credentials_file(source.file);
    if (!creds) return Unexpected(std::move(creds).error());
  }
  if (source.from_stdin) {
    auto creds = read_credentials_fd(stdin_fd);
    if (!creds) return Unexpected(std::move(creds).error());
  }
  return ok_status();
}

void warn_password_in_argv(std::ostream& err, std::string_view program, const std::string& option) {
  err << program << ": warning: " << option
      << " on the command line is visible to other users (ps); use --credentials_stdin or "
         "--credentials_file\n";
}

// Shared tail of every tool: --help/--version, credentials, then the command itself.
template <typename Options>
int run_parsed(Tool tool, const Result<Parsed<Options>>& parsed, std::ostream& out,
               std::ostream& err, const std::string& command, int stdin_fd,
               const CredentialSource* credentials, bool password_in_argv,
               const std::string& password_option) {
  const std::string_view program = tool_name(tool);
  if (!parsed) return fail(err, program, parsed.error().message);
  if (parsed->action == ParseAction::kHelp) {
    out << parsed->help_text;
    return kExitOk;
  }
  if (parsed->action == ParseAction::kVersion) {
    out << version_line(program) << "\n";
    return kExitOk;
  }
  if (password_in_argv) warn_password_in_argv(err, program, password_option);
  if (credentials != nullptr) {
    const Status loaded = load_credentials(*credentials, stdin_fd);
    if (!loaded) return fail(err, program, loaded.error().message);
  }
  return fail(err, program, command + " is not implemented yet (" + std::string(kIssue) + ")");
}

// save_binary_logs --command=test|save, raw mode (save_binlog.h). MHA's progress text goes to
// `err`, one JSON summary line to `out`.
int run_save_binary_logs(const SaveBinaryLogsOptions& o, std::ostream& out, std::ostream& err) {
  const std::string_view program = tool_name(Tool::kSaveBinaryLogs);
  if (!o.handle_raw_binlog) {
    return fail(err, program,
                "--handle_raw_binlog=0 (SQL text output) is not supported; raw mode (the "
                "default) writes a binlog that mysqlbinlog reads");
  }
  if (!o.relay_log_info.empty()) {
    return fail(err, program,
                "--relay_log_info is not supported: relay logs cannot be saved by "
                "save_binary_logs yet; give --binlog_dir and --start_file");
  }
  SaveBinlogRequest request;
  request.binlog_dirs = o.binlog_dirs;
  request.start_file = o.start_file;
  request.start_pos = o.start_pos;
  request.start_gtid = o.start_gtid;
  request.binlog_prefix = o.binlog_prefix;
  request.output_file = o.output_file;
  if (o.command == "test") {
    const auto tested = test_binlogs(request);
    if (!tested) return fail(err, program, tested.error().message);
    err << "Binlog found at " << tested->dir << ", up to " << tested->files.back() << "\n";
    nlohmann::ordered_json j;
    j["tool"] = program;
    j["result"] = "ok";
    j["dir"] = tested->dir;
    j["files"] = tested->files;
    out << j.dump() << "\n";
    return kExitOk;
  }
  const auto saved = save_binlogs(request, err);
  if (!saved) return fail(err, program, "Failed to save binary log: " + saved.error().message);
  out << summary_json(*saved) << "\n";
  return saved->saved ? kExitOk : kExitNothingToSave;
}

// Where the relay logs are: --relay_dir with --current_relay_log, else what --relay_log_info
// names (--relay_dir is then the data directory relative names start from, as in MHA).
Result<RelayLogLocation> relay_location(const ApplyDiffRelayLogsOptions& o) {
  if (!o.relay_dir.empty() && !o.current_relay_log.empty()) {
    return RelayLogLocation{o.relay_dir, o.current_relay_log};
  }
  if (!o.relay_log_info.empty()) return read_relay_log_info(o.relay_log_info, o.relay_dir);
  return Unexpected(make_error(ErrorCode::kConfig,
                               "give --relay_dir with --current_relay_log, or --relay_log_info"));
}

// apply_diff_relay_logs --command=find|generate (relay_diff.h): progress to `err`, one JSON
// summary line to `out`. Exit 0: a diff exists (and was written), 10: nothing to apply.
int run_relay_diff(const ApplyDiffRelayLogsOptions& o, std::ostream& out, std::ostream& err) {
  const std::string_view program = tool_name(Tool::kApplyDiffRelayLogs);
  if (!o.handle_raw_binlog) {
    return fail(err, program, "--handle_raw_binlog=0 (SQL text output) is not supported");
  }
  const auto where = relay_location(o);
  if (!where) return fail(err, program, where.error().message);
  RelayDiffRequest request;
  request.relay_dir = where->relay_dir;
  request.relay_log = where->relay_log;
  request.target = topology::BinlogPosition{o.target_mlf, o.target_rmlp};
  request.latest = topology::BinlogPosition{o.latest_mlf, o.latest_rmlp};
  request.output_file = o.diff_file_readtolatest;
  const auto r =
      o.command == "find" ? find_relay_diff(request, err) : generate_relay_diff(request, err);
  if (!r)
    return fail(err, program,
                "Failed to " + o.command + " the relay-log diff: " + r.error().message);
  out << relay_diff_json(*r) << "\n";
  return r->has_diff ? kExitOk : kExitNothingToSave;
}

// Credentials of the local server: --credentials_stdin / --credentials_file, else the
// (warned-about) password from argv; `user` is the command line's unless the source names one.
Result<Credentials> local_credentials(const CredentialSource& source,
                                      const std::optional<std::string>& argv_password,
                                      int stdin_fd) {
  Credentials creds;
  if (argv_password) creds.password = *argv_password;
  if (!source.file.empty()) return load_credentials_file(source.file);
  if (source.from_stdin) return read_credentials_fd(stdin_fd);
  return creds;
}

// apply_diff_relay_logs --command=test|apply (apply_diff.h) with the local clients.
int run_apply_or_test(const ApplyDiffRelayLogsOptions& o, std::ostream& out, std::ostream& err,
                      int stdin_fd) {
  const std::string_view program = tool_name(Tool::kApplyDiffRelayLogs);
  if (!o.handle_raw_binlog) {
    return fail(err, program, "--handle_raw_binlog=0 (SQL text files) is not supported");
  }
  RelayLogLocation where;
  if (o.command == "test") {
    auto found = relay_location(o);
    if (!found) return fail(err, program, found.error().message);
    where = *found;
  }
  auto creds = local_credentials(o.credentials, o.slave_pass, stdin_fd);
  if (!creds) return fail(err, program, creds.error().message);
  ApplyTarget target;
  target.host = o.slave_ip.empty() ? o.slave_host : o.slave_ip;
  target.port = o.slave_port;
  target.user = creds->user.value_or(o.slave_user);
  target.password = creds->password;
  target.workdir = o.workdir;
  target.client_bindir = o.client_bindir;
  hooks::PosixProcessRunner runner;
  if (o.command == "test") {
    const auto tested = test_apply({target, where.relay_dir, where.relay_log}, runner);
    if (!tested) return fail(err, program, "test failed: " + tested.error().message);
    err << "  mysql " << tested->mysql << ", mysqlbinlog " << tested->mysqlbinlog << "; relay logs"
        << " in " << tested->relay_dir << " up to " << tested->newest_relay_log << " readable; "
        << target.host << ":" << target.port << " answers (" << tested->server_version << ").\n";
    out << apply_test_json(*tested) << "\n";
    return kExitOk;
  }
  const auto applied =
      apply_diff_files({target, o.apply_files, o.disable_log_bin, o.no_apply}, runner, err);
  if (!applied) return fail(err, program, "apply failed: " + applied.error().message);
  out << apply_json(*applied) << "\n";
  return kExitOk;
}

// purge_relay_logs (purge_relay_logs.h) with the local mysql client.
int run_purge(const PurgeRelayLogsOptions& o, std::ostream& out, std::ostream& err, int stdin_fd) {
  const std::string_view program = tool_name(Tool::kPurgeRelayLogs);
  if (o.password) warn_password_in_argv(err, program, "--password");
  Credentials creds;
  if (o.password) creds.password = *o.password;
  if (!o.credentials.file.empty() || o.credentials.from_stdin) {
    auto loaded = !o.credentials.file.empty() ? load_credentials_file(o.credentials.file)
                                              : read_credentials_fd(stdin_fd);
    if (!loaded) return fail(err, program, loaded.error().message);
    creds = *loaded;
  }
  hooks::PosixProcessRunner runner;
  const auto r = purge_relay_logs(o, creds, runner, err);
  if (!r) return fail(err, program, "Failed to purge relay logs: " + r.error().message);
  out << "{\"tool\":\"purge_relay_logs\",\"result\":\"" << (r->purged ? "purged" : "skipped")
      << "\",\"relay_dir\":" << nlohmann::json(r->relay_dir).dump()
      << ",\"files_before\":" << r->files_before << ",\"files_after\":" << r->files_after << "}\n";
  return kExitOk;
}

int run_tool(Tool tool, const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             int stdin_fd) {
  switch (tool) {
    case Tool::kSaveBinaryLogs: {
      const auto parsed = parse_save_binary_logs(args);
      if (parsed && parsed->action == ParseAction::kRun) {
        return run_save_binary_logs(parsed->options, out, err);
      }
      const std::string command = parsed ? parsed->options.command : "";
      return run_parsed(tool, parsed, out, err, command, stdin_fd, nullptr, false, "");
    }
    case Tool::kApplyDiffRelayLogs: {
      const auto parsed = parse_apply_diff_relay_logs(args);
      if (!parsed) return run_parsed(tool, parsed, out, err, "", stdin_fd, nullptr, false, "");
      if (parsed->action == ParseAction::kRun &&
          (parsed->options.command == "find" || parsed->options.command == "generate")) {
        if (parsed->options.slave_pass) {
          warn_password_in_argv(err, tool_name(tool), "--slave_pass");
        }
        return run_relay_diff(parsed->options, out, err);
      }
      if (parsed->action == ParseAction::kRun &&
          (parsed->options.command == "apply" || parsed->options.command == "test")) {
        if (parsed->options.slave_pass) {
          warn_password_in_argv(err, tool_name(tool), "--slave_pass");
        }
        return run_apply_or_test(parsed->options, out, err, stdin_fd);
      }
      return run_parsed(tool, parsed, out, err, parsed->options.command, stdin_fd,
                        &parsed->options.credentials, parsed->options.slave_pass.has_value(),
                        "--slave_pass");
    }
    case Tool::kPurgeRelayLogs: {
      const auto parsed = parse_purge_relay_logs(args);
      if (!parsed) return run_parsed(tool, parsed, out, err, "", stdin_fd, nullptr, false, "");
      if (parsed->action == ParseAction::kRun)
        return run_purge(parsed->options, out, err, stdin_fd);
      return run_parsed(tool, parsed, out, err, "purge", stdin_fd, &parsed->options.credentials,
                        parsed->options.password.has_value(), "--password");
    }
  }
  return fail(err, tool_name(tool), "unknown tool");
}

std::string usage() {
  std::string text = "Usage: masterha_node <command> [options]\n\nCommands:\n";
  for (const Tool tool : kAllTools) text += "  " + std::string(tool_name(tool)) + "\n";
  text +=
      "  version [--json]   print the version (--json: name, version and protocol)\n\n"
      "Each tool is also installed under its own name (a link to masterha_node).\n"
      "`masterha_node <command> --help` lists a command's options.\n";
  return text;
}

int run_version(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app("Print the version", "version");
  app.set_help_flag();
  bool json = false;
  app.add_flag("--json", json, "Print {\"name\",\"version\",\"protocol\"} as JSON");
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError&) {
    return fail(err, kNodeProgram, "version accepts only --json");
  }
  out << (json ? version_json() : version_line(kNodeProgram)) << "\n";
  return kExitOk;
}

int run_node_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                     int stdin_fd) {
  if (args.empty()) {
    err << usage();
    return kExitFailure;
  }
  const std::string& command = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-h" || command == "help") {
    out << usage();
    return kExitOk;
  }
  if (command == "--version") {
    if (!rest.empty()) return fail(err, kNodeProgram, "--version takes no arguments");
    out << version_line(kNodeProgram) << "\n";
    return kExitOk;
  }
  if (command == "version") return run_version(rest, out, err);
  if (const auto tool = tool_from_name(command)) return run_tool(*tool, rest, out, err, stdin_fd);
  if (!command.empty() && command.front() == '-') {
    return fail(err, kNodeProgram,
                "unknown option " + command.substr(0, command.find('=')) +
                    " (expected a command first; see masterha_node --help)");
  }
  return fail(err, kNodeProgram,
              "unknown command '" + command +
                  "' (expected save_binary_logs, apply_diff_relay_logs, purge_relay_logs or "
                  "version)");
}

}  // namespace

int node_main(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err,
              int stdin_fd) {
  const std::string program = argv.empty() ? std::string(kNodeProgram) : basename_of(argv[0]);
  const std::vector<std::string> args(argv.empty() ? argv.end() : argv.begin() + 1, argv.end());
  if (const auto tool = tool_from_name(program)) return run_tool(*tool, args, out, err, stdin_fd);
  return run_node_command(args, out, err, stdin_fd);
}

}  // namespace mha::node
