#include "mha/node/text_output.h"

#include "mha/binlog/event_reader.h"
#include "mha/binlog/log_sequence.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>
#include <sstream>
#include <utility>

#include "mysql_client.h"
#include "output_file.h"

namespace mha::node {
namespace {

namespace fs = std::filesystem;

Unexpected refuse(const std::string& message) {
  return Unexpected(make_error(ErrorCode::kPrecondition, message));
}

std::string upper_first_word(const std::string& text) {
  size_t b = 0;
  while (b < text.size() && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  size_t e = b;
  while (e < text.size() && std::isalpha(static_cast<unsigned char>(text[e]))) ++e;
  std::string word = text.substr(b, e - b);
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word;
}

// The statement a Query event's block prints last: mysqlbinlog ends every statement with the
// delimiter "/*!*/;", the session SETs first, the query itself last.
std::string last_statement(const std::string& block) {
  std::vector<std::string> parts;
  size_t from = 0;
  while (true) {
    const size_t at = block.find("/*!*/;", from);
    parts.push_back(block.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) break;
    from = at + 6;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (it->find_first_not_of(" \t\r\n") != std::string::npos) return *it;
  }
  return "";
}

// Event types that only occur inside a transaction, as mysqlbinlog names them in its headers.
bool continues_a_transaction(const std::string& rest) {
  for (const char* name : {"Table_map", "Write_rows", "Update_rows", "Delete_rows", "Annotate_rows",
                           "User_var", "Intvar", "Rand"}) {
    if (rest.starts_with(name)) return true;
  }
  return false;
}

}  // namespace

std::string text_section_comment(const std::string& file) {
  return "# Binary/Relay log file " + file + " started\n";
}

Result<std::vector<SourceSection>> align_text_sections(
    const std::string& raw_path, const std::vector<SourceSection>& candidates) {
  // Where the data begins: just after the Format_description at the top.
  uint64_t data_start = 0;
  uint64_t data_end = 0;
  {
    auto reader = binlog::EventReader::open_file(raw_path);
    if (!reader) return Unexpected(std::move(reader).error());
    while (true) {
      auto r = reader->next();
      if (!r) return Unexpected(std::move(r).error());
      if (!*r) break;
      if (data_start == 0) data_start = (*r)->end_offset();
      data_end = (*r)->end_offset();
    }
  }
  std::vector<uint64_t> starts;
  // The raw output reads like a relay log: its Format_description first, then the events, each
  // with the end_log_pos of the file it came from.
  binlog::TransactionReader tx({raw_path}, binlog::LogKind::kRelayLog);
  uint64_t last_end = data_start;
  while (true) {
    auto r = tx.next();
    if (!r) return Unexpected(std::move(r).error());
    if (!*r) break;
    const binlog::Transaction& t = **r;
    if (!t.complete) {
      return refuse(raw_path + ":" + std::to_string(t.start.offset) +
                    ": an unfinished transaction" +
                    (t.gtid ? " (" + t.gtid->to_string() + ")" : std::string()) +
                    "; SQL text cannot carry half a transaction (mysqlbinlog rolls it back at the "
                    "end of the text): use raw mode");
    }
    if (starts.empty() && t.start.offset != data_start) {
      return refuse(raw_path +
                    ": the events start inside a transaction (its beginning is in "
                    "an earlier file); SQL text cannot carry half a transaction: use "
                    "raw mode");
    }
    starts.push_back(t.start.offset);
    last_end = t.end.offset;
  }
  if (starts.empty()) return refuse(raw_path + ": no transaction to write as text");
  if (last_end != data_end) {
    return refuse(raw_path + ":" + std::to_string(last_end) +
                  ": events after the last whole transaction; SQL text cannot carry half a "
                  "transaction: use raw mode");
  }
  std::vector<SourceSection> out;
  for (const SourceSection& c : candidates) {
    const auto it = std::lower_bound(starts.begin(), starts.end(), c.offset);
    if (it == starts.end()) continue;
    if (!out.empty() && out.back().offset == *it) {
      out.back().file = c.file;
    } else {
      out.push_back({*it, c.file});
    }
  }
  if (out.empty() || out.front().offset != starts.front()) {
    out.insert(out.begin(),
               {starts.front(), candidates.empty() ? fs::path(raw_path).filename().string()
                                                   : candidates.front().file});
  }
  return out;
}

std::string text_section_command(const std::string& raw_path, const SourceSection& section,
                                 uint64_t stop, const std::string& out_path,
                                 const TextOptions& options) {
  std::string comment = text_section_comment(section.file);
  comment.pop_back();
  std::string line =
      "printf '%s\\n' " + shell_quote(comment) + " >> " + shell_quote(out_path) + " && ";
  line += shell_quote(internal::client_program(options.client_bindir, "mysqlbinlog"));
  if (options.disable_log_bin) line += " --disable-log-bin";
  line += " --start-position=" + std::to_string(section.offset);
  if (stop != 0) line += " --stop-position=" + std::to_string(stop);
  return line + " " + shell_quote(raw_path) + " >> " + shell_quote(out_path);
}

Result<uint64_t> write_text_output(const std::string& raw_path,
                                   const std::vector<SourceSection>& sections,
                                   const std::string& out_path, const TextOptions& options,
                                   hooks::ProcessRunner& runner) {
  auto found = internal::find_client(options.client_bindir, "mysqlbinlog");
  if (!found) return Unexpected(std::move(found).error());
  auto out = internal::TempOutput::create(out_path);
  if (!out) return Unexpected(std::move(out).error());
  for (size_t i = 0; i < sections.size(); ++i) {
    const uint64_t stop = i + 1 < sections.size() ? sections[i + 1].offset : 0;
    hooks::ProcessSpec spec;
    spec.shell_command = text_section_command(raw_path, sections[i], stop, out->path(), options);
    spec.timeout = options.timeout;
    auto ran = runner.run(spec);
    if (!ran) return Unexpected(std::move(ran).error());
    if (!ran->success()) {
      std::string why = "mysqlbinlog " + ran->describe() + " writing the text of " +
                        sections[i].file + " (" + raw_path + " from " +
                        std::to_string(sections[i].offset) + ")";
      const std::string reason = internal::last_line(ran->err);
      if (!reason.empty()) why += ": " + reason;
      return Unexpected(make_error(ErrorCode::kIo, why));
    }
  }
  std::error_code ec;
  const uint64_t size = fs::file_size(out->path(), ec);
  if (ec) {
    return Unexpected(make_error(ErrorCode::kIo, out->path() + ": " + ec.message(), ec.value()));
  }
  MHA_TRY(out->commit());
  return size;
}

Result<TextScan> scan_mysqlbinlog_text(const std::string& text, const std::string& source) {
  // "#261204 20:23:13 server id 1  end_log_pos 2312 CRC32 0xd45e5757 \tGTID 0-1-9 trans"
  static const std::regex kHeader(
      R"(^#\d{6} +\d{1,2}:\d\d:\d\d server id \d+ +end_log_pos \d+( CRC32 0x[0-9a-fA-F]+)?\s+(.*)$)");
  static const std::regex kGtid(R"(^GTID (\d+)-(\d+)-(\d+)(.*)$)");
  TextScan scan;
  bool open = false;
  bool standalone = false;
  std::optional<topology::MariadbGtid> open_gtid;
  size_t open_line = 0;
  bool data_seen = false;
  bool any_header = false;
  bool in_query = false;
  size_t query_line = 0;
  std::string query_block;
  auto where = [&](size_t line) { return source + " line " + std::to_string(line); };
  auto describe_open = [&] {
    return std::string("the transaction ") + (open_gtid ? open_gtid->to_string() + " " : "") +
           "that starts at " + where(open_line);
  };
  auto close = [&]() -> Status {
    ++scan.transactions;
    if (open_gtid) {
      if (const topology::MariadbGtid* prev = scan.last_per_domain.find(open_gtid->domain_id);
          prev != nullptr && open_gtid->seq_no <= prev->seq_no) {
        return refuse(where(open_line) + ": GTID " + open_gtid->to_string() + " comes after " +
                      prev->to_string() + " (out of order)");
      }
      if (scan.first_per_domain.find(open_gtid->domain_id) == nullptr) {
        scan.first_per_domain.set(*open_gtid);
      }
      scan.last_per_domain.set(*open_gtid);
      scan.last_gtid = open_gtid;
    }
    open = false;
    standalone = false;
    open_gtid.reset();
    return ok_status();
  };
  // A Query event's statement is known once its block ends.
  auto finish_query = [&]() -> Status {
    if (!in_query) return ok_status();
    in_query = false;
    const std::string word = upper_first_word(last_statement(query_block));
    query_block.clear();
    if (word == "BEGIN" || word == "START") {
      if (open && !open_gtid) {
        return refuse(where(query_line) + ": BEGIN inside " + describe_open());
      }
      if (!open) {
        open = true;
        open_line = query_line;
      }
      return ok_status();
    }
    if (word == "COMMIT" || word == "ROLLBACK") {
      if (!open) {
        return refuse(where(query_line) + ": " + word +
                      " without its transaction's start (the text starts inside a transaction)");
      }
      return close();
    }
    if (open && standalone) return close();
    if (!open) {  // a GTID-less autocommitted statement
      ++scan.transactions;
    }
    return ok_status();
  };

  std::istringstream in(text);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    const bool header = line.starts_with("#") && std::regex_match(line, m, kHeader);
    if (!header) {
      if (line.starts_with("# at ") || line == "# End of log file") {
        MHA_TRY(finish_query());
      } else if (in_query && !line.starts_with("#") && !line.starts_with("DELIMITER ")) {
        query_block += line + "\n";
      }
      continue;
    }
    MHA_TRY(finish_query());
    any_header = true;
    const std::string rest = m[2].str();
    if (rest.starts_with("Start:")) continue;  // the Format_description
    ++scan.events;
    std::smatch g;
    if (std::regex_match(rest, g, kGtid)) {
      if (open) {
        return refuse(where(n) + ": GTID " + g[1].str() + "-" + g[2].str() + "-" + g[3].str() +
                      " interrupts " + describe_open() + " (the server would commit half of it)");
      }
      open = true;
      open_line = n;
      standalone = g[4].str().find("ddl") != std::string::npos ||
                   g[4].str().find("standalone") != std::string::npos;
      topology::MariadbGtid gtid;
      try {
        gtid.domain_id = static_cast<uint32_t>(std::stoul(g[1].str()));
        gtid.server_id = static_cast<uint32_t>(std::stoul(g[2].str()));
        gtid.seq_no = std::stoull(g[3].str());
      } catch (const std::exception&) {
        return refuse(where(n) + ": unreadable GTID");
      }
      open_gtid = gtid;
      data_seen = true;
      continue;
    }
    if (rest.starts_with("Xid = ") || rest.starts_with("XA PREPARE")) {
      if (!open) {
        return refuse(where(n) + ": the end of a transaction whose start is missing (" +
                      (data_seen ? "out of place" : "the text starts inside a transaction") + ")");
      }
      data_seen = true;
      MHA_TRY(close());
      continue;
    }
    if (rest.starts_with("Query")) {
      in_query = true;
      query_line = n;
      data_seen = true;
      continue;
    }
    if (continues_a_transaction(rest)) {
      if (!open) {
        return refuse(
            where(n) + ": a " + rest.substr(0, rest.find_first_of(": \t")) +
            " event outside a transaction (" +
            (data_seen ? "its start is missing" : "the text starts inside a transaction") +
            "); it would be applied on its own");
      }
      data_seen = true;
      if (standalone && !rest.starts_with("Annotate_rows")) MHA_TRY(close());
      continue;
    }
    // Rotate, Stop, Gtid list, Binlog checkpoint, ...: no data.
  }
  MHA_TRY(finish_query());
  if (!any_header) {
    return refuse(source +
                  ": no mysqlbinlog event header in it; --handle_raw_binlog=0 applies "
                  "text written by mysqlbinlog (save_binary_logs or "
                  "apply_diff_relay_logs in text mode)");
  }
  if (open) {
    return refuse(source + " ends inside " + describe_open() +
                  ": mysqlbinlog's ROLLBACK at its end would drop it");
  }
  return scan;
}

}  // namespace mha::node
