// apply_diff_relay_logs --command=apply|test as a standalone node tool on the real test bed
// (issue #5), file/position mode. db3 is the lagging replica (IO and SQL threads stopped), db2 the
// latest one: the diff is generated on db2's host from its relay logs (--command=generate),
// copied to a place of db3's, and applied there with --command=apply (credentials in a 0600
// file), as an operator or the manager's SSH command would run it. Afterwards db3 holds exactly
// the master's rows, its gtid_binlog_pos holds the diff's last GTID, and read_only and
// max_allowed_packet are what they were. The diff is also applied split inside a transaction
// over two files (one stream: the transaction is not cut), and against a conflicting row (exit
// 1, settings restored, no option file left).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <string>

#include "support/cluster.h"
#include "support/harness.h"
#include "support/shared_cluster.h"
#include <stdlib.h>

namespace mha::test {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

class NodeApplyTest : public SharedClusterTest<NodeApplyTest> {
 public:
  static ClusterOptions cluster_options() { return ClusterOptions{3, ReplMode::kFilePos, true}; }

 protected:
  void SetUp() override {
    SharedClusterTest::SetUp();
    if (HasFatalFailure()) return;
    // Credentials for the tool: a 0600 file, never argv.
    creds_ = tmp_ + "/creds";
    const std::string text =
        "user=" + c().env("ADMIN_USER") + "\npassword=" + c().env("ADMIN_PASSWORD") + "\n";
    ASSERT_EQ(run_command_with_input("umask 077; cat > " + shell_quote(creds_), text).exit_code, 0);
    sql("db1",
        "CREATE DATABASE IF NOT EXISTS napply; DROP TABLE IF EXISTS napply.t;"
        "CREATE TABLE napply.t (id INT PRIMARY KEY, v VARCHAR(100)) ENGINE=InnoDB;");
    ASSERT_TRUE(caught_up({"db2", "db3"}));
  }
  void TearDown() override {
    if (resume_db3_) {
      (void)c().sql("db3", "START SLAVE");
      EXPECT_TRUE(caught_up({"db3"})) << "db3 did not replicate again after the apply";
    }
    SharedClusterTest::TearDown();
  }

  static std::string sql(const std::string& host, const std::string& statement) {
    auto r = c().sql(host, statement);
    EXPECT_TRUE(r.has_value()) << host << ": " << statement << ": " << (r ? "" : r.error().message);
    return r ? *r : "";
  }
  static std::map<std::string, std::string> row(const std::string& host,
                                                const std::string& statement) {
    auto r = c().sql_row(host, statement);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : std::map<std::string, std::string>{};
  }

  // Each replica received and executed everything the master logged.
  static bool caught_up(const std::vector<std::string>& replicas) {
    return eventually(
        [&] {
          auto ms = c().sql_row("db1", "SHOW MASTER STATUS");
          if (!ms) return false;
          for (const std::string& r : replicas) {
            auto st = c().sql_row(r, "SHOW SLAVE STATUS");
            if (!st || (*st)["Master_Log_File"] != (*ms)["File"] ||
                (*st)["Read_Master_Log_Pos"] != (*ms)["Position"] ||
                (*st)["Exec_Master_Log_Pos"] != (*ms)["Position"]) {
              return false;
            }
          }
          return true;
        },
        seconds(60));
  }

  std::string node() const { return shell_quote(binary("masterha_node")); }

  // db3 stops replicating where it is; the master then writes single-row commits and one
  // multi-statement transaction that only db2 receives. Returns db3's read position.
  std::pair<std::string, std::string> lag_db3(int first) {
    sql("db3", "STOP SLAVE");
    auto st = row("db3", "SHOW SLAVE STATUS");
    std::string batch;
    for (int id = first; id < first + 5; ++id) {
      batch += "INSERT INTO napply.t VALUES (" + std::to_string(id) + ", 'row');";
    }
    batch += "BEGIN; INSERT INTO napply.t VALUES (" + std::to_string(first + 100) +
             ", 'multi'); UPDATE napply.t SET v = 'updated' WHERE id = " + std::to_string(first) +
             "; COMMIT;";
    sql("db1", batch);
    EXPECT_TRUE(caught_up({"db2"}));
    return {st["Master_Log_File"], st["Read_Master_Log_Pos"]};
  }

