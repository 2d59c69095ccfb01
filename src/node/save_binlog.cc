#include "mha/node/save_binlog.h"

#include "mha/binlog/event.h"
#include "mha/binlog/event_reader.h"
#include "mha/binlog/log_sequence.h"
#include "mha/binlog/transaction_scan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <compare>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "event_copy.h"
#include "output_file.h"
#include <unistd.h>

namespace mha::node {
namespace {

using internal::base_name;
using internal::checksum_name;
using internal::io_error;
using internal::TempOutput;

namespace fs = std::filesystem;
using binlog::Event;
using binlog::FormatDescription;
using binlog::LogKind;
using binlog::SequenceOptions;

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

// A place in the file list: (index of the file, byte offset).
using Pos = binlog::ScanPos;

// "mysql-bin.000012" -> ("mysql-bin", 12).
Result<std::pair<std::string, uint64_t>> split_numbered(const std::string& name) {
  const size_t dot = name.rfind('.');
  const bool digits = dot != std::string::npos && dot > 0 && dot + 1 < name.size() &&
                      name.size() - dot - 1 <= 18 &&
                      std::all_of(name.begin() + static_cast<std::ptrdiff_t>(dot) + 1, name.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    return Unexpected(
        make_error(ErrorCode::kConfig, "binlog name " + name + " does not end in .<number>"));
  }
  return std::make_pair(name.substr(0, dot), std::stoull(name.substr(dot + 1)));
}

// Names "<prefix>.<digits>" in `dir`, numerically sorted.
std::vector<std::string> numbered_files(const std::string& dir, const std::string& prefix) {
  std::vector<std::pair<uint64_t, std::string>> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix + ".")) continue;
    auto split = split_numbered(name);
    if (!split || split->first != prefix) continue;
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    found.emplace_back(split->second, name);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> names;
  for (auto& [number, name] : found) names.push_back(std::move(name));
  return names;
}

