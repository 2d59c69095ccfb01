#include "mha/mysql/status_parsers.h"

#include <gtest/gtest.h>

#include "unit/mysql/fixtures.h"

namespace mha::mysql {
namespace {

using testing::fixture;
using topology::IoThreadState;
using topology::ReplicaStatus;
using topology::UsingGtid;

ReplicaStatus one_replica(const std::string& file) {
  ResultSet rs = fixture(file);
  Result<std::vector<ReplicaStatus>> r = parse_replica_status(rs);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r || r->size() != 1) {
    ADD_FAILURE() << file << ": expected exactly one row";
    return {};
  }
  return r->front();
}

TEST(ParseReplicaStatusMariadb, CapturedShowSlaveStatusHas54Columns) {
  EXPECT_EQ(fixture("mariadb-10.11/show_slave_status_gtid.tsv").columns.size(), 54u);
}

TEST(ParseReplicaStatusMariadb, GtidModeRunning) {
  ReplicaStatus s = one_replica("mariadb-10.11/show_slave_status_gtid.tsv");
  EXPECT_EQ(s.channel, "");
  EXPECT_EQ(s.master_host, "127.0.0.1");
  EXPECT_EQ(s.master_port, 33611);
  EXPECT_EQ(s.master_user, "repl");
  EXPECT_EQ(s.master_server_id, 1u);
  EXPECT_EQ(s.connect_retry, 5);
  EXPECT_EQ(s.io_running, IoThreadState::kYes);
  EXPECT_TRUE(s.sql_running);
  EXPECT_TRUE(s.healthy());
  EXPECT_EQ(s.read_master.to_string(), "mysql-bin.000002:595");
  EXPECT_EQ(s.exec_master.to_string(), "mysql-bin.000002:595");
  EXPECT_EQ(s.relay_log.to_string(), "relay-bin.000004:894");
  EXPECT_EQ(s.relay_log_space, 1244u);
  EXPECT_EQ(s.seconds_behind_master, 0);
  EXPECT_EQ(s.using_gtid, UsingGtid::kSlavePos);
  EXPECT_EQ(s.gtid_io_pos.to_string(), "0-1-9");
  EXPECT_TRUE(s.uses_gtid());
  EXPECT_FALSE(s.auto_position);
  EXPECT_TRUE(s.retrieved_gtid_set.empty());
  EXPECT_TRUE(s.filters.empty());
  EXPECT_EQ(s.last_io_errno, 0);
  EXPECT_EQ(s.last_sql_errno, 0);
  EXPECT_EQ(s.io_state, "Waiting for master to send event");
  EXPECT_EQ(s.sql_state, "Slave has read all relay log; waiting for more updates");
}

TEST(ParseReplicaStatusMariadb, FilePositionMode) {
  ReplicaStatus s = one_replica("mariadb-10.11/show_slave_status_filepos.tsv");
  EXPECT_EQ(s.using_gtid, UsingGtid::kNo);
  EXPECT_FALSE(s.uses_gtid());
  EXPECT_EQ(s.read_master.to_string(), "mysql-bin.000002:805");
  EXPECT_EQ(s.exec_master, s.read_master);
  // Gtid_IO_Pos is still reported in file/pos mode.
  EXPECT_EQ(s.gtid_io_pos.to_string(), "0-1-9");
}

TEST(ParseReplicaStatusMariadb, IoErrorWrongPassword) {
  ReplicaStatus s = one_replica("mariadb-10.11/show_slave_status_io_error.tsv");
  EXPECT_EQ(s.io_running, IoThreadState::kConnecting);
  EXPECT_TRUE(s.sql_running);
  EXPECT_FALSE(s.healthy());
  EXPECT_FALSE(s.sql_failed());
  EXPECT_EQ(s.last_io_errno, 1045);
  EXPECT_NE(s.last_io_error.find("Access denied"), std::string::npos);
  EXPECT_EQ(s.seconds_behind_master, std::nullopt);  // NULL, not 0
}

TEST(ParseReplicaStatusMariadb, SqlErrorDuplicateKey) {
  ReplicaStatus s = one_replica("mariadb-10.11/show_slave_status_sql_error.tsv");
  EXPECT_EQ(s.io_running, IoThreadState::kYes);
  EXPECT_FALSE(s.sql_running);
  EXPECT_TRUE(s.sql_failed());
  EXPECT_EQ(s.last_sql_errno, 1062);
  EXPECT_EQ(s.last_errno, 1062);
  EXPECT_NE(s.last_sql_error.find("Duplicate entry"), std::string::npos);
  // The IO thread received more than the SQL thread applied.
  EXPECT_LT(s.exec_master, s.read_master);
  EXPECT_EQ(s.read_master.pos, 1025u);
  EXPECT_EQ(s.exec_master.pos, 805u);
  EXPECT_EQ(s.seconds_behind_master, std::nullopt);
}

TEST(ParseReplicaStatusMariadb, MasterKilled) {
  ReplicaStatus s = one_replica("mariadb-10.11/show_slave_status_master_killed.tsv");
  EXPECT_EQ(s.io_running, IoThreadState::kConnecting);
  EXPECT_EQ(s.last_io_errno, 2003);
  EXPECT_EQ(s.connect_retry, 1);
}

TEST(ParseReplicaStatusMariadb, MasterIsNotAReplica) {
  ResultSet rs = fixture("mariadb-10.11/show_slave_status_master.tsv");
  EXPECT_EQ(rs.columns.size(), 54u);
  Result<std::vector<ReplicaStatus>> r = parse_replica_status(rs);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(ParseReplicaStatusMariadb, AllSlavesStatusTwoConnections) {
  ResultSet rs = fixture("mariadb-10.11/show_all_slaves_status.tsv");
  EXPECT_EQ(rs.columns.size(), 62u);
  Result<std::vector<ReplicaStatus>> r = parse_replica_status(rs);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].channel, "");
  EXPECT_TRUE((*r)[0].healthy());
  EXPECT_EQ((*r)[0].using_gtid, UsingGtid::kSlavePos);
  EXPECT_EQ((*r)[1].channel, "aux");
  EXPECT_EQ((*r)[1].master_port, 33619);
  EXPECT_EQ((*r)[1].io_running, IoThreadState::kNo);
  EXPECT_FALSE((*r)[1].sql_running);
  EXPECT_EQ((*r)[1].using_gtid, UsingGtid::kCurrentPos);
  // Never connected: no file yet.
  EXPECT_EQ((*r)[1].read_master.file, "");
}

