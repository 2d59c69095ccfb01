#pragma once

// The whole transactions after a place in a sequence of binlog or relay-log files: where the last
// one ends, which interrupted ones lie before that, and where an unfinished tail begins. One scan
// (over TransactionReader) for the node tools that copy "everything whole after X":
// save_binary_logs (binlogs) and apply_diff_relay_logs --command=find|generate (relay logs).
//
// Rules, for a start place S:
//   - transactions that end at or before S are not looked at;
//   - a whole transaction that starts before S and ends after it "straddles" S: it is reported
//     (the caller decides: save_binary_logs copies its remaining events, a relay-log diff
//     refuses), it moves the cut but is not counted;
//   - the cut is just after the last whole transaction ending after S; interrupted transactions
//     (a reconnect, a crash then a restart) before the cut are `skipped`; the first unfinished
//     one after the cut is the `incomplete_tail`, or, when there is none and the last file ends
//     inside an event (SequenceOptions::allow_truncated_tail), that partial event.
// Pure file reading; errors as LogSequenceReader's.

#include "mha/binlog/log_sequence.h"
#include "mha/common/result.h"
#include "mha/topology/binlog_position.h"
#include "mha/topology/mariadb_gtid.h"

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mha::binlog {

// A place in the file list: (index of the file, byte offset), ordered.
struct ScanPos {
  size_t file = 0;
  uint64_t offset = 0;
  friend auto operator<=>(const ScanPos&, const ScanPos&) = default;
};

struct TransactionScan {
  std::optional<ScanPos> cut;  // nullopt: no whole transaction ends after the start
  std::vector<std::pair<ScanPos, ScanPos>> skipped;  // interrupted, before the cut
  std::optional<ScanPos> incomplete_tail;
  bool tail_is_partial_event = false;     // incomplete_tail is a partly written event
  bool ends_inside_event = false;         // the last file ends inside an event (either way)
  std::optional<Transaction> straddling;  // the whole transaction around the start, if any
  uint64_t transactions = 0;              // whole transactions starting at or after the start
  std::optional<topology::MariadbGtid> first_gtid;
  std::optional<topology::MariadbGtid> last_gtid;
  // Source position after the last counted transaction (relay logs: the master's).
  std::optional<topology::BinlogPosition> source_end;
};

Result<TransactionScan> scan_transactions_after(const std::vector<std::string>& files, LogKind kind,
                                                ScanPos start, SequenceOptions options = {});

}  // namespace mha::binlog
