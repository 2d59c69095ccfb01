#include "mha/manager/replica_poller.h"

#include "mha/mysql/dialect.h"
#include "mha/mysql/errors.h"
#include "mha/mysql/testing/fake_sql_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace mha::manager {
namespace {

using mysql::testing::FakeSqlConnector;
using mysql::testing::FakeSqlSession;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The columns parse_replica_status requires, plus the ones the poll reads.
const std::vector<std::string> kColumns = {
    "Master_Host",     "Master_Port",         "Slave_IO_Running",      "Slave_SQL_Running",
    "Master_Log_File", "Read_Master_Log_Pos", "Relay_Master_Log_File", "Exec_Master_Log_Pos",
    "Relay_Log_File",  "Relay_Log_Pos",       "Seconds_Behind_Master"};

mysql::Row status_row(const std::string& io, const std::string& sql,
                      std::optional<std::string> lag) {
  return {"10.0.0.1", "3306",         io,  sql,           "bin.000001", "100", "bin.000001",
          "90",       "relay.000002", "4", std::move(lag)};
}

topology::ReplicaStatus status(std::string channel, topology::IoThreadState io, bool sql,
                               std::optional<int64_t> lag) {
  topology::ReplicaStatus s;
  s.channel = std::move(channel);
  s.io_running = io;
  s.sql_running = sql;
  s.seconds_behind_master = lag;
  return s;
}

TEST(ReplicaPollInterval, NeverFasterThanFiveSeconds) {
  EXPECT_EQ(replica_poll_interval(seconds(1)), seconds(5));
  EXPECT_EQ(replica_poll_interval(seconds(3)), seconds(5));
  EXPECT_EQ(replica_poll_interval(seconds(5)), seconds(5));
  EXPECT_EQ(replica_poll_interval(seconds(12)), seconds(12));
}

TEST(SampleFromStatus, RunningReplicaWithLag) {
  const ReplicaSample s =
      sample_from_status("db2:3306", {status("", topology::IoThreadState::kYes, true, 7)});
  EXPECT_EQ(s.host, "db2:3306");
  EXPECT_TRUE(s.up);
  EXPECT_TRUE(s.replicating);
  EXPECT_TRUE(s.io_running);
  EXPECT_TRUE(s.sql_running);
  ASSERT_TRUE(s.lag_seconds);
  EXPECT_EQ(*s.lag_seconds, 7);
  EXPECT_EQ(lag_metric_value(s), 7.0);
}

TEST(SampleFromStatus, NullLagIsNaNAndConnectingIsNotRunning) {
  const ReplicaSample s = sample_from_status(
      "db2:3306", {status("", topology::IoThreadState::kConnecting, false, std::nullopt)});
  EXPECT_TRUE(s.up);
  EXPECT_FALSE(s.io_running);
  EXPECT_FALSE(s.sql_running);
  EXPECT_FALSE(s.lag_seconds);
  EXPECT_TRUE(std::isnan(lag_metric_value(s)));
}

TEST(SampleFromStatus, OnlyTheDefaultChannelCounts) {
  const ReplicaSample s =
      sample_from_status("db2:3306", {status("other", topology::IoThreadState::kYes, true, 1)});
  EXPECT_TRUE(s.up);
  EXPECT_FALSE(s.replicating);  // a multi-source channel from elsewhere says nothing
  EXPECT_FALSE(s.io_running);
  EXPECT_FALSE(s.lag_seconds);
}

TEST(SampleFromStatus, NotAReplica) {
  const ReplicaSample s = sample_from_status("db2:3306", {});
  EXPECT_TRUE(s.up);
  EXPECT_FALSE(s.replicating);
  EXPECT_FALSE(s.sql_running);
  EXPECT_TRUE(std::isnan(lag_metric_value(s)));
}

TEST(ReadReplicaStatus, UsesTheDialectStatementsAndRemembersWhichWorked) {
  const std::vector<std::string> statements = mysql::Dialect::show_replica_status_any_version();
  ASSERT_THAT(statements, ElementsAre("SHOW SLAVE STATUS", "SHOW REPLICA STATUS"));
  FakeSqlSession db;
  // MySQL 8.4 knows only the REPLICA spelling.
  db.expect("SHOW SLAVE STATUS").fails(1064);
  db.expect("SHOW REPLICA STATUS").returns(kColumns, {status_row("Yes", "Yes", "3")});
  db.expect("SHOW REPLICA STATUS").returns(kColumns, {status_row("Yes", "No", std::nullopt)});
  std::size_t first = 0;
  auto rows = read_replica_status(db, &first);
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(first, 1u);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().seconds_behind_master, 3);
  rows = read_replica_status(db, &first);  // starts with the statement that worked
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_FALSE(rows->front().sql_running);
}

