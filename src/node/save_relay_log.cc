// save_binary_logs --relay_log_info: the exec->read tail of a replica's own relay logs
// (save_binlog.h, save_relay_logs).

#include "mha/binlog/event.h"
#include "mha/binlog/event_reader.h"
#include "mha/binlog/log_sequence.h"
#include "mha/binlog/transaction_scan.h"
#include "mha/node/relay_diff.h"
#include "mha/node/save_binlog.h"

#include <algorithm>
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
using internal::base_name;
using internal::checksum_name;
using internal::TempOutput;
using Pos = binlog::ScanPos;

// What the transaction pass found after the start.
struct Plan {
  std::optional<Pos> cut;                 // end of what is copied; nullopt: nothing
  std::vector<std::pair<Pos, Pos>> skip;  // interrupted transactions (re-fetched later)
  uint64_t transactions = 0;              // whole ones starting at or after the start
  std::optional<topology::MariadbGtid> first_gtid;
  std::optional<topology::MariadbGtid> last_gtid;
  bool starts_inside = false;
  bool ends_inside = false;
  std::optional<binlog::LogOffset> partial_event;  // a partly written last event, cut off
};

Result<Plan> plan(const std::vector<std::string>& files, Pos start) {
  std::vector<std::pair<Pos, Pos>> ranges;  // every transaction ending after the start
  std::vector<binlog::Transaction> txs;
  binlog::TransactionReader reader(files, binlog::LogKind::kRelayLog,
                                   binlog::SequenceOptions{true});
  auto index = [&](const std::string& file) {
    return static_cast<size_t>(std::find(files.begin(), files.end(), file) - files.begin());
  };
  while (true) {
    auto r = reader.next();
    if (!r) return Unexpected(std::move(r).error());
    if (!*r) break;
    const binlog::Transaction& t = **r;
    const Pos e{index(t.end.file), t.end.offset};
    if (e <= start) continue;
    ranges.emplace_back(std::max(Pos{index(t.start.file), t.start.offset}, start), e);
    txs.push_back(t);
  }
  Plan p;
  p.partial_event = reader.events().truncated_tail();
  for (size_t i = 0; i < txs.size(); ++i) {
    const binlog::Transaction& t = txs[i];
    if (!t.complete && i + 1 < txs.size()) {  // interrupted: the IO thread fetched it again
      p.skip.push_back(ranges[i]);
      continue;
    }
    p.cut = ranges[i].second;
    const bool straddles = Pos{index(t.start.file), t.start.offset} < start;
    if (straddles) p.starts_inside = true;
    if (!t.complete) {
      p.ends_inside = true;
      continue;
    }
    if (straddles) continue;
    ++p.transactions;
    if (t.gtid) {
      if (!p.first_gtid) p.first_gtid = t.gtid;
      p.last_gtid = t.gtid;
    }
  }
  return p;
}

struct Copied {
  binlog::ChecksumAlg checksum = binlog::ChecksumAlg::kOff;
  uint64_t events = 0;
  uint64_t start_file_end = 0;  // end of the start file's last whole event
  bool start_is_boundary = false;
  // The first copied event continues a transaction whose beginning is not in the files given
  // (the transaction pass cannot see such a remainder).
  bool first_continues = false;
};

// A transaction begins with a GTID event or a BEGIN (or is one GTID-less statement).
bool begins_a_transaction(const Event& ev) {
  if (ev.header.type == binlog::event_type::kGtid) return true;
  const binlog::Query* q = ev.as<binlog::Query>();
  return q != nullptr &&
         (q->kind == binlog::QueryKind::kBegin || q->kind == binlog::QueryKind::kOther);
}

Result<Copied> copy(const std::vector<std::string>& files, Pos start, const Plan& p,
                    TempOutput* out, std::vector<SourceSection>* sections) {
  binlog::LogSequenceReader seq(files, binlog::LogKind::kRelayLog, binlog::SequenceOptions{true});
  Copied result;
  result.start_is_boundary = start.offset <= binlog::kMagicSize;
  // The master's Format_description in force: the last one seen (copies included).
  std::optional<FormatDescription> master_fde;
  std::string fde_file;
  uint64_t fde_offset = 0;
  uint64_t fde_size = 0;
  std::optional<FormatDescription> top;  // the one written at the top of the output
  size_t section_file = SIZE_MAX;
  internal::EventCopier copier;
  auto on_event = [&](const binlog::SequencedEvent& se) -> Status {
    const Event& ev = se.event;
    const Pos at{se.file_index, ev.offset};
    if (se.file_index == start.file) {
      if (ev.offset == start.offset || ev.end_offset() == start.offset) {
        result.start_is_boundary = true;
      }
      result.start_file_end = ev.end_offset();
    }
    if (const FormatDescription* fde = ev.as<FormatDescription>();
        fde != nullptr && !se.relay_local) {
      if (top && p.cut && at < *p.cut &&
          (fde->checksum != top->checksum || fde->header_length != top->header_length)) {
        return Unexpected(make_error(
            ErrorCode::kPrecondition,
            se.file + ":" + std::to_string(ev.offset) + ": the master's binlog_checksum (" +
                checksum_name(fde->checksum) + ") or header layout changed within the tail (" +
                checksum_name(top->checksum) + " before): one file cannot hold both"));
      }
      master_fde = *fde;
      fde_file = se.file;
      fde_offset = ev.offset;
      fde_size = ev.size();
    }
    if (!p.cut || at < start || !(at < *p.cut) || internal::relay_left_out(se) ||
        internal::in_ranges(p.skip, at)) {
      return ok_status();
    }
    if (!top) {
      if (!master_fde) {
        return Unexpected(make_error(
            ErrorCode::kIo, se.file + ":" + std::to_string(ev.offset) +
                                ": no Format_description from the master before this event"));
      }
      top = master_fde;
      result.checksum = top->checksum;
      result.first_continues = !begins_a_transaction(ev);
      if (out != nullptr) {
        MHA_TRY(copier.write_top(fde_file, fde_offset, fde_size, *out));
      }
    }
    if (out != nullptr) {
      internal::mark_section(sections, &section_file, se, *out);
      MHA_TRY(copier.copy(se.file, ev.offset, ev.size(), *out, false));
    }
    ++result.events;
    return ok_status();
  };
  MHA_TRY(internal::for_each_event(seq, on_event));
  if (!top && master_fde) result.checksum = master_fde->checksum;
  return result;
}

}  // namespace

