// save_binary_logs on the real test bed (issue #5): the master's binlog events a replica lacks
// are saved on the master's host (in db1's namespace, as the manager's SSH command would run
// them) and applied to that replica with `mariadb-binlog FILE | mariadb`, checking both exit
// codes; the replica then has the same rows as the master (CHECKSUM TABLE).
//
// db3 misses the rows because its IO thread is stopped while db1 writes them, across a FLUSH
// BINARY LOGS, so the saved file spans a binlog rotation. Once applied, db3 is put back to
// replicating (gtid_slave_pos set from its gtid_binlog_pos, as the testbed notes require for
// events applied through a client session) and must catch up with db1 without an error: nothing
// was applied twice or lost. The fixture's destructor tears the cluster down.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "support/cluster.h"
#include "support/harness.h"
#include "support/shared_cluster.h"
#include <stdlib.h>

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using ::testing::HasSubstr;

class SaveBinlogTest : public SharedClusterTest<SaveBinlogTest> {
 public:
  static ClusterOptions cluster_options() { return ClusterOptions{3, ReplMode::kGtid, true}; }

 protected:
  static std::string sql(const std::string& host, const std::string& statement) {
    auto r = c().sql(host, statement);
    EXPECT_TRUE(r.has_value()) << statement << ": " << (r ? "" : r.error().message);
    return r ? *r : "";
  }
  static std::map<std::string, std::string> slave_status(const std::string& host) {
    auto r = c().sql_row(host, "SHOW SLAVE STATUS");
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : std::map<std::string, std::string>{};
  }

  // Polls `done` every 100 ms until it holds or `seconds` pass.
  static bool wait_for(const std::function<bool()>& done, int seconds = 30) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }

  // db3 with its IO thread stopped and everything it received executed, then fully stopped.
  static void freeze_db3() {
    sql("db3", "STOP SLAVE IO_THREAD");
    ASSERT_TRUE(wait_for([] {
      auto s = slave_status("db3");
      return s["Slave_IO_Running"] == "No" && s["Master_Log_File"] == s["Relay_Master_Log_File"] &&
             s["Read_Master_Log_Pos"] == s["Exec_Master_Log_Pos"];
    })) << "db3's SQL thread did not catch up with its IO thread";
    sql("db3", "STOP SLAVE");
  }

  // After events were applied through a client session, gtid_slave_pos lags gtid_binlog_pos
  // (testbed-notes): set it, start replicating again and wait until db3 has what db1 has.
  static void resume_db3() {
    (void)c().sql("db3", "STOP SLAVE");
    (void)c().sql("db3", "SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos");
    (void)c().sql("db3", "START SLAVE");
  }

  static void expect_db3_catches_up() {
    const std::string target = sql("db1", "SELECT @@gtid_binlog_pos");
    ASSERT_FALSE(target.empty());
    EXPECT_EQ(sql("db3", "SELECT MASTER_GTID_WAIT('" + target + "', 30)"), "0");
    auto s = slave_status("db3");
    EXPECT_EQ(s["Slave_IO_Running"], "Yes") << s["Last_IO_Error"];
    EXPECT_EQ(s["Slave_SQL_Running"], "Yes") << s["Last_SQL_Error"];
  }

  static void write_rows(int from, int to) {
    std::string stmt;
    for (int i = from; i < to; ++i) {
      stmt += "INSERT INTO savetest.t VALUES (" + std::to_string(i) + ", REPEAT('x', " +
              std::to_string(i % 50 + 1) + "));";
    }
    stmt += "UPDATE savetest.t SET v = CONCAT(v, 'u') WHERE id = " + std::to_string(from) + ";";
    stmt += "BEGIN; DELETE FROM savetest.t WHERE id = " + std::to_string(from + 1) +
            "; INSERT INTO savetest.t VALUES (" + std::to_string(to + 1000) + ", 'multi'); COMMIT;";
    sql("db1", stmt);
  }

  static std::string checksum(const std::string& host) {
    return sql(host, "CHECKSUM TABLE savetest.t");
  }

  // save_binary_logs in db1's namespace, as the manager's SSH command runs it.
  CommandResult save_on_db1(const std::string& args) const {
    const std::string basename = sql("db1", "SELECT @@log_bin_basename");
    const std::string dir = basename.substr(0, basename.rfind('/'));
    return c().exec_in("db1", shell_quote(binary("masterha_node")) +
                                  " save_binary_logs --command=save --binlog_dir=" +
                                  shell_quote(dir) + " " + args);
  }

  // mariadb-binlog FILE | mariadb into db3; both exit codes must be 0.
  static void apply_to_db3(const std::string& file) {
    const CommandResult r = c().exec_in(
        "db3", "mariadb-binlog --no-defaults " + shell_quote(file) +
                   " | mariadb --no-defaults -S " + shell_quote(c().host("db3").socket) +
                   " -u root; echo \"status ${PIPESTATUS[0]} ${PIPESTATUS[1]}\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("status 0 0")) << r.out << r.err;
  }
};

