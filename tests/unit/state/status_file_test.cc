#include "mha/state/status_file.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace mha::state {
namespace {

// The codes and names are an external contract (exit codes of masterha_check_status, MHA's
// status file): spelled out here rather than derived from the implementation.
const std::vector<std::pair<ManagerStatus, std::string>> kContract = {
    {ManagerStatus::kPingOk, "0:PING_OK"},
    {ManagerStatus::kNotRunning, "2:NOT_RUNNING"},
    {ManagerStatus::kPartiallyRunning, "3:PARTIALLY_RUNNING"},
    {ManagerStatus::kInitializingMonitor, "10:INITIALIZING_MONITOR"},
    {ManagerStatus::kPingFailing, "20:PING_FAILING"},
    {ManagerStatus::kPingFailed, "21:PING_FAILED"},
    {ManagerStatus::kRetryingMonitor, "30:RETRYING_MONITOR"},
    {ManagerStatus::kConfigError, "31:CONFIG_ERROR"},
    {ManagerStatus::kTimestampOld, "32:TIMESTAMP_OLD"},
    {ManagerStatus::kFailoverRunning, "50:FAILOVER_RUNNING"},
    {ManagerStatus::kFailoverError, "51:FAILOVER_ERROR"},
};

TEST(ManagerStatusTest, LabelsAreMhas) {
  for (const auto& [status, label] : kContract) {
    EXPECT_EQ(status_label(status), label);
    EXPECT_EQ(std::to_string(status_code(status)) + ":" + std::string(status_name(status)), label);
    EXPECT_EQ(parse_status_label(label), status) << label;
  }
}

TEST(ManagerStatusTest, RejectsMismatchedOrUnknownLabels) {
  EXPECT_EQ(parse_status_label("0:PING_FAILED"), std::nullopt);
  EXPECT_EQ(parse_status_label("PING_OK"), std::nullopt);
  EXPECT_EQ(parse_status_label("0"), std::nullopt);
  EXPECT_EQ(parse_status_label("7:PING_OK"), std::nullopt);
  EXPECT_EQ(parse_status_label("0:ping_ok"), std::nullopt);
  EXPECT_EQ(parse_status_label(""), std::nullopt);
}

TEST(StatusFileTest, FormatsMhasLine) {
  EXPECT_EQ(format_status_line({4711, ManagerStatus::kPingOk, "db1"}),
            "4711\t0:PING_OK\tmaster:db1");
  EXPECT_EQ(format_status_line({4711, ManagerStatus::kInitializingMonitor, ""}),
            "4711\t10:INITIALIZING_MONITOR");
}

TEST(StatusFileTest, ParsesWhatItFormats) {
  for (const auto& [status, label] : kContract) {
    const StatusRecord record{123, status, "db2.example"};
    const auto parsed = parse_status_line(format_status_line(record));
    ASSERT_TRUE(parsed) << label << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, record);
  }
}

TEST(StatusFileTest, ParsesMhaVariants) {
  auto parsed = parse_status_line("99\t20:PING_FAILING\tmaster:db1\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, (StatusRecord{99, ManagerStatus::kPingFailing, "db1"}));

  parsed = parse_status_line("99\t50:FAILOVER_RUNNING");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, (StatusRecord{99, ManagerStatus::kFailoverRunning, ""}));

  // A third field without "master:" is the host as written.
  parsed = parse_status_line("99\t0:PING_OK\tdb3");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->master, "db3");
}

TEST(StatusFileTest, RejectsMalformedLines) {
  for (const char* line :
       {"", "4711", "4711 0:PING_OK", "x\t0:PING_OK", "-5\t0:PING_OK", "1\t0:PING_OK",
        "0\t0:PING_OK", "12a\t0:PING_OK", "4711\t0:PONG", "4711\t0:PING_OK\tmaster:a\textra",
        "4711\t0:PING_OK\n4712\t0:PING_OK", "99999999999999999999\t0:PING_OK"}) {
    const auto parsed = parse_status_line(line);
    ASSERT_FALSE(parsed) << "accepted: " << line;
    EXPECT_EQ(parsed.error().code, ErrorCode::kIo);
    EXPECT_NE(parsed.error().message.find("malformed status line"), std::string::npos);
  }
}

TEST(StatePathsTest, UsesMhaFileNames) {
  const StatePaths paths{"/var/log/masterha/app1", "app1"};
  EXPECT_EQ(paths.status_file(), "/var/log/masterha/app1/app1.master_status.health");
  EXPECT_EQ(paths.failover_complete(), "/var/log/masterha/app1/app1.failover.complete");
  EXPECT_EQ(paths.failover_error(), "/var/log/masterha/app1/app1.failover.error");
  EXPECT_EQ(paths.last_failover(), "/var/log/masterha/app1/app1.failover.last.json");
}

}  // namespace
}  // namespace mha::state
