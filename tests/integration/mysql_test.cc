// mha_mysql against the real test bed (mha::test::Cluster): MariaDB 10.11 servers in network
// namespaces, reached from the manager namespace over TCP exactly as the manager reaches them.
//
// Covers: connecting and reading the version, read_only, SHOW SLAVE STATUS (GTID mode) and SHOW
// MASTER STATUS through the dialect and parsers; and how each fault surfaces, by errno class and
// within a bounded time: wrong password, killed server, frozen server (at connect and during a
// query on an open connection), and a host whose link is down. Time bounds are loose (< 2x the
// configured timeout): they assert that waits are bounded, not how fast anything is.
//
// Faults are applied to db3 (a replica) and undone by a guard even when an assertion fails.

#include "mha/mysql/connection.h"
#include "mha/mysql/dialect.h"
#include "mha/mysql/errors.h"
#include "mha/mysql/library.h"
#include "mha/mysql/status_parsers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/cluster.h"

namespace mha::mysql {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kTimeout = 2s;
constexpr const char* kFaultHost = "db3";

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs `undo` when the scope ends, so a failed assertion never leaves a fault behind.
class Undo {
 public:
  explicit Undo(std::function<Status()> undo) : undo_(std::move(undo)) {}
  ~Undo() {
    Status s = undo_();
    EXPECT_TRUE(s) << "undoing a fault failed: " << (s ? "" : s.error().message);
  }
  Undo(const Undo&) = delete;
  Undo& operator=(const Undo&) = delete;

 private:
  std::function<Status()> undo_;
};

class MysqlCluster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    library_ = new MysqlLibrary();
    cluster_ = new test::Cluster();
    Status s = cluster_->up();  // 3 hosts, GTID mode (Slave_Pos), semi-sync
    if (!s) up_error_ = s.error().message;
  }
  static void TearDownTestSuite() {
    delete cluster_;  // down()
    cluster_ = nullptr;
    delete library_;
    library_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(library_->ok());
    ASSERT_TRUE(cluster_->is_up()) << "test bed did not come up: " << up_error_;
  }

  static test::Cluster& cluster() { return *cluster_; }
  static Endpoint endpoint(const std::string& host) {
    const test::Host& h = cluster_->host(host);
    return Endpoint{h.ip, h.mysql_port, ""};
  }
  static Credentials admin() {
    return Credentials{cluster_->env("ADMIN_USER"), cluster_->env("ADMIN_PASSWORD")};
  }
  static Timeouts timeouts() { return Timeouts{kTimeout, kTimeout, kTimeout}; }

  // Connects from the manager namespace (the thread's namespace is restored afterwards; the
  // socket stays in the namespace it was created in).
  static Result<MysqlConnection> connect(const std::string& host, const Credentials& cred) {
    test::ManagerNetns netns;
    EXPECT_TRUE(netns.ok());
    return MysqlConnection::connect(endpoint(host), cred, timeouts());
  }

  // The password never shows up in an error message, whatever failed.
  static void expect_no_secret(const Error& e) {
    EXPECT_EQ(e.message.find(cluster_->env("ADMIN_PASSWORD")), std::string::npos) << e.message;
  }

  static std::string scalar(MysqlConnection& c, const std::string& sql) {
    Result<ResultSet> r = c.query(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().message);
    if (!r || r->rows.size() != 1 || r->rows[0].size() != 1) return "<no value>";
    return r->rows[0][0].value_or("NULL");
  }

  static inline MysqlLibrary* library_ = nullptr;
  static inline test::Cluster* cluster_ = nullptr;
  static inline std::string up_error_;
};

TEST_F(MysqlCluster, ConnectsToEveryHostAndParsesTheVersion) {
  for (const test::Host& h : cluster().hosts()) {
    SCOPED_TRACE(h.name);
    Result<MysqlConnection> c = connect(h.name, admin());
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_NE(c->thread_id(), 0u);
    Result<topology::ServerVersion> v = c->server_version();
    ASSERT_TRUE(v) << c->server_version_string();
    EXPECT_EQ(v->flavor, topology::Flavor::kMariaDB);
    EXPECT_EQ(v->major, 10);
    EXPECT_EQ(v->minor, 11);
    EXPECT_TRUE(Dialect::for_version(*v));
    EXPECT_TRUE(c->ping());
  }
}