  // --command=generate on db2 for db3's position; the diff is copied to db3's own place.
  nlohmann::json generate_for_db3(const std::pair<std::string, std::string>& target,
                                  const std::string& copy_to) {
    const std::string base = sql("db2", "SELECT @@relay_log_basename");
    const std::string server_id = sql("db2", "SELECT @@server_id");
    auto st = row("db2", "SHOW SLAVE STATUS");
    const std::string diff = tmp_ + "/db2_diff.binlog";
    const CommandResult gen = c().exec_in(
        "db2", node() + " apply_diff_relay_logs --command=generate --relay_dir=" +
                   shell_quote(base.substr(0, base.rfind('/'))) +
                   " --current_relay_log=" + shell_quote(st["Relay_Log_File"]) +
                   " --server_id=" + server_id + " --target_mlf=" + target.first +
                   " --target_rmlp=" + target.second + " --latest_mlf=" + st["Master_Log_File"] +
                   " --latest_rmlp=" + st["Read_Master_Log_Pos"] +
                   " --diff_file_readtolatest=" + shell_quote(diff));
    EXPECT_EQ(gen.exit_code, 0) << gen.out << gen.err;
    EXPECT_EQ(c().exec_in("db3", "mkdir -p " + shell_quote(tmp_ + "/db3") + " && cp " +
                                     shell_quote(diff) + " " + shell_quote(copy_to))
                  .exit_code,
              0);
    return nlohmann::json::parse(gen.out, nullptr, false);
  }

  CommandResult apply_on_db3(const std::string& files, const std::string& extra = "") {
    return c().exec_in("db3", node() + " apply_diff_relay_logs --command=apply " +
                                  "--target_version=10.11 --slave_ip=" + c().host("db3").ip +
                                  " --slave_port=3306 --workdir=" + shell_quote(tmp_ + "/db3") +
                                  " --credentials_file=" + shell_quote(creds_) +
                                  " --apply_files=" + shell_quote(files) + extra);
  }

  static std::string rows(const std::string& host) {
    return sql(host, "SELECT id, v FROM napply.t ORDER BY id");
  }
  static std::string settings(const std::string& host) {
    return sql(host, "SELECT @@global.read_only, @@global.max_allowed_packet");
  }
  // No option file with the password is left in db3's workdir.
  void expect_no_option_file() {
    const CommandResult ls = run_command("ls " + shell_quote(tmp_ + "/db3"));
    EXPECT_THAT(ls.out, Not(HasSubstr("masterha_apply_diff")));
  }

  std::string creds_;
  bool resume_db3_ = true;  // false: db3 is left as the test made it (the last test)
};

TEST_F(NodeApplyTest, GeneratedDiffAppliedOnTheLaggingReplica) {
  const std::string settings_before = settings("db3");
  ASSERT_THAT(settings_before, ::testing::StartsWith("1\t")) << "db3 should be read-only";
  const auto target = lag_db3(1);
  ASSERT_NE(rows("db3"), rows("db1"));
  const std::string diff = tmp_ + "/db3/diff.binlog";
  const nlohmann::json gen = generate_for_db3(target, diff);
  ASSERT_EQ(gen.value("transactions", 0), 6);
  const std::string last_gtid = gen.value("last_gtid", "");
  ASSERT_FALSE(last_gtid.empty());

  const CommandResult r = apply_on_db3(diff);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["result"], "applied");
  EXPECT_EQ(j["transactions"], 6);
  EXPECT_EQ(j["last_gtid"], last_gtid);
  EXPECT_EQ(j["read_only_lifted"], true);
  EXPECT_EQ(j["gtid_check"], "gtid_binlog_pos");
  EXPECT_EQ(rows("db3"), rows("db1"));
  const std::string have = sql("db3", "SELECT @@global.gtid_binlog_pos");
  EXPECT_EQ(have, last_gtid);
  EXPECT_EQ(settings("db3"), settings_before);
  expect_no_option_file();
  // The password never shows.
  EXPECT_THAT(r.err + r.out, Not(HasSubstr(c().env("ADMIN_PASSWORD"))));

  // db3 replicates again from where the applied events end (TearDown waits until it caught up).
  sql("db3", "CHANGE MASTER TO MASTER_LOG_FILE='" + gen["end"].value("file", "") +
                 "', MASTER_LOG_POS=" + std::to_string(gen["end"].value("pos", 0)));
}