TEST(ParseReplicaStatusMysql, Mysql80TwoChannelsSourceSpelling) {
  ResultSet rs = fixture("mysql-8.0/show_replica_status.tsv");
  Result<std::vector<ReplicaStatus>> r = parse_replica_status(rs);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  const ReplicaStatus& a = (*r)[0];
  EXPECT_EQ(a.channel, "");
  EXPECT_EQ(a.master_host, "10.0.0.11");
  EXPECT_EQ(a.master_port, 3306);
  EXPECT_TRUE(a.healthy());
  EXPECT_TRUE(a.auto_position);
  EXPECT_TRUE(a.uses_gtid());
  EXPECT_EQ(a.using_gtid, UsingGtid::kNo);
  EXPECT_EQ(a.read_master.to_string(), "binlog.000012:2847");
  EXPECT_EQ(a.exec_master.to_string(), "binlog.000012:2847");
  EXPECT_EQ(a.seconds_behind_master, 0);
  EXPECT_EQ(a.retrieved_gtid_set.count(), 100u);
  EXPECT_EQ(a.executed_gtid_set.count(), 105u);
  EXPECT_EQ(a.executed_gtid_set.sources().size(), 2u);
  EXPECT_EQ(a.filters.wild_ignore_table, "mysql.%");
  EXPECT_EQ(a.sql_state, "Replica has read all relay log; waiting for more updates");

  const ReplicaStatus& b = (*r)[1];
  EXPECT_EQ(b.channel, "aux");
  EXPECT_EQ(b.master_port, 3307);
  EXPECT_EQ(b.io_running, IoThreadState::kConnecting);
  EXPECT_FALSE(b.sql_running);
  EXPECT_FALSE(b.sql_failed());
  EXPECT_EQ(b.last_io_errno, 2003);
  EXPECT_FALSE(b.auto_position);
  EXPECT_EQ(b.seconds_behind_master, std::nullopt);
  EXPECT_EQ(b.read_master.file, "mysql-bin.999999");
}

