#include "mha/topology/mysql_gtid.h"

#include <algorithm>
#include <cctype>

#include "gtid_text.h"

namespace mha::topology {
namespace {

Unexpected bad_set(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 200));
  return Unexpected(
      make_error(ErrorCode::kQuery, "invalid MySQL GTID set '" + shown + "': " + std::string(why)));
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// 8-4-4-4-12 hex digits; returns the lower-case form or "" if malformed.
std::string normalise_uuid(std::string_view s) {
  static constexpr size_t kDashes[] = {8, 13, 18, 23};
  if (s.size() != 36) return {};
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash_here =
        std::find(std::begin(kDashes), std::end(kDashes), i) != std::end(kDashes);
    if (dash_here ? s[i] != '-' : !is_hex(s[i])) return {};
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  }
  return out;
}

// MySQL tags: a letter or '_' then up to 31 of [a-z0-9_], case-insensitive.
std::string normalise_tag(std::string_view s) {
  if (s.empty() || s.size() > 32) return {};
  if (!std::isalpha(static_cast<unsigned char>(s[0])) && s[0] != '_') return {};
  std::string out;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return {};
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Inserts [first,last] into a sorted, disjoint list, merging overlapping and adjacent intervals.
void insert_interval(std::vector<GtidInterval>& list, GtidInterval iv) {
  std::vector<GtidInterval> out;
  out.reserve(list.size() + 1);
  bool placed = false;
  for (const GtidInterval& cur : list) {
    if (cur.last + 1 < iv.first) {
      out.push_back(cur);
    } else if (iv.last + 1 < cur.first) {
      if (!placed) {
        out.push_back(iv);
        placed = true;
      }
      out.push_back(cur);
    } else {
      iv.first = std::min(iv.first, cur.first);
      iv.last = std::max(iv.last, cur.last);
    }
  }
  if (!placed) out.push_back(iv);
  list = std::move(out);
}

// a minus b, both sorted and disjoint.
std::vector<GtidInterval> subtract_intervals(const std::vector<GtidInterval>& a,
                                             const std::vector<GtidInterval>& b) {
  std::vector<GtidInterval> out;
  for (GtidInterval cur : a) {
    bool gone = false;
    for (const GtidInterval& cut : b) {
      if (cut.last < cur.first || cut.first > cur.last) continue;
      if (cut.first > cur.first) out.push_back({cur.first, cut.first - 1});
      if (cut.last >= cur.last) {
        gone = true;
        break;
      }
      cur.first = cut.last + 1;
    }
    if (!gone) out.push_back(cur);
  }
  return out;
}

bool covers(const std::vector<GtidInterval>& list, const GtidInterval& iv) {
  for (const GtidInterval& cur : list) {
    if (cur.first <= iv.first && iv.last <= cur.last) return true;
  }
  return false;
}

}  // namespace

Result<GtidSet> GtidSet::parse(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (!internal::is_space(c)) compact += c;
  }
  GtidSet set;
  if (compact.empty()) return set;
  for (std::string_view item : internal::split(compact, ',')) {
    std::vector<std::string_view> parts = internal::split(item, ':');
    std::string uuid = normalise_uuid(parts[0]);
    if (uuid.empty()) return bad_set(text, "'" + std::string(parts[0]) + "' is not a UUID");
    if (parts.size() < 2) return bad_set(text, "UUID " + uuid + " has no interval");
    std::string source = uuid;
    bool pending_tag = false;
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string_view p = parts[i];
      if (!p.empty() && !std::isdigit(static_cast<unsigned char>(p[0]))) {
        std::string tag = normalise_tag(p);
        if (tag.empty()) return bad_set(text, "'" + std::string(p) + "' is not a tag");
        if (pending_tag) return bad_set(text, "tag without intervals before '" + tag + "'");
        source = uuid + ":" + tag;
        pending_tag = true;
        continue;
      }
      GtidInterval iv;
      size_t dash = p.find('-');
      bool ok = dash == std::string_view::npos
                    ? internal::parse_unsigned(p, iv.first)
                    : internal::parse_unsigned(p.substr(0, dash), iv.first) &&
                          internal::parse_unsigned(p.substr(dash + 1), iv.last);
      if (dash == std::string_view::npos) iv.last = iv.first;
      if (!ok) return bad_set(text, "'" + std::string(p) + "' is not an interval");
      if (iv.first == 0 || iv.last < iv.first) {
        return bad_set(text, "interval '" + std::string(p) + "' is empty or starts at 0");
      }
      set.add(source, iv.first, iv.last);
      pending_tag = false;
    }
    if (pending_tag) return bad_set(text, "tag without intervals in '" + std::string(item) + "'");
  }
  return set;
}

void GtidSet::add(const std::string& source, uint64_t first, uint64_t last) {
  insert_interval(sets_[source], GtidInterval{first, last});
}

void GtidSet::add(const GtidSet& other) {
  for (const auto& [source, list] : other.sets_) {
    for (const GtidInterval& iv : list) add(source, iv.first, iv.last);
  }
}

uint64_t GtidSet::count() const {
  uint64_t n = 0;
  for (const auto& [source, list] : sets_) {
    for (const GtidInterval& iv : list) n += iv.last - iv.first + 1;
  }
  return n;
}

std::string GtidSet::to_string(std::string_view separator) const {
  // Untagged and tagged intervals of one UUID are printed under one UUID, as MySQL does:
  // "uuid:1-5:tag:1-3". std::map orders "uuid" before "uuid:tag".
  std::string out;
  std::string current_uuid;
  for (const auto& [source, list] : sets_) {
    std::string uuid = source.substr(0, 36);
    if (uuid != current_uuid) {
      if (!out.empty()) out += separator;
      out += uuid;
      current_uuid = uuid;
    }
    if (source.size() > 36) out += source.substr(36);  // ":tag"
    for (const GtidInterval& iv : list) {
      out += ':';
      out += std::to_string(iv.first);
      if (iv.last != iv.first) out += "-" + std::to_string(iv.last);
    }
  }
  return out;
}

bool GtidSet::contains(const GtidSet& other) const {
  for (const auto& [source, list] : other.sets_) {
    auto it = sets_.find(source);
    for (const GtidInterval& iv : list) {
      if (it == sets_.end() || !covers(it->second, iv)) return false;
    }
  }
  return true;
}

GtidSet GtidSet::subtract(const GtidSet& other) const {
  GtidSet out;
  for (const auto& [source, list] : sets_) {
    auto it = other.sets_.find(source);
    std::vector<GtidInterval> rest =
        it == other.sets_.end() ? list : subtract_intervals(list, it->second);
    if (!rest.empty()) out.sets_[source] = std::move(rest);
  }
  return out;
}

}  // namespace mha::topology