bool is_regular(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

// Events that describe a file rather than carry data: never copied after the top FDE.
bool is_header_event(const Event& ev) {
  return ev.as<FormatDescription>() != nullptr || ev.as<binlog::GtidList>() != nullptr ||
         ev.as<binlog::BinlogCheckpoint>() != nullptr;
}

// What the transaction pass found after the start (binlog::scan_transactions_after).
struct Analysis {
  std::optional<Pos> cut;  // just after the last whole transaction (nothing to save: nullopt)
  std::vector<std::pair<Pos, Pos>> skip;  // interrupted transactions before the cut
  uint64_t transactions = 0;
  std::optional<topology::MariadbGtid> first_gtid;
  std::optional<topology::MariadbGtid> last_gtid;
  bool starts_inside = false;
  std::optional<Pos> incomplete_tail;  // where the unfinished tail starts
  std::string tail_reason;
};

Result<Analysis> analyse(const std::vector<std::string>& files, Pos start) {
  auto scan =
      binlog::scan_transactions_after(files, LogKind::kBinlog, start, SequenceOptions{true});
  if (!scan) return Unexpected(std::move(scan).error());
  Analysis a;
  a.cut = scan->cut;
  a.skip = scan->skipped;
  a.transactions = scan->transactions;
  a.first_gtid = scan->first_gtid;
  a.last_gtid = scan->last_gtid;
  a.starts_inside = scan->straddling.has_value();
  a.incomplete_tail = scan->incomplete_tail;
  if (scan->tail_is_partial_event) {
    a.tail_reason = "a partly written event";
  } else if (scan->incomplete_tail) {
    a.tail_reason = "an unfinished transaction";
    if (scan->ends_inside_event) a.tail_reason += " (the file ends inside an event)";
  }
  return a;
}

// The copy pass. Reads every file to its end (so every FDE and the file chain are checked) and,
// when `out` is given, writes the top FDE and the events in [start, cut) that are kept.
struct CopyResult {
  Pos start;  // effective start (after the first file's header events)
  binlog::ChecksumAlg checksum = binlog::ChecksumAlg::kOff;
  uint64_t events = 0;
};

Result<CopyResult> copy_events(const std::vector<std::string>& files, uint64_t start_pos,
                               const Analysis& analysis, TempOutput* out,
                               std::vector<SourceSection>* sections, std::ostream& log) {
  binlog::LogSequenceReader seq(files, LogKind::kBinlog, SequenceOptions{true});
  CopyResult result;
  std::optional<FormatDescription> top;
  uint64_t header_end = binlog::kMagicSize;  // end of the first file's leading header events
  bool in_header = true;
  bool start_is_boundary = start_pos <= binlog::kMagicSize;
  uint64_t first_file_end = binlog::kMagicSize;
  std::optional<Event> last_of_file;
  size_t current = 0;
  internal::EventCopier copier;
  size_t section_file = SIZE_MAX;

  auto check_chain = [&](size_t next_index) -> Status {
    if (!last_of_file) return ok_status();
    const binlog::Rotate* rotate = last_of_file->as<binlog::Rotate>();
    if (rotate == nullptr || rotate->artificial) return ok_status();
    if (next_index < files.size()) {
      if (rotate->next_file != base_name(files[next_index])) {
        return Unexpected(make_error(ErrorCode::kPrecondition,
                                     files[next_index - 1] + " ends with a Rotate to " +
                                         rotate->next_file + ", but the next binlog found is " +
                                         base_name(files[next_index]) + " (a file is missing?)"));
      }
    } else if (!is_regular(fs::path(files.back()).parent_path() / rotate->next_file)) {
      log << "  " << base_name(files.back()) << " ends with a Rotate to " << rotate->next_file
          << ", which does not exist (the server stopped before creating it).\n";
    }
    return ok_status();
  };

  auto on_event = [&](const binlog::SequencedEvent& se) -> Status {
    const Event& ev = se.event;
    if (se.file_index != current) {
      MHA_TRY(check_chain(se.file_index));
      current = se.file_index;
      last_of_file.reset();
    }
    last_of_file = ev;
    if (const FormatDescription* fde = ev.as<FormatDescription>()) {
      if (!top) {
        top = *fde;
        result.checksum = fde->checksum;
        if (out != nullptr) MHA_TRY(copier.write_top(files[0], ev.offset, ev.size(), *out));
      } else if (fde->checksum != top->checksum) {
        return Unexpected(
            make_error(ErrorCode::kPrecondition,
                       se.file + " uses binlog_checksum=" + checksum_name(fde->checksum) + " but " +
                           files.front() + " uses " + checksum_name(top->checksum) +
                           ": one saved file cannot hold both; save them separately"));
      } else {
        const size_t common =
            std::min(fde->post_header_lengths.size(), top->post_header_lengths.size());
        if (fde->header_length != top->header_length ||
            !std::equal(fde->post_header_lengths.begin(),
                        fde->post_header_lengths.begin() + static_cast<std::ptrdiff_t>(common),
                        top->post_header_lengths.begin())) {
          return Unexpected(make_error(ErrorCode::kPrecondition,
                                       se.file + " has a different event header layout (server " +
                                           fde->server_version + ") than " + files.front() +
                                           " (server " + top->server_version + ")"));
        }
      }
    }
    if (se.file_index == 0) {
      if (in_header && is_header_event(ev)) {
        header_end = ev.end_offset();
      } else {
        in_header = false;
      }
      if (ev.offset == start_pos || ev.end_offset() == start_pos) start_is_boundary = true;
      first_file_end = ev.end_offset();
    }
    const Pos at{se.file_index, ev.offset};
    const Pos start{0, std::max(start_pos, header_end)};
    if (out == nullptr || !analysis.cut || at < start || !(at < *analysis.cut)) {
      return ok_status();
    }
    if (is_header_event(ev) || internal::in_ranges(analysis.skip, at)) return ok_status();
    if (se.file_index == 0 && in_header) return ok_status();
    internal::mark_section(sections, &section_file, se, *out);
    MHA_TRY(copier.copy(files[se.file_index], ev.offset, ev.size(), *out, false));
    ++result.events;
    return ok_status();
  };
  MHA_TRY(internal::for_each_event(seq, on_event));
  MHA_TRY(check_chain(files.size()));
  if (start_pos > first_file_end) {
    return Unexpected(make_error(
        ErrorCode::kPrecondition,
        "start position " + std::to_string(start_pos) + " is beyond the end of " + files.front() +
            " (its events end at " + std::to_string(first_file_end) + ")"));
  }
  if (start_pos > header_end && !start_is_boundary) {
    return Unexpected(make_error(ErrorCode::kPrecondition,
                                 "start position " + std::to_string(start_pos) + " in " +
                                     files.front() + " is not at an event boundary"));
  }
  result.start = Pos{0, std::max(start_pos, header_end)};
  return result;
}

Result<std::vector<std::string>> files_for(const SaveBinlogRequest& request, BinlogFiles* found) {
  auto located = locate_binlogs(request.binlog_dirs, request.start_file, request.binlog_prefix);
  if (!located) return Unexpected(std::move(located).error());
  *found = *located;
  return located->paths;
}

}  // namespace

