// ApplySettings (src/recovery/apply_settings.h): what a target looks like before, during and
// after an apply of binlog events, with scripted SQL sessions. The fake fails the test on any
// statement it was not told to expect, and on any expectation left unused.

#include "apply_settings.h"

#include "mha/mysql/testing/fake_sql_session.h"
#include "mha/topology/server_version.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace mha::recovery::internal {
namespace {

using ::testing::HasSubstr;

class ApplySettingsTest : public ::testing::Test {
 protected:
  ApplySettingsTest()
      : dialect_(*mysql::Dialect::for_version(
            *topology::parse_server_version("10.11.19-MariaDB-0+deb12u1-log"))) {}

  void expect_lift_read_only() {
    for (const std::string& s : dialect_.set_read_only(false)) db_.expect(s);
  }
  void expect_restore_read_only() {
    for (const std::string& s : dialect_.set_read_only(true)) db_.expect(s);
  }

  mysql::Dialect dialect_;
  mysql::testing::FakeSqlSession db_;
};

TEST_F(ApplySettingsTest, RaisesPacketLiftsReadOnlyAndRestoresBoth) {
  db_.expect(dialect_.select_packet_and_read_only()).returns({"p", "r"}, {{"16777216", "1"}});
  db_.expect(dialect_.set_max_allowed_packet(kApplyMaxAllowedPacket));
  expect_lift_read_only();
  Result<ApplySettings> s = ApplySettings::prepare(db_, dialect_, "db2");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->was_read_only());

  expect_restore_read_only();
  db_.expect(dialect_.set_max_allowed_packet(16777216));
  EXPECT_TRUE(s->restore().empty());
  EXPECT_TRUE(s->restore().empty()) << "a second restore must send nothing";
}

TEST_F(ApplySettingsTest, LeavesAWritableServerWritable) {
  db_.expect(dialect_.select_packet_and_read_only()).returns({"p", "r"}, {{"67108864", "0"}});
  db_.expect(dialect_.set_max_allowed_packet(kApplyMaxAllowedPacket));
  Result<ApplySettings> s = ApplySettings::prepare(db_, dialect_, "db2");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_FALSE(s->was_read_only());

  db_.expect(dialect_.set_max_allowed_packet(67108864));
  EXPECT_TRUE(s->restore().empty());
}

TEST_F(ApplySettingsTest, AFailedLiftRestoresThePacketAndNamesTheServer) {
  db_.expect(dialect_.select_packet_and_read_only()).returns({"p", "r"}, {{"16777216", "ON"}});
  db_.expect(dialect_.set_max_allowed_packet(kApplyMaxAllowedPacket));
  db_.expect(dialect_.set_read_only(false).front()).fails(1227, "Access denied");
  // Restored: read_only back on (a partial lift must not stay), then the packet.
  expect_restore_read_only();
  db_.expect(dialect_.set_max_allowed_packet(16777216));
  Result<ApplySettings> s = ApplySettings::prepare(db_, dialect_, "db2");
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("db2: "));
}

TEST_F(ApplySettingsTest, AnUnreadablePacketSizeChangesNothing) {
  db_.expect(dialect_.select_packet_and_read_only()).returns({"p", "r"}, {{"", "1"}});
  Result<ApplySettings> s = ApplySettings::prepare(db_, dialect_, "db2");
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("max_allowed_packet"));
}

TEST_F(ApplySettingsTest, RestoreReportsEveryFailedStatement) {
  db_.expect(dialect_.select_packet_and_read_only()).returns({"p", "r"}, {{"16777216", "1"}});
  db_.expect(dialect_.set_max_allowed_packet(kApplyMaxAllowedPacket));
  expect_lift_read_only();
  Result<ApplySettings> s = ApplySettings::prepare(db_, dialect_, "db2");
  ASSERT_TRUE(s) << s.error().message;

  for (const std::string& st : dialect_.set_read_only(true)) db_.expect(st).fails(2013, "lost");
  db_.expect(dialect_.set_max_allowed_packet(16777216)).fails(2013, "lost");
  EXPECT_EQ(s->restore().size(), dialect_.set_read_only(true).size() + 1);
}

}  // namespace
}  // namespace mha::recovery::internal
