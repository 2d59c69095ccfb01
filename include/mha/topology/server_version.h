#pragma once

// Server version strings as reported by SELECT VERSION() / mysql_get_server_info(), parsed into a
// comparable value. Pure; no I/O.
//
// Accepted shapes (everything after major.minor.patch is kept verbatim as `suffix`):
//   10.11.19-MariaDB-0+deb12u1-log   MariaDB with a distribution suffix (MHA 0.58 crashes on it)
//   5.5.5-10.11.6-MariaDB-log        MariaDB behind the old "5.5.5-" replication-compat prefix
//   8.0.36, 8.4.3-commercial         MySQL
//   8.0.35-27-log                    Percona Server (numeric build after the patch level)

#include "mha/common/result.h"

#include <compare>
#include <string>
#include <string_view>

namespace mha::topology {

enum class Flavor { kMySQL, kMariaDB, kPercona };

const char* flavor_name(Flavor f);  // "MySQL", "MariaDB", "Percona"

struct ServerVersion {
  Flavor flavor = Flavor::kMySQL;
  int major = 0;
  int minor = 0;
  int patch = 0;
  std::string raw;     // the string as the server reported it
  std::string suffix;  // text after "major.minor.patch", e.g. "-MariaDB-0+deb12u1-log"

  bool is_mariadb() const { return flavor == Flavor::kMariaDB; }
  // MySQL and Percona share one SQL dialect.
  bool is_mysql_family() const { return flavor != Flavor::kMariaDB; }

  // True when major.minor.patch >= the given triple (flavour is not considered).
  bool at_least(int maj, int min, int pat = 0) const;

  // "10.11.19" (no suffix).
  std::string numeric() const;

  // Versions of different families (MariaDB vs MySQL/Percona) are unordered: MariaDB 10.11 is not
  // "newer" than MySQL 8.0. Within a family only major.minor.patch count.
  friend std::partial_ordering operator<=>(const ServerVersion& a, const ServerVersion& b);
  friend bool operator==(const ServerVersion& a, const ServerVersion& b);
};

// ErrorCode::kQuery when the text does not start with "N.N.N" (message quotes the input).
Result<ServerVersion> parse_server_version(std::string_view text);

}  // namespace mha::topology