TEST(ParseReplicaStatusMysql, Mysql57SlaveSpellingDelayedAndFailed) {
  ResultSet rs = fixture("mysql-5.7/show_slave_status.tsv");
  EXPECT_EQ(rs.columns.size(), 57u);
  Result<std::vector<ReplicaStatus>> r = parse_replica_status(rs);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const ReplicaStatus& s = r->front();
  EXPECT_EQ(s.master_host, "db1");
  EXPECT_EQ(s.sql_delay, 3600);
  EXPECT_TRUE(s.sql_failed());
  EXPECT_EQ(s.last_sql_errno, 1146);
  EXPECT_EQ(s.filters.do_db, "app");
  EXPECT_FALSE(s.filters.empty());
  EXPECT_FALSE(s.auto_position);
  // Retrieved but not yet executed: 11 and 12.
  EXPECT_EQ(s.retrieved_gtid_set.subtract(s.executed_gtid_set).count(), 2u);
}

TEST(ParseReplicaStatusErrors, MissingRequiredColumn) {
  ResultSet rs = fixture("mariadb-10.11/show_slave_status_gtid.tsv");
  rs.columns[*rs.find_column("Slave_IO_Running")] = "Renamed";
  Result<std::vector<ReplicaStatus>> r = parse_replica_status(rs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kQuery);
  EXPECT_NE(r.error().message.find("Slave_IO_Running"), std::string::npos) << r.error().message;
}

TEST(ParseReplicaStatusErrors, BadValuesNameTheColumn) {
  struct Case {
    const char* column;
    const char* value;
  };
  for (const Case& c : {Case{"Read_Master_Log_Pos", "12x"}, Case{"Slave_IO_Running", "Perhaps"},
                        Case{"Slave_SQL_Running", "Connecting"}, Case{"Using_Gtid", "Both"},
                        Case{"Gtid_IO_Pos", "0-1"}, Case{"Master_Port", "-"}}) {
    ResultSet rs = fixture("mariadb-10.11/show_slave_status_gtid.tsv");
    rs.rows[0][*rs.find_column(c.column)] = std::string(c.value);
    Result<std::vector<ReplicaStatus>> r = parse_replica_status(rs);
    ASSERT_FALSE(r) << c.column << "=" << c.value;
    EXPECT_NE(r.error().message.find(c.column), std::string::npos) << r.error().message;
  }
}

TEST(ParseMasterStatus, MariadbCaptured) {
  Result<std::optional<topology::MasterStatus>> m =
      parse_master_status(fixture("mariadb-10.11/show_master_status.tsv"));
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_TRUE(m->has_value());
  EXPECT_EQ((*m)->position.to_string(), "mysql-bin.000002:595");
  EXPECT_TRUE((*m)->executed_gtid_set.empty());
}

TEST(ParseMasterStatus, Mysql84BinaryLogStatus) {
  Result<std::optional<topology::MasterStatus>> m =
      parse_master_status(fixture("mysql-8.4/show_binary_log_status.tsv"));
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_TRUE(m->has_value());
  EXPECT_EQ((*m)->position.to_string(), "binlog.000012:2847");
  EXPECT_EQ((*m)->executed_gtid_set.count(), 105u);
}