Result<SaveBinlogSummary> save_relay_logs(const SaveRelayRequest& request, std::ostream& log) {
  if (request.start_file.empty() || request.start_file.find('/') != std::string::npos) {
    return Unexpected(make_error(ErrorCode::kConfig,
                                 "--start_file must be a relay-log file name without a directory"));
  }
  auto located = locate_relay_logs(request.relay_dir, request.start_file);
  if (!located) return Unexpected(std::move(located).error());
  const std::vector<std::string>& files = *located;
  const auto it = std::find_if(files.begin(), files.end(), [&](const std::string& f) {
    return base_name(f) == request.start_file;
  });
  if (it == files.end()) {
    return Unexpected(make_error(ErrorCode::kNotFound,
                                 "relay log " + request.start_file + " not found in " +
                                     request.relay_dir + " (it holds " + base_name(files.front()) +
                                     " .. " + base_name(files.back()) + ")"));
  }
  const size_t first = static_cast<size_t>(it - files.begin());
  const Pos start{first, std::max<uint64_t>(request.start_pos, binlog::kMagicSize)};
  log << "  Relay logs found at " << request.relay_dir << ", from " << request.start_file
      << " up to " << base_name(files.back()) << "\n";

  auto p = plan(files, start);
  if (!p) return Unexpected(std::move(p).error());
  // A dry pass first: it checks the start and the Format_descriptions before a file is made.
  auto checked = copy(files, start, *p, nullptr, nullptr);
  if (!checked) return Unexpected(std::move(checked).error());
  if (request.start_pos > checked->start_file_end) {
    return Unexpected(
        make_error(ErrorCode::kPrecondition, "start position " + std::to_string(request.start_pos) +
                                                 " is beyond the end of " + request.start_file +
                                                 " (its events end at " +
                                                 std::to_string(checked->start_file_end) + ")"));
  }
  if (!checked->start_is_boundary) {
    return Unexpected(make_error(ErrorCode::kPrecondition,
                                 "start position " + std::to_string(request.start_pos) + " in " +
                                     request.start_file + " is not at an event boundary"));
  }

  SaveBinlogSummary s;
  s.output_file = request.output_file;
  for (size_t i = first; i < files.size(); ++i) s.files.push_back(base_name(files[i]));
  s.start_file = request.start_file;
  s.start_pos = start.offset;
  s.first_gtid = p->first_gtid;
  s.last_gtid = p->last_gtid;
  s.transactions = p->transactions;
  s.starts_inside_transaction = p->starts_inside || checked->first_continues;
  s.ends_inside_transaction = p->ends_inside;
  s.skipped_incomplete = p->skip.size();
  s.checksum = checksum_name(checked->checksum);
  if (p->partial_event) {
    s.incomplete_tail =
        base_name(p->partial_event->file) + ":" + std::to_string(p->partial_event->offset);
    log << "  The newest relay log ends with a partly written event at " << *s.incomplete_tail
        << " (the IO thread was writing it); it is left out.\n";
  }
  if (s.skipped_incomplete > 0) {
    log << "  Left out " << s.skipped_incomplete
        << " transaction(s) interrupted by a reconnect (fetched again later).\n";
  }
  if (s.starts_inside_transaction) {
    log << "  " << s.start_file << ":" << s.start_pos
        << " is inside a transaction: its remaining events are saved first.\n";
  }
  if (!p->cut || checked->events == 0) {
    s.end_file = s.start_file;
    s.end_pos = s.start_pos;
    s.ends_inside_transaction = false;
    log << "No relay log events found after " << s.start_file << ":" << s.start_pos
        << " (nothing to save).\n";
    return s;
  }
  s.end_file = base_name(files[p->cut->file]);
  s.end_pos = p->cut->offset;
  if (s.ends_inside_transaction) {
    log << "  The relay logs end inside a transaction (the master stopped sending in the middle "
           "of it): its events are saved; the rest must follow in the same apply.\n";
  }
  auto out = TempOutput::create(request.output_file);
  if (!out) return Unexpected(std::move(out).error());
  auto copied = copy(files, start, *p, &*out, &s.sections);
  if (!copied) return Unexpected(std::move(copied).error());
  s.events = copied->events;
  MHA_TRY(internal::verify_events(out->path(), s.events));
  s.bytes = out->size();
  MHA_TRY(out->commit());
  s.saved = true;
  log << "Concat relay logs from " << s.start_file << " pos " << s.start_pos << " to " << s.end_file
      << " pos " << s.end_pos << " into " << s.output_file << " succeeded (" << s.transactions
      << " whole transactions" << (s.ends_inside_transaction ? " and the start of one more" : "")
      << ", " << s.bytes << " bytes).\n";
  return s;
}

}  // namespace mha::node
