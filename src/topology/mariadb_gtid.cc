#include "mha/topology/mariadb_gtid.h"

#include "gtid_text.h"

namespace mha::topology {
namespace {

Unexpected bad_position(std::string_view text, std::string_view why) {
  return Unexpected(
      make_error(ErrorCode::kQuery,
                 "invalid MariaDB GTID position '" + std::string(text) + "': " + std::string(why)));
}

}  // namespace

std::string MariadbGtid::to_string() const {
  return std::to_string(domain_id) + "-" + std::to_string(server_id) + "-" + std::to_string(seq_no);
}

Result<GtidPosition> GtidPosition::parse(std::string_view text) {
  GtidPosition pos;
  std::string_view all = internal::trim(text);
  if (all.empty()) return pos;
  for (std::string_view item : internal::split(all, ',')) {
    item = internal::trim(item);
    std::vector<std::string_view> parts = internal::split(item, '-');
    if (parts.size() != 3) return bad_position(text, "expected domain-server_id-seq_no");
    MariadbGtid g;
    if (!internal::parse_unsigned(parts[0], g.domain_id) ||
        !internal::parse_unsigned(parts[1], g.server_id) ||
        !internal::parse_unsigned(parts[2], g.seq_no)) {
      return bad_position(text, "'" + std::string(item) + "' is not three unsigned numbers");
    }
    if (pos.by_domain_.count(g.domain_id) != 0) {
      return bad_position(text, "domain " + std::to_string(g.domain_id) + " appears twice");
    }
    pos.by_domain_[g.domain_id] = g;
  }
  return pos;
}

void GtidPosition::set(const MariadbGtid& gtid) { by_domain_[gtid.domain_id] = gtid; }

const MariadbGtid* GtidPosition::find(uint32_t domain_id) const {
  auto it = by_domain_.find(domain_id);
  return it == by_domain_.end() ? nullptr : &it->second;
}

std::vector<MariadbGtid> GtidPosition::entries() const {
  std::vector<MariadbGtid> out;
  out.reserve(by_domain_.size());
  for (const auto& [domain, gtid] : by_domain_) out.push_back(gtid);
  return out;
}

std::string GtidPosition::to_string() const {
  std::string out;
  for (const auto& [domain, gtid] : by_domain_) {
    if (!out.empty()) out += ',';
    out += gtid.to_string();
  }
  return out;
}

bool GtidPosition::contains(const GtidPosition& other) const {
  for (const auto& [domain, theirs] : other.by_domain_) {
    const MariadbGtid* mine = find(domain);
    if (mine == nullptr || mine->seq_no < theirs.seq_no) return false;
  }
  return true;
}

bool GtidPosition::is_ahead_of(const GtidPosition& other) const {
  return contains(other) && !other.contains(*this);
}

GtidPosition GtidPosition::subtract(const GtidPosition& reference) const {
  GtidPosition out;
  for (const auto& [domain, mine] : by_domain_) {
    const MariadbGtid* theirs = reference.find(domain);
    if (theirs == nullptr || mine.seq_no > theirs->seq_no) out.set(mine);
  }
  return out;
}

}  // namespace mha::topology
