#include "mha/node/apply_diff.h"

#include "mha/binlog/event.h"
#include "mha/binlog/event_reader.h"
#include "mha/binlog/log_sequence.h"
#include "mha/node/relay_diff.h"
#include "mha/node/text_output.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <utility>

#include "mysql_client.h"

namespace mha::node {
namespace {

namespace fs = std::filesystem;
using binlog::Event;
using internal::ClientConnection;
using internal::run_sql;

std::string at(const std::string& file, uint64_t offset) {
  return file + ":" + std::to_string(offset);
}

Unexpected refuse(const std::string& message) {
  return Unexpected(make_error(ErrorCode::kPrecondition, message));
}

// Events that describe a file, not data.
bool header_event(const Event& ev) {
  return ev.as<binlog::FormatDescription>() != nullptr || ev.as<binlog::GtidList>() != nullptr ||
         ev.as<binlog::BinlogCheckpoint>() != nullptr || ev.as<binlog::Rotate>() != nullptr ||
         ev.as<binlog::Stop>() != nullptr;
}

// Event types that only occur inside a transaction, after its GTID (or BEGIN): annotate, table
// map, row events (v1, v2 and MariaDB's compressed ones), Xid, XA_prepare.
bool continues_a_transaction(uint8_t type) {
  namespace et = binlog::event_type;
  return type == et::kAnnotateRows || type == et::kTableMap || type == et::kXid ||
         type == et::kXaPrepare || (type >= 23 && type <= 25) || (type >= 30 && type <= 32) ||
         (type >= 166 && type <= 171);
}

// Per file: a Gtid_list only among the leading header events; the stream's first data event
// must start a transaction (else its beginning is missing and the rows would autocommit).
Status check_event_layout(const std::vector<std::string>& files) {
  bool first_data = true;
  for (const std::string& file : files) {
    auto reader = binlog::EventReader::open_file(file);
    if (!reader) return Unexpected(std::move(reader).error());
    bool in_header = true;
    while (true) {
      auto r = reader->next();
      if (!r) return Unexpected(std::move(r).error());
      if (!*r) break;
      const Event& ev = **r;
      if (ev.as<binlog::GtidList>() != nullptr && !in_header) {
        return refuse(at(file, ev.offset) +
                      ": a Gtid_list event after the file's first transaction (a concatenated "
                      "binlog): mysqlbinlog's GTID strict mode would stop there half way");
      }
      if (header_event(ev)) continue;
      in_header = false;
      if (first_data && continues_a_transaction(ev.header.type)) {
        return refuse(at(file, ev.offset) + ": the files start inside a transaction (" +
                      binlog::event_type_name(ev.header.type) +
                      " event first): its beginning is missing; give the file that holds it first");
      }
      first_data = false;
    }
  }
  return ok_status();
}

// How the clients reach `t` with the credentials in `credentials` (which must outlive the use).
ClientConnection client_for(const ApplyTarget& t, const internal::OptionFile& credentials) {
  ClientConnection c;
  c.bindir = t.client_bindir;
  c.option_file = credentials.path();
  c.host = t.host;
  c.port = t.port;
  return c;
}

}  // namespace

Result<ApplyStream> scan_apply_stream(const std::vector<std::string>& files) {
  if (files.empty()) return refuse("no file to apply");
  ApplyStream s;
  for (const std::string& f : files) {
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (ec) {
      return Unexpected(
          make_error(ErrorCode::kIo, f + ": cannot read: " + ec.message(), ec.value()));
    }
    s.bytes += size;
  }
  MHA_TRY(check_event_layout(files));
  // The apply stream reads like relay logs: each file starts with its own header events, and a
  // transaction may continue from one file into the next (TransactionReader, relay-log mode).
  binlog::TransactionReader reader(files, binlog::LogKind::kRelayLog);
  std::optional<binlog::Transaction> unfinished;
  while (true) {
    auto r = reader.next();
    if (!r) return Unexpected(std::move(r).error());
    if (!*r) break;
    const binlog::Transaction& t = **r;
    if (unfinished) {
      return refuse("the transaction " +
                    (unfinished->gtid ? unfinished->gtid->to_string() + " " : "") + "at " +
                    at(unfinished->start.file, unfinished->start.offset) +
                    " is interrupted by the next one at " + at(t.start.file, t.start.offset) +
                    ": the server would commit half of it");
    }
    if (!t.complete) {
      unfinished = t;
      continue;
    }
    ++s.transactions;
    if (!t.gtid) continue;
    if (const topology::MariadbGtid* prev = s.last_per_domain.find(t.gtid->domain_id);
        prev != nullptr && t.gtid->seq_no <= prev->seq_no) {
      return refuse(at(t.start.file, t.start.offset) + ": GTID " + t.gtid->to_string() +
                    " comes after " + prev->to_string() +
                    " (out of order): mysqlbinlog's GTID strict mode would stop there half way");
    }
    s.last_per_domain.set(*t.gtid);
    s.last_gtid = t.gtid;
  }
  if (unfinished) {
    return refuse("the files end inside the transaction " +
                  (unfinished->gtid ? unfinished->gtid->to_string() + " " : "") +
                  "that starts at " + at(unfinished->start.file, unfinished->start.offset) +
                  ": its end is missing (mysqlbinlog would roll it back)");
  }
  return s;
}

Result<ApplyStream> scan_text_stream(const std::vector<std::string>& files) {
  if (files.empty()) return refuse("no file to apply");
  ApplyStream s;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return Unexpected(make_error(ErrorCode::kIo, f + ": cannot read"));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    if (text.starts_with(std::string(binlog::kBinlogMagic, binlog::kMagicSize))) {
      return refuse(f + " is a binary log, not SQL text: apply it without --handle_raw_binlog=0");
    }
    s.bytes += text.size();
    auto scan = scan_mysqlbinlog_text(text, f);
    if (!scan) return Unexpected(std::move(scan).error());
    s.transactions += scan->transactions;
    // Order within each file is checked by the scan; across files here.
    for (const topology::MariadbGtid& g : scan->first_per_domain.entries()) {
      if (const topology::MariadbGtid* prev = s.last_per_domain.find(g.domain_id);
          prev != nullptr && g.seq_no <= prev->seq_no) {
        return refuse(f + ": GTID " + g.to_string() + " comes after " + prev->to_string() +
                      " of the files before it (out of order)");
      }
    }
    for (const topology::MariadbGtid& g : scan->last_per_domain.entries()) {
      s.last_per_domain.set(g);
    }
    if (scan->last_gtid) s.last_gtid = scan->last_gtid;
  }
  return s;
}

