#include "mha/topology/server_version.h"

#include <cctype>
#include <charconv>
#include <tuple>

namespace mha::topology {
namespace {

Unexpected bad_version(std::string_view text, std::string_view why) {
  return Unexpected(
      make_error(ErrorCode::kQuery,
                 "unrecognised server version '" + std::string(text) + "': " + std::string(why)));
}

// Reads one decimal component at `pos` and advances past it. False if there are no digits or the
// value does not fit an int.
bool read_number(std::string_view s, size_t& pos, int& out) {
  const char* begin = s.data() + pos;
  const char* end = s.data() + s.size();
  if (begin == end || !std::isdigit(static_cast<unsigned char>(*begin))) return false;
  auto [ptr, ec] = std::from_chars(begin, end, out);
  if (ec != std::errc() || ptr == begin) return false;
  pos += static_cast<size_t>(ptr - begin);
  return true;
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    bool match = true;
    for (size_t j = 0; j < needle.size() && match; ++j) {
      match = std::tolower(static_cast<unsigned char>(haystack[i + j])) ==
              std::tolower(static_cast<unsigned char>(needle[j]));
    }
    if (match) return true;
  }
  return false;
}

}  // namespace

const char* flavor_name(Flavor f) {
  switch (f) {
    case Flavor::kMySQL:
      return "MySQL";
    case Flavor::kMariaDB:
      return "MariaDB";
    case Flavor::kPercona:
      return "Percona";
  }
  return "MySQL";
}

bool ServerVersion::at_least(int maj, int min, int pat) const {
  return std::tie(major, minor, patch) >= std::tie(maj, min, pat);
}

std::string ServerVersion::numeric() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::partial_ordering operator<=>(const ServerVersion& a, const ServerVersion& b) {
  if (a.is_mariadb() != b.is_mariadb()) return std::partial_ordering::unordered;
  return std::tie(a.major, a.minor, a.patch) <=> std::tie(b.major, b.minor, b.patch);
}

bool operator==(const ServerVersion& a, const ServerVersion& b) {
  return a.flavor == b.flavor && a.major == b.major && a.minor == b.minor && a.patch == b.patch;
}

Result<ServerVersion> parse_server_version(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  if (s.empty()) return bad_version(text, "empty");

  const bool mariadb = contains_ci(s, "mariadb");
  // MariaDB 10.x used to announce itself as "5.5.5-10.x.y-MariaDB" so that old MySQL replicas
  // would accept it as a master; the real version follows the prefix.
  constexpr std::string_view kCompatPrefix = "5.5.5-";
  if (mariadb && s.substr(0, kCompatPrefix.size()) == kCompatPrefix && s.size() > 6 &&
      std::isdigit(static_cast<unsigned char>(s[kCompatPrefix.size()]))) {
    s.remove_prefix(kCompatPrefix.size());
  }

  ServerVersion v;
  v.raw = std::string(text);
  size_t pos = 0;
  if (!read_number(s, pos, v.major)) return bad_version(text, "no major version");
  if (pos >= s.size() || s[pos] != '.') return bad_version(text, "expected '.' after major");
  ++pos;
  if (!read_number(s, pos, v.minor)) return bad_version(text, "no minor version");
  if (pos >= s.size() || s[pos] != '.') return bad_version(text, "expected '.' after minor");
  ++pos;
  if (!read_number(s, pos, v.patch)) return bad_version(text, "no patch version");
  v.suffix = std::string(s.substr(pos));
  if (!v.suffix.empty() && v.suffix[0] != '-' && v.suffix[0] != '+' && v.suffix[0] != '~' &&
      v.suffix[0] != '_') {
    return bad_version(text, "unexpected text after the patch version");
  }

  if (mariadb) {
    v.flavor = Flavor::kMariaDB;
  } else if (contains_ci(v.suffix, "percona") ||
             (v.suffix.size() >= 2 && v.suffix[0] == '-' &&
              std::isdigit(static_cast<unsigned char>(v.suffix[1])))) {
    // Percona Server appends its own build number: 8.0.35-27.
    v.flavor = Flavor::kPercona;
  } else {
    v.flavor = Flavor::kMySQL;
  }
  return v;
}

}  // namespace mha::topology
