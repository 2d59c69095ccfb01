#include "mha/node/node_main.h"

#include "mha/hooks/process.h"
#include "mha/node/apply_diff.h"
#include "mha/node/credentials.h"
#include "mha/node/options.h"
#include "mha/node/purge_relay_logs.h"
#include "mha/node/relay_diff.h"
#include "mha/node/relay_log_info.h"
#include "mha/node/save_binlog.h"
#include "mha/node/send_diff.h"
#include "mha/node/text_output.h"
#include "mha/node/version.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <unistd.h>

namespace mha::node {
namespace {

std::string basename_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int fail(std::ostream& err, std::string_view program, const std::string& message) {
  err << program << ": " << message << "\n";
  return kExitFailure;
}

// Reads and validates the credentials, so a bad file or a silent caller is reported before
// anything else.
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
  // Every valid command is dispatched before this point.
  return fail(err, program, "internal error: command '" + command + "' was not dispatched");
}

// A raw file made only to be converted to text: beside the output, removed however the
// conversion ends.
class RawScratch {
 public:
  explicit RawScratch(const std::string& output_file)
      : path_(output_file + ".raw." + std::to_string(::getpid())) {}
  ~RawScratch() { ::unlink(path_.c_str()); }
  RawScratch(const RawScratch&) = delete;
  RawScratch& operator=(const RawScratch&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// --handle_raw_binlog=0: `raw` (with its sections) becomes the SQL text `output_file`.
Result<uint64_t> convert_to_text(const std::string& raw, const std::vector<SourceSection>& sections,
                                 const std::string& output_file, const std::string& client_bindir,
                                 bool disable_log_bin) {
  auto aligned = align_text_sections(raw, sections);
  if (!aligned) return Unexpected(std::move(aligned).error());
  TextOptions options;
  options.client_bindir = client_bindir;
  options.disable_log_bin = disable_log_bin;
  hooks::PosixProcessRunner runner;
  return write_text_output(raw, *aligned, output_file, options, runner);
}

// "relay-bin.000007" -> "relay-bin".
std::string log_prefix(const std::string& name) {
  const size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

// save_binary_logs --command=test|save (save_binlog.h): binlogs through --binlog_dir, or a
// replica's relay logs through --relay_log_info; raw, or SQL text with --handle_raw_binlog=0.
// MHA's progress text goes to `err`, one JSON summary line to `out`.
int run_save_binary_logs(const SaveBinaryLogsOptions& o, std::ostream& out, std::ostream& err) {
  const std::string_view program = tool_name(Tool::kSaveBinaryLogs);
  std::optional<RelayLogLocation> relay;
  if (!o.relay_log_info.empty()) {
    if (o.start_gtid) {
      return fail(err, program,
                  "--start_gtid searches binlogs; with --relay_log_info give --start_file and "
                  "--start_pos (the replica's Relay_Log_File and Relay_Log_Pos)");
    }
    // Relative names in relay-log.info are relative to --datadir when given (MHA's data
    // directory), else to the file's own directory.
    auto where = read_relay_log_info(o.relay_log_info, o.datadir);
    if (!where) return fail(err, program, where.error().message);
    relay = *where;
  }
  SaveBinlogRequest request;
  request.binlog_dirs = relay ? std::vector<std::string>{relay->relay_dir} : o.binlog_dirs;
  request.start_file = o.start_file;
  request.start_pos = o.start_pos;
  request.start_gtid = o.start_gtid;
  request.binlog_prefix =
      relay && o.start_file.empty() ? log_prefix(relay->relay_log) : o.binlog_prefix;
  request.output_file = o.output_file;
  if (o.command == "test") {
    const auto tested = test_binlogs(request);
    if (!tested) return fail(err, program, tested.error().message);
    err << (relay ? "Relay log found at " : "Binlog found at ") << tested->dir << ", up to "
        << tested->files.back() << "\n";
    nlohmann::ordered_json j;
    j["tool"] = program;
    j["result"] = "ok";
    j["dir"] = tested->dir;
    j["files"] = tested->files;
    out << j.dump() << "\n";
    return kExitOk;
  }
  std::optional<RawScratch> scratch;
  if (!o.handle_raw_binlog) {
    scratch.emplace(o.output_file);
    request.output_file = scratch->path();
  }
  Result<SaveBinlogSummary> saved =
      relay
          ? save_relay_logs(
                {relay->relay_dir, o.start_file, o.start_pos.value_or(0), request.output_file}, err)
          : save_binlogs(request, err);
  if (!saved) return fail(err, program, "Failed to save binary log: " + saved.error().message);
  SaveBinlogSummary s = *saved;
  if (scratch) s.format = "text";
  if (scratch && s.saved) {
    if (s.starts_inside_transaction || s.ends_inside_transaction) {
      return fail(err, program,
                  "Failed to save binary log: the events " +
                      std::string(s.starts_inside_transaction ? "start" : "end") +
                      " inside a transaction, and SQL text (--handle_raw_binlog=0) cannot carry "
                      "half a transaction (mysqlbinlog ends each text with ROLLBACK); save in raw "
                      "mode");
    }
    auto text = convert_to_text(scratch->path(), s.sections, o.output_file, o.client_bindir,
                                o.disable_log_bin);
    if (!text) return fail(err, program, "Failed to save binary log: " + text.error().message);
    s.output_file = o.output_file;
    s.bytes = *text;
    err << "  Wrote the events as SQL text (mysqlbinlog, " << s.sections.size() << " file(s)) into "
        << o.output_file << " (" << s.bytes << " bytes).\n";
  }
  out << summary_json(s) << "\n";
  return s.saved ? kExitOk : kExitNothingToSave;
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

// apply_diff_relay_logs --command=find|generate|generate_and_send (relay_diff.h, send_diff.h):
// progress to `err`, one JSON summary line to `out`. find|generate: exit 0 when a diff exists
// (and was written), 10 when there is nothing to apply. generate_and_send: exit 0 / 1 as MHA
// (nothing to apply is 0, and nothing is sent).
int run_relay_diff(const ApplyDiffRelayLogsOptions& o, std::ostream& out, std::ostream& err) {
  const std::string_view program = tool_name(Tool::kApplyDiffRelayLogs);
  const bool send = o.command == "generate_and_send";
  SendTarget target;
  if (send) {
    target.user = o.scp_user;
    target.host = o.scp_host;
    target.port = o.scp_port;
    target.ssh_options = o.ssh_options;
    target.remote_path = o.remote_diff_file.empty() ? o.diff_file_readtolatest : o.remote_diff_file;
    // Bad input is refused before anything is generated.
    if (Status ok = check_send_target(target); !ok) {
      return fail(err, program, ok.error().message);
    }
    if (auto words = split_ssh_options(target.ssh_options); !words) {
      return fail(err, program, words.error().message);
    }
  }
  const auto where = relay_location(o);
  if (!where) return fail(err, program, where.error().message);
  RelayDiffRequest request;
  request.relay_dir = where->relay_dir;
  request.relay_log = where->relay_log;
  request.target = topology::BinlogPosition{o.target_mlf, o.target_rmlp};
  request.latest = topology::BinlogPosition{o.latest_mlf, o.latest_rmlp};
  request.output_file = o.diff_file_readtolatest;
  std::optional<RawScratch> scratch;
  if (!o.handle_raw_binlog && o.command != "find") {
    scratch.emplace(o.diff_file_readtolatest);
    request.output_file = scratch->path();
  }
  const auto r =
      o.command == "find" ? find_relay_diff(request, err) : generate_relay_diff(request, err);
  if (!r) {
    return fail(err, program,
                "Failed to " + std::string(send ? "generate" : o.command) +
                    " the relay-log diff: " + r.error().message);
  }
  RelayDiffSummary s = *r;
  if (send) s.command = o.command;
  if (scratch && s.written) {
    auto text = convert_to_text(scratch->path(), s.sections, o.diff_file_readtolatest,
                                o.client_bindir, o.disable_log_bin);
    if (!text) {
      return fail(err, program,
                  "Failed to write the relay-log diff as text: " + text.error().message);
    }
    s.output_file = o.diff_file_readtolatest;
    s.bytes = *text;
    s.format = "text";
    err << "  Wrote the diff as SQL text (mysqlbinlog) into " << s.output_file << " (" << s.bytes
        << " bytes).\n";
  }
  if (!send) {
    out << relay_diff_json(s) << "\n";
    return s.has_diff ? kExitOk : kExitNothingToSave;
  }
  auto j = nlohmann::ordered_json::parse(relay_diff_json(s));
  if (!s.written) {
    err << "Target slave has received all relay logs: nothing to send.\n";
    j["sent"] = nullptr;
    out << j.dump() << "\n";
    return kExitOk;
  }
  hooks::PosixProcessRunner runner;
  auto sent = send_file(s.output_file, target, runner, err);
  if (!sent) return fail(err, program, "generate_and_send: " + sent.error().message);
  j["sent"] = {{"user", target.user},        {"host", target.host},    {"port", target.port},
               {"path", target.remote_path}, {"sha256", sent->sha256}, {"tries", sent->tries}};
  out << j.dump() << "\n";
  return kExitOk;
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
  const auto applied = apply_diff_files(
      {target, o.apply_files, o.disable_log_bin, o.no_apply, !o.handle_raw_binlog}, runner, err);
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
          (parsed->options.command == "find" || parsed->options.command == "generate" ||
           parsed->options.command == "generate_and_send")) {
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
