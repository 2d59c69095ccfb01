#include "mha/common/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

namespace mha::log {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every test leaves the process logger pointing at stderr again, so a captured stream never
// outlives the logger that writes to it.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mha_log_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    ASSERT_TRUE(init(Options{}));
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(LogTest, LineMatchesMhaFormat) {
  std::ostringstream captured;
  init_stream(captured, Level::kInfo);
  info("Starting ping health check on {}.", "db1(10.77.0.11:3306)");
  const std::vector<std::string> lines = lines_of(captured.str());
  ASSERT_EQ(lines.size(), 1u);
  // gtest's POSIX extended regex (std::regex trips a GCC 12 warning under the sanitizers).
  const std::string line_regex =
      R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) )"
      R"([ 123][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9]{4} - \[info\] )"
      R"(Starting ping health check on db1\(10\.77\.0\.11:3306\)\.$)";
  EXPECT_THAT(lines[0], ::testing::MatchesRegex(line_regex));
  // The pattern is strict enough to tell MHA's format from near misses.
  for (const char* wrong : {
           "Tue Nov 04 20:46:26 2026 - [info] Starting ping health check on db1(10.77.0.11:3306).",
           "2026-11-04 20:46:26 - [info] Starting ping health check on db1(10.77.0.11:3306).",
           "Tue Nov  4 20:46:26 2026 - [INFO] Starting ping health check on db1(10.77.0.11:3306).",
       }) {
    EXPECT_THAT(wrong, ::testing::Not(::testing::MatchesRegex(line_regex)));
  }
}

TEST_F(LogTest, FormatLineUsesLocalTimeWithSpacePaddedDay) {
  const char* old_tz = ::getenv("TZ");
  const std::string saved = old_tz == nullptr ? "" : old_tz;
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  const auto epoch = std::chrono::system_clock::time_point{};
  const auto nov4 = epoch + std::chrono::seconds(1793824000);  // 2026-11-04 20:26:40 UTC
  EXPECT_EQ(format_line(epoch, Level::kWarning, "w"), "Thu Jan  1 00:00:00 1970 - [warning] w");
  EXPECT_EQ(format_line(nov4, Level::kError, "e"), "Wed Nov  4 20:26:40 2026 - [error] e");
  EXPECT_EQ(format_line(nov4, Level::kDebug, "d"), "Wed Nov  4 20:26:40 2026 - [debug] d");
  if (old_tz == nullptr) {
    ::unsetenv("TZ");
  } else {
    ::setenv("TZ", saved.c_str(), 1);
  }
  ::tzset();
}

TEST_F(LogTest, LevelFiltering) {
  std::ostringstream captured;
  init_stream(captured, Level::kWarning);
  debug("d");
  info("i");
  warning("w");
  error("e");
  set_level(Level::kDebug);
  debug("d2");
  const std::vector<std::string> lines = lines_of(captured.str());
  ASSERT_EQ(lines.size(), 3u) << captured.str();
  EXPECT_NE(lines[0].find(" - [warning] w"), std::string::npos);
  EXPECT_NE(lines[1].find(" - [error] e"), std::string::npos);
  EXPECT_NE(lines[2].find(" - [debug] d2"), std::string::npos);
}

TEST_F(LogTest, ParseLevelAcceptsMhaNames) {
  EXPECT_EQ(*parse_level("debug"), Level::kDebug);
  EXPECT_EQ(*parse_level("INFO"), Level::kInfo);
  EXPECT_EQ(*parse_level("notice"), Level::kWarning);
  EXPECT_EQ(*parse_level("warning"), Level::kWarning);
  EXPECT_EQ(*parse_level("error"), Level::kError);
  EXPECT_EQ(*parse_level("emergency"), Level::kError);
  const Result<Level> bad = parse_level("verbose");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kConfig);
  EXPECT_NE(bad.error().message.find("'verbose'"), std::string::npos);
}

TEST_F(LogTest, FileOutputAppends) {
  const fs::path file = dir_ / "manager.log";
  {
    std::ofstream existing(file);
    existing << "earlier line\n";
  }
  ASSERT_TRUE(init(Options{file.string(), Level::kInfo}));
  info("first");
  info("second {}", 2);
  const std::vector<std::string> lines = lines_of(read_file(file));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "earlier line");
  EXPECT_NE(lines[1].find(" - [info] first"), std::string::npos);
  EXPECT_NE(lines[2].find(" - [info] second 2"), std::string::npos);
}

TEST_F(LogTest, UnopenableFileIsAnIoErrorAndKeepsPreviousLogger) {
  std::ostringstream captured;
  init_stream(captured, Level::kInfo);
  const Status st = init(Options{(dir_ / "missing" / "manager.log").string(), Level::kInfo});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
  EXPECT_EQ(st.error().detail, ENOENT);
  info("still here");
  EXPECT_NE(captured.str().find("still here"), std::string::npos);
}

