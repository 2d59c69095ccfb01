// The statements the relay-log diff apply (issue #5) reads and sets through Dialect: the column
// names are part of the contract (the recovery module reads them by name).

#include "mha/mysql/dialect.h"

#include <gtest/gtest.h>

#include <optional>

namespace mha::mysql {
namespace {

// The flavours the apply runs against; an unparsable version fails the test where it is used.
std::optional<Dialect> for_server(const char* version) {
  Result<topology::ServerVersion> parsed = topology::parse_server_version(version);
  if (!parsed) return std::nullopt;
  Result<Dialect> made = Dialect::for_version(*parsed);
  return made ? std::optional<Dialect>(*made) : std::nullopt;
}

TEST(DialectApply, PacketReadOnlyAndRelayLogNamesOnEveryFlavour) {
  for (const char* v : {"10.11.19-MariaDB-0+deb12u1", "8.0.36", "5.7.44-log"}) {
    SCOPED_TRACE(v);
    const std::optional<Dialect> found = for_server(v);
    ASSERT_TRUE(found);
    const Dialect& d = *found;
    EXPECT_EQ(d.select_packet_and_read_only(),
              "SELECT @@global.max_allowed_packet AS p, @@global.read_only AS r");
    EXPECT_EQ(d.set_max_allowed_packet(1073741824), "SET GLOBAL max_allowed_packet=1073741824");
    EXPECT_EQ(d.select_relay_log_basename(),
              "SELECT @@global.relay_log_basename AS base, @@global.server_id AS id");
  }
}

TEST(DialectApply, LoggedGtidsNameTheFlavoursVariable) {
  const std::optional<Dialect> mariadb = for_server("10.11.19-MariaDB");
  const std::optional<Dialect> mysql = for_server("8.0.36");
  ASSERT_TRUE(mariadb && mysql);
  EXPECT_EQ(mariadb->select_logged_gtids(),
            "SELECT @@global.gtid_binlog_pos AS g, @@global.log_bin AS b");
  EXPECT_EQ(mysql->select_logged_gtids(),
            "SELECT @@global.gtid_executed AS g, @@global.log_bin AS b");
}

}  // namespace
}  // namespace mha::mysql