// The diff split inside its last transaction into two files, each with the FDE: applied as one
// stream (one mysqlbinlog over both), the transaction arrives whole.
TEST_F(NodeApplyTest, TransactionSplitOverTwoFilesIsAppliedWhole) {
  const auto target = lag_db3(1000);
  const std::string diff = tmp_ + "/db3/diff.binlog";
  const nlohmann::json gen = generate_for_db3(target, diff);
  ASSERT_EQ(gen.value("transactions", 0), 6);
  // Offsets of the events: the FDE is at 4, the first event after it at `first`; the last
  // event (the Xid of the multi-statement transaction) at `last`.
  const CommandResult list =
      run_command("mariadb-binlog --no-defaults " + shell_quote(diff) + " | grep '^# at '");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::vector<uint64_t> at;
  std::istringstream in(list.out);
  for (std::string line; std::getline(in, line);) at.push_back(std::stoull(line.substr(5)));
  ASSERT_GE(at.size(), 4u);
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  const uint64_t first = at[1];
  const uint64_t last = at.back();
  const std::string a = tmp_ + "/db3/a.binlog";
  const std::string b = tmp_ + "/db3/b.binlog";
  ASSERT_EQ(run_command("head -c " + std::to_string(last) + " " + shell_quote(diff) + " > " +
                        shell_quote(a) + " && { head -c " + std::to_string(first) + " " +
                        shell_quote(diff) + "; tail -c +" + std::to_string(last + 1) + " " +
                        shell_quote(diff) + "; } > " + shell_quote(b))
                .exit_code,
            0);
  // Alone, the first part ends inside the transaction: refused before anything changed.
  const CommandResult half = apply_on_db3(a);
  EXPECT_EQ(half.exit_code, 1);
  EXPECT_THAT(half.err, HasSubstr("end inside the transaction"));
  EXPECT_EQ(half.out, "");
  EXPECT_NE(rows("db3"), rows("db1"));

  const CommandResult r = apply_on_db3(a + "," + b);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(j["transactions"], 6);
  EXPECT_EQ(j["gtid_check"], "gtid_binlog_pos");
  EXPECT_EQ(rows("db3"), rows("db1"));
  EXPECT_EQ(sql("db3", "SELECT @@global.gtid_binlog_pos"), gen.value("last_gtid", ""));
  sql("db3", "CHANGE MASTER TO MASTER_LOG_FILE='" + gen["end"].value("file", "") +
                 "', MASTER_LOG_POS=" + std::to_string(gen["end"].value("pos", 0)));
}

TEST_F(NodeApplyTest, TestCommandChecksClientsRelayLogsAndCredentials) {
  const std::string base = sql("db3", "SELECT @@relay_log_basename");
  auto st = row("db3", "SHOW SLAVE STATUS");
  const std::string common =
      node() + " apply_diff_relay_logs --command=test --target_version=10.11" +
      " --relay_dir=" + shell_quote(base.substr(0, base.rfind('/'))) +
      " --current_relay_log=" + shell_quote(st["Relay_Log_File"]) +
      " --slave_ip=" + c().host("db3").ip + " --workdir=" + shell_quote(tmp_);
  const CommandResult good =
      c().exec_in("db3", common + " --credentials_file=" + shell_quote(creds_));
  ASSERT_EQ(good.exit_code, 0) << good.out << good.err;
  const auto j = nlohmann::json::parse(good.out, nullptr, false);
  EXPECT_EQ(j["result"], "ok");
  EXPECT_THAT(j.value("server_version", ""), HasSubstr("MariaDB"));

  const CommandResult bad =
      c().exec_in("db3", "printf 'user=" + c().env("ADMIN_USER") + "\\npassword=wrong-pw\\n' | " +
                             common + " --credentials_stdin");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.out, "");
  EXPECT_THAT(bad.err, HasSubstr("apply_diff_relay_logs: test failed: " + c().host("db3").ip));
  EXPECT_THAT(bad.err, HasSubstr("Access denied"));
  EXPECT_THAT(bad.err, Not(HasSubstr("wrong-pw")));
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

// Last: db3 keeps what the diff applied before the conflict. A row db3 already has conflicts with
// the diff: the apply fails (exit 1, one line naming the duplicate), and read_only and
// max_allowed_packet are restored.
TEST_F(NodeApplyTest, ConflictingRowFailsAndRestoresTheSettings) {
  resume_db3_ = false;
  const std::string settings_before = settings("db3");
  const auto target = lag_db3(2000);
  const std::string diff = tmp_ + "/db3/diff.binlog";
  generate_for_db3(target, diff);
  // The conflicting row, written locally (root over the socket bypasses read_only), unlogged.
  sql("db3", "SET sql_log_bin = 0; INSERT INTO napply.t VALUES (2003, 'conflict')");
  const CommandResult r = apply_on_db3(diff);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("apply_diff_relay_logs: apply failed: "));
  EXPECT_THAT(r.err, HasSubstr("mysql exit 1"));
  EXPECT_THAT(r.err, HasSubstr("Duplicate entry"));
  EXPECT_EQ(settings("db3"), settings_before);
  expect_no_option_file();
}

}  // namespace
}  // namespace mha::test
