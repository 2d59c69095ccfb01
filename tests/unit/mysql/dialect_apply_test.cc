// The statements the relay-log diff apply (issue #5) reads and sets through Dialect: the column
// names are part of the contract (the recovery module reads them by name).

#include "mha/mysql/dialect.h"

#include <gtest/gtest.h>

namespace mha::mysql {
namespace {

Dialect dialect(const char* version) {
  Result<topology::ServerVersion> v = topology::parse_server_version(version);
  EXPECT_TRUE(v) << version;
  Result<Dialect> d = Dialect::for_version(*v);
  EXPECT_TRUE(d) << version;
  return *d;
}

TEST(DialectApply, PacketReadOnlyAndRelayLogNamesOnEveryFlavour) {
  for (const char* v : {"10.11.19-MariaDB-0+deb12u1", "8.0.36", "5.7.44-log"}) {
    SCOPED_TRACE(v);
    const Dialect d = dialect(v);
    EXPECT_EQ(d.select_packet_and_read_only(),
              "SELECT @@global.max_allowed_packet AS p, @@global.read_only AS r");
    EXPECT_EQ(d.set_max_allowed_packet(1073741824), "SET GLOBAL max_allowed_packet=1073741824");
    EXPECT_EQ(d.select_relay_log_basename(),
              "SELECT @@global.relay_log_basename AS base, @@global.server_id AS id");
  }
}

TEST(DialectApply, LoggedGtidsNameTheFlavoursVariable) {
  EXPECT_EQ(dialect("10.11.19-MariaDB").select_logged_gtids(),
            "SELECT @@global.gtid_binlog_pos AS g, @@global.log_bin AS b");
  EXPECT_EQ(dialect("8.0.36").select_logged_gtids(),
            "SELECT @@global.gtid_executed AS g, @@global.log_bin AS b");
}

}  // namespace
}  // namespace mha::mysql