TEST(ParseMasterStatus, BinlogDisabledIsEmpty) {
  ResultSet rs;
  rs.columns = {"File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB"};
  Result<std::optional<topology::MasterStatus>> m = parse_master_status(rs);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->has_value());
}

TEST(ParseVariables, CapturedVariablesAndMissingMysqlOnlyOnes) {
  Result<std::map<std::string, std::string>> v =
      parse_variables(fixture("mariadb-10.11/show_variables_replica.tsv"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->at("read_only"), "ON");
  EXPECT_EQ(v->at("server_id"), "2");
  EXPECT_EQ(v->at("gtid_strict_mode"), "ON");
  EXPECT_EQ(v->count("super_read_only"), 0u);
  EXPECT_EQ(v->count("gtid_executed"), 0u);
  Result<topology::GtidPosition> p = topology::GtidPosition::parse(v->at("gtid_current_pos"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->size(), 2u);
}

TEST(ParseVariables, SemiSyncStatus) {
  Result<std::map<std::string, std::string>> v =
      parse_variables(fixture("mariadb-10.11/show_status_semisync_master.tsv"));
  ASSERT_TRUE(v);
  // ON with no client connected: why clients must be checked, not status (testbed notes).
  EXPECT_EQ(v->at("Rpl_semi_sync_master_status"), "ON");
  EXPECT_EQ(v->at("Rpl_semi_sync_master_clients"), "0");
}

TEST(GtidStateFixture, ErrantTransactionOnReplicaIsFound) {
  ResultSet rs = fixture("mariadb-10.11/gtid_state_replica.tsv");
  ASSERT_EQ(rs.size(), 1u);
  const Cell* current = rs.get(0, "gtid_current_pos");
  ASSERT_NE(current, nullptr);
  Result<topology::GtidPosition> replica = topology::GtidPosition::parse(current->value_or(""));
  Result<topology::GtidPosition> master = topology::GtidPosition::parse("0-1-11");
  ASSERT_TRUE(replica && master);
  EXPECT_EQ(replica->subtract(*master).to_string(), "9-2-1");
}

TEST(Processlist, ParsesByColumnNameWithNullsAsEmpty) {
  ResultSet r{{"Info", "Time", "Command", "User", "Id", "Host", "State", "db", "Progress"},
              {{{}, "12", "Sleep", "app", "42", "10.77.0.1:50312", "", {}, "0.000"},
               {"SHOW FULL PROCESSLIST",
                "0",
                "Query",
                "mha",
                "43",
                "10.77.0.1:50400",
                "starting",
                {},
                "0.000"},
               {{},
                {},
                "Binlog Dump GTID",
                "repl",
                "7",
                "10.77.0.12:41000",
                "Master has sent all binlog to slave",
                {},
                "0.000"}},
              0};
  Result<std::vector<topology::ProcessInfo>> p = parse_processlist(r);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0].id, 42u);
  EXPECT_EQ((*p)[0].time_s, 12);
  EXPECT_EQ((*p)[0].command, "Sleep");
  EXPECT_EQ((*p)[0].info, "");
  EXPECT_EQ((*p)[1].info, "SHOW FULL PROCESSLIST");
  EXPECT_EQ((*p)[2].time_s, 0);  // NULL
  EXPECT_TRUE(topology::is_application_session((*p)[0]));
  EXPECT_FALSE(topology::is_application_session((*p)[2]));
}

TEST(Processlist, AnIdThatIsNoNumberIsAnErrorNamingTheColumn) {
  ResultSet r{{"Id", "User", "Command"}, {{"x1", "app", "Sleep"}}, 0};
  Result<std::vector<topology::ProcessInfo>> p = parse_processlist(r);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("row 1, column Id"), std::string::npos) << p.error().message;
}

}  // namespace
}  // namespace mha::mysql