Result<BinlogFiles> locate_binlogs(const std::vector<std::string>& dirs,
                                   const std::string& start_file, const std::string& prefix_in) {
  std::string prefix = prefix_in;
  if (!start_file.empty()) {
    if (start_file.find('/') != std::string::npos) {
      return Unexpected(
          make_error(ErrorCode::kConfig, "--start_file must be a file name without a directory (" +
                                             start_file + "); use --binlog_dir for the directory"));
    }
    auto split = split_numbered(start_file);
    if (!split) return Unexpected(std::move(split).error());
    prefix = split->first;
  }
  if (prefix.empty() || prefix.find('/') != std::string::npos) {
    return Unexpected(make_error(ErrorCode::kConfig,
                                 "--binlog_prefix must be a file name prefix without a directory"));
  }
  for (const std::string& dir : dirs) {
    if (!start_file.empty() ? !is_regular(dir + "/" + start_file)
                            : numbered_files(dir, prefix).empty()) {
      continue;
    }
    std::vector<std::string> names;
    const std::string index_path = dir + "/" + prefix + ".index";
    if (is_regular(index_path)) {
      auto listed = binlog::read_index_file(index_path);
      if (!listed) return Unexpected(std::move(listed).error());
      for (const auto& p : *listed) names.push_back(base_name(p));
      if (!start_file.empty() && std::find(names.begin(), names.end(), start_file) == names.end()) {
        names.clear();  // a stale or foreign index: fall back to the directory
      }
    }
    if (names.empty()) names = numbered_files(dir, prefix);
    auto first =
        start_file.empty() ? names.begin() : std::find(names.begin(), names.end(), start_file);
    if (first == names.end()) first = names.begin();
    BinlogFiles out;
    out.dir = dir;
    for (auto it = first; it != names.end(); ++it) out.paths.push_back(dir + "/" + *it);
    return out;
  }
  return Unexpected(make_error(
      ErrorCode::kNotFound, "binlog " + (start_file.empty() ? prefix + ".*" : start_file) +
                                " not found in " + join(dirs, ",") +
                                "; set master_binlog_dir (--binlog_dir) to the binlog directory"));
}

Result<SaveBinlogSummary> save_binlogs(const SaveBinlogRequest& request, std::ostream& log) {
  BinlogFiles found;
  auto all = files_for(request, &found);
  if (!all) return Unexpected(std::move(all).error());
  std::vector<std::string> files = *all;
  uint64_t start_pos = request.start_pos.value_or(binlog::kMagicSize);

  if (request.start_gtid) {
    auto at = binlog::find_gtid_offset(files, LogKind::kBinlog, *request.start_gtid,
                                       SequenceOptions{true});
    if (!at) return Unexpected(std::move(at).error());
    const auto it = std::find(files.begin(), files.end(), at->file);
    files.erase(files.begin(), it);
    start_pos = at->offset;
    log << "  GTID " << request.start_gtid->to_string() << " ends at " << base_name(at->file) << ":"
        << at->offset << ".\n";
  }
  log << "  Binlog found at " << found.dir << ", from " << base_name(files.front()) << " up to "
      << base_name(files.back()) << "\n";

  auto analysis = analyse(files, Pos{0, start_pos});
  if (!analysis) return Unexpected(std::move(analysis).error());
  const bool something = analysis->cut.has_value();

  std::optional<TempOutput> out;
  if (something) {
    auto created = TempOutput::create(request.output_file);
    if (!created) return Unexpected(std::move(created).error());
    out.emplace(std::move(*created));
  }
  SaveBinlogSummary s;
  auto copied = copy_events(files, start_pos, *analysis, out ? &*out : nullptr, &s.sections, log);
  if (!copied) return Unexpected(std::move(copied).error());

  s.output_file = request.output_file;
  s.checksum = checksum_name(copied->checksum);
  for (const auto& f : files) s.files.push_back(base_name(f));
  s.start_file = base_name(files[copied->start.file]);
  s.start_pos = copied->start.offset;
  s.start_gtid = request.start_gtid;
  s.first_gtid = analysis->first_gtid;
  s.last_gtid = analysis->last_gtid;
  s.transactions = analysis->transactions;
  s.starts_inside_transaction = analysis->starts_inside;
  s.skipped_incomplete = analysis->skip.size();
  s.events = copied->events;
  if (analysis->incomplete_tail) {
    const Pos& t = *analysis->incomplete_tail;
    s.incomplete_tail = base_name(files[t.file]) + ":" + std::to_string(t.offset);
    log << "  The newest events are incomplete: " << analysis->tail_reason << " starts at "
        << *s.incomplete_tail << " (crash while writing?); saving only whole transactions.\n";
  }
  if (s.skipped_incomplete > 0) {
    log << "  Left out " << s.skipped_incomplete
        << " unfinished transaction(s) that a later transaction interrupted.\n";
  }
  if (s.starts_inside_transaction) {
    log << "  " << s.start_file << ":" << s.start_pos
        << " is inside a transaction: its remaining events are saved first.\n";
  }
  log << "  Binlog checksum: " << s.checksum << "\n";
  if (!something) {
    s.end_file = s.start_file;
    s.end_pos = s.start_pos;
    log << "No additional binlog events found after " << s.start_file << ":" << s.start_pos
        << " (nothing to save).\n";
    return s;
  }
  s.end_file = base_name(files[analysis->cut->file]);
  s.end_pos = analysis->cut->offset;
  MHA_TRY(internal::verify_events(out->path(), s.events));
  s.bytes = out->size();
  MHA_TRY(out->commit());
  s.saved = true;
  log << "Concat binary logs from " << s.start_file << " pos " << s.start_pos << " to "
      << s.end_file << " pos " << s.end_pos << " into " << s.output_file << " succeeded ("
      << s.transactions << " transactions, " << s.bytes << " bytes).\n";
  return s;
}

