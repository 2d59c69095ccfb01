// observe_cluster() over scripted sessions: captured MariaDB 10.11 output (GTID and file/position
// replicas, the master) and MySQL 8.0/8.4 documentation-derived output, so every statement the
// collector sends and every field it fills is pinned per dialect.

#include "mha/observe/observe_cluster.h"

#include "mha/mysql/library.h"
#include "mha/mysql/testing/fake_sql_session.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "unit/mysql/fixtures.h"

namespace mha::observe {
namespace {

using mysql::ResultSet;
using mysql::Row;
using mysql::testing::FakeSqlConnector;
using mysql::testing::FakeSqlSession;
using mysql::testing::fixture;
using topology::ClusterSnapshot;
using topology::ServerObservation;
using topology::SqlReach;

constexpr const char* kVariablesSql =
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'server_id', 'read_only', "
    "'super_read_only', 'log_bin', 'log_slave_updates', 'log_replica_updates', 'binlog_format', "
    "'relay_log_purge', 'gtid_strict_mode', 'slave_net_timeout', 'replica_net_timeout', "
    "'rpl_semi_sync_master_enabled', 'rpl_semi_sync_slave_enabled', "
    "'rpl_semi_sync_source_enabled', 'rpl_semi_sync_replica_enabled')";
constexpr const char* kMariadbGtidSql =
    "SELECT @@GLOBAL.gtid_binlog_pos AS gtid_binlog_pos, @@GLOBAL.gtid_slave_pos AS "
    "gtid_slave_pos, @@GLOBAL.gtid_current_pos AS gtid_current_pos";
constexpr const char* kMariadbSemiSyncSql =
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_clients', "
    "'Rpl_semi_sync_master_status')";
constexpr const char* kReplUserSql = "SELECT Repl_slave_priv FROM mysql.user WHERE User = 'repl'";

// The threads call connect() concurrently; FakeSqlConnector itself is not thread-safe.
class LockedConnector : public mysql::SqlConnector {
 public:
  explicit LockedConnector(FakeSqlConnector& fake) : fake_(fake) {}
  Result<std::unique_ptr<mysql::SqlSession>> connect(const mysql::Endpoint& endpoint,
                                                     const mysql::Credentials& credentials,
                                                     const mysql::Timeouts& timeouts) override {
    std::lock_guard<std::mutex> lock(mu_);
    credentials_.push_back(credentials);
    return fake_.connect(endpoint, credentials, timeouts);
  }
  std::vector<mysql::Credentials> credentials_;

