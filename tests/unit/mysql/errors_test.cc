#include "mha/mysql/errors.h"

#include <gtest/gtest.h>

namespace mha::mysql {
namespace {

TEST(ClassifyErrno, MeasuredFaults) {
  // Values measured on MariaDB 10.11 + Connector/C 3.3 (see errors.h and the integration test).
  EXPECT_EQ(classify_errno(2002), ErrnoClass::kUnreachable);  // killed server, link down
  EXPECT_EQ(classify_errno(2013), ErrnoClass::kLost);         // frozen server (SIGSTOP)
  EXPECT_EQ(classify_errno(1045), ErrnoClass::kAlive);        // wrong password
}

TEST(ClassifyErrno, Families) {
  for (unsigned e : {2001u, 2003u, 2004u, 2005u})
    EXPECT_EQ(classify_errno(e), ErrnoClass::kUnreachable) << e;
  for (unsigned e : {2006u, 2055u, 4031u}) EXPECT_EQ(classify_errno(e), ErrnoClass::kLost) << e;
  for (unsigned e : {1040u, 1042u, 1043u, 1044u, 1129u, 1130u, 1203u, 1226u, 1251u, 1275u}) {
    EXPECT_EQ(classify_errno(e), ErrnoClass::kAlive) << e;
  }
  for (unsigned e : {1205u, 1969u, 3024u}) EXPECT_EQ(classify_errno(e), ErrnoClass::kTimeout) << e;
  for (unsigned e : {0u, 1064u, 1193u, 1062u, 1950u})
    EXPECT_EQ(classify_errno(e), ErrnoClass::kOther) << e;
}

TEST(ErrorCodeFor, MapsClasses) {
  EXPECT_EQ(error_code_for(ErrnoClass::kUnreachable), ErrorCode::kConnect);
  EXPECT_EQ(error_code_for(ErrnoClass::kLost), ErrorCode::kConnect);
  EXPECT_EQ(error_code_for(ErrnoClass::kAlive), ErrorCode::kAuth);
  EXPECT_EQ(error_code_for(ErrnoClass::kTimeout), ErrorCode::kTimeout);
  EXPECT_EQ(error_code_for(ErrnoClass::kOther), ErrorCode::kQuery);
  EXPECT_STREQ(errno_class_name(ErrnoClass::kAlive), "alive");
}

TEST(MakeMysqlError, NamesServerActionAndErrnoAndScrubsSecrets) {
  Error e =
      make_mysql_error(1064, "query on", "db1:3306",
                       "You have an error near 'MASTER_PASSWORD='hunter2'' at line 1", {"hunter2"});
  EXPECT_EQ(e.code, ErrorCode::kQuery);
  EXPECT_EQ(e.detail, 1064);
  EXPECT_EQ(e.message.rfind("query on db1:3306: ", 0), 0u) << e.message;
  EXPECT_EQ(e.message.find("hunter2"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("<redacted>"), std::string::npos);
  // Overlapping occurrences and an empty secret are handled.
  Error twice = make_mysql_error(1045, "connecting to", "h:1", "aa aa", {"aa", ""});
  EXPECT_EQ(twice.message, "connecting to h:1: <redacted> <redacted>");
  EXPECT_EQ(twice.code, ErrorCode::kAuth);
}

}  // namespace
}  // namespace mha::mysql
