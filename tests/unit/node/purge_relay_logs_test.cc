// purge_relay_logs with a scripted mysql client: what it sends, in which order, and that the
// server is never left with relay_log_purge=1 by us.

#include "mha/node/purge_relay_logs.h"

#include "mha/hooks/testing/fake_process_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace mha::node {
namespace {

namespace fs = std::filesystem;
using hooks::testing::exit_with;
using hooks::testing::FakeProcessRunner;
using ::testing::HasSubstr;
using ::testing::Not;

class PurgeTest : public ::testing::Test {
 protected:
  PurgeTest() {
    std::string pattern = (fs::temp_directory_path() / "mha-purge-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    o_.workdir = dir_;
    o_.host = "127.0.0.1";
    o_.port = 3307;
  }
  ~PurgeTest() override { fs::remove_all(dir_); }

  // Answers by what the session's SQL holds.
  void script(const std::string& purge_value, int purge_session_exit) {
    runner_.on([](const hooks::ProcessSpec& s) { return s.stdin_data.find("SELECT @@") == 0; },
               [this, purge_value](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
                 return exit_with(0, purge_value + "\t" + dir_ + "/relay-bin\n");
               });
    runner_.on(
        [](const hooks::ProcessSpec& s) {
          return s.stdin_data.find("GET_LOCK") != std::string::npos;
        },
        [purge_session_exit](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
          return exit_with(purge_session_exit, "");
        });
    runner_.on(
        [](const hooks::ProcessSpec&) { return true; },
        [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> { return exit_with(0, ""); });
  }
  std::vector<std::string> sessions() const {
    std::vector<std::string> out;
    for (const hooks::ProcessSpec& s : runner_.calls()) out.push_back(s.stdin_data);
    return out;
  }

  std::string dir_;
  PurgeRelayLogsOptions o_;
  FakeProcessRunner runner_;
  std::ostringstream log_;
};

TEST_F(PurgeTest, PurgesUnderTheFailoverLockAndTurnsPurgingOffAgain) {
  script("0", 0);
  auto r = purge_relay_logs(o_, Credentials{"mha", "s3cret"}, runner_, log_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->purged);
  ASSERT_EQ(sessions().size(), 2u);
  const std::string sql = sessions()[1];
  const auto lock = sql.find("GET_LOCK('MHA_Master_High_Availability_Failover', 200)");
  const auto on = sql.find("SET GLOBAL relay_log_purge = 1");
  const auto flush = sql.find("FLUSH NO_WRITE_TO_BINLOG RELAY LOGS");
  const auto off = sql.find("SET GLOBAL relay_log_purge = 0");
  ASSERT_NE(lock, std::string::npos);
  EXPECT_LT(lock, on);
  EXPECT_LT(on, flush);
  EXPECT_LT(flush, off);
  for (const hooks::ProcessSpec& s : runner_.calls()) {
    ASSERT_TRUE(s.shell_command);
    EXPECT_THAT(*s.shell_command, HasSubstr("--defaults-extra-file="));
    EXPECT_THAT(*s.shell_command, HasSubstr("-h '127.0.0.1' -P 3307"));
    EXPECT_THAT(*s.shell_command, Not(HasSubstr("s3cret")));
  }
  // The option file with the password is gone.
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(PurgeTest, ServerThatPurgesByItselfIsLeftAlone) {
  script("1", 0);
  auto r = purge_relay_logs(o_, Credentials{"mha", "pw"}, runner_, log_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->purged);
  EXPECT_EQ(sessions().size(), 1u);
  EXPECT_THAT(log_.str(), HasSubstr("relay_log_purge=1 is set"));
}

TEST_F(PurgeTest, DisableRelayLogPurgeTurnsItOffThenPurges) {
  o_.disable_relay_log_purge = true;
  script("1", 0);
  auto r = purge_relay_logs(o_, Credentials{"mha", "pw"}, runner_, log_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->disabled_purge);
  EXPECT_TRUE(r->purged);
  ASSERT_EQ(sessions().size(), 3u);
  EXPECT_EQ(sessions()[1], "SET GLOBAL relay_log_purge = 0;\n");
}

TEST_F(PurgeTest, AFailedSessionRestoresRelayLogPurgeOff) {
  script("0", 1);  // e.g. the failover lock is held, or FLUSH failed after purge was turned on
  auto r = purge_relay_logs(o_, Credentials{"mha", "pw"}, runner_, log_);
  ASSERT_FALSE(r);
  ASSERT_EQ(sessions().size(), 3u);
  EXPECT_EQ(sessions()[2], "SET GLOBAL relay_log_purge = 0;\n");
  EXPECT_TRUE(fs::is_empty(dir_));
}

}  // namespace
}  // namespace mha::node
