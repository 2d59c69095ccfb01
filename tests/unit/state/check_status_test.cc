#include "mha/state/check_status.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mha::state {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const WallTime kNow = WallTime(seconds(1'700'000'000));
const seconds kPingLimit(10);

StatusObservation running(ManagerStatus status, seconds age, std::string master = "db1") {
  StatusObservation observed;
  observed.now = kNow;
  observed.snapshot = StatusSnapshot{{4711, status, std::move(master)}, kNow - age};
  observed.manager_alive = true;
  return observed;
}

const StatusTextContext kContext{"app1", "/w/app1.master_status.health", ""};
const StatusTextContext kWithLog{"app1", "/w/app1.master_status.health", "/w/app1.log"};

TEST(EvaluateStatusTest, NoStatusFileIsNotRunning) {
  StatusObservation observed;
  observed.now = kNow;
  const StatusReport report = evaluate_status(observed, kPingLimit);
  EXPECT_EQ(report.status, ManagerStatus::kNotRunning);
  EXPECT_EQ(report.pid, 0);
  EXPECT_FALSE(report.heartbeat_age);
  EXPECT_EQ(status_text(report, kContext), "app1 is stopped(2:NOT_RUNNING).\n");
}

TEST(EvaluateStatusTest, DeadPidIsNotRunningWhateverTheFileSays) {
  for (const ManagerStatus recorded : {ManagerStatus::kPingOk, ManagerStatus::kFailoverRunning}) {
    StatusObservation observed = running(recorded, seconds(1));
    observed.manager_alive = false;
    const StatusReport report = evaluate_status(observed, kPingLimit);
    EXPECT_EQ(report.status, ManagerStatus::kNotRunning);
    EXPECT_EQ(status_text(report, kContext), "app1 is stopped(2:NOT_RUNNING).\n");
  }
}

TEST(EvaluateStatusTest, DeadPidWithLeftoversIsPartiallyRunning) {
  StatusObservation observed = running(ManagerStatus::kPingOk, seconds(1));
  observed.manager_alive = false;
  observed.leftovers = {4720, 4721};
  const StatusReport report = evaluate_status(observed, kPingLimit);
  EXPECT_EQ(report.status, ManagerStatus::kPartiallyRunning);
  EXPECT_EQ(status_code(report.status), 3);
  EXPECT_EQ(status_text(report, kContext),
            "Main process is not running, but child process is running on app1 (child pid: 4720 "
            "4721) (3:PARTIALLY_RUNNING). Check ps output for details and kill it.\n");
}

TEST(EvaluateStatusTest, FreshPingOkIsRunning) {
  const StatusReport report =
      evaluate_status(running(ManagerStatus::kPingOk, seconds(3)), kPingLimit);
  EXPECT_EQ(report.status, ManagerStatus::kPingOk);
  EXPECT_EQ(report.heartbeat_age, milliseconds(3000));
  EXPECT_EQ(status_text(report, kContext), "app1 (pid:4711) is running(0:PING_OK), master:db1\n");
}

TEST(EvaluateStatusTest, PingOkOlderThanPingLimitIsTimestampOld) {
  // At the limit it is still fresh; beyond it, old.
  EXPECT_EQ(evaluate_status(running(ManagerStatus::kPingOk, seconds(10)), kPingLimit).status,
            ManagerStatus::kPingOk);
  const StatusReport report =
      evaluate_status(running(ManagerStatus::kPingOk, seconds(15)), kPingLimit);
  EXPECT_EQ(report.status, ManagerStatus::kTimestampOld);
  EXPECT_EQ(status_code(report.status), 32);
  EXPECT_EQ(status_text(report, kContext),
            "/w/app1.master_status.health behinds 15 seconds!\n"
            "app1 is running, but master_ping.health is too old(32:TIMESTAMP_OLD). Maybe process "
            "hangs? master:db1\n");
  EXPECT_EQ(evaluate_status(running(ManagerStatus::kPingOk, seconds(15)), seconds(20)).status,
            ManagerStatus::kPingOk);
}

