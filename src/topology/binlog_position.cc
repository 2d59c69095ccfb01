#include "mha/topology/binlog_position.h"

#include "gtid_text.h"

namespace mha::topology {
namespace {

Unexpected bad_position(std::string_view text, std::string_view why) {
  return Unexpected(make_error(ErrorCode::kQuery, "invalid binlog position '" + std::string(text) +
                                                      "': " + std::string(why)));
}

}  // namespace

bool BinlogPosition::split_file(std::string* base, uint64_t* number) const {
  size_t dot = file.rfind('.');
  if (dot == std::string::npos || dot == 0) return false;
  uint64_t n = 0;
  if (!internal::parse_unsigned(std::string_view(file).substr(dot + 1), n)) return false;
  if (base != nullptr) *base = file.substr(0, dot);
  if (number != nullptr) *number = n;
  return true;
}

std::string BinlogPosition::to_string() const { return file + ":" + std::to_string(pos); }

std::partial_ordering operator<=>(const BinlogPosition& a, const BinlogPosition& b) {
  std::string base_a, base_b;
  uint64_t num_a = 0, num_b = 0;
  const bool ok_a = a.split_file(&base_a, &num_a);
  const bool ok_b = b.split_file(&base_b, &num_b);
  if (!ok_a || !ok_b || base_a != base_b) {
    // Same unnumbered file name still has a meaningful position order.
    if (a.file == b.file) return a.pos <=> b.pos;
    return std::partial_ordering::unordered;
  }
  if (num_a != num_b) return num_a <=> num_b;
  return a.pos <=> b.pos;
}

Result<BinlogPosition> make_binlog_position(std::string_view file, std::string_view pos) {
  BinlogPosition p;
  p.file = std::string(internal::trim(file));
  if (!internal::parse_unsigned(internal::trim(pos), p.pos)) {
    return bad_position(std::string(file) + ":" + std::string(pos), "position is not a number");
  }
  if (!p.split_file(nullptr, nullptr)) {
    return bad_position(std::string(file) + ":" + std::string(pos),
                        "file name has no numeric extension");
  }
  return p;
}

Result<BinlogPosition> parse_binlog_position(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad_position(text, "expected file:pos");
  return make_binlog_position(text.substr(0, colon), text.substr(colon + 1));
}

}  // namespace mha::topology
