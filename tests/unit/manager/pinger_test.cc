#include "mha/manager/pinger.h"

#include "mha/mysql/testing/fake_sql_session.h"

#include <gtest/gtest.h>

namespace mha::manager {
namespace {

using health::PingFailureKind;
using mysql::testing::FakeSqlConnector;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;

constexpr const char* kServer = "10.0.0.1:3306";
constexpr const char* kGetLock = "SELECT GET_LOCK('MHA_Master_High_Availability_Monitor', 0) AS v";
constexpr const char* kConnId = "SELECT CONNECTION_ID() AS v";
constexpr const char* kPing = "SELECT 1 AS Value";

// A clock the test moves by hand, so elapsed times (and so failure kinds) are exact.
// Each reading advances it by `step`.
struct FakeClock {
  Steady::time_point now{};
  Steady::duration step{};
  MasterPinger::SteadyNow fn() {
    return [this] {
      now += step;
      return now;
    };
  }
};

class PingerTest : public ::testing::Test {
 protected:
  // One-second timeouts, as ping_interval=1 gives: halving them must not round to zero.
  MasterPinger make(config::PingType type = config::PingType::kSelect) {
    PingSettings s;
    s.type = type;
    s.connect_timeout = seconds(1);
    s.read_timeout = seconds(1);
    return MasterPinger(sql_, mysql::Endpoint{"10.0.0.1", 3306, ""}, {"mha", "pw"}, s, clock_.fn());
  }
  void expect_lock(const std::string& got, const std::string& id = "17") {
    sql_.session(kServer).expect(kGetLock).returns({"v"}, {{got}});
    if (got == "1") sql_.session(kServer).expect(kConnId).returns({"v"}, {{id}});
  }