TEST_F(SaveBinlogTest, FromReadPositionAndAfterGtidAcrossARotation) {
  sql("db1",
      "CREATE DATABASE IF NOT EXISTS savetest; DROP TABLE IF EXISTS savetest.t;"
      "CREATE TABLE savetest.t (id INT PRIMARY KEY, v VARCHAR(200)) ENGINE=InnoDB;");
  write_rows(1, 10);
  expect_db3_catches_up();
  Undo undo([] { resume_db3(); });

  // --- file/position: from db3's Read_Master_Log_Pos.
  freeze_db3();
  auto st = slave_status("db3");
  const std::string file = st["Master_Log_File"];
  const std::string pos = st["Read_Master_Log_Pos"];
  ASSERT_FALSE(file.empty());
  write_rows(100, 120);
  sql("db1", "FLUSH BINARY LOGS");
  write_rows(200, 230);
  ASSERT_NE(checksum("db1"), checksum("db3"));

  const std::string out_pos = tmp_ + "/saved_by_pos.binlog";
  const CommandResult saved =
      save_on_db1("--start_file=" + shell_quote(file) + " --start_pos=" + pos +
                  " --output_file=" + shell_quote(out_pos));
  ASSERT_EQ(saved.exit_code, 0) << saved.out << saved.err;
  const auto j = nlohmann::json::parse(saved.out);
  EXPECT_EQ(j["result"], "saved");
  EXPECT_GE(j["files"].size(), 2u) << "the save must cross the FLUSH BINARY LOGS rotation";
  EXPECT_EQ(j["transactions"], (20 + 2) + (30 + 2));  // autocommit rows, UPDATE, BEGIN..COMMIT
  apply_to_db3(out_pos);
  EXPECT_EQ(checksum("db1"), checksum("db3"));
  resume_db3();
  expect_db3_catches_up();

  // --- GTID: after the last transaction db3 applied.
  freeze_db3();
  const std::string after = sql("db3", "SELECT @@gtid_slave_pos");
  ASSERT_EQ(after.find(','), std::string::npos) << "one domain expected: " << after;
  write_rows(300, 306);
  sql("db1", "FLUSH BINARY LOGS");
  write_rows(400, 402);
  ASSERT_NE(checksum("db1"), checksum("db3"));
  const std::string out_gtid = tmp_ + "/saved_by_gtid.binlog";
  const std::string prefix = sql("db1", "SELECT @@log_bin_basename");
  const CommandResult by_gtid = save_on_db1("--start_gtid=" + after + " --binlog_prefix=" +
                                            shell_quote(prefix.substr(prefix.rfind('/') + 1)) +
                                            " --output_file=" + shell_quote(out_gtid));
  ASSERT_EQ(by_gtid.exit_code, 0) << by_gtid.out << by_gtid.err;
  const auto g = nlohmann::json::parse(by_gtid.out);
  EXPECT_EQ(g["transactions"], (6 + 2) + (2 + 2));
  EXPECT_GE(g["files"].size(), 2u);
  apply_to_db3(out_gtid);
  EXPECT_EQ(checksum("db1"), checksum("db3"));
  resume_db3();
  expect_db3_catches_up();

  // Nothing after the newest GTID: exit 10 and no file.
  const std::string newest = sql("db1", "SELECT @@gtid_binlog_pos");
  const CommandResult nothing = save_on_db1("--start_gtid=" + newest + " --binlog_prefix=" +
                                            shell_quote(prefix.substr(prefix.rfind('/') + 1)) +
                                            " --output_file=" + shell_quote(tmp_ + "/none"));
  EXPECT_EQ(nothing.exit_code, 10) << nothing.out << nothing.err;
  EXPECT_NE(run_command("test -e " + shell_quote(tmp_ + "/none")).exit_code, 0);
}

}  // namespace
}  // namespace mha::test
