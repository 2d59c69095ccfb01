#pragma once

// MariaDB GTID positions: one "domain-server_id-seq_no" triple per replication domain, as found in
// @@gtid_binlog_pos, @@gtid_slave_pos, @@gtid_current_pos and SHOW SLAVE STATUS Gtid_IO_Pos,
// e.g. "0-1-133,1-2-7". Pure value types.
//
// Within a domain the sequence number orders transactions (gtid_strict_mode keeps it monotonic);
// the server_id only records who wrote the last one and takes no part in comparisons.

#include "mha/common/result.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mha::topology {

struct MariadbGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t seq_no = 0;

  std::string to_string() const;  // "0-1-133"
  friend bool operator==(const MariadbGtid&, const MariadbGtid&) = default;
};

class GtidPosition {
 public:
  GtidPosition() = default;

  // Parses a comma-separated list; whitespace and newlines around entries are ignored, "" is the
  // empty position. Errors (ErrorCode::kQuery): malformed triple, out-of-range number, the same
  // domain twice.
  static Result<GtidPosition> parse(std::string_view text);

  // Replaces (or adds) the entry of gtid.domain_id.
  void set(const MariadbGtid& gtid);

  bool empty() const { return by_domain_.empty(); }
  size_t size() const { return by_domain_.size(); }
  const MariadbGtid* find(uint32_t domain_id) const;
  std::vector<MariadbGtid> entries() const;  // ordered by domain

  // "0-1-133,1-2-7": ordered by domain, the format MariaDB accepts in SET gtid_slave_pos and
  // MASTER_GTID_WAIT().
  std::string to_string() const;

  // True when every domain of `other` is present here with seq_no >= other's: everything `other`
  // has applied, this position has applied too (domains only here are allowed).
  bool contains(const GtidPosition& other) const;

  // contains(other) and differs from it in at least one domain.
  bool is_ahead_of(const GtidPosition& other) const;

  // Entries of this position that `reference` has not reached: domains missing from `reference`
  // or with a higher seq_no here. For a replica against its master these are errant transactions
  // (the replica has something the master does not); empty means the replica is not ahead.
  GtidPosition subtract(const GtidPosition& reference) const;

  friend bool operator==(const GtidPosition&, const GtidPosition&) = default;

 private:
  std::map<uint32_t, MariadbGtid> by_domain_;
};

}  // namespace mha::topology