  FakeSqlConnector sql_;
  FakeClock clock_;
};

TEST_F(PingerTest, FirstPingTakesTheLockAndSucceeds) {
  expect_lock("1");
  sql_.session(kServer).expect(kPing).returns({"Value"}, {{"1"}});
  MasterPinger p = make();
  EXPECT_TRUE(p.ping().succeeded());
  EXPECT_EQ(p.lock_state(), LockState::kHeld);
}

TEST_F(PingerTest, ConnectionSignalledOnlyWithAPersistentConnection) {
  MasterPinger p = make();
  sql_.session(kServer).set_peer_signalled(true);
  EXPECT_FALSE(p.connection_signalled());  // nothing connected yet
  expect_lock("1");
  sql_.session(kServer).expect(kPing).returns({"Value"}, {{"1"}});
  sql_.session(kServer).set_peer_signalled(false);
  ASSERT_TRUE(p.ping().succeeded());
  EXPECT_FALSE(p.connection_signalled());
  sql_.session(kServer).set_peer_signalled(true);  // the master closed our connection
  EXPECT_TRUE(p.connection_signalled());
  p.close();
  EXPECT_FALSE(p.connection_signalled());
}

TEST_F(PingerTest, LockHeldByAnotherManagerIsReported) {
  expect_lock("0");
  sql_.session(kServer).expect(kPing).returns({"Value"}, {{"1"}});
  MasterPinger p = make();
  p.ping();
  EXPECT_EQ(p.lock_state(), LockState::kHeldByOther);
}

TEST_F(PingerTest, RefusedConnectIsRefusedAndAccessDeniedIsAlive) {
  sql_.refuse(kServer, 2002);
  MasterPinger p = make();
  health::PingOutcome o = p.ping();  // fails at once: port closed
  ASSERT_FALSE(o.succeeded());
  EXPECT_EQ(o.failure->kind, PingFailureKind::kRefused);
  EXPECT_EQ(o.failure->mysql_errno, 2002u);

  FakeSqlConnector denied;
  denied.refuse(kServer, 1045);
  PingSettings s;
  MasterPinger q(denied, mysql::Endpoint{"10.0.0.1", 3306, ""}, {"mha", "pw"}, s, clock_.fn());
  o = q.ping();
  ASSERT_FALSE(o.succeeded());
  EXPECT_EQ(o.failure->kind, PingFailureKind::kAliveRefusal);
}

TEST_F(PingerTest, BrokenConnectionReconnectsAtOnceToTellACrash) {
  expect_lock("1");
  sql_.session(kServer).expect(kPing).returns({"Value"}, {{"1"}});
  sql_.session(kServer).expect(kPing).fails(2013);  // mysqld killed: connection reset
  MasterPinger p = make();
  ASSERT_TRUE(p.ping().succeeded());
  sql_.refuse(kServer, 2002);
  health::PingOutcome o = p.ping();
  ASSERT_FALSE(o.succeeded());
  // The same ping reconnected and saw the port closed: a crash, not a hang.
  EXPECT_EQ(o.failure->kind, PingFailureKind::kRefused);
  EXPECT_EQ(sql_.connects().size(), 2u);
}

TEST_F(PingerTest, SlowFailureIsNotRetriedInTheSamePing) {
  expect_lock("1");
  sql_.session(kServer).expect(kPing).returns({"Value"}, {{"1"}});
  sql_.session(kServer).expect(kPing).fails(2013);
  MasterPinger p = make();
  ASSERT_TRUE(p.ping().succeeded());
  // A read that ran into the read timeout (a hung server): reconnecting at once would only add
  // a connect timeout, so the ping fails as lost and the next one reconnects.
  clock_.step = seconds(1);
  health::PingOutcome o = p.ping();
  ASSERT_FALSE(o.succeeded());
  EXPECT_EQ(o.failure->kind, PingFailureKind::kLost);
  EXPECT_EQ(sql_.connects().size(), 1u);
}

TEST_F(PingerTest, ReconnectFreesTheLockFromOurOwnStaleSession) {
  expect_lock("1", "17");
  sql_.session(kServer).expect(kPing).returns({"Value"}, {{"1"}});
  sql_.session(kServer).expect(kPing).fails(2013);
  MasterPinger p = make();
  ASSERT_TRUE(p.ping().succeeded());
  sql_.refuse(kServer, 2002);
  ASSERT_FALSE(p.ping().succeeded());
  sql_.accept(kServer);
  // The server still thinks session 17 (ours, cut off) holds the lock.
  auto& db = sql_.session(kServer);
  db.expect(kGetLock).returns({"v"}, {{"0"}});
  db.expect("SELECT IS_USED_LOCK('MHA_Master_High_Availability_Monitor') AS v")
      .returns({"v"}, {{"17"}});
  db.expect("KILL 17");
  db.expect("SELECT GET_LOCK('MHA_Master_High_Availability_Monitor', 1) AS v")
      .returns({"v"}, {{"1"}});
  db.expect(kConnId).returns({"v"}, {{"21"}});
  db.expect(kPing).returns({"Value"}, {{"1"}});
  EXPECT_TRUE(p.ping().succeeded());
  EXPECT_EQ(p.lock_state(), LockState::kHeld);
}

TEST_F(PingerTest, AnotherManagersLockIsNeverKilled) {
  expect_lock("1", "17");
  sql_.session(kServer).expect(kPing).fails(2006);
  MasterPinger p = make();
  sql_.refuse(kServer, 2002);
  ASSERT_FALSE(p.ping().succeeded());
  sql_.accept(kServer);
  auto& db = sql_.session(kServer);
  db.expect(kGetLock).returns({"v"}, {{"0"}});
  db.expect("SELECT IS_USED_LOCK('MHA_Master_High_Availability_Monitor') AS v")
      .returns({"v"}, {{"99"}});
  db.expect(kPing).returns({"Value"}, {{"1"}});
  p.ping();
  EXPECT_EQ(p.lock_state(), LockState::kHeldByOther);
}

TEST_F(PingerTest, InsertPingCreatesItsTableOnce) {
  expect_lock("1");
  auto& db = sql_.session(kServer);
  db.expect("CREATE DATABASE IF NOT EXISTS infra");
  db.expect(
      "CREATE TABLE IF NOT EXISTS infra.chk_masterha (`key` tinyint NOT NULL PRIMARY KEY, `val` "
      "int unsigned NOT NULL DEFAULT 0)");
  const std::string insert =
      "INSERT INTO infra.chk_masterha VALUES (1, UNIX_TIMESTAMP()) ON DUPLICATE KEY UPDATE "
      "val = UNIX_TIMESTAMP()";
  db.expect(insert);
  db.expect(insert).fails(1021);  // disk full: mysqld answers, so it is alive
  MasterPinger p = make(config::PingType::kInsert);
  EXPECT_TRUE(p.ping().succeeded());
  health::PingOutcome o = p.ping();
  ASSERT_FALSE(o.succeeded());
  EXPECT_EQ(o.failure->kind, PingFailureKind::kAliveRefusal);
}

}  // namespace
}  // namespace mha::manager