std::string apply_pipeline(const std::vector<std::string>& files, const ApplyTarget& t,
                           const std::string& option_file, bool disable_log_bin, bool text) {
  std::string line;
  if (text) {
    line = "cat --";
  } else {
    line = shell_quote(internal::client_program(t.client_bindir, "mysqlbinlog"));
    if (disable_log_bin) line += " --disable-log-bin";
  }
  for (const std::string& f : files) line += " " + shell_quote(f);
  ClientConnection c;
  c.bindir = t.client_bindir;
  c.option_file = option_file;
  c.host = t.host;
  c.port = t.port;
  // --binary-mode: statement events may hold any bytes; mysql must not read '\0' or '\C' as
  // commands. The client's own packet limit must also admit the largest event.
  line += " | " + internal::mysql_command(c) +
          " --connect-timeout=10 --binary-mode --max-allowed-packet=" +
          std::to_string(kApplyMaxAllowedPacket);
  // Text made without --disable-log-bin still applies unlogged: the session turns it off first.
  if (text && disable_log_bin) line += " --init-command='SET SESSION sql_log_bin=0'";
  return line + "; echo \"pipestatus=${PIPESTATUS[0]} ${PIPESTATUS[1]}\"";
}

std::optional<std::pair<int, int>> pipeline_status(const std::string& out) {
  const size_t pos = out.rfind("pipestatus=");
  if (pos == std::string::npos) return std::nullopt;
  std::istringstream in(out.substr(pos + 11));
  int a = -1;
  int b = -1;
  if (!(in >> a >> b)) return std::nullopt;
  return std::make_pair(a, b);
}