TEST_F(MysqlCluster, ReadOnlyIsDetected) {
  for (const test::Host& h : cluster().hosts()) {
    SCOPED_TRACE(h.name);
    Result<MysqlConnection> c = connect(h.name, admin());
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(scalar(*c, "SELECT @@GLOBAL.read_only"), h.name == "db1" ? "0" : "1");
  }
}

TEST_F(MysqlCluster, ReplicaStatusInGtidModeAndMasterStatus) {
  Result<MysqlConnection> master = connect("db1", admin());
  ASSERT_TRUE(master) << master.error().message;
  Result<topology::ServerVersion> version = master->server_version();
  ASSERT_TRUE(version);
  Result<Dialect> d = Dialect::for_version(*version);
  ASSERT_TRUE(d);

  // Replicas first, the master after: a write in between can then only make the master look
  // further ahead, never a replica.
  struct Seen {
    std::string host;
    topology::ReplicaStatus status;
    topology::GtidPosition applied;
  };
  std::vector<Seen> replicas;
  for (const test::Host& h : cluster().hosts()) {
    if (h.name == "db1") continue;
    SCOPED_TRACE(h.name);
    Result<MysqlConnection> c = connect(h.name, admin());
    ASSERT_TRUE(c) << c.error().message;
    Result<ResultSet> rs = c->query(d->show_replica_status());
    ASSERT_TRUE(rs) << rs.error().message;
    EXPECT_EQ(rs->columns.size(), 54u);
    Result<std::vector<topology::ReplicaStatus>> parsed = parse_replica_status(*rs);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 1u);
    Result<topology::GtidPosition> applied =
        topology::GtidPosition::parse(scalar(*c, "SELECT @@GLOBAL.gtid_slave_pos"));
    ASSERT_TRUE(applied);
    replicas.push_back({h.name, parsed->front(), *applied});
  }

  Result<ResultSet> master_rs = master->query(d->show_replica_status());
  ASSERT_TRUE(master_rs) << master_rs.error().message;
  Result<std::vector<topology::ReplicaStatus>> none = parse_replica_status(*master_rs);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty()) << "the master is not a replica";
  Result<ResultSet> ms = master->query(d->show_master_status());
  ASSERT_TRUE(ms);
  Result<std::optional<topology::MasterStatus>> status = parse_master_status(*ms);
  ASSERT_TRUE(status) << status.error().message;
  ASSERT_TRUE(status->has_value());
  EXPECT_GT((*status)->position.pos, 4u);
  Result<topology::GtidPosition> master_gtid =
      topology::GtidPosition::parse(scalar(*master, "SELECT @@GLOBAL.gtid_binlog_pos"));
  ASSERT_TRUE(master_gtid);

  for (const Seen& r : replicas) {
    SCOPED_TRACE(r.host);
    const topology::ReplicaStatus& s = r.status;
    EXPECT_TRUE(s.healthy());
    EXPECT_EQ(s.using_gtid, topology::UsingGtid::kSlavePos);
    EXPECT_EQ(s.master_host, cluster().host("db1").ip);
    EXPECT_EQ(s.master_port, 3306);
    EXPECT_FALSE(s.gtid_io_pos.empty());
    EXPECT_FALSE(s.exec_master > s.read_master) << "applied beyond what was received";
    EXPECT_FALSE(s.read_master > (*status)->position) << "received beyond the master's binlog";
    // Nothing errant: the replica has applied nothing the master lacks.
    EXPECT_TRUE(r.applied.subtract(*master_gtid).empty()) << r.applied.to_string();
    EXPECT_TRUE(master_gtid->contains(s.gtid_io_pos)) << s.gtid_io_pos.to_string();
  }
}

TEST_F(MysqlCluster, WrongPasswordIsAuthWith1045AndNoSecret) {
  Credentials wrong = admin();
  wrong.password += "-wrong";
  const auto start = Clock::now();
  Result<MysqlConnection> c = connect("db2", wrong);
  ASSERT_FALSE(c);
  EXPECT_LT(seconds_since(start), 2.0 * kTimeout.count());
  EXPECT_EQ(c.error().code, ErrorCode::kAuth);
  EXPECT_EQ(c.error().detail, 1045);
  EXPECT_EQ(classify_errno(1045), ErrnoClass::kAlive);
  EXPECT_NE(c.error().message.find(endpoint("db2").display()), std::string::npos);
  EXPECT_EQ(c.error().message.find(wrong.password), std::string::npos) << c.error().message;
  expect_no_secret(c.error());
}