TEST(EvaluateStatusTest, OtherStatusesAreNotAgedOut) {
  // Only PING_OK is heartbeated; a long failover must keep reading FAILOVER_RUNNING.
  const StatusReport report =
      evaluate_status(running(ManagerStatus::kFailoverRunning, seconds(600)), kPingLimit);
  EXPECT_EQ(report.status, ManagerStatus::kFailoverRunning);
}

TEST(StatusTextTest, EveryRecordedStatusHasMhasText) {
  struct Case {
    ManagerStatus status;
    std::string text;
  };
  const Case cases[] = {
      {ManagerStatus::kInitializingMonitor,
       "app1 monitoring program is now on initialization phase(10:INITIALIZING_MONITOR). Wait "
       "for a while and try checking again.\n"},
      {ManagerStatus::kPingFailing,
       "app1 master maybe down(20:PING_FAILING). master:db1\nCheck /w/app1.log for details.\n"},
      {ManagerStatus::kPingFailed,
       "app1 master maybe down(21:PING_FAILED). master:db1\nCheck /w/app1.log for details.\n"},
      {ManagerStatus::kRetryingMonitor,
       "app1 monitoring waits for retrying to monitor master again(30:RETRYING_MONITOR). Wait "
       "for a while and try checking again.\n"},
      {ManagerStatus::kConfigError,
       "app1 servers are not correctly configured(31:CONFIG_ERROR).\nCheck /w/app1.log for "
       "details.\n"},
      {ManagerStatus::kFailoverRunning,
       "app1 master is down and failover is running(50:FAILOVER_RUNNING). master:db1\nCheck "
       "/w/app1.log for details.\n"},
      {ManagerStatus::kFailoverError,
       "app1 master is down and failover was not successful(51:FAILOVER_ERROR). master:db1\n"
       "Check /w/app1.log for details.\n"},
  };
  for (const Case& c : cases) {
    const StatusReport report = evaluate_status(running(c.status, seconds(1)), kPingLimit);
    EXPECT_EQ(report.status, c.status);
    EXPECT_EQ(status_text(report, kWithLog), c.text);
  }
}

TEST(StatusTextTest, NoLogLineWithoutLogAndNoMasterWhenUnknown) {
  const StatusReport failing =
      evaluate_status(running(ManagerStatus::kFailoverRunning, seconds(1)), kPingLimit);
  EXPECT_EQ(status_text(failing, kContext),
            "app1 master is down and failover is running(50:FAILOVER_RUNNING). master:db1\n");
  const StatusReport unknown_master =
      evaluate_status(running(ManagerStatus::kPingOk, seconds(1), ""), kPingLimit);
  EXPECT_EQ(status_text(unknown_master, kContext), "app1 (pid:4711) is running(0:PING_OK)\n");
}

TEST(StatusJsonTest, CarriesTheReport) {
  const StatusReport report =
      evaluate_status(running(ManagerStatus::kPingOk, seconds(2)), kPingLimit);
  const auto j = nlohmann::json::parse(status_json(report, kContext));
  EXPECT_EQ(j["app"], "app1");
  EXPECT_EQ(j["status_code"], 0);
  EXPECT_EQ(j["status"], "PING_OK");
  EXPECT_EQ(j["pid"], 4711);
  EXPECT_EQ(j["master"], "db1");
  EXPECT_DOUBLE_EQ(j["heartbeat_age_seconds"].get<double>(), 2.0);
  EXPECT_EQ(j["text"], "app1 (pid:4711) is running(0:PING_OK), master:db1");
}

TEST(StatusJsonTest, NullsWhenNotRunning) {
  StatusObservation observed;
  observed.now = kNow;
  const auto j =
      nlohmann::json::parse(status_json(evaluate_status(observed, kPingLimit), kContext));
  EXPECT_EQ(j["status_code"], 2);
  EXPECT_EQ(j["status"], "NOT_RUNNING");
  EXPECT_TRUE(j["pid"].is_null());
  EXPECT_TRUE(j["master"].is_null());
  EXPECT_TRUE(j["heartbeat_age_seconds"].is_null());
  EXPECT_EQ(j["text"], "app1 is stopped(2:NOT_RUNNING).");
}

}  // namespace
}  // namespace mha::state
