// parse_relay_log_info (include/mha/node/relay_log_info.h): both relay-log.info layouts, relative
// and absolute names, and the refusals.

#include "mha/node/relay_log_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <stdlib.h>
#include <unistd.h>

namespace mha::node {
namespace {

using ::testing::HasSubstr;

TEST(RelayLogInfo, NewerLayoutStartsWithTheLineCount) {
  auto loc = parse_relay_log_info("5\n./relay-bin.000007\n1234\nmariadb-bin.000003\n5678\n",
                                  "/var/lib/mysql/relay-log.info", "");
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->relay_dir, "/var/lib/mysql");
  EXPECT_EQ(loc->relay_log, "relay-bin.000007");
}

TEST(RelayLogInfo, OlderLayoutStartsWithTheRelayLogName) {
  auto loc = parse_relay_log_info("./relay-bin.000002\n4\nmysql-bin.000001\n120\n",
                                  "/data/relay-log.info", "");
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->relay_dir, "/data");
  EXPECT_EQ(loc->relay_log, "relay-bin.000002");
}

TEST(RelayLogInfo, RelativeNamesFollowTheGivenDatadirAndSubdirectories) {
  auto loc = parse_relay_log_info("5\n./relay/relay-bin.000009\n4\nm.000001\n4\n",
                                  "/etc/relay-log.info", "/srv/mysql");
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->relay_dir, "/srv/mysql/relay");
  EXPECT_EQ(loc->relay_log, "relay-bin.000009");
}

TEST(RelayLogInfo, AbsoluteNamesKeepTheirDirectory) {
  auto loc = parse_relay_log_info("7\n/logs/relay/host-relay-bin.000011\r\n4\n",
                                  "/var/lib/mysql/relay-log.info", "/var/lib/mysql");
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->relay_dir, "/logs/relay");
  EXPECT_EQ(loc->relay_log, "host-relay-bin.000011");
}

TEST(RelayLogInfo, RefusesEmptyOrNamelessFilesNamingThem) {
  auto empty = parse_relay_log_info("", "/x/relay-log.info", "");
  ASSERT_FALSE(empty);
  EXPECT_THAT(empty.error().message, HasSubstr("/x/relay-log.info: empty"));
  auto nameless = parse_relay_log_info("5\n\n4\n", "/x/relay-log.info", "");
  ASSERT_FALSE(nameless);
  EXPECT_THAT(nameless.error().message, HasSubstr("line 2"));
  auto only_count = parse_relay_log_info("5\n", "/x/relay-log.info", "");
  EXPECT_FALSE(only_count);
  auto directory = parse_relay_log_info("5\n./relay/\n", "/x/relay-log.info", "");
  EXPECT_FALSE(directory);
}

TEST(RelayLogInfo, ReadsTheFileAndNamesAMissingOne) {
  char path[] = "/tmp/mha-relay-log-info-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  std::ofstream(path) << "5\n./relay-bin.000004\n4\nmariadb-bin.000001\n4\n";
  auto loc = read_relay_log_info(path, "/var/lib/mysql");
  std::remove(path);
  ::close(fd);
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->relay_dir, "/var/lib/mysql");
  EXPECT_EQ(loc->relay_log, "relay-bin.000004");
  auto missing = read_relay_log_info("/nonexistent/relay-log.info", "");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("/nonexistent/relay-log.info"));
}

}  // namespace
}  // namespace mha::node
