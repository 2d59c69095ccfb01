#include "mha/binlog/transaction_scan.h"

#include <algorithm>
#include <map>

namespace mha::binlog {

Result<TransactionScan> scan_transactions_after(const std::vector<std::string>& files, LogKind kind,
                                                ScanPos start, SequenceOptions options) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < files.size(); ++i) index[files[i]] = i;
  TransactionReader reader(files, kind, options);
  TransactionScan scan;
  std::vector<std::pair<ScanPos, ScanPos>> incomplete;
  while (true) {
    auto r = reader.next();
    if (!r) return Unexpected(std::move(r).error());
    if (!*r) break;
    const Transaction& t = **r;
    const ScanPos s{index[t.start.file], t.start.offset};
    const ScanPos e{index[t.end.file], t.end.offset};
    if (e <= start) continue;
    if (!t.complete) {
      incomplete.emplace_back(std::max(s, start), e);
      continue;
    }
    scan.cut = e;
    if (s < start) {
      if (!scan.straddling) scan.straddling = t;
      continue;
    }
    ++scan.transactions;
    scan.source_end = t.source_end;
    if (t.gtid) {
      if (!scan.first_gtid) scan.first_gtid = t.gtid;
      scan.last_gtid = t.gtid;
    }
  }
  for (const auto& range : incomplete) {
    if (scan.cut && range.first < *scan.cut) {
      scan.skipped.push_back(range);
    } else if (!scan.incomplete_tail) {
      scan.incomplete_tail = range.first;
    }
  }
  if (const auto& truncated = reader.events().truncated_tail()) {
    scan.ends_inside_event = true;
    if (!scan.incomplete_tail) {
      scan.incomplete_tail = ScanPos{index[truncated->file], truncated->offset};
      scan.tail_is_partial_event = true;
    }
  }
  return scan;
}

}  // namespace mha::binlog
