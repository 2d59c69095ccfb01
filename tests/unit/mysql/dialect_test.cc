#include "mha/mysql/dialect.h"

#include <gtest/gtest.h>

namespace mha::mysql {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Dialect dialect(const char* version) {
  Result<topology::ServerVersion> v = topology::parse_server_version(version);
  EXPECT_TRUE(v) << version;
  Result<Dialect> d = Dialect::for_version(*v);
  EXPECT_TRUE(d) << version << ": " << (d ? "" : d.error().message);
  return *d;
}

ChangeMasterOptions options(ReplicationMode mode) {
  ChangeMasterOptions o;
  o.host = "10.77.0.12";
  o.port = 3306;
  o.user = "repl";
  o.password = "it's\\secret";
  o.mode = mode;
  if (mode == ReplicationMode::kFilePosition) {
    o.position = topology::BinlogPosition{"mysql-bin.000007", 1234};
  }
  return o;
}

TEST(Dialect, RejectsUnsupportedVersions) {
  for (const char* v : {"5.6.51-log", "5.5.62", "5.5.5-5.5.68-MariaDB"}) {
    Result<topology::ServerVersion> sv = topology::parse_server_version(v);
    ASSERT_TRUE(sv) << v;
    Result<Dialect> d = Dialect::for_version(*sv);
    ASSERT_FALSE(d) << v;
    EXPECT_EQ(d.error().code, ErrorCode::kPrecondition);
  }
}

TEST(Dialect, StatusStatements) {
  struct Case {
    const char* version;
    const char* replica_status;
    const char* all_status;
    const char* master_status;
  };
  for (const Case& c : {
           Case{"10.11.19-MariaDB-0+deb12u1-log", "SHOW SLAVE STATUS", "SHOW ALL SLAVES STATUS",
                "SHOW MASTER STATUS"},
           Case{"11.4.2-MariaDB-ubu2404", "SHOW SLAVE STATUS", "SHOW ALL SLAVES STATUS",
                "SHOW MASTER STATUS"},
           Case{"5.7.44-log", "SHOW SLAVE STATUS", "SHOW SLAVE STATUS", "SHOW MASTER STATUS"},
           Case{"8.0.21", "SHOW SLAVE STATUS", "SHOW SLAVE STATUS", "SHOW MASTER STATUS"},
           Case{"8.0.22", "SHOW REPLICA STATUS", "SHOW REPLICA STATUS", "SHOW MASTER STATUS"},
           Case{"8.0.36", "SHOW REPLICA STATUS", "SHOW REPLICA STATUS", "SHOW MASTER STATUS"},
           Case{"8.0.35-27-log", "SHOW REPLICA STATUS", "SHOW REPLICA STATUS",
                "SHOW MASTER STATUS"},
           Case{"8.4.3-commercial", "SHOW REPLICA STATUS", "SHOW REPLICA STATUS",
                "SHOW BINARY LOG STATUS"},
       }) {
    Dialect d = dialect(c.version);
    EXPECT_EQ(d.show_replica_status(), c.replica_status) << c.version;
    EXPECT_EQ(d.show_all_replicas_status(), c.all_status) << c.version;
    EXPECT_EQ(d.show_master_status(), c.master_status) << c.version;
  }
}

TEST(Dialect, ChangeMasterMariadbGtidAndFilePos) {
  Dialect d = dialect("10.11.19-MariaDB-0+deb12u1-log");
  ChangeMasterOptions o = options(ReplicationMode::kMariadbSlavePos);
  o.heartbeat_period = milliseconds(1500);
  o.connect_retry = seconds(3);
  Result<std::string> sql = d.change_master(o);
  ASSERT_TRUE(sql) << sql.error().message;
  EXPECT_EQ(*sql,
            "CHANGE MASTER TO MASTER_HOST='10.77.0.12', MASTER_PORT=3306, MASTER_USER='repl', "
            "MASTER_PASSWORD='it''s\\\\secret', MASTER_USE_GTID=slave_pos, "
            "MASTER_HEARTBEAT_PERIOD=1.500, MASTER_CONNECT_RETRY=3");

  Result<std::string> cur = d.change_master(options(ReplicationMode::kMariadbCurrentPos));
  ASSERT_TRUE(cur);
  EXPECT_NE(cur->find(", MASTER_USE_GTID=current_pos"), std::string::npos) << *cur;

  Result<std::string> fp = d.change_master(options(ReplicationMode::kFilePosition));
  ASSERT_TRUE(fp);
  EXPECT_EQ(*fp,
            "CHANGE MASTER TO MASTER_HOST='10.77.0.12', MASTER_PORT=3306, MASTER_USER='repl', "
            "MASTER_PASSWORD='it''s\\\\secret', MASTER_LOG_FILE='mysql-bin.000007', "
            "MASTER_LOG_POS=1234, MASTER_USE_GTID=no");

  ChangeMasterOptions named = options(ReplicationMode::kMariadbSlavePos);
  named.channel = "aux";
  Result<std::string> ch = d.change_master(named);
  ASSERT_TRUE(ch);
  EXPECT_EQ(ch->rfind("CHANGE MASTER 'aux' TO MASTER_HOST=", 0), 0u) << *ch;
}

TEST(Dialect, ChangeSourceMysql) {
  ChangeMasterOptions o = options(ReplicationMode::kMysqlAutoPosition);
  o.channel = "ch1";
  Result<std::string> new_syntax = dialect("8.0.23").change_master(o);
  ASSERT_TRUE(new_syntax);
  EXPECT_EQ(*new_syntax,
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST='10.77.0.12', SOURCE_PORT=3306, "
            "SOURCE_USER='repl', SOURCE_PASSWORD='it''s\\\\secret', SOURCE_AUTO_POSITION=1 "
            "FOR CHANNEL 'ch1'");

  Result<std::string> old_syntax =
      dialect("8.0.22").change_master(options(ReplicationMode::kFilePosition));
  ASSERT_TRUE(old_syntax);
  EXPECT_EQ(*old_syntax,
            "CHANGE MASTER TO MASTER_HOST='10.77.0.12', MASTER_PORT=3306, MASTER_USER='repl', "
            "MASTER_PASSWORD='it''s\\\\secret', MASTER_LOG_FILE='mysql-bin.000007', "
            "MASTER_LOG_POS=1234, MASTER_AUTO_POSITION=0");

  Result<std::string> v84 = dialect("8.4.3").change_master(options(ReplicationMode::kFilePosition));
  ASSERT_TRUE(v84);
  EXPECT_NE(v84->find("SOURCE_LOG_FILE='mysql-bin.000007', SOURCE_LOG_POS=1234, "
                      "SOURCE_AUTO_POSITION=0"),
            std::string::npos)
      << *v84;
}

TEST(Dialect, ChangeMasterRejectsOptionsThatDoNotFit) {
  Dialect maria = dialect("10.11.19-MariaDB");
  Dialect mysql = dialect("8.0.36");
  auto rejected = [](const Result<std::string>& r) {
    return !r && r.error().code == ErrorCode::kConfig;
  };
  EXPECT_TRUE(rejected(maria.change_master(options(ReplicationMode::kMysqlAutoPosition))));
  EXPECT_TRUE(rejected(mysql.change_master(options(ReplicationMode::kMariadbSlavePos))));
  EXPECT_TRUE(rejected(mysql.change_master(options(ReplicationMode::kMariadbCurrentPos))));
  ChangeMasterOptions no_pos = options(ReplicationMode::kFilePosition);
  no_pos.position.reset();
  EXPECT_TRUE(rejected(maria.change_master(no_pos)));
  ChangeMasterOptions no_host = options(ReplicationMode::kMariadbSlavePos);
  no_host.host.clear();
  EXPECT_TRUE(rejected(maria.change_master(no_host)));
  ChangeMasterOptions bad_port = options(ReplicationMode::kMariadbSlavePos);
  bad_port.port = 70000;
  EXPECT_TRUE(rejected(maria.change_master(bad_port)));
}

TEST(Dialect, ChangeMasterQuotesHostileValues) {
  ChangeMasterOptions o = options(ReplicationMode::kMariadbSlavePos);
  o.host = "h'; DROP TABLE x; --";
  o.user = "u\\";
  Result<std::string> sql = dialect("10.11.19-MariaDB").change_master(o);
  ASSERT_TRUE(sql);
  EXPECT_NE(sql->find("MASTER_HOST='h''; DROP TABLE x; --'"), std::string::npos) << *sql;
  EXPECT_NE(sql->find("MASTER_USER='u\\\\'"), std::string::npos) << *sql;
}

TEST(Dialect, StartStopReset) {
  Dialect maria = dialect("10.11.19-MariaDB");
  EXPECT_EQ(maria.start_replica(), "START SLAVE");
  EXPECT_EQ(maria.stop_replica(ReplicaThreads::kIoThread), "STOP SLAVE IO_THREAD");
  EXPECT_EQ(maria.start_replica(ReplicaThreads::kSqlThread), "START SLAVE SQL_THREAD");
  EXPECT_EQ(maria.reset_replica(true), "RESET SLAVE ALL");
  EXPECT_EQ(maria.reset_replica(false), "RESET SLAVE");
  EXPECT_EQ(maria.stop_replica(ReplicaThreads::kBoth, "aux"), "STOP SLAVE 'aux'");
  EXPECT_EQ(maria.reset_replica(true, "aux"), "RESET SLAVE 'aux' ALL");

  Dialect old_mysql = dialect("5.7.44");
  EXPECT_EQ(old_mysql.stop_replica(ReplicaThreads::kIoThread), "STOP SLAVE IO_THREAD");
  EXPECT_EQ(old_mysql.reset_replica(true, "ch"), "RESET SLAVE ALL FOR CHANNEL 'ch'");

  Dialect mysql84 = dialect("8.4.3");
  EXPECT_EQ(mysql84.start_replica(), "START REPLICA");
  EXPECT_EQ(mysql84.stop_replica(ReplicaThreads::kSqlThread), "STOP REPLICA SQL_THREAD");
  EXPECT_EQ(mysql84.reset_replica(true), "RESET REPLICA ALL");
  EXPECT_EQ(mysql84.start_replica(ReplicaThreads::kIoThread, "ch"),
            "START REPLICA IO_THREAD FOR CHANNEL 'ch'");
}

TEST(Dialect, GtidVariablesAndState) {
  Dialect maria = dialect("10.11.19-MariaDB");
  GtidVariables mv = maria.gtid_variables();
  EXPECT_EQ(mv.slave_pos, "gtid_slave_pos");
  EXPECT_EQ(mv.current_pos, "gtid_current_pos");
  EXPECT_EQ(mv.binlog_pos, "gtid_binlog_pos");
  EXPECT_EQ(mv.executed, "");
  EXPECT_EQ(maria.select_gtid_state(),
            "SELECT @@GLOBAL.gtid_binlog_pos AS gtid_binlog_pos, @@GLOBAL.gtid_slave_pos AS "
            "gtid_slave_pos, @@GLOBAL.gtid_current_pos AS gtid_current_pos");

  Dialect mysql = dialect("8.0.36");
  GtidVariables yv = mysql.gtid_variables();
  EXPECT_EQ(yv.executed, "gtid_executed");
  EXPECT_EQ(yv.slave_pos, "");
  EXPECT_EQ(mysql.select_gtid_state(),
            "SELECT @@GLOBAL.gtid_mode AS gtid_mode, @@GLOBAL.gtid_executed AS gtid_executed, "
            "@@GLOBAL.gtid_purged AS gtid_purged");
}

TEST(Dialect, WaitFunctions) {
  topology::BinlogPosition p{"mysql-bin.000003", 77};
  EXPECT_EQ(dialect("10.11.19-MariaDB").wait_for_gtid("0-1-5,1-2-3", seconds(10)),
            "SELECT MASTER_GTID_WAIT('0-1-5,1-2-3', 10)");
  EXPECT_EQ(dialect("8.0.36").wait_for_gtid("uuid:1-5", seconds(3)),
            "SELECT WAIT_FOR_EXECUTED_GTID_SET('uuid:1-5', 3)");
  EXPECT_EQ(dialect("10.11.19-MariaDB").wait_for_position(p, seconds(5)),
            "SELECT MASTER_POS_WAIT('mysql-bin.000003', 77, 5)");
  EXPECT_EQ(dialect("8.0.25").wait_for_position(p, seconds(5)),
            "SELECT MASTER_POS_WAIT('mysql-bin.000003', 77, 5)");
  EXPECT_EQ(dialect("8.0.26").wait_for_position(p, seconds(5)),
            "SELECT SOURCE_POS_WAIT('mysql-bin.000003', 77, 5)");
}

ResultSet one_cell(std::optional<std::string> v) { return ResultSet{{"r"}, {{std::move(v)}}, 0}; }

TEST(Dialect, WaitOutcomes) {
  Dialect maria = dialect("10.11.19-MariaDB");
  Dialect mysql = dialect("8.0.36");
  EXPECT_EQ(*maria.gtid_wait_outcome(one_cell("0")), WaitOutcome::kReached);
  EXPECT_EQ(*maria.gtid_wait_outcome(one_cell("-1")), WaitOutcome::kTimedOut);
  EXPECT_FALSE(maria.gtid_wait_outcome(one_cell("1")));
  EXPECT_EQ(*mysql.gtid_wait_outcome(one_cell("0")), WaitOutcome::kReached);
  EXPECT_EQ(*mysql.gtid_wait_outcome(one_cell("1")), WaitOutcome::kTimedOut);
  EXPECT_FALSE(mysql.gtid_wait_outcome(one_cell("-1")));
  EXPECT_EQ(*maria.position_wait_outcome(one_cell("12")), WaitOutcome::kReached);
  EXPECT_EQ(*maria.position_wait_outcome(one_cell("0")), WaitOutcome::kReached);
  EXPECT_EQ(*maria.position_wait_outcome(one_cell("-1")), WaitOutcome::kTimedOut);
  EXPECT_EQ(*mysql.position_wait_outcome(one_cell(std::nullopt)), WaitOutcome::kNotReplicating);
  EXPECT_FALSE(mysql.position_wait_outcome(one_cell("x")));
  EXPECT_FALSE(mysql.position_wait_outcome(ResultSet{}));
}

TEST(Dialect, SemiSyncNames) {
  SemiSyncNames maria = dialect("10.11.19-MariaDB").semi_sync();
  EXPECT_TRUE(maria.builtin);
  EXPECT_EQ(maria.source_plugin, "");
  EXPECT_EQ(maria.source_enabled, "rpl_semi_sync_master_enabled");
  EXPECT_EQ(maria.replica_enabled, "rpl_semi_sync_slave_enabled");
  EXPECT_EQ(maria.source_clients, "Rpl_semi_sync_master_clients");

  SemiSyncNames old_mysql = dialect("8.0.25").semi_sync();
  EXPECT_FALSE(old_mysql.builtin);
  EXPECT_EQ(old_mysql.source_plugin, "semisync_master");
  EXPECT_EQ(old_mysql.source_enabled, "rpl_semi_sync_master_enabled");

  SemiSyncNames new_mysql = dialect("8.0.26").semi_sync();
  EXPECT_EQ(new_mysql.source_plugin, "semisync_source");
  EXPECT_EQ(new_mysql.replica_plugin, "semisync_replica");
  EXPECT_EQ(new_mysql.source_enabled, "rpl_semi_sync_source_enabled");
  EXPECT_EQ(new_mysql.replica_enabled, "rpl_semi_sync_replica_enabled");
  EXPECT_EQ(new_mysql.source_status, "Rpl_semi_sync_source_status");
}

TEST(Dialect, ReadOnly) {
  Dialect maria = dialect("10.11.19-MariaDB");
  EXPECT_FALSE(maria.has_super_read_only());
  EXPECT_EQ(maria.set_read_only(true), std::vector<std::string>{"SET GLOBAL read_only = ON"});
  EXPECT_EQ(maria.read_only_bypass_privilege(), "READ_ONLY ADMIN");
  EXPECT_EQ(dialect("10.6.16-MariaDB").read_only_bypass_privilege(), "SUPER");

  Dialect mysql = dialect("8.0.36");
  EXPECT_TRUE(mysql.has_super_read_only());
  EXPECT_EQ(
      mysql.set_read_only(true),
      (std::vector<std::string>{"SET GLOBAL read_only = ON", "SET GLOBAL super_read_only = ON"}));
  EXPECT_EQ(
      mysql.set_read_only(false),
      (std::vector<std::string>{"SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF"}));
}

}  // namespace
}  // namespace mha::mysql
