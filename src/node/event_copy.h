#pragma once

// Pieces shared by the node tools that copy events from binlogs or relay logs into one output
// file (save_binary_logs, save_binary_logs --relay_log_info, apply_diff_relay_logs). They were
// written once per tool; one copy keeps the byte-level rules (the "in use" flag, the chunking,
// the section marks) the same in every output. Internal to the node module.

#include "mha/binlog/event.h"
#include "mha/binlog/log_sequence.h"
#include "mha/binlog/transaction_scan.h"
#include "mha/common/result.h"
#include "mha/node/text_output.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "output_file.h"
#include <fcntl.h>

namespace mha::node::internal {

// "/var/lib/mysql/relay.000003" -> "relay.000003"; a name without '/' is returned as is.
inline std::string base_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The binlog_checksum name the summaries print: "crc32" or "none".
inline std::string checksum_name(binlog::ChecksumAlg alg) {
  return alg == binlog::ChecksumAlg::kCrc32 ? "crc32" : "none";
}

// Relay-log events never copied into an output: the replica's own bookkeeping and the events
// that describe a file or a connection rather than carry data.
inline bool relay_left_out(const binlog::SequencedEvent& se) {
  const binlog::Event& ev = se.event;
  return se.relay_local || ev.as<binlog::FormatDescription>() != nullptr ||
         ev.as<binlog::Rotate>() != nullptr || ev.as<binlog::GtidList>() != nullptr ||
         ev.as<binlog::BinlogCheckpoint>() != nullptr || ev.as<binlog::Stop>() != nullptr;
}

// Whether `at` lies in one of the half-open ranges [first, second) (the interrupted
// transactions a transaction pass found).
inline bool in_ranges(const std::vector<std::pair<binlog::ScanPos, binlog::ScanPos>>& ranges,
                      binlog::ScanPos at) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const auto& r) { return r.first <= at && at < r.second; });
}

// Calls fn(const binlog::SequencedEvent&) -> Status for every event of `seq`, in order. Stops at
// the first error, from the reader or from fn, and returns it; ok at the end of the last file.
template <typename Fn>
Status for_each_event(binlog::LogSequenceReader& seq, Fn&& fn) {
  while (true) {
    auto r = seq.next();
    if (!r) return Unexpected(std::move(r).error());
    if (!*r) return ok_status();
    MHA_TRY(fn(**r));
  }
}

// Copies byte ranges of source files into an output. The source stays open between calls on
// the same path (events are copied one by one, mostly from one file); reads go in chunks of at
// most kChunk bytes so a large event never needs one large buffer.
class EventCopier {
 public:
  static constexpr size_t kChunk = 1 << 20;

  // Appends [offset, offset + size) of `path` to `out`. With clear_in_use, bit 0 ("binlog in
  // use") of the event flags (the little-endian u16 at header offset 17) of the first chunk is
  // cleared: an FDE copied to the top of a finished output must not say its file is in use.
  Status copy(const std::string& path, uint64_t offset, uint64_t size, TempOutput& out,
              bool clear_in_use) {
    if (open_path_ != path) {
      fd_ = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (fd_.get() < 0) return Unexpected(io_error(path + ": cannot open", errno));
      open_path_ = path;
    }
    uint64_t done = 0;
    while (done < size) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(size - done, kChunk));
      buffer_.resize(n);
      MHA_TRY(pread_all(fd_.get(), offset + done, buffer_.data(), n, path));
      if (clear_in_use && done == 0 && n > 18) buffer_[17] = static_cast<char>(buffer_[17] & ~1);
      MHA_TRY(out.write(buffer_.data(), n));
      done += n;
    }
    return ok_status();
  }

  // The top of every output: the binlog magic, then the FDE at [offset, offset + size) of
  // `path` with its "in use" flag cleared.
  Status write_top(const std::string& path, uint64_t offset, uint64_t size, TempOutput& out) {
    MHA_TRY(out.write(binlog::kBinlogMagic, binlog::kMagicSize));
    return copy(path, offset, size, out, true);
  }

 private:
  Fd fd_;
  std::string open_path_;
  std::string buffer_;
};

// Marks where the events of each source file begin in the output (for the text mode): adds a
// section when `se` is the first event written from its file. `*last_file` carries the file index
// of the previous call between calls (start it at SIZE_MAX). A null `sections` records nothing.
inline void mark_section(std::vector<SourceSection>* sections, size_t* last_file,
                         const binlog::SequencedEvent& se, const TempOutput& out) {
  if (sections == nullptr || (!sections->empty() && *last_file == se.file_index)) return;
  sections->push_back({out.size(), base_name(se.file)});
  *last_file = se.file_index;
}

}  // namespace mha::node::internal
