// masterha_manager's replica metrics against the real test bed: the background replica poll
// publishes masterha_replica_{up,io_running,sql_running,lag_seconds} per replica, follows a
// stopped SQL thread, and a replica that stops answering changes its series only: the master
// stays monitored (docs/metrics.md). The failover-time metrics are checked in failover_test.cc.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "support/harness.h"
#include <signal.h>
#include <sys/stat.h>

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = cluster_.up();
    ASSERT_TRUE(s) << s.error().message;
    dir_ = cluster_.state_dir() + "/mt";
    ASSERT_EQ(c().exec_in("mgr", "rm -rf " + dir_ + " && mkdir -p " + dir_ + "/work").exit_code, 0);
  }
  void TearDown() override {
    // No manager outlives its test: ManagerProcess kills its process group if it still runs.
    manager_.reset();
  }

  Cluster& c() { return cluster_; }
  std::string rc_file() const { return dir_ + "/manager.rc"; }
  std::string log_file() const { return dir_ + "/work/manager.log"; }

  // The test bed's configuration with this test's work dir and log, and the metrics listener.
  std::string write_conf() {
    std::string text = read_file(c().env("APP_CONF"));
    auto replace_line = [&](const std::string& key, const std::string& value) {
      const std::size_t at = text.find("\n" + key + "=");
      EXPECT_NE(at, std::string::npos) << key;
      const std::size_t end = text.find('\n', at + 1);
      text.replace(at + 1, end - at - 1, key + "=" + value);
    };
    replace_line("manager_workdir", dir_ + "/work");
    replace_line("manager_log", log_file());
    text.insert(text.find("\n[server1]") + 1, "metrics_listen=" + c().manager_ip() + ":9109\n");
    const std::string path = dir_ + "/app.cnf";
    std::ofstream(path) << text;
    return path;
  }

  void start_manager(const std::string& conf) {
    manager_.emplace(c(), conf, dir_);
    manager_->start();
  }

  // GET /metrics from the manager's exporter, in the manager host; kept in text_.
  const std::string& scrape() {
    text_ = c().exec_in("mgr",
                        "exec 3<>/dev/tcp/" + c().manager_ip() +
                            "/9109 && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && "
                            "timeout 5 cat <&3",
                        15)
                .out;
    return text_;
  }
  bool scraped(const std::string& line) { return scrape().find(line) != std::string::npos; }

  // `{host="10.77.0.1N:3306"} `: the label the manager gives a configured server (hostname:port;
  // the test bed's hostnames are its IPs).
  std::string label(const std::string& host) {
    return "{host=\"" + c().host(host).ip + ":3306\"} ";
  }

  std::string diagnostics() {
    const std::string log = read_file(log_file());
    return "--- scrape\n" + text_ + "--- manager output\n" + read_file(dir_ + "/manager.out") +
           "--- manager log (tail)\n" + tail(log, 4000);
  }

  Cluster cluster_;
  std::string dir_;
  std::string text_;
  std::optional<ManagerProcess> manager_;
};

TEST_F(MetricsTest, ReplicaSeriesFollowTheReplicasWithoutTouchingDetection) {
  const std::string conf = write_conf();
  start_manager(conf);
  const std::string db2 = label("db2");
  const std::string db3 = label("db3");
  // The first round starts with monitoring; later ones every max(ping_interval, 5 s).
  ASSERT_TRUE(eventually([&] { return scraped("masterha_replica_up" + db3 + "1"); }, seconds(30)))
      << diagnostics();
  EXPECT_THAT(text_, HasSubstr("masterha_replica_up" + db2 + "1"));
  EXPECT_THAT(text_, HasSubstr("masterha_replica_io_running" + db2 + "1"));
  EXPECT_THAT(text_, HasSubstr("masterha_replica_sql_running" + db2 + "1"));
  EXPECT_THAT(text_, HasSubstr("masterha_replica_sql_running" + db3 + "1"));
  // A replica that has caught up reports a small, real number (not NaN).
  const std::string lag_key = "masterha_replica_lag_seconds" + db2;
  const std::size_t at = text_.find(lag_key);
  ASSERT_NE(at, std::string::npos) << diagnostics();
  const std::size_t from = at + lag_key.size();
  const std::string lag_text = text_.substr(from, text_.find('\n', from) - from);
  const double lag = std::stod(lag_text);
  EXPECT_GE(lag, 0) << lag_text;
  EXPECT_LT(lag, 30) << lag_text;
  // The master itself is not a replica series.
  EXPECT_THAT(text_, Not(HasSubstr(label("db1"))));

  // A stopped SQL thread shows within a few polls; the lag is then NULL, exported as NaN.
  ASSERT_TRUE(c().sql("db3", "STOP SLAVE SQL_THREAD"));
  EXPECT_TRUE(
      eventually([&] { return scraped("masterha_replica_sql_running" + db3 + "0"); }, seconds(20)))
      << diagnostics();
  EXPECT_THAT(text_, HasSubstr("masterha_replica_lag_seconds" + db3 + "NaN"));
  EXPECT_THAT(text_, HasSubstr("masterha_replica_io_running" + db3 + "1"));
  ASSERT_TRUE(c().sql("db3", "START SLAVE SQL_THREAD"));
  EXPECT_TRUE(
      eventually([&] { return scraped("masterha_replica_sql_running" + db3 + "1"); }, seconds(20)))
      << diagnostics();

  // A replica that hangs (SIGSTOP: connects time out) is down in its series only: the master is
  // still up, the manager still monitors (PING_OK), the other replica is still polled.
  ASSERT_TRUE(c().stop("db3"));
  EXPECT_TRUE(eventually([&] { return scraped("masterha_replica_up" + db3 + "0"); }, seconds(30)))
      << diagnostics();
  EXPECT_THAT(text_, HasSubstr("masterha_master_up 1"));
  EXPECT_THAT(text_, HasSubstr("masterha_monitoring_state 0"));
  EXPECT_THAT(text_, HasSubstr("masterha_replica_up" + db2 + "1"));
  EXPECT_THAT(read_file(log_file()), HasSubstr("does not answer the status poll"));
  EXPECT_FALSE(file_exists(rc_file())) << diagnostics();
  ASSERT_TRUE(c().cont("db3"));
  EXPECT_TRUE(eventually([&] { return scraped("masterha_replica_up" + db3 + "1"); }, seconds(30)))
      << diagnostics();
  EXPECT_THAT(read_file(log_file()), Not(HasSubstr(c().env("ADMIN_PASSWORD"))));

  // masterha_stop ends it promptly although polls may be running (each is bounded).
  const auto stop_at = Clock::now();
  CommandResult r =
      c().exec_in("mgr", shell_quote(binary("masterha_stop")) + " --conf=" + shell_quote(conf) +
                             " --global_conf=/dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_TRUE(eventually([&] { return file_exists(rc_file()); }, seconds(20))) << diagnostics();
  EXPECT_EQ(read_file(rc_file()), "0\n") << diagnostics();
  EXPECT_LT(Clock::now() - stop_at, seconds(15));
}

}  // namespace
}  // namespace mha::test
