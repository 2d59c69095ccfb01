#pragma once

// Binary/relay log coordinates ("mysql-bin.000123", 4567). Pure value type.
//
// Ordering is by the numeric extension of the file name, then by position: mysql-bin.999999 comes
// before mysql-bin.1000000 (a plain string compare gets this wrong, as MHA 0.58 does). Positions
// in files with different base names ("db1-bin" vs "db2-bin") are unordered: they come from
// different servers and cannot be compared.

#include "mha/common/result.h"

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace mha::topology {

struct BinlogPosition {
  std::string file;  // as the server reports it, without directory
  uint64_t pos = 0;

  // "mysql-bin" and 123 for "mysql-bin.000123"; false when the name has no numeric extension.
  bool split_file(std::string* base, uint64_t* number) const;

  std::string to_string() const;  // "mysql-bin.000123:4567"

  friend std::partial_ordering operator<=>(const BinlogPosition& a, const BinlogPosition& b);
  friend bool operator==(const BinlogPosition& a, const BinlogPosition& b) = default;
};

// Parses "file:pos" (the to_string() format). The file must have a numeric extension.
// ErrorCode::kQuery on malformed input.
Result<BinlogPosition> parse_binlog_position(std::string_view text);

// Builds a position from separate file and position texts (e.g. two SHOW SLAVE STATUS columns).
Result<BinlogPosition> make_binlog_position(std::string_view file, std::string_view pos);

}  // namespace mha::topology