std::string settings_query() {
  return "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('max_allowed_packet', 'read_only', "
         "'super_read_only', 'log_bin', 'version', 'gtid_binlog_pos');\n";
}

Result<ServerSettings> parse_server_settings(const std::string& out) {
  std::map<std::string, std::string> vars;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    const size_t tab = line.find('\t');
    if (tab != std::string::npos) vars[line.substr(0, tab)] = line.substr(tab + 1);
  }
  auto on = [](const std::string& v) { return v == "ON" || v == "1"; };
  ServerSettings s;
  const std::string packet = vars["max_allowed_packet"];
  if (packet.empty() || packet.size() > 19 ||
      packet.find_first_not_of("0123456789") != std::string::npos) {
    return Unexpected(make_error(ErrorCode::kQuery,
                                 "max_allowed_packet reads '" + packet + "', not a byte count"));
  }
  s.max_allowed_packet = std::stoull(packet);
  if (!vars.contains("read_only")) {
    return Unexpected(make_error(ErrorCode::kQuery, "the server did not report read_only"));
  }
  s.read_only = on(vars["read_only"]);
  if (vars.contains("super_read_only")) s.super_read_only = on(vars["super_read_only"]);
  s.log_bin = on(vars["log_bin"]);
  s.version = vars["version"];
  s.gtid_binlog_pos = vars["gtid_binlog_pos"];
  return s;
}

std::string prepare_statements(const ServerSettings& b) {
  std::string sql =
      "SET GLOBAL max_allowed_packet = " + std::to_string(kApplyMaxAllowedPacket) + ";\n";
  // super_read_only=ON implies read_only=ON, so it goes off first.
  if (b.super_read_only.value_or(false)) sql += "SET GLOBAL super_read_only = OFF;\n";
  if (b.read_only) sql += "SET GLOBAL read_only = OFF;\n";
  return sql;
}

std::string restore_statements(const ServerSettings& b) {
  std::string sql;
  if (b.read_only) sql += "SET GLOBAL read_only = ON;\n";
  if (b.super_read_only.value_or(false)) sql += "SET GLOBAL super_read_only = ON;\n";
  return sql + "SET GLOBAL max_allowed_packet = " + std::to_string(b.max_allowed_packet) + ";\n";
}