std::string summary_json(const SaveBinlogSummary& s) {
  nlohmann::ordered_json j;
  j["tool"] = "save_binary_logs";
  j["result"] = s.saved ? "saved" : "nothing_to_save";
  j["output_file"] = s.saved ? nlohmann::ordered_json(s.output_file) : nullptr;
  j["checksum"] = s.checksum;
  j["files"] = s.files;
  if (s.start_gtid) j["start_gtid"] = s.start_gtid->to_string();
  j["start"] = {{"file", s.start_file}, {"pos", s.start_pos}};
  j["end"] = {{"file", s.end_file}, {"pos", s.end_pos}};
  j["transactions"] = s.transactions;
  j["first_gtid"] = s.first_gtid ? nlohmann::ordered_json(s.first_gtid->to_string()) : nullptr;
  j["last_gtid"] = s.last_gtid ? nlohmann::ordered_json(s.last_gtid->to_string()) : nullptr;
  j["starts_inside_transaction"] = s.starts_inside_transaction;
  j["events"] = s.events;
  j["bytes"] = s.bytes;
  j["skipped_incomplete"] = s.skipped_incomplete;
  j["incomplete_tail"] = s.incomplete_tail ? nlohmann::ordered_json(*s.incomplete_tail) : nullptr;
  j["ends_inside_transaction"] = s.ends_inside_transaction;
  j["format"] = s.format;
  return j.dump();
}

Result<TestBinlogSummary> test_binlogs(const SaveBinlogRequest& request) {
  BinlogFiles found;
  auto files = files_for(request, &found);
  if (!files) return Unexpected(std::move(files).error());
  TestBinlogSummary s;
  s.dir = found.dir;
  for (const auto& path : *files) {
    auto reader = binlog::EventReader::open_file(path);
    if (!reader) return Unexpected(std::move(reader).error());
    auto first = reader->next();
    if (!first) return Unexpected(std::move(first).error());
    if (!*first) {
      return Unexpected(make_error(ErrorCode::kIo, path + ": no events after the magic",
                                   binlog::kDetailTruncated));
    }
    s.files.push_back(base_name(path));
  }
  // The output directory, or its nearest existing ancestor (save creates the rest), must be
  // writable.
  fs::path dir = fs::path(request.output_file).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  while (!fs::exists(dir, ec) && dir.has_parent_path() && dir.parent_path() != dir) {
    dir = dir.parent_path();
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return Unexpected(io_error("output directory " + dir.string() + " is not writable", errno));
  }
  return s;
}

}  // namespace mha::node
