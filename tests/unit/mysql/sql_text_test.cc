#include "mha/mysql/sql_text.h"

#include <gtest/gtest.h>

namespace mha::mysql {
namespace {

TEST(QuoteString, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(quote_string(""), "''");
  EXPECT_EQ(quote_string("plain"), "'plain'");
  EXPECT_EQ(quote_string("it's"), "'it''s'");
  EXPECT_EQ(quote_string("a\\b"), "'a\\\\b'");
  EXPECT_EQ(quote_string("\\'"), "'\\\\'''");
  EXPECT_EQ(quote_string(std::string("x\0y\n\r\x1a", 6)), "'x\\0y\\n\\r\\Z'");
}

TEST(QuoteIdentifier, DoublesBackquotes) {
  EXPECT_EQ(quote_identifier("db"), "`db`");
  EXPECT_EQ(quote_identifier("a`b"), "`a``b`");
}

TEST(RedactSql, HidesPasswordsInReplicationAndAccountStatements) {
  EXPECT_EQ(redact_sql("CHANGE MASTER TO MASTER_HOST='db1', MASTER_PASSWORD='s3cret', "
                       "MASTER_USE_GTID=slave_pos"),
            "CHANGE MASTER TO MASTER_HOST='db1', MASTER_PASSWORD='<redacted>', "
            "MASTER_USE_GTID=slave_pos");
  EXPECT_EQ(redact_sql("CHANGE REPLICATION SOURCE TO source_password = \"x y\""),
            "CHANGE REPLICATION SOURCE TO source_password = '<redacted>'");
  EXPECT_EQ(redact_sql("CREATE USER u IDENTIFIED BY 'pw'"),
            "CREATE USER u IDENTIFIED BY '<redacted>'");
  EXPECT_EQ(redact_sql("SET PASSWORD FOR u = PASSWORD('pw')"),
            "SET PASSWORD FOR u = PASSWORD('<redacted>')");
  EXPECT_EQ(redact_sql("ALTER USER u IDENTIFIED VIA ed25519 USING PASSWORD('pw')"),
            "ALTER USER u IDENTIFIED VIA ed25519 USING PASSWORD('<redacted>')");
  EXPECT_EQ(redact_sql("START SLAVE USER='repl' PASSWORD='pw'"),
            "START SLAVE USER='repl' PASSWORD='<redacted>'");
}

TEST(RedactSql, EscapedQuotesInsideTheSecretDoNotLeakTheRest) {
  EXPECT_EQ(redact_sql("CHANGE MASTER TO MASTER_PASSWORD='a''b\\'c', MASTER_PORT=3306"),
            "CHANGE MASTER TO MASTER_PASSWORD='<redacted>', MASTER_PORT=3306");
  // Unterminated: everything after the opening quote is hidden.
  EXPECT_EQ(redact_sql("CHANGE MASTER TO MASTER_PASSWORD='abc"),
            "CHANGE MASTER TO MASTER_PASSWORD='<redacted>'");
}

TEST(RedactSql, LeavesOrdinaryStatementsAlone) {
  for (const char* sql :
       {"SELECT 'password' AS x", "SHOW SLAVE STATUS", "SELECT MASTER_GTID_WAIT('0-1-5', 10)",
        "SELECT `PASSWORD`, 'value' FROM t"}) {
    EXPECT_EQ(redact_sql(sql), sql);
  }
}

TEST(SecretLiterals, ReturnsRawAndUnescapedValues) {
  EXPECT_EQ(secret_literals("CHANGE MASTER TO MASTER_PASSWORD='it''s'"),
            (std::vector<std::string>{"it''s", "it's"}));
  EXPECT_TRUE(secret_literals("SELECT 1").empty());
}

}  // namespace
}  // namespace mha::mysql