Result<ApplySummary> apply_diff_files(const ApplyRequest& req, hooks::ProcessRunner& runner,
                                      std::ostream& log) {
  ApplySummary s;
  s.files = req.files;
  auto stream = req.text ? scan_text_stream(req.files) : scan_apply_stream(req.files);
  if (!stream) return Unexpected(std::move(stream).error());
  s.stream = *stream;
  log << "  " << req.files.size() << " file(s), " << s.stream.bytes << " bytes, "
      << s.stream.transactions << " whole transaction(s)"
      << (s.stream.last_gtid ? ", the last " + s.stream.last_gtid->to_string() : "") << ".\n";
  for (const char* client : {"mysqlbinlog", "mysql"}) {
    if (req.text && std::string(client) == "mysqlbinlog") continue;
    auto found = internal::find_client(req.target.client_bindir, client);
    if (!found) return Unexpected(std::move(found).error());
  }
  if (req.no_apply) {
    s.result = "not_applied";
    s.gtid_check = "skipped";
    log << "--no_apply: nothing was applied.\n";
    return s;
  }

  auto option_file = internal::OptionFile::create(req.target.workdir, "apply_diff", req.target.user,
                                                  req.target.password);
  if (!option_file) return Unexpected(std::move(option_file).error());
  const ClientConnection c = client_for(req.target, *option_file);
  const std::string server = req.target.host + ":" + std::to_string(req.target.port);
  auto named = [&](Error e, const std::string& what) {
    e.message = server + ": " + what + ": " + e.message;
    return Unexpected(std::move(e));
  };

  auto vars = run_sql(runner, c, settings_query(), kApplySqlTimeout);
  if (!vars) return named(std::move(vars).error(), "reading its settings");
  auto before = parse_server_settings(*vars);
  if (!before) return named(std::move(before).error(), "reading its settings");
  s.max_allowed_packet_before = before->max_allowed_packet;
  s.read_only_lifted = before->read_only || before->super_read_only.value_or(false);

  // Whatever happens from here, what prepare_statements changes is put back.
  auto restore = [&]() -> Status {
    auto r = run_sql(runner, c, restore_statements(*before), kApplySqlTimeout);
    if (!r) return named(std::move(r).error(), "restoring read_only and max_allowed_packet");
    return ok_status();
  };
  auto with_restore = [&](Error e) {
    if (Status r = restore(); !r) e.message += "; and " + r.error().message;
    return Unexpected(std::move(e));
  };
  if (auto prepared = run_sql(runner, c, prepare_statements(*before), kApplySqlTimeout);
      !prepared) {
    Error e = std::move(prepared).error();
    e.message = server + ": raising max_allowed_packet / lifting read_only: " + e.message;
    return with_restore(std::move(e));
  }
  log << "  max_allowed_packet raised to " << kApplyMaxAllowedPacket << " (was "
      << before->max_allowed_packet << ")"
      << (s.read_only_lifted ? "; read_only lifted for the apply" : "") << ".\n";

  hooks::ProcessSpec spec;
  spec.argv = {
      "/bin/bash", "-c",
      apply_pipeline(req.files, req.target, option_file->path(), req.disable_log_bin, req.text)};
  spec.timeout = kApplyPipelineTimeout;
  auto ran = runner.run(spec);
  if (!ran) return with_restore(std::move(ran).error());
  const auto stages = pipeline_status(ran->out);
  if (!ran->success() || !stages || stages->first != 0 || stages->second != 0) {
    const std::string first_stage = req.text ? "cat" : "mysqlbinlog";
    std::string why = first_stage + " | mysql failed (";
    why += stages ? first_stage + " exit " + std::to_string(stages->first) + ", mysql exit " +
                        std::to_string(stages->second)
                  : "the shell " + ran->describe();
    why += ")";
    const std::string reason = internal::last_line(ran->err);
    if (!reason.empty()) why += ": " + reason;
    return with_restore(make_error(ErrorCode::kPrecondition, server + ": " + why));
  }
  MHA_TRY(restore());
  log << "  Applied " << req.files.size() << " file(s) with "
      << (req.text ? "cat | mysql" : "mysqlbinlog | mysql") << " (both exited 0); "
      << "max_allowed_packet" << (s.read_only_lifted ? " and read_only" : "") << " restored.\n";

  s.result = "applied";
  if (s.stream.last_per_domain.empty()) {
    s.gtid_check = "no_gtid";
    log << "  The files hold no MariaDB GTID: the apply cannot be checked by GTID.\n";
  } else if (!before->log_bin || req.disable_log_bin) {
    s.gtid_check = "impossible";
    log << "  Warning: the server did not binlog the applied events ("
        << (req.disable_log_bin ? "--disable_log_bin" : "log_bin=OFF")
        << "); events applied through a client session move no GTID variable then, so the "
           "apply cannot be checked by GTID.\n";
  } else {
    auto after = run_sql(runner, c, "SELECT @@global.gtid_binlog_pos;\n", kApplySqlTimeout);
    if (!after) return named(std::move(after).error(), "reading gtid_binlog_pos");
    std::string text = *after;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto have = topology::GtidPosition::parse(text);
    if (!have) return named(std::move(have).error(), "parsing gtid_binlog_pos");
    if (!have->contains(s.stream.last_per_domain)) {
      return Unexpected(make_error(
          ErrorCode::kPrecondition,
          server + ": gtid_binlog_pos is " + text + " after the apply; it does not contain " +
              s.stream.last_per_domain.to_string() + ", the last GTID of the files"));
    }
    s.gtid_check = "gtid_binlog_pos";
    s.gtid_binlog_pos_after = text;
    log << "  gtid_binlog_pos " << text << " contains " << s.stream.last_per_domain.to_string()
        << ".\n";
  }
  return s;
}

