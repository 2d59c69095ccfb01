// The statements online switchover adds to Dialect (issue #7): same text on MariaDB and MySQL.

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

TEST(DialectSwitchover, StatementsOnEveryFlavour) {
  for (const char* v : {"10.11.19-MariaDB-0+deb12u1", "8.0.36", "8.4.2", "5.7.44-log"}) {
    SCOPED_TRACE(v);
    const Dialect d = dialect(v);
    EXPECT_EQ(d.show_full_processlist(), "SHOW FULL PROCESSLIST");
    EXPECT_EQ(d.kill_connection(42), "KILL CONNECTION 42");
    EXPECT_EQ(d.select_connection_id(), "SELECT CONNECTION_ID()");
    EXPECT_EQ(d.flush_tables_no_binlog(), "FLUSH NO_WRITE_TO_BINLOG TABLES");
    EXPECT_EQ(d.lock_all_tables(), "FLUSH TABLES WITH READ LOCK");
    EXPECT_EQ(d.unlock_tables(), "UNLOCK TABLES");
    EXPECT_EQ(d.set_session_lock_wait_timeout(std::chrono::seconds(5)),
              "SET SESSION lock_wait_timeout = 5");
  }
}

TEST(DialectSwitchover, LockWaitTimeoutIsAtLeastOneSecond) {
  // lock_wait_timeout=0 would not mean "no wait" on every server: never send it.
  EXPECT_EQ(dialect("8.0.36").set_session_lock_wait_timeout(std::chrono::seconds(0)),
            "SET SESSION lock_wait_timeout = 1");
}

TEST(DialectSwitchover, IsUsedLockQuotesTheName) {
  EXPECT_EQ(dialect("10.11.19-MariaDB").is_used_lock("MHA_Master_High_Availability_Monitor"),
            "SELECT IS_USED_LOCK('MHA_Master_High_Availability_Monitor')");
  EXPECT_EQ(dialect("8.0.36").is_used_lock("a'b"), "SELECT IS_USED_LOCK('a''b')");
}

TEST(DialectSwitchover, ReadOnlyUsesSuperReadOnlyOnlyWhereItExists) {
  EXPECT_EQ(dialect("10.11.19-MariaDB").set_read_only(true),
            std::vector<std::string>{"SET GLOBAL read_only = ON"});
  EXPECT_EQ(
      dialect("8.0.36").set_read_only(true),
      (std::vector<std::string>{"SET GLOBAL read_only = ON", "SET GLOBAL super_read_only = ON"}));
}

}  // namespace
}  // namespace mha::mysql
