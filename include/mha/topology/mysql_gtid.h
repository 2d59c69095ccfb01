#pragma once

// MySQL GTID sets as in @@gtid_executed, SHOW MASTER STATUS Executed_Gtid_Set and SHOW REPLICA
// STATUS Retrieved_/Executed_Gtid_Set: "uuid:1-5:7-9,uuid2:1-3", which MySQL prints with ",\n"
// between source UUIDs. MySQL 8.3+ tagged GTIDs ("uuid:tag:1-5") are accepted; a tag applies to
// the intervals that follow it. Pure value type, always kept normalised (UUIDs lower-case,
// intervals sorted and merged), so equal sets compare equal.

#include "mha/common/result.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mha::topology {

struct GtidInterval {
  uint64_t first = 0;  // inclusive, >= 1
  uint64_t last = 0;   // inclusive, >= first
  friend bool operator==(const GtidInterval&, const GtidInterval&) = default;
};

class GtidSet {
 public:
  GtidSet() = default;

  // Whitespace (including the newlines MySQL prints) is ignored; "" is the empty set. Errors
  // (ErrorCode::kQuery): malformed UUID, tag or interval, 0 or reversed bounds.
  static Result<GtidSet> parse(std::string_view text);

  // Adds [first, last] for `source` ("uuid" or "uuid:tag"; must already be normalised).
  void add(const std::string& source, uint64_t first, uint64_t last);
  void add(const GtidSet& other);

  bool empty() const { return sets_.empty(); }
  uint64_t count() const;  // number of transactions
  const std::map<std::string, std::vector<GtidInterval>>& sources() const { return sets_; }

  // Canonical text; `separator` is "," (default) or ",\n" to mimic MySQL's own output.
  std::string to_string(std::string_view separator = ",") const;

  bool contains(const GtidSet& other) const;  // other is a subset of this
  bool is_subset_of(const GtidSet& other) const { return other.contains(*this); }

  // Transactions here that are not in `other`. replica.subtract(master) non-empty = errant
  // transactions on the replica; master.subtract(replica) = what the replica still misses.
  GtidSet subtract(const GtidSet& other) const;

  friend bool operator==(const GtidSet&, const GtidSet&) = default;

 private:
  std::map<std::string, std::vector<GtidInterval>> sets_;  // source -> sorted, disjoint, merged
};

}  // namespace mha::topology