std::string apply_json(const ApplySummary& s) {
  nlohmann::ordered_json j;
  j["tool"] = "apply_diff_relay_logs";
  j["command"] = "apply";
  j["result"] = s.result;
  j["files"] = s.files;
  j["bytes"] = s.stream.bytes;
  j["transactions"] = s.stream.transactions;
  j["last_gtid"] = s.stream.last_gtid ? nlohmann::ordered_json(s.stream.last_gtid->to_string())
                                      : nlohmann::ordered_json(nullptr);
  j["read_only_lifted"] = s.read_only_lifted;
  j["max_allowed_packet_before"] = s.max_allowed_packet_before;
  j["gtid_check"] = s.gtid_check;
  j["gtid_binlog_pos"] = s.gtid_binlog_pos_after.empty()
                             ? nlohmann::ordered_json(nullptr)
                             : nlohmann::ordered_json(s.gtid_binlog_pos_after);
  return j.dump();
}

Result<ApplyTestSummary> test_apply(const ApplyTestRequest& req, hooks::ProcessRunner& runner) {
  ApplyTestSummary s;
  auto mysql = internal::find_client(req.target.client_bindir, "mysql");
  if (!mysql) return Unexpected(std::move(mysql).error());
  auto mysqlbinlog = internal::find_client(req.target.client_bindir, "mysqlbinlog");
  if (!mysqlbinlog) return Unexpected(std::move(mysqlbinlog).error());
  s.mysql = *mysql;
  s.mysqlbinlog = *mysqlbinlog;
  hooks::ProcessSpec version;
  version.argv = {s.mysqlbinlog, "--version"};
  version.timeout = kApplySqlTimeout;
  auto ran = runner.run(version);
  if (!ran) return Unexpected(std::move(ran).error());
  if (!ran->success()) {
    return Unexpected(make_error(ErrorCode::kNotFound,
                                 s.mysqlbinlog + " --version failed (" + ran->describe() + ")"));
  }

  auto relay = locate_relay_logs(req.relay_dir, req.relay_log);
  if (!relay) return Unexpected(std::move(relay).error());
  s.relay_dir = req.relay_dir;
  s.relay_logs = relay->size();
  s.newest_relay_log = fs::path(relay->back()).filename().string();
  // The newest relay log may be being written: a partial last event is not an error.
  binlog::LogSequenceReader newest({relay->back()}, binlog::LogKind::kRelayLog,
                                   binlog::SequenceOptions{true});
  while (true) {
    auto r = newest.next();
    if (!r) return Unexpected(std::move(r).error());
    if (!*r) break;
  }

  auto option_file = internal::OptionFile::create(req.target.workdir, "apply_test", req.target.user,
                                                  req.target.password);
  if (!option_file) return Unexpected(std::move(option_file).error());
  const ClientConnection c = client_for(req.target, *option_file);
  auto vars = run_sql(runner, c, settings_query(), kApplySqlTimeout);
  if (!vars) {
    Error e = std::move(vars).error();
    e.message = req.target.host + ":" + std::to_string(req.target.port) + " as " + req.target.user +
                ": " + e.message;
    return Unexpected(std::move(e));
  }
  auto settings = parse_server_settings(*vars);
  if (!settings) return Unexpected(std::move(settings).error());
  s.server_version = settings->version;
  s.read_only = settings->read_only;
  return s;
}

std::string apply_test_json(const ApplyTestSummary& s) {
  nlohmann::ordered_json j;
  j["tool"] = "apply_diff_relay_logs";
  j["command"] = "test";
  j["result"] = "ok";
  j["mysql"] = s.mysql;
  j["mysqlbinlog"] = s.mysqlbinlog;
  j["relay_dir"] = s.relay_dir;
  j["relay_logs"] = s.relay_logs;
  j["newest_relay_log"] = s.newest_relay_log;
  j["server_version"] = s.server_version;
  j["read_only"] = s.read_only;
  return j.dump();
}

}  // namespace mha::node