 private:
  FakeSqlConnector& fake_;
  std::mutex mu_;
};

ResultSet variables(std::vector<std::pair<std::string, std::string>> values) {
  ResultSet rs{{"Variable_name", "Value"}, {}, 0};
  for (auto& [name, value] : values) rs.rows.push_back(Row{name, value});
  return rs;
}

// The captured replica variables with the given replacements (or additions).
ResultSet mariadb_variables(std::vector<std::pair<std::string, std::string>> changes) {
  ResultSet rs = fixture("mariadb-10.11/show_variables_replica.tsv");
  for (auto& [name, value] : changes) {
    bool found = false;
    for (Row& row : rs.rows) {
      if (row[0] == name) {
        row[1] = value;
        found = true;
      }
    }
    if (!found) rs.rows.push_back(Row{name, value});
  }
  return rs;
}

ResultSet one_row(std::vector<std::string> columns, Row row) {
  return ResultSet{std::move(columns), {std::move(row)}, 0};
}

ResultSet repl_priv(std::vector<std::string> values) {
  ResultSet rs{{"Repl_slave_priv"}, {}, 0};
  for (auto& v : values) rs.rows.push_back(Row{v});
  return rs;
}

config::ServerConfig server(std::string block, std::string host, int port) {
  config::ServerConfig s;
  s.block = std::move(block);
  s.hostname = host;
  s.ip = std::move(host);
  s.port = port;
  s.user = "admin";
  s.password = "s3cret-admin";
  s.repl_user = "repl";
  return s;
}

// The captured fixtures: master on 127.0.0.1:33611 (server_id 1), replicas on :33612, :33613.
config::AppConfig mariadb_config(int replicas = 1) {
  config::AppConfig c;
  c.servers.push_back(server("server1", "127.0.0.1", 33611));
  for (int i = 0; i < replicas; ++i) {
    c.servers.push_back(server("server" + std::to_string(i + 2), "127.0.0.1", 33612 + i));
  }
  return c;
}

void script_mariadb_master(FakeSqlSession& db, const std::string& first_gtid,
                           const std::string& reread_gtid) {
  db.expect(kVariablesSql)
      .returns(mariadb_variables({{"server_id", "1"},
                                  {"read_only", "OFF"},
                                  {"rpl_semi_sync_master_enabled", "ON"},
                                  {"gtid_binlog_pos", first_gtid}}));
  db.expect("SHOW ALL SLAVES STATUS")
      .returns(fixture("mariadb-10.11/show_slave_status_master.tsv"));
  db.expect("SHOW MASTER STATUS").returns(fixture("mariadb-10.11/show_master_status.tsv"));
  db.expect(kMariadbGtidSql)
      .returns(one_row({"gtid_binlog_pos", "gtid_slave_pos", "gtid_current_pos"},
                       Row{first_gtid, "", first_gtid}));
  db.expect(kMariadbSemiSyncSql).returns(fixture("mariadb-10.11/show_status_semisync_master.tsv"));
  db.expect(kReplUserSql).returns(repl_priv({"Y"}));
  // Re-read after the replicas.
  db.expect(kMariadbGtidSql)
      .returns(one_row({"gtid_binlog_pos", "gtid_slave_pos", "gtid_current_pos"},
                       Row{reread_gtid, "", reread_gtid}));
  db.expect("SHOW MASTER STATUS")
      .returns(one_row({"File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB"},
                       Row{"mysql-bin.000002", "999", "", ""}));
}

// A replica pointing at 127.0.0.1:33611: the captured GTID-mode SHOW ALL SLAVES STATUS.
void script_mariadb_gtid_replica(FakeSqlSession& db) {
  db.expect(kVariablesSql).returns(fixture("mariadb-10.11/show_variables_replica.tsv"));
  db.expect("SHOW ALL SLAVES STATUS").returns(fixture("mariadb-10.11/show_all_slaves_status.tsv"));
  db.expect("SHOW MASTER STATUS").returns(fixture("mariadb-10.11/show_master_status.tsv"));
  db.expect(kMariadbGtidSql).returns(fixture("mariadb-10.11/gtid_state_replica.tsv"));
  db.expect(kMariadbSemiSyncSql)
      .returns(variables(
          {{"Rpl_semi_sync_master_clients", "0"}, {"Rpl_semi_sync_master_status", "OFF"}}));
  db.expect(kReplUserSql).returns(repl_priv({"N", "Y"}));
}

class ObserveClusterTest : public ::testing::Test {
 protected:
  mysql::MysqlLibrary library_;  // the collector's threads take MysqlThreadTokens
  FakeSqlConnector fake_;
  LockedConnector connector_{fake_};
};

TEST_F(ObserveClusterTest, MariadbGtidReplicaFromCapturedOutput) {
  config::AppConfig config = mariadb_config();
  script_mariadb_master(fake_.session("127.0.0.1:33611"), "0-1-10", "0-1-10");
  script_mariadb_gtid_replica(fake_.session("127.0.0.1:33612"));

  ClusterSnapshot snap = observe_cluster(config, connector_);
  ASSERT_EQ(snap.servers.size(), 2u);
  const ServerObservation& r = snap.servers[1];
  EXPECT_EQ(r.id.display(), "127.0.0.1(127.0.0.1:33612)");
  EXPECT_EQ(r.id.block, "server2");
  EXPECT_EQ(r.id.config_index, 1u);
  EXPECT_EQ(r.sql, SqlReach::kAlive);
  EXPECT_FALSE(r.sql_error);
  ASSERT_TRUE(r.version);
  EXPECT_TRUE(r.version->is_mariadb());
  EXPECT_EQ(r.version->numeric(), "10.11.19");
  EXPECT_EQ(r.server_id, 2u);
  EXPECT_EQ(r.read_only, true);
  EXPECT_FALSE(r.super_read_only);  // MariaDB has none
  EXPECT_EQ(r.log_bin, true);
  EXPECT_EQ(r.log_slave_updates, true);
  EXPECT_EQ(r.binlog_format, "ROW");
  EXPECT_EQ(r.relay_log_purge, true);
  EXPECT_EQ(r.mariadb_gtid.strict_mode, true);
  ASSERT_TRUE(r.mariadb_gtid.current_pos);
  EXPECT_EQ(r.mariadb_gtid.current_pos->to_string(), "0-1-10,9-2-1");
  EXPECT_EQ(r.mariadb_gtid.slave_pos->to_string(), "0-1-10");
  EXPECT_EQ(r.mariadb_gtid.binlog_pos->to_string(), "0-1-10,9-2-1");
  EXPECT_FALSE(r.mysql_gtid.gtid_mode);
  ASSERT_TRUE(r.master_status);
  EXPECT_EQ(r.master_status->position.to_string(), "mysql-bin.000002:595");

  // The default connection of the two SHOW ALL SLAVES STATUS rows, with its heartbeat period.
  ASSERT_TRUE(r.replica);
  EXPECT_EQ(r.replica->channel, "");
  EXPECT_EQ(r.replica->master_port, 33611);
  EXPECT_EQ(r.replica->using_gtid, topology::UsingGtid::kSlavePos);
  EXPECT_TRUE(r.replica->healthy());
  EXPECT_EQ(r.slave_net_timeout, 60);
  EXPECT_EQ(r.heartbeat_period, 30.0);
  EXPECT_EQ(r.connect_retry, 1);

  EXPECT_EQ(r.semi_sync.master_enabled, false);
  EXPECT_EQ(r.semi_sync.slave_enabled, false);
  EXPECT_EQ(r.semi_sync.master_status, false);
  EXPECT_EQ(r.semi_sync.master_clients, 0);
  ASSERT_TRUE(r.repl_user);
  EXPECT_EQ(r.repl_user->user, "repl");
  EXPECT_TRUE(r.repl_user->exists);
  EXPECT_TRUE(r.repl_user->has_replication_slave);  // one of the account's hosts has it
  EXPECT_FALSE(r.ssh_reachable);
  EXPECT_FALSE(r.node_helper);

  const ServerObservation& m = snap.servers[0];
  EXPECT_EQ(m.read_only, false);
  EXPECT_FALSE(m.replica);
  EXPECT_EQ(m.semi_sync.master_enabled, true);
  EXPECT_EQ(m.semi_sync.master_status, true);
  EXPECT_EQ(m.semi_sync.master_clients, 0);
  EXPECT_FALSE(m.heartbeat_period);
  EXPECT_EQ(snap.derive_master(), 0u);

  // Credentials come from the configuration; the connect went to the configured address.
  ASSERT_EQ(connector_.credentials_.size(), 2u);
  EXPECT_EQ(connector_.credentials_[0].user, "admin");
  EXPECT_EQ(connector_.credentials_[0].password, "s3cret-admin");
}

TEST_F(ObserveClusterTest, MasterBinlogStateIsReadAgainAfterTheReplicas) {
  config::AppConfig config = mariadb_config(2);
  script_mariadb_master(fake_.session("127.0.0.1:33611"), "0-1-10", "0-1-12");
  script_mariadb_gtid_replica(fake_.session("127.0.0.1:33612"));
  script_mariadb_gtid_replica(fake_.session("127.0.0.1:33613"));

  ClusterSnapshot snap = observe_cluster(config, connector_);
  const ServerObservation& m = snap.servers[0];
  ASSERT_TRUE(m.mariadb_gtid.current_pos);
  EXPECT_EQ(m.mariadb_gtid.current_pos->to_string(), "0-1-12");  // the second read
  EXPECT_EQ(m.mariadb_gtid.binlog_pos->to_string(), "0-1-12");
  ASSERT_TRUE(m.master_status);
  EXPECT_EQ(m.master_status->position.to_string(), "mysql-bin.000002:999");
  // The re-read came last on the master's session.
  const std::vector<std::string>& history = fake_.session("127.0.0.1:33611").history();
  ASSERT_EQ(history.size(), 8u);
  EXPECT_EQ(history[6], kMariadbGtidSql);
  EXPECT_EQ(history[7], "SHOW MASTER STATUS");
}

TEST_F(ObserveClusterTest, MariadbFilePositionReplica) {
  config::AppConfig config = mariadb_config();
  config.servers[1].repl_user = "";  // falls back to the replica's Master_User
  script_mariadb_master(fake_.session("127.0.0.1:33611"), "0-1-10", "0-1-10");
  FakeSqlSession& db = fake_.session("127.0.0.1:33612");
  db.expect(kVariablesSql)
      .returns(mariadb_variables({{"relay_log_purge", "OFF"}, {"log_bin", "OFF"}}));
  // A server without Connection_name / heartbeat column (plain SHOW SLAVE STATUS shape).
  db.expect("SHOW ALL SLAVES STATUS")
      .returns(fixture("mariadb-10.11/show_slave_status_filepos.tsv"));
  db.expect(kMariadbGtidSql).returns(fixture("mariadb-10.11/gtid_state_replica.tsv"));
  db.expect(kMariadbSemiSyncSql).returns(variables({}));
  db.expect(kReplUserSql).returns(repl_priv({}));

  ClusterSnapshot snap = observe_cluster(config, connector_);
  const ServerObservation& r = snap.servers[1];
  ASSERT_TRUE(r.replica);
  EXPECT_EQ(r.replica->using_gtid, topology::UsingGtid::kNo);
  EXPECT_EQ(r.replica->read_master.to_string(), "mysql-bin.000002:805");
  EXPECT_EQ(r.relay_log_purge, false);
  EXPECT_EQ(r.log_bin, false);
  EXPECT_FALSE(r.master_status);  // no SHOW MASTER STATUS without log-bin
  EXPECT_FALSE(r.heartbeat_period);
  EXPECT_EQ(r.connect_retry, 5);
  EXPECT_FALSE(r.semi_sync.master_status);
  ASSERT_TRUE(r.repl_user);
  EXPECT_EQ(r.repl_user->user, "repl");
  EXPECT_FALSE(r.repl_user->exists);
  EXPECT_FALSE(r.repl_user->has_replication_slave);
}

TEST_F(ObserveClusterTest, SqlErrorReplicaKeepsItsError) {
  config::AppConfig config = mariadb_config();
  script_mariadb_master(fake_.session("127.0.0.1:33611"), "0-1-10", "0-1-10");
  FakeSqlSession& db = fake_.session("127.0.0.1:33612");
  db.expect(kVariablesSql).returns(fixture("mariadb-10.11/show_variables_replica.tsv"));
  db.expect("SHOW ALL SLAVES STATUS")
      .returns(fixture("mariadb-10.11/show_slave_status_sql_error.tsv"));
  db.expect("SHOW MASTER STATUS").returns(fixture("mariadb-10.11/show_master_status.tsv"));
  db.expect(kMariadbGtidSql).returns(fixture("mariadb-10.11/gtid_state_replica.tsv"));
  db.expect(kMariadbSemiSyncSql).returns(variables({}));
  db.expect(kReplUserSql).returns(repl_priv({"Y"}));

  ClusterSnapshot snap = observe_cluster(config, connector_);
  const ServerObservation& r = snap.servers[1];
  EXPECT_TRUE(r.alive());
  ASSERT_TRUE(r.replica);
  EXPECT_TRUE(r.replica->sql_failed());
  EXPECT_EQ(r.replica->last_sql_errno, 1062);
}

TEST_F(ObserveClusterTest, UnreachableServerIsDeadAndOthersAreStillRead) {
  config::AppConfig config = mariadb_config();
  script_mariadb_master(fake_.session("127.0.0.1:33611"), "0-1-10", "0-1-10");
  fake_.refuse("127.0.0.1:33612", 2003);

  ClusterSnapshot snap = observe_cluster(config, connector_);
  const ServerObservation& r = snap.servers[1];
  EXPECT_EQ(r.sql, SqlReach::kDead);
  ASSERT_TRUE(r.sql_error);
  EXPECT_EQ(r.sql_error->detail, 2003);
  EXPECT_FALSE(r.version);
  EXPECT_FALSE(r.replica);
  EXPECT_TRUE(snap.servers[0].alive());
  EXPECT_EQ(snap.servers[0].server_id, 1u);
}

TEST_F(ObserveClusterTest, AccessDeniedIsAliveButRefusedWithoutThePassword) {
  config::AppConfig config = mariadb_config();
  script_mariadb_master(fake_.session("127.0.0.1:33611"), "0-1-10", "0-1-10");
  fake_.refuse("127.0.0.1:33612", 1045);

  ClusterSnapshot snap = observe_cluster(config, connector_);
  const ServerObservation& r = snap.servers[1];
  EXPECT_EQ(r.sql, SqlReach::kRefused);
  ASSERT_TRUE(r.sql_error);
  EXPECT_EQ(r.sql_error->detail, 1045);
  EXPECT_EQ(r.sql_error->code, ErrorCode::kAuth);
  EXPECT_EQ(r.sql_error->message.find("s3cret"), std::string::npos);
}

TEST_F(ObserveClusterTest, ConnectionLostDuringReadMakesTheServerDead) {
  config::AppConfig config = mariadb_config();
  script_mariadb_master(fake_.session("127.0.0.1:33611"), "0-1-10", "0-1-10");
  FakeSqlSession& db = fake_.session("127.0.0.1:33612");
  db.expect(kVariablesSql).returns(fixture("mariadb-10.11/show_variables_replica.tsv"));
  db.expect("SHOW ALL SLAVES STATUS").fails(2013, "Lost connection to server during query");

  ClusterSnapshot snap = observe_cluster(config, connector_);
  const ServerObservation& r = snap.servers[1];
  EXPECT_EQ(r.sql, SqlReach::kDead);
  EXPECT_EQ(r.sql_error->detail, 2013);
  EXPECT_EQ(r.server_id, 2u);  // what was read before stays
  EXPECT_FALSE(r.replica);
}

TEST_F(ObserveClusterTest, MissingPrivilegeOnMysqlUserOnlyLeavesTheGrantUnknown) {
  config::AppConfig config = mariadb_config();
  script_mariadb_master(fake_.session("127.0.0.1:33611"), "0-1-10", "0-1-10");
  FakeSqlSession& db = fake_.session("127.0.0.1:33612");
  db.expect(kVariablesSql).returns(fixture("mariadb-10.11/show_variables_replica.tsv"));
  db.expect("SHOW ALL SLAVES STATUS").returns(fixture("mariadb-10.11/show_all_slaves_status.tsv"));
  db.expect("SHOW MASTER STATUS").returns(fixture("mariadb-10.11/show_master_status.tsv"));
  db.expect(kMariadbGtidSql).returns(fixture("mariadb-10.11/gtid_state_replica.tsv"));
  db.expect(kMariadbSemiSyncSql).returns(variables({}));
  db.expect(kReplUserSql).fails(1142, "SELECT command denied to user");

  ClusterSnapshot snap = observe_cluster(config, connector_);
  const ServerObservation& r = snap.servers[1];
  EXPECT_TRUE(r.alive());
  EXPECT_FALSE(r.sql_error);
  EXPECT_FALSE(r.repl_user);
  EXPECT_TRUE(r.replica);
}

TEST_F(ObserveClusterTest, SequentialModeReadsTheSameFacts) {
  config::AppConfig config = mariadb_config();
  script_mariadb_master(fake_.session("127.0.0.1:33611"), "0-1-10", "0-1-11");
  script_mariadb_gtid_replica(fake_.session("127.0.0.1:33612"));
  ObserveOptions options;
  options.sequential = true;
  ClusterSnapshot snap = observe_cluster(config, fake_, options);
  EXPECT_EQ(fake_.connects(), (std::vector<std::string>{"127.0.0.1:33611", "127.0.0.1:33612"}));
  EXPECT_EQ(snap.servers[0].mariadb_gtid.current_pos->to_string(), "0-1-11");
  EXPECT_EQ(snap.servers[1].server_id, 2u);
}

// MySQL 8.0 (documentation-derived output): SHOW REPLICA STATUS with two channels, the
// heartbeat from performance_schema, gtid_executed/gtid_mode, super_read_only, the semi-sync
// source/replica names.
constexpr const char* kMysqlGtidSql =
    "SELECT @@GLOBAL.gtid_mode AS gtid_mode, @@GLOBAL.gtid_executed AS gtid_executed, "
    "@@GLOBAL.gtid_purged AS gtid_purged";
constexpr const char* kMysqlHeartbeatSql =
    "SELECT HEARTBEAT_INTERVAL FROM performance_schema.replication_connection_configuration "
    "WHERE CHANNEL_NAME = ''";
constexpr const char* kMysqlSemiSyncSql =
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_source_clients', "
    "'Rpl_semi_sync_source_status')";

ResultSet mysql_variables(const std::string& version, const std::string& server_id,
                          const std::string& read_only = "ON") {
  return variables({{"binlog_format", "ROW"},
                    {"log_bin", "ON"},
                    {"log_replica_updates", "ON"},
                    {"log_slave_updates", "ON"},
                    {"read_only", read_only},
                    {"relay_log_purge", "OFF"},
                    {"replica_net_timeout", "20"},
                    {"rpl_semi_sync_replica_enabled", "ON"},
                    {"rpl_semi_sync_source_enabled", "OFF"},
                    {"server_id", server_id},
                    {"slave_net_timeout", "20"},
                    {"super_read_only", "ON"},
                    {"version", version}});
}

TEST_F(ObserveClusterTest, Mysql80Replica) {
  config::AppConfig config;
  config.servers.push_back(server("server1", "10.0.0.11", 3306));
  config.servers.push_back(server("server2", "10.0.0.12", 3306));
  FakeSqlSession& m = fake_.session("10.0.0.11:3306");
  m.expect(kVariablesSql)
      .returns(variables({{"version", "8.0.36"},
                          {"server_id", "1"},
                          {"read_only", "OFF"},
                          {"super_read_only", "OFF"},
                          {"log_bin", "OFF"}}));
  m.expect("SHOW REPLICA STATUS").returns(ResultSet{{"Replica_IO_State"}, {}, 0});
  m.expect(kMysqlGtidSql)
      .returns(one_row({"gtid_mode", "gtid_executed", "gtid_purged"},
                       Row{"ON", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100", ""}));
  m.expect(kReplUserSql).returns(repl_priv({"Y"}));
  m.expect(kMysqlGtidSql)
      .returns(one_row({"gtid_mode", "gtid_executed", "gtid_purged"},
                       Row{"ON", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-101", ""}));

  FakeSqlSession& r = fake_.session("10.0.0.12:3306");
  r.expect(kVariablesSql).returns(mysql_variables("8.0.36-log", "2"));
  r.expect("SHOW REPLICA STATUS").returns(fixture("mysql-8.0/show_replica_status.tsv"));
  r.expect(kMysqlHeartbeatSql).returns(one_row({"HEARTBEAT_INTERVAL"}, Row{"10.000"}));
  r.expect("SHOW MASTER STATUS").returns(fixture("mysql-8.4/show_binary_log_status.tsv"));
  r.expect(kMysqlGtidSql)
      .returns(one_row({"gtid_mode", "gtid_executed", "gtid_purged"},
                       Row{"ON", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100", ""}));
  r.expect(kMysqlSemiSyncSql)
      .returns(variables(
          {{"Rpl_semi_sync_source_clients", "0"}, {"Rpl_semi_sync_source_status", "OFF"}}));
  r.expect(kReplUserSql).returns(repl_priv({"Y"}));

  // The fixture's default channel replicates from 10.0.0.11:3306, so server1 is the master.
  ClusterSnapshot snap = observe_cluster(config, connector_);
  const ServerObservation& s = snap.servers[1];
  ASSERT_TRUE(s.version);
  EXPECT_FALSE(s.version->is_mariadb());
  EXPECT_EQ(s.super_read_only, true);
  EXPECT_EQ(s.log_slave_updates, true);
  EXPECT_EQ(s.slave_net_timeout, 20);
  EXPECT_EQ(s.mysql_gtid.gtid_mode, "ON");
  ASSERT_TRUE(s.mysql_gtid.executed);
  EXPECT_EQ(s.mysql_gtid.executed->to_string(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100");
  EXPECT_FALSE(s.mariadb_gtid.current_pos);
  EXPECT_FALSE(s.mariadb_gtid.strict_mode);
  ASSERT_TRUE(s.replica);
  EXPECT_EQ(s.replica->channel, "");
  EXPECT_EQ(s.replica->master_host, "10.0.0.11");
  EXPECT_TRUE(s.replica->auto_position);
  EXPECT_EQ(s.heartbeat_period, 10.0);
  EXPECT_EQ(s.connect_retry, 60);
  ASSERT_TRUE(s.master_status);
  EXPECT_EQ(s.master_status->position.to_string(), "binlog.000012:2847");
  EXPECT_EQ(s.semi_sync.master_enabled, false);
  EXPECT_EQ(s.semi_sync.slave_enabled, true);
  EXPECT_EQ(s.semi_sync.master_status, false);

  const ServerObservation& master = snap.servers[0];
  EXPECT_EQ(snap.derive_master(), 0u);
  EXPECT_EQ(master.super_read_only, false);
  EXPECT_FALSE(master.semi_sync.master_enabled);  // plugin not loaded: unknown
  EXPECT_EQ(master.mysql_gtid.executed->to_string(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-101");
}

TEST_F(ObserveClusterTest, Mysql84UsesBinaryLogStatus) {
  config::AppConfig config;
  config.servers.push_back(server("server1", "10.0.0.11", 3306));
  config.servers[0].repl_user = "";
  FakeSqlSession& m = fake_.session("10.0.0.11:3306");
  m.expect(kVariablesSql).returns(mysql_variables("8.4.3", "1", "OFF"));
  m.expect("SHOW REPLICA STATUS").returns(ResultSet{{"Replica_IO_State"}, {}, 0});
  m.expect("SHOW BINARY LOG STATUS").returns(fixture("mysql-8.4/show_binary_log_status.tsv"));
  m.expect(kMysqlGtidSql)
      .returns(one_row({"gtid_mode", "gtid_executed", "gtid_purged"}, Row{"ON", "", ""}));
  m.expect(kMysqlSemiSyncSql).returns(variables({}));
  // A writable server without replicas is the master; its binlog state is read again.
  m.expect(kMysqlGtidSql)
      .returns(one_row({"gtid_mode", "gtid_executed", "gtid_purged"}, Row{"ON", "", ""}));
  m.expect("SHOW BINARY LOG STATUS").returns(fixture("mysql-8.4/show_binary_log_status.tsv"));

  ClusterSnapshot snap = observe_cluster(config, connector_);
  const ServerObservation& s = snap.servers[0];
  ASSERT_TRUE(s.master_status);
  EXPECT_EQ(s.master_status->executed_gtid_set.to_string(),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100,8a94f357-aab4-11df-86ab-c80aa9429562:1-5");
  EXPECT_FALSE(s.repl_user);  // no repl_user configured and not a replica
}

TEST(IdentityOf, CopiesTheServerBlock) {
  config::AppConfig config;
  config::ServerConfig s = server("server3", "db3", 3307);
  s.ip = "10.77.0.13";
  s.candidate_master = true;
  s.no_master = true;
  s.ignore_fail = true;
  s.node_label = "rack2";
  config.servers = {server("server1", "db1", 3306), s};
  topology::ServerIdentity id = identity_of(config, 1);
  EXPECT_EQ(id.config_index, 1u);
  EXPECT_EQ(id.block, "server3");
  EXPECT_EQ(id.display(), "db3(10.77.0.13:3307)");
  EXPECT_TRUE(id.candidate_master);
  EXPECT_TRUE(id.no_master);
  EXPECT_TRUE(id.ignore_fail);
  EXPECT_EQ(id.node_label, "rack2");
}

TEST_F(ObserveClusterTest, PresumedDeadServerIsNotConnectedTo) {
  // The failover's observation after the monitor declared the master dead: the master gets no
  // connection attempt (a hung one would cost a whole connect timeout), the others are read.
  config::AppConfig config = mariadb_config();
  script_mariadb_gtid_replica(fake_.session("127.0.0.1:33612"));
  ObserveOptions options;
  options.presumed_dead = {0};
  options.presumed_dead_reason = "not connected to again: the monitor declared it dead";

  ClusterSnapshot snap = observe_cluster(config, connector_, options);
  ASSERT_EQ(snap.servers.size(), 2u);
  const ServerObservation& m = snap.servers[0];
  EXPECT_EQ(m.id.display(), "127.0.0.1(127.0.0.1:33611)");
  EXPECT_EQ(m.sql, SqlReach::kDead);
  ASSERT_TRUE(m.sql_error);
  EXPECT_EQ(m.sql_error->message, "not connected to again: the monitor declared it dead");
  EXPECT_FALSE(m.version);
  EXPECT_EQ(fake_.connects(), std::vector<std::string>{"127.0.0.1:33612"});
  EXPECT_TRUE(snap.servers[1].alive());
  ASSERT_TRUE(snap.servers[1].replica);
  EXPECT_EQ(snap.servers[1].replica->master_port, 33611);
}

}  // namespace
}  // namespace mha::observe
