#include "mha/state/file_state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "temp_dir.h"
#include <fcntl.h>
#include <sys/stat.h>

namespace mha::state {
namespace {

using std::chrono::seconds;
using testing::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Moves a file's mtime into the past so a later refresh is observable without sleeping.
void age_file(const std::string& path, seconds by) {
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  const timespec old{st.st_mtim.tv_sec - by.count(), 0};
  const timespec times[2] = {old, old};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

class FileStateStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  FileStateStore store_{StatePaths{dir_.path(), "app1"}};
};

TEST_F(FileStateStoreTest, NoStatusFileMeansNoRecord) {
  const auto status = store_.read_status();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(*status);
}

TEST_F(FileStateStoreTest, WritesMhasLineAtomically) {
  const auto before = std::chrono::system_clock::now() - seconds(1);
  ASSERT_TRUE(store_.write_status({4711, ManagerStatus::kPingOk, "db1"}));
  const std::string path = dir_.path() + "/app1.master_status.health";
  EXPECT_EQ(slurp(path), "4711\t0:PING_OK\tmaster:db1");

  const auto status = store_.read_status();
  ASSERT_TRUE(status && *status);
  EXPECT_EQ((*status)->record, (StatusRecord{4711, ManagerStatus::kPingOk, "db1"}));
  EXPECT_GE((*status)->heartbeat, before);

  ASSERT_TRUE(store_.write_status({4711, ManagerStatus::kFailoverRunning, "db1"}));
  EXPECT_EQ(slurp(path), "4711\t50:FAILOVER_RUNNING\tmaster:db1");
  // Nothing but the status file: the temporary file was renamed, not left behind.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename(), "app1.master_status.health");
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST_F(FileStateStoreTest, HeartbeatRefreshesMtimeOnly) {
  ASSERT_TRUE(store_.write_status({4711, ManagerStatus::kPingOk, "db1"}));
  const std::string path = dir_.path() + "/app1.master_status.health";
  age_file(path, seconds(60));
  auto aged = store_.read_status();
  ASSERT_TRUE(aged && *aged);
  EXPECT_LT((*aged)->heartbeat, std::chrono::system_clock::now() - seconds(50));

  ASSERT_TRUE(store_.heartbeat());
  auto fresh = store_.read_status();
  ASSERT_TRUE(fresh && *fresh);
  EXPECT_GT((*fresh)->heartbeat, std::chrono::system_clock::now() - seconds(50));
  EXPECT_EQ(slurp(path), "4711\t0:PING_OK\tmaster:db1");
}

TEST_F(FileStateStoreTest, HeartbeatWithoutRecordIsNotFoundAndCreatesNothing) {
  const Status touched = store_.heartbeat();
  ASSERT_FALSE(touched);
  EXPECT_EQ(touched.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/app1.master_status.health"));
}

TEST_F(FileStateStoreTest, RemoveStatusIsIdempotent) {
  ASSERT_TRUE(store_.write_status({4711, ManagerStatus::kPingOk, ""}));
  ASSERT_TRUE(store_.remove_status());
  ASSERT_TRUE(store_.remove_status());
  const auto status = store_.read_status();
  ASSERT_TRUE(status);
  EXPECT_FALSE(*status);
}

TEST_F(FileStateStoreTest, MalformedStatusFileIsAnErrorNamingTheFile) {
  std::ofstream(dir_.path() + "/app1.master_status.health") << "garbage";
  const auto status = store_.read_status();
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("app1.master_status.health"), std::string::npos);
}

TEST_F(FileStateStoreTest, MissingWorkdirIsAnIoError) {
  FileStateStore store(StatePaths{dir_.path() + "/nope", "app1"});
  const Status written = store.write_status({4711, ManagerStatus::kPingOk, ""});
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find(dir_.path() + "/nope"), std::string::npos);
}

TEST_F(FileStateStoreTest, MarkersAreMhasFiles) {
  for (const Marker marker : {Marker::kFailoverComplete, Marker::kFailoverError}) {
    auto time = store_.marker_time(marker);
    ASSERT_TRUE(time);
    EXPECT_FALSE(*time);
  }
  ASSERT_TRUE(store_.set_marker(Marker::kFailoverComplete));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/app1.failover.complete"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/app1.failover.error"));

  // The complete marker's time is the last failover's; setting it again moves it forward.
  age_file(dir_.path() + "/app1.failover.complete", seconds(3600));
  auto old = store_.marker_time(Marker::kFailoverComplete);
  ASSERT_TRUE(old && *old);
  EXPECT_LT(**old, std::chrono::system_clock::now() - seconds(3500));
  ASSERT_TRUE(store_.set_marker(Marker::kFailoverComplete));
  auto renewed = store_.marker_time(Marker::kFailoverComplete);
  ASSERT_TRUE(renewed && *renewed);
  EXPECT_GT(**renewed, std::chrono::system_clock::now() - seconds(60));

  ASSERT_TRUE(store_.set_marker(Marker::kFailoverError));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/app1.failover.error"));
  ASSERT_TRUE(store_.clear_marker(Marker::kFailoverError));
  ASSERT_TRUE(store_.clear_marker(Marker::kFailoverError));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/app1.failover.error"));
}

TEST_F(FileStateStoreTest, IgnoreLastFailoverClearsBothMarkersKeepsRecord) {
  ASSERT_TRUE(store_.record_failover(
      {std::chrono::system_clock::now(), "db1:3306", "", false, "catch-up timed out"}));
  ASSERT_TRUE(store_.set_marker(Marker::kFailoverComplete));
  ASSERT_TRUE(store_.clear_failover_markers());
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/app1.failover.complete"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/app1.failover.error"));
  auto last = store_.last_failover();
  ASSERT_TRUE(last && *last);
  EXPECT_EQ((*last)->detail, "catch-up timed out");
}

TEST_F(FileStateStoreTest, RecordFailoverWritesJsonAndMatchingMarker) {
  auto none = store_.last_failover();
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  const FailoverRecord ok{
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564800250)), "db1:3306",
      "db2:3306", true, ""};
  ASSERT_TRUE(store_.record_failover(ok));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/app1.failover.complete"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/app1.failover.error"));
  const std::string json = slurp(dir_.path() + "/app1.failover.last.json");
  EXPECT_NE(json.find("\"time\": \"2024-05-01T12:00:00.250Z\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"result\": \"complete\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"new_master\": \"db2:3306\""), std::string::npos) << json;
  auto read = store_.last_failover();
  ASSERT_TRUE(read && *read);
  EXPECT_EQ(**read, ok);

  const FailoverRecord failed{
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564900000)), "db2:3306",
      "", false, "no candidate"};
  ASSERT_TRUE(store_.record_failover(failed));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/app1.failover.error"));
  read = store_.last_failover();
  ASSERT_TRUE(read && *read);
  EXPECT_EQ(**read, failed);
}

TEST_F(FileStateStoreTest, CorruptFailoverRecordIsAnError) {
  std::ofstream(dir_.path() + "/app1.failover.last.json") << "{\"time\": 3";
  const auto read = store_.last_failover();
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("app1.failover.last.json"), std::string::npos);
}

}  // namespace
}  // namespace mha::state