TEST(ReadReplicaStatus, LastErrorWhenNothingRuns) {
  FakeSqlSession db;
  db.expect("SHOW SLAVE STATUS").fails(1227, "Access denied; you need REPLICATION CLIENT");
  db.expect("SHOW REPLICA STATUS").fails(1227, "Access denied; you need REPLICATION CLIENT");
  auto rows = read_replica_status(db);
  ASSERT_FALSE(rows);
  EXPECT_THAT(rows.error().message, HasSubstr("REPLICATION CLIENT"));
}

TEST(PollReplica, RefusedConnectionIsDownWithTheReason) {
  FakeSqlConnector sql;
  sql.refuse("10.0.0.2:3306", 2003);
  std::size_t first = 0;
  const ReplicaSample s =
      poll_replica(sql, ReplicaPollTarget{"db2:3306", {"10.0.0.2", 3306, ""}, {"mha", "pw"}},
                   mysql::Timeouts{}, &first);
  EXPECT_EQ(s.host, "db2:3306");
  EXPECT_FALSE(s.up);
  EXPECT_FALSE(s.error.empty());
  EXPECT_THAT(s.error, ::testing::Not(HasSubstr("pw")));
  EXPECT_TRUE(std::isnan(lag_metric_value(s)));
}

// A connector whose connect() to one host blocks until released (a replica that hangs within its
// timeouts), while the others answer at once. Thread-safe, unlike FakeSqlConnector.
class GatedConnector : public mysql::SqlConnector {
 public:
  explicit GatedConnector(std::string gated) : gated_(std::move(gated)) {}

  Result<std::unique_ptr<mysql::SqlSession>> connect(const mysql::Endpoint& endpoint,
                                                     const mysql::Credentials&,
                                                     const mysql::Timeouts&) override {
    ++connects_;
    if (endpoint.host == gated_) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return released_; });
      return Unexpected(
          mysql::make_mysql_error(2013, "connecting to", endpoint.display(), "Lost connection"));
    }
    return std::unique_ptr<mysql::SqlSession>(std::make_unique<Answering>());
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int connects() const { return connects_.load(); }

 private:
  class Answering : public mysql::SqlSession {
   public:
    Result<mysql::ResultSet> query(std::string_view) override {
      return mysql::ResultSet{kColumns, {status_row("Yes", "Yes", "0")}, 0};
    }
    Status execute(std::string_view) override { return ok_status(); }
  };
  std::string gated_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::atomic<int> connects_{0};
};

std::vector<ReplicaSample> wait_for_samples(ReplicaPoller& p, std::size_t n) {
  std::vector<ReplicaSample> got;
  const auto until = std::chrono::steady_clock::now() + seconds(10);
  while (got.size() < n && std::chrono::steady_clock::now() < until) {
    for (ReplicaSample& s : p.take_finished()) got.push_back(std::move(s));
    std::this_thread::sleep_for(milliseconds(5));
  }
  return got;
}

TEST(ReplicaPoller, AHangingReplicaNeitherBlocksTheCallerNorTheOthers) {
  GatedConnector sql("10.0.0.3");
  ReplicaPollSettings settings;
  settings.interval = seconds(5);
  {
    ReplicaPoller poller({ReplicaPollTarget{"db2:3306", {"10.0.0.2", 3306, ""}, {"mha", ""}},
                          ReplicaPollTarget{"db3:3306", {"10.0.0.3", 3306, ""}, {"mha", ""}}},
                         sql, settings);
    // Declared after the poller, so a failed assertion releases db3 before ~ReplicaPoller waits.
    struct ReleaseOnExit {
      GatedConnector& c;
      ~ReleaseOnExit() { c.release(); }
    } release_on_exit{sql};
    const auto t0 = std::chrono::steady_clock::now();
    poller.tick(t0);
    // db2 answers although db3 hangs; tick() and take_finished() returned without waiting.
    std::vector<ReplicaSample> got = wait_for_samples(poller, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].host, "db2:3306");
    EXPECT_TRUE(got[0].up);
    EXPECT_EQ(got[0].lag_seconds, 0);
    EXPECT_EQ(poller.running(), 1u);
    // Not due yet: nothing new starts.
    poller.tick(t0 + seconds(1));
    EXPECT_EQ(sql.connects(), 2);
    // Due: db2 is polled again, db3 is skipped while its poll still runs.
    poller.tick(t0 + seconds(5));
    got = wait_for_samples(poller, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].host, "db2:3306");
    EXPECT_EQ(sql.connects(), 3);
    sql.release();
    got = wait_for_samples(poller, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].host, "db3:3306");
    EXPECT_FALSE(got[0].up);
    EXPECT_EQ(poller.running(), 0u);
  }
}

}  // namespace
}  // namespace mha::manager
