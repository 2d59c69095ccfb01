// mysql/semi_sync.h: the statements per flavour and the bounded wait for semi-sync clients.

#include "mha/mysql/semi_sync.h"

#include "mha/mysql/testing/fake_sql_session.h"

#include <gtest/gtest.h>

namespace mha::mysql {
namespace {

using testing::FakeSqlSession;

Dialect dialect(const char* version) {
  Result<topology::ServerVersion> v = topology::parse_server_version(version);
  EXPECT_TRUE(v) << version;
  return *Dialect::for_version(*v);
}

TEST(SemiSync, StatementsUseTheFlavoursNames) {
  const Dialect maria = dialect("10.11.19-MariaDB-0+deb12u1");
  EXPECT_EQ(set_semi_sync_master(maria, true), "SET GLOBAL rpl_semi_sync_master_enabled=1");
  EXPECT_EQ(set_semi_sync_replica(maria, false), "SET GLOBAL rpl_semi_sync_slave_enabled=0");
  EXPECT_EQ(show_semi_sync_clients(maria),
            "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'");
  const Dialect mysql = dialect("8.0.36");
  EXPECT_EQ(set_semi_sync_master(mysql, true), "SET GLOBAL rpl_semi_sync_source_enabled=1");
  EXPECT_EQ(show_semi_sync_status(mysql), "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_source_status'");
}

TEST(SemiSync, WaitReturnsOnceEnoughClientsAreConnected) {
  const Dialect d = dialect("10.11.19-MariaDB-0+deb12u1");
  FakeSqlSession s;
  const std::string sql = show_semi_sync_clients(d);
  s.expect(sql).returns({"Variable_name", "Value"}, {{"Rpl_semi_sync_master_clients", "0"}});
  s.expect(sql).returns({"Variable_name", "Value"}, {{"Rpl_semi_sync_master_clients", "2"}});
  Result<int> n = wait_semi_sync_clients(s, d, 1, std::chrono::seconds(10));
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 2);
}

TEST(SemiSync, WaitGivesUpAtTheDeadlineWithTheLastCount) {
  const Dialect d = dialect("10.11.19-MariaDB-0+deb12u1");
  FakeSqlSession s;
  s.expect(show_semi_sync_clients(d))
      .returns({"Variable_name", "Value"}, {{"Rpl_semi_sync_master_clients", "0"}});
  Result<int> n = wait_semi_sync_clients(s, d, 1, std::chrono::milliseconds(0));
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
}

TEST(SemiSync, WaitFailsWhenTheStatusCannotBeRead) {
  const Dialect d = dialect("10.11.19-MariaDB-0+deb12u1");
  FakeSqlSession s;
  s.expect(show_semi_sync_clients(d)).fails(2013, "Lost connection");
  EXPECT_FALSE(wait_semi_sync_clients(s, d, 1, std::chrono::milliseconds(0)));
}

}  // namespace
}  // namespace mha::mysql
