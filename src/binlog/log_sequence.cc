#include "mha/binlog/log_sequence.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

namespace mha::binlog {
namespace {

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string describe(const std::vector<std::string>& files) {
  if (files.empty()) return "(no files)";
  if (files.size() == 1) return files.front();
  return files.front() + " .. " + base_name(files.back());
}

bool is_query(const Event& ev, QueryKind kind) {
  const Query* q = ev.as<Query>();
  return q != nullptr && q->kind == kind;
}

bool ends_transaction(const Event& ev) {
  if (ev.as<Xid>() != nullptr) return true;
  if (ev.header.type == event_type::kXaPrepare) return true;
  const Query* q = ev.as<Query>();
  return q != nullptr && (q->kind == QueryKind::kCommit || q->kind == QueryKind::kRollback);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
LogSequenceReader::LogSequenceReader(std::vector<std::string> files, LogKind kind,
                                     SequenceOptions options)
    : files_(std::move(files)), kind_(kind), options_(options) {}

Status LogSequenceReader::open_next_file() {
  Result<EventReader> r = EventReader::open_file(files_[index_]);
  ++index_;
  if (!r) return Unexpected(std::move(r).error());
  reader_.emplace(std::move(*r));
  first_in_file_ = true;
  return ok_status();
}

Result<std::optional<SequencedEvent>> LogSequenceReader::next() {
  while (!done_) {
    if (!reader_) {
      if (index_ == files_.size()) break;
      Status opened = open_next_file();
      if (!opened) {
        done_ = true;
        return Unexpected(std::move(opened).error());
      }
    }
    Result<std::optional<Event>> r = reader_->next();
    if (!r) {
      const bool last_file = index_ == files_.size();
      if (options_.allow_truncated_tail && last_file && r.error().detail == kDetailTruncated) {
        truncated_tail_ = LogOffset{files_[index_ - 1], reader_->valid_end()};
        break;
      }
      done_ = true;
      return Unexpected(std::move(r).error());
    }
    if (!*r) {
      reader_.reset();
      continue;
    }
    SequencedEvent se;
    se.event = std::move(**r);
    se.file = files_[index_ - 1];
    se.file_index = index_ - 1;
    const Event& ev = se.event;
    const Rotate* rotate = ev.as<Rotate>();
    const bool first = first_in_file_;
    first_in_file_ = false;

    if (kind_ == LogKind::kBinlog) {
      if (ev.header.end_log_pos != ev.end_offset()) {
        done_ = true;
        return Unexpected(make_error(
            ErrorCode::kIo,
            se.file + ": " + event_type_name(ev.header.type) + " event at offset " +
                std::to_string(ev.offset) + " has end_log_pos " +
                std::to_string(ev.header.end_log_pos) + ", not " + std::to_string(ev.end_offset()) +
                " (not a plain binlog: a relay log, or corrupt)",
            kDetailMalformed));
      }
      se.source_end = topology::BinlogPosition{base_name(se.file), ev.header.end_log_pos};
      if (rotate != nullptr) {
        se.source_next = topology::BinlogPosition{rotate->next_file, rotate->position};
      }
      return std::optional<SequencedEvent>(std::move(se));
    }

    // Relay log.
    const bool own = !first && ev.header.server_id == own_server_id_;
    if (first) {
      own_server_id_ = ev.header.server_id;
      se.relay_local = true;
    } else if (own && ((rotate != nullptr && !rotate->artificial) || ev.as<Stop>() != nullptr)) {
      se.relay_local = true;
    } else if (rotate != nullptr) {
      if (!rotate->artificial && ev.header.end_log_pos != 0 && source_file_) {
        se.source_end = topology::BinlogPosition{*source_file_, ev.header.end_log_pos};
      }
      se.source_next = topology::BinlogPosition{rotate->next_file, rotate->position};
      source_file_ = rotate->next_file;
    } else if (ev.header.end_log_pos != 0 && source_file_) {
      se.source_end = topology::BinlogPosition{*source_file_, ev.header.end_log_pos};
    }
    return std::optional<SequencedEvent>(std::move(se));
  }
  done_ = true;
  return std::optional<SequencedEvent>();
}

// ---------------------------------------------------------------------------------------------
TransactionReader::TransactionReader(std::vector<std::string> files, LogKind kind,
                                     SequenceOptions options)
    : events_(std::move(files), kind, options) {}

Result<std::optional<Transaction>> TransactionReader::next() {
  while (true) {
    std::optional<SequencedEvent> se;
    if (pending_) {
      se = std::move(pending_);
      pending_.reset();
    } else if (!eof_) {
      Result<std::optional<SequencedEvent>> r = events_.next();
      if (!r) return Unexpected(std::move(r).error());
      se = std::move(*r);
      if (!se) eof_ = true;
    }
    if (!se) {
      std::optional<Transaction> last = std::move(open_);
      open_.reset();
      return last;  // interrupted by the end of the data (complete is still false), or nullopt
    }

    const Event& ev = se->event;
    const GtidEvent* gtid = ev.as<GtidEvent>();
    const bool relay = events_.kind() == LogKind::kRelayLog;
    const bool fde = ev.as<FormatDescription>() != nullptr;
    const bool source_rotate = !se->relay_local && ev.as<Rotate>() != nullptr;

    if (open_) {
      // Bookkeeping inside a transaction that spans relay logs: the replica's own events and the
      // copy of the master's Format_description it writes at the top of each new relay log.
      const bool transparent = se->relay_local || (relay && fde && ev.header.end_log_pos == 0) ||
                               ev.as<BinlogCheckpoint>() != nullptr;
      const bool interrupts = gtid != nullptr || is_query(ev, QueryKind::kBegin) || source_rotate ||
                              (fde && !transparent) || ev.as<GtidList>() != nullptr ||
                              (!relay && se->file_index != open_file_index_);
      if (interrupts) {
        pending_ = std::move(se);
        std::optional<Transaction> cut = std::move(open_);
        open_.reset();
        return cut;
      }
      if (transparent) continue;
      Transaction& t = *open_;
      ++t.events;
      t.end = LogOffset{se->file, ev.end_offset()};
      if (se->source_end) t.source_end = se->source_end;
      const bool done = (t.gtid_flags & gtid_flag::kStandalone) != 0
                            ? ev.header.type != event_type::kAnnotateRows
                            : ends_transaction(ev);
      if (done) {
        t.complete = true;
        std::optional<Transaction> finished = std::move(open_);
        open_.reset();
        return finished;
      }
      continue;
    }

    if (se->relay_local) continue;
    const bool begin = is_query(ev, QueryKind::kBegin);
    const bool bare_statement = is_query(ev, QueryKind::kOther);
    if (gtid == nullptr && !begin && !bare_statement) continue;  // between transactions
    Transaction t;
    if (gtid != nullptr) {
      t.gtid = gtid->gtid;
      t.gtid_flags = gtid->flags;
    }
    t.start = LogOffset{se->file, ev.offset};
    t.end = LogOffset{se->file, ev.end_offset()};
    t.source_end = se->source_end;
    t.events = 1;
    if (bare_statement) {  // GTID-less autocommitted statement (old or non-GTID binlogs)
      t.complete = true;
      return std::optional<Transaction>(std::move(t));
    }
    open_file_index_ = se->file_index;
    open_ = std::move(t);
  }
}

// ---------------------------------------------------------------------------------------------
Result<MappedOffset> find_relay_offset(const std::vector<std::string>& relay_files,
                                       const std::string& master_file, uint64_t master_pos,
                                       SequenceOptions options) {
  LogSequenceReader reader(relay_files, LogKind::kRelayLog, options);
  const topology::BinlogPosition target{master_file, master_pos};
  std::optional<MappedOffset> found;
  std::optional<topology::BinlogPosition> first_seen;
  std::optional<topology::BinlogPosition> last_seen;
  while (true) {
    Result<std::optional<SequencedEvent>> r = reader.next();
    if (!r) return Unexpected(std::move(r).error());
    if (!*r) break;
    const SequencedEvent& se = **r;
    for (const auto* pos : {&se.source_end, &se.source_next}) {
      if (!*pos) continue;
      if (!first_seen) first_seen = **pos;
      last_seen = **pos;
    }
    if (se.source_end == target || se.source_next == target) {
      found = MappedOffset{LogOffset{se.file, se.event.end_offset()}, 0};
    } else if (found && se.source_end) {
      ++found->source_events_after;
    }
  }
  if (!found) {
    std::string held = first_seen ? first_seen->to_string() + " .. " + last_seen->to_string()
                                  : "no master positions";
    return Unexpected(make_error(ErrorCode::kNotFound, "no event ends at master position " +
                                                           target.to_string() + " in relay logs " +
                                                           describe(relay_files) + " (they hold " +
                                                           held + ")"));
  }
  return *found;
}

Result<LogOffset> find_gtid_offset(const std::vector<std::string>& files, LogKind kind,
                                   const topology::MariadbGtid& gtid, SequenceOptions options) {
  TransactionReader reader(files, kind, options);
  std::optional<LogOffset> found;
  bool interrupted_copy = false;
  while (true) {
    Result<std::optional<Transaction>> r = reader.next();
    if (!r) return Unexpected(std::move(r).error());
    if (!*r) break;
    const Transaction& t = **r;
    if (!t.gtid || !(*t.gtid == gtid)) continue;
    if (t.complete) {
      found = t.end;
    } else {
      interrupted_copy = true;
    }
  }
  if (!found) {
    return Unexpected(make_error(
        ErrorCode::kNotFound,
        "GTID " + gtid.to_string() + (interrupted_copy ? " is only partly" : " is not") + " in " +
            (kind == LogKind::kRelayLog ? "relay logs " : "binlogs ") + describe(files)));
  }
  return *found;
}

Result<std::vector<std::string>> read_index_file(const std::string& index_path) {
  std::ifstream in(index_path);
  if (!in) {
    int err = errno;
    return Unexpected(
        make_error(ErrorCode::kIo, index_path + ": cannot open: " + std::strerror(err), err));
  }
  size_t slash = index_path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : index_path.substr(0, slash + 1);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.pop_back();
    }
    if (line.empty()) continue;
    out.push_back(dir + base_name(line));
  }
  if (in.bad()) {
    return Unexpected(make_error(ErrorCode::kIo, index_path + ": read failed", EIO));
  }
  return out;
}

}  // namespace mha::binlog
