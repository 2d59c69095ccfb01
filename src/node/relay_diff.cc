#include "mha/node/relay_diff.h"

#include "mha/binlog/event.h"
#include "mha/binlog/event_reader.h"
#include "mha/binlog/log_sequence.h"
#include "mha/binlog/transaction_scan.h"
#include "mha/node/save_binlog.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <compare>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "event_copy.h"
#include "output_file.h"

namespace mha::node {
namespace {

using binlog::Event;
using binlog::FormatDescription;
using binlog::LogKind;
using binlog::SequenceOptions;
using internal::base_name;
using internal::checksum_name;
using internal::TempOutput;

// A place in the relay-log list: (index of the file, byte offset).
using Pos = binlog::ScanPos;

struct Analysis {
  Pos start;
  std::optional<Pos> cut;                 // just after the last whole transaction
  std::vector<std::pair<Pos, Pos>> skip;  // interrupted transactions before the cut
  std::optional<Pos> incomplete_tail;
  std::optional<topology::BinlogPosition> end;
  std::optional<topology::MariadbGtid> first_gtid;
  std::optional<topology::MariadbGtid> last_gtid;
  uint64_t transactions = 0;
};

Result<Analysis> analyse(const std::vector<std::string>& files, Pos start,
                         const topology::BinlogPosition& target) {
  auto scan =
      binlog::scan_transactions_after(files, LogKind::kRelayLog, start, SequenceOptions{true});
  if (!scan) return Unexpected(std::move(scan).error());
  if (const auto& t = scan->straddling) {
    return Unexpected(make_error(
        ErrorCode::kPrecondition,
        target.to_string() + " is inside a transaction (it starts at " + base_name(t->start.file) +
            ":" + std::to_string(t->start.offset) + " and ends at " + base_name(t->end.file) + ":" +
            std::to_string(t->end.offset) +
            " in the relay logs); give the position the target has executed"));
  }
  Analysis a;
  a.start = start;
  a.cut = scan->cut;
  a.skip = scan->skipped;
  a.incomplete_tail = scan->incomplete_tail;
  a.end = scan->source_end;
  a.first_gtid = scan->first_gtid;
  a.last_gtid = scan->last_gtid;
  a.transactions = scan->transactions;
  return a;
}

struct Copied {
  binlog::ChecksumAlg checksum = binlog::ChecksumAlg::kOff;
  uint64_t events = 0;
};

// Walks every relay log to its end (so every FDE is checked); with `out`, writes the master FDE
// in force at the start and every kept event in [start, cut).
Result<Copied> copy_events(const std::vector<std::string>& files, const Analysis& a,
                           TempOutput* out, std::vector<SourceSection>* sections) {
  binlog::LogSequenceReader seq(files, LogKind::kRelayLog, SequenceOptions{true});
  Copied result;
  // The master's Format_description in force at the start: its body, file and place.
  std::optional<FormatDescription> top;
  std::string top_file;
  uint64_t top_offset = 0;
  uint64_t top_size = 0;
  bool top_written = false;
  internal::EventCopier copier;
  size_t section_file = SIZE_MAX;
  auto on_event = [&](const binlog::SequencedEvent& se) -> Status {
    const Event& ev = se.event;
    const Pos at{se.file_index, ev.offset};
    const FormatDescription* fde = ev.as<FormatDescription>();
    if (fde != nullptr && !se.relay_local) {
      if (at < a.start) {
        top = *fde;
        top_file = se.file;
        top_offset = ev.offset;
        top_size = ev.size();
      } else if (top && a.cut && at < *a.cut) {
        if (fde->checksum != top->checksum || fde->header_length != top->header_length) {
          return Unexpected(make_error(
              ErrorCode::kPrecondition,
              se.file + ":" + std::to_string(ev.offset) + ": the master's binlog_checksum (" +
                  checksum_name(fde->checksum) + ") or header layout changed within the diff (" +
                  checksum_name(top->checksum) + " before): one file cannot hold both"));
        }
      }
    }
    if (!a.cut || at < a.start || !(at < *a.cut) || internal::relay_left_out(se) ||
        internal::in_ranges(a.skip, at)) {
      return ok_status();
    }
    if (!top) {
      return Unexpected(make_error(
          ErrorCode::kIo, files[a.start.file] + ": no Format_description from the master before " +
                              std::to_string(a.start.offset)));
    }
    result.checksum = top->checksum;
    if (out == nullptr) {
      ++result.events;
      return ok_status();
    }
    if (!top_written) {
      MHA_TRY(copier.write_top(top_file, top_offset, top_size, *out));
      top_written = true;
    }
    internal::mark_section(sections, &section_file, se, *out);
    MHA_TRY(copier.copy(se.file, ev.offset, ev.size(), *out, false));
    ++result.events;
    return ok_status();
  };
  MHA_TRY(internal::for_each_event(seq, on_event));
  if (top) result.checksum = top->checksum;
  return result;
}

Result<RelayDiffSummary> run(const RelayDiffRequest& request, std::ostream& log, bool write) {
  auto located = locate_relay_logs(request.relay_dir, request.relay_log);
  if (!located) return Unexpected(std::move(located).error());
  const std::vector<std::string>& files = *located;
  RelayDiffSummary s;
  s.command = write ? "generate" : "find";
  s.target = request.target;
  for (const auto& f : files) s.relay_files.push_back(base_name(f));
  log << "  Relay logs at " << request.relay_dir << ": " << s.relay_files.front() << " .. "
      << s.relay_files.back() << "\n";

  auto mapped = binlog::find_relay_offset(files, request.target.file, request.target.pos,
                                          SequenceOptions{true});
  if (!mapped) {
    Error e = std::move(mapped).error();
    e.message = "the relay logs in " + request.relay_dir + " do not hold the events after " +
                request.target.to_string() +
                " (relay_log_purge=1 removes them once applied): " + e.message;
    return Unexpected(std::move(e));
  }
  const auto it = std::find(files.begin(), files.end(), mapped->at.file);
  const Pos start{static_cast<size_t>(it - files.begin()), mapped->at.offset};
  s.start_file = base_name(mapped->at.file);
  s.start_pos = mapped->at.offset;
  log << "  " << request.target.to_string() << " ends at relay log " << s.start_file << ":"
      << s.start_pos << ".\n";

  auto a = analyse(files, start, request.target);
  if (!a) return Unexpected(std::move(a).error());
  s.transactions = a->transactions;
  s.first_gtid = a->first_gtid;
  s.last_gtid = a->last_gtid;
  s.end = a->end;
  s.skipped_incomplete = a->skip.size();
  if (a->incomplete_tail) {
    s.incomplete_tail = base_name(files[a->incomplete_tail->file]) + ":" +
                        std::to_string(a->incomplete_tail->offset);
    log << "  The relay logs end with an unfinished transaction at " << *s.incomplete_tail
        << " (the master stopped sending in the middle of it); it is left out.\n";
  }
  if (s.skipped_incomplete > 0) {
    log << "  Left out " << s.skipped_incomplete
        << " transaction(s) interrupted by a reconnect (re-fetched later).\n";
  }
  s.has_diff = a->cut.has_value();
  if (request.latest && s.end && !s.incomplete_tail &&
      (*s.end <=> *request.latest) != std::partial_ordering::equivalent) {
    log << "  Warning: the relay logs end at " << s.end->to_string()
        << ", not at the latest replica's read position " << request.latest->to_string() << ".\n";
  }

  std::optional<TempOutput> out;
  if (write && s.has_diff) {
    auto created = TempOutput::create(request.output_file);
    if (!created) return Unexpected(std::move(created).error());
    out.emplace(std::move(*created));
  }
  auto copied = copy_events(files, *a, out ? &*out : nullptr, &s.sections);
  if (!copied) return Unexpected(std::move(copied).error());
  s.checksum = checksum_name(copied->checksum);
  s.events = copied->events;
  if (!s.has_diff) {
    log << "No whole transaction after " << request.target.to_string()
        << " in the relay logs: the target has everything (nothing to apply).\n";
    return s;
  }
  log << "  " << s.transactions << " transaction(s) after " << request.target.to_string()
      << ", up to " << s.end.value_or(topology::BinlogPosition{}).to_string() << ".\n";
  if (!write) return s;
  MHA_TRY(internal::verify_events(out->path(), s.events));
  s.bytes = out->size();
  MHA_TRY(out->commit());
  s.written = true;
  s.output_file = request.output_file;
  log << "Generated the relay-log diff from " << s.start_file << ":" << s.start_pos << " into "
      << s.output_file << " (" << s.transactions << " transactions, " << s.bytes << " bytes).\n";
  return s;
}

}  // namespace

Result<std::vector<std::string>> locate_relay_logs(const std::string& relay_dir,
                                                   const std::string& relay_log) {
  const std::string name = base_name(relay_log);
  const size_t dot = name.rfind('.');
  if (name.empty() || dot == std::string::npos || dot == 0) {
    return Unexpected(make_error(ErrorCode::kConfig, "--current_relay_log " + relay_log +
                                                         " is not a relay-log file name "
                                                         "(prefix.<number>)"));
  }
  auto found = locate_binlogs({relay_dir}, "", name.substr(0, dot));
  if (!found) {
    Error e = std::move(found).error();
    if (e.code == ErrorCode::kNotFound) {
      e.message = "no relay log " + name.substr(0, dot) + ".* in " + relay_dir;
    }
    return Unexpected(std::move(e));
  }
  return found->paths;
}

Result<RelayDiffSummary> find_relay_diff(const RelayDiffRequest& request, std::ostream& log) {
  return run(request, log, false);
}

Result<RelayDiffSummary> generate_relay_diff(const RelayDiffRequest& request, std::ostream& log) {
  return run(request, log, true);
}

std::string relay_diff_json(const RelayDiffSummary& s) {
  auto pos = [](const std::optional<topology::BinlogPosition>& p) {
    return p ? nlohmann::ordered_json{{"file", p->file}, {"pos", p->pos}}
             : nlohmann::ordered_json(nullptr);
  };
  auto gtid = [](const std::optional<topology::MariadbGtid>& g) {
    return g ? nlohmann::ordered_json(g->to_string()) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json j;
  j["tool"] = "apply_diff_relay_logs";
  j["command"] = s.command;
  j["result"] = !s.has_diff ? "nothing_to_apply" : (s.written ? "generated" : "found");
  j["output_file"] = s.written ? nlohmann::ordered_json(s.output_file) : nullptr;
  j["checksum"] = s.checksum;
  j["relay_files"] = s.relay_files;
  j["target"] = pos(s.target);
  j["start"] = {{"file", s.start_file}, {"pos", s.start_pos}};
  j["end"] = pos(s.end);
  j["transactions"] = s.transactions;
  j["first_gtid"] = gtid(s.first_gtid);
  j["last_gtid"] = gtid(s.last_gtid);
  j["events"] = s.events;
  j["bytes"] = s.bytes;
  j["skipped_incomplete"] = s.skipped_incomplete;
  j["incomplete_tail"] = s.incomplete_tail ? nlohmann::ordered_json(*s.incomplete_tail) : nullptr;
  j["format"] = s.format;
  return j.dump();
}

}  // namespace mha::node