TEST_F(LogTest, ReopenAfterRenameWritesToNewFile) {
  const fs::path file = dir_ / "manager.log";
  const fs::path rotated = dir_ / "manager.log.1";
  ASSERT_TRUE(init(Options{file.string(), Level::kInfo}));
  info("before rotation");
  fs::rename(file, rotated);
  info("after rename, before reopen");
  reopen();
  info("after reopen");
  const std::vector<std::string> old_lines = lines_of(read_file(rotated));
  const std::vector<std::string> new_lines = lines_of(read_file(file));
  ASSERT_EQ(old_lines.size(), 2u);
  EXPECT_NE(old_lines[0].find("before rotation"), std::string::npos);
  EXPECT_NE(old_lines[1].find("after rename, before reopen"), std::string::npos);
  ASSERT_EQ(new_lines.size(), 1u);
  EXPECT_NE(new_lines[0].find("after reopen"), std::string::npos);
}

// What masterha_manager does after SIGHUP from logrotate's postrotate: the reopen happens at once,
// before any further line, and lands in the file logrotate created with its own mode.
TEST_F(LogTest, ReopenNowFollowsLogrotateCreate) {
  const fs::path file = dir_ / "manager.log";
  const fs::path rotated = dir_ / "manager.log.1";
  ASSERT_TRUE(init(Options{file.string(), Level::kInfo}));
  info("before rotation");
  fs::rename(file, rotated);
  {
    std::ofstream created(file);  // logrotate's "create 0600"
  }
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_TRUE(reopen_now());
  info("after reopen");
  const std::vector<std::string> old_lines = lines_of(read_file(rotated));
  const std::vector<std::string> new_lines = lines_of(read_file(file));
  ASSERT_EQ(old_lines.size(), 1u);
  EXPECT_NE(old_lines[0].find("before rotation"), std::string::npos);
  ASSERT_EQ(new_lines.size(), 1u);
  EXPECT_NE(new_lines[0].find("after reopen"), std::string::npos);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(LogTest, ReopenNowCreatesTheFileWhenLogrotateDidNot) {
  const fs::path file = dir_ / "manager.log";
  ASSERT_TRUE(init(Options{file.string(), Level::kInfo}));
  info("one");
  fs::rename(file, dir_ / "manager.log.1");
  ASSERT_TRUE(reopen_now());
  ASSERT_TRUE(fs::exists(file));  // before any line is written
  info("two");
  const std::vector<std::string> new_lines = lines_of(read_file(file));
  ASSERT_EQ(new_lines.size(), 1u);
  EXPECT_NE(new_lines[0].find("two"), std::string::npos);
}

TEST_F(LogTest, ReopenNowFailureKeepsTheOldFile) {
  const fs::path sub = dir_ / "app1";
  fs::create_directories(sub);
  const fs::path file = sub / "manager.log";
  const fs::path moved = dir_ / "app1.old";
  ASSERT_TRUE(init(Options{file.string(), Level::kInfo}));
  info("one");
  fs::rename(sub, moved);  // the log directory is gone
  const Status st = reopen_now();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
  EXPECT_EQ(st.error().detail, ENOENT);
  EXPECT_NE(st.error().message.find(file.string()), std::string::npos);
  info("two");
  const std::vector<std::string> lines = lines_of(read_file(moved / "manager.log"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("two"), std::string::npos);
}

TEST_F(LogTest, ReopenNowIsANoOpForStreams) {
  std::ostringstream captured;
  init_stream(captured, Level::kInfo);
  ASSERT_TRUE(reopen_now());
  info("still here");
  EXPECT_NE(captured.str().find("still here"), std::string::npos);
}

// logrotate's copytruncate: the file is truncated under the open descriptor. O_APPEND puts the
// next line at the new end, not at the old offset (which would leave a hole of NUL bytes).
TEST_F(LogTest, CopytruncateLeavesNoHole) {
  const fs::path file = dir_ / "manager.log";
  ASSERT_TRUE(init(Options{file.string(), Level::kInfo}));
  info("a line long enough to leave a visible hole if the offset were kept");
  fs::resize_file(file, 0);
  info("after truncate");
  const std::string text = read_file(file);
  EXPECT_EQ(text.find('\0'), std::string::npos);
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("after truncate"), std::string::npos);
}

TEST_F(LogTest, SighupTriggersReopen) {
  const fs::path file = dir_ / "manager.log";
  ASSERT_TRUE(install_sighup_reopen());
  ASSERT_TRUE(init(Options{file.string(), Level::kInfo}));
  info("one");
  fs::rename(file, dir_ / "manager.log.1");
  // raise() runs the handler before it returns for a signal sent to the calling thread.
  ASSERT_EQ(::raise(SIGHUP), 0);
  info("two");
  const std::vector<std::string> new_lines = lines_of(read_file(file));
  ASSERT_EQ(new_lines.size(), 1u);
  EXPECT_NE(new_lines[0].find("two"), std::string::npos);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGHUP, &dfl, nullptr);
}

TEST_F(LogTest, MessagesAreRedacted) {
  std::ostringstream captured;
  init_stream(captured, Level::kInfo);
  info("Executing {}", "CHANGE MASTER TO MASTER_PASSWORD='s3cret'");
  EXPECT_EQ(captured.str().find("s3cret"), std::string::npos);
  EXPECT_NE(captured.str().find("MASTER_PASSWORD='xxx'"), std::string::npos);
}

}  // namespace
}  // namespace mha::log