TEST_F(MysqlCluster, KilledServerIsUnreachableWithinTheConnectTimeout) {
  ASSERT_TRUE(cluster().kill9(kFaultHost));
  Undo restart([] { return cluster().restart_mysqld(kFaultHost); });
  const auto start = Clock::now();
  Result<MysqlConnection> c = connect(kFaultHost, admin());
  const double took = seconds_since(start);
  ASSERT_FALSE(c);
  EXPECT_EQ(classify_errno(static_cast<unsigned>(c.error().detail)), ErrnoClass::kUnreachable)
      << c.error().to_string();
  EXPECT_EQ(c.error().code, ErrorCode::kConnect);
  EXPECT_LT(took, 2.0 * kTimeout.count());
  expect_no_secret(c.error());
}

TEST_F(MysqlCluster, FrozenServerFailsTheHandshakeWithinTheConnectTimeout) {
  ASSERT_TRUE(cluster().stop(kFaultHost));
  Undo resume([] { return cluster().cont(kFaultHost); });
  const auto start = Clock::now();
  Result<MysqlConnection> c = connect(kFaultHost, admin());
  const double took = seconds_since(start);
  ASSERT_FALSE(c);
  // The kernel accepts the TCP connection; the server never sends its greeting.
  EXPECT_EQ(c.error().detail, 2013) << c.error().to_string();
  EXPECT_EQ(classify_errno(2013), ErrnoClass::kLost);
  EXPECT_EQ(c.error().code, ErrorCode::kConnect);
  EXPECT_LT(took, 2.0 * kTimeout.count());
  expect_no_secret(c.error());
}

TEST_F(MysqlCluster, QueryOnAnOpenConnectionToAFrozenServerFailsWithinTheReadTimeout) {
  Result<MysqlConnection> c = connect(kFaultHost, admin());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(scalar(*c, "SELECT 1"), "1");
  ASSERT_TRUE(cluster().stop(kFaultHost));
  Undo resume([] { return cluster().cont(kFaultHost); });
  const auto start = Clock::now();
  Result<ResultSet> r = c->query("SELECT 1");
  const double took = seconds_since(start);
  ASSERT_FALSE(r);
  EXPECT_EQ(classify_errno(static_cast<unsigned>(r.error().detail)), ErrnoClass::kLost)
      << r.error().to_string();
  EXPECT_LT(took, 2.0 * kTimeout.count());
  EXPECT_NE(r.error().message.find(endpoint(kFaultHost).display()), std::string::npos);
}

// What the monitor's early ping rests on: an idle connection is quiet while the server lives
// (also while it is frozen: the kernel keeps the socket open), and shows the server's end at once
// when mysqld is killed.
TEST_F(MysqlCluster, IdleConnectionSignalsAKilledServerButNotAFrozenOne) {
  Result<MysqlConnection> c = connect(kFaultHost, admin());
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(scalar(*c, "SELECT 1"), "1");
  EXPECT_FALSE(c->peer_signalled());
  {
    ASSERT_TRUE(cluster().stop(kFaultHost));
    Undo resume([] { return cluster().cont(kFaultHost); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a window for a false signal
    EXPECT_FALSE(c->peer_signalled());
  }
  ASSERT_EQ(scalar(*c, "SELECT 1"), "1");
  ASSERT_TRUE(cluster().kill9(kFaultHost));
  Undo restart([] { return cluster().restart_mysqld(kFaultHost); });
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!c->peer_signalled() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(c->peer_signalled());
  EXPECT_FALSE(c->query("SELECT 1"));  // and the next statement reports the loss
}

TEST_F(MysqlCluster, HostWithLinkDownFailsWithinTheConnectTimeout) {
  ASSERT_TRUE(cluster().link_down(kFaultHost));
  Undo up([] { return cluster().link_up(kFaultHost); });
  const auto start = Clock::now();
  Result<MysqlConnection> c = connect(kFaultHost, admin());
  const double took = seconds_since(start);
  ASSERT_FALSE(c);
  EXPECT_EQ(classify_errno(static_cast<unsigned>(c.error().detail)), ErrnoClass::kUnreachable)
      << c.error().to_string();
  EXPECT_EQ(c.error().code, ErrorCode::kConnect);
  EXPECT_LT(took, 2.0 * kTimeout.count());
}

}  // namespace
}  // namespace mha::mysql
