// The node tools' remaining MHA options on the real test bed (issue #5), file/position mode:
//   - save_binary_logs --relay_log_info: a replica's own exec->read relay-log tail, found through
//     its relay-log.info, across a relay-log rotation; its events are compared with the master's
//     binlog (decoded rows and GTIDs, as mariadb-binlog prints them).
//   - --handle_raw_binlog=0: a text save on the master and a text relay-log diff on db2 applied to
//     the lagging db3 with apply_diff_relay_logs --command=apply --handle_raw_binlog=0 (once with
//     --disable_log_bin=1); db3's tables then have the master's checksums, and the text holds the
//     same transactions as the raw file.
//   - apply_diff_relay_logs --command=generate_and_send from db3's host to db2's host over SSH
//     (the test bed's key and known_hosts through --ssh_options): the copy is byte-identical; a
//     host that does not resolve fails with one line and exit 1.
// db3 is put back to replicating after each test (CHANGE MASTER to where the applied events end).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "support/cluster.h"
#include "support/harness.h"
#include "support/shared_cluster.h"

namespace mha::test {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class NodeTextTest : public SharedClusterTest<NodeTextTest> {
 public:
  static ClusterOptions cluster_options() { return ClusterOptions{3, ReplMode::kFilePos, true}; }

 protected:
  void SetUp() override {
    SharedClusterTest::SetUp();
    if (HasFatalFailure()) return;
    creds_ = tmp_ + "/creds";
    const std::string text =
        "user=" + c().env("ADMIN_USER") + "\npassword=" + c().env("ADMIN_PASSWORD") + "\n";
    ASSERT_EQ(run_command_with_input("umask 077; cat > " + shell_quote(creds_), text).exit_code, 0);
    sql("db1",
        "CREATE DATABASE IF NOT EXISTS ntext; DROP TABLE IF EXISTS ntext.t;"
        "CREATE TABLE ntext.t (id INT PRIMARY KEY, v VARCHAR(200)) ENGINE=InnoDB;");
    ASSERT_TRUE(caught_up({"db2", "db3"}));
  }
  void TearDown() override {
    (void)c().sql("db3", "START SLAVE");
    EXPECT_TRUE(caught_up({"db2", "db3"})) << "db3 did not replicate again";
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
  // `replica` received (IO thread) everything the master logged.
  static bool received(const std::string& replica) {
    return eventually(
        [&] {
          auto ms = c().sql_row("db1", "SHOW MASTER STATUS");
          auto st = c().sql_row(replica, "SHOW SLAVE STATUS");
          return ms && st && (*st)["Master_Log_File"] == (*ms)["File"] &&
                 (*st)["Read_Master_Log_Pos"] == (*ms)["Position"];
        },
        seconds(60));
  }

  // Single-row commits and one multi-statement transaction, with awkward content: quotes, a
  // backslash, a newline, mysqlbinlog's own delimiter and a line that looks like its comments.
  static void write_batch(int first) {
    std::string batch;
    for (int id = first; id < first + 5; ++id) {
      batch += "INSERT INTO ntext.t VALUES (" + std::to_string(id) +
               ", CONCAT('it''s \\\\ /*!*/; ', CHAR(10), '#261204 COMMIT ', " + std::to_string(id) +
               "));";
    }
    batch += "BEGIN; INSERT INTO ntext.t VALUES (" + std::to_string(first + 100) +
             ", 'multi'); UPDATE ntext.t SET v = 'updated' WHERE id = " + std::to_string(first) +
             "; COMMIT;";
    sql("db1", batch);
  }
  static constexpr int kBatchTransactions = 6;

  static std::string checksum(const std::string& host) {
    return sql(host, "CHECKSUM TABLE ntext.t");
  }
  std::string node() const { return shell_quote(binary("masterha_node")); }

  // db3 replicates again from the master position where the applied events end.
  static void repoint_db3(const nlohmann::json& end) {
    sql("db3", "CHANGE MASTER TO MASTER_LOG_FILE='" + end.value("file", "") +
                   "', MASTER_LOG_POS=" + std::to_string(end.value("pos", 0)));
  }

  CommandResult apply_on_db3(const std::string& files, const std::string& extra) {
    return c().exec_in("db3", node() + " apply_diff_relay_logs --command=apply " +
                                  "--target_version=10.11 --slave_ip=" + c().host("db3").ip +
                                  " --workdir=" + shell_quote(tmp_) +
                                  " --credentials_file=" + shell_quote(creds_) +
                                  " --apply_files=" + shell_quote(files) + extra);
  }

  // The decoded row images and GTIDs mariadb-binlog prints for `args`, in order.
  static std::string rows_and_gtids(const std::string& args) {
    const CommandResult r = run_command(
        "mariadb-binlog --no-defaults --base64-output=decode-rows "
        "-v " +
        args + " | grep -E '^###|GTID [0-9]+-[0-9]+-[0-9]+'" +
        " | sed -E 's/^#[0-9]{6} .*(GTID [0-9-]+).*/\\1/'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  std::string creds_;
};

TEST_F(NodeTextTest, RelayLogTailSavedThroughRelayLogInfo) {
  sql("db3", "STOP SLAVE SQL_THREAD");
  auto exec = row("db3", "SHOW SLAVE STATUS");
  ASSERT_EQ(exec["Slave_SQL_Running"], "No");
  write_batch(1);
  ASSERT_TRUE(received("db3"));
  sql("db3", "FLUSH RELAY LOGS");  // the tail spans two relay logs
  write_batch(200);
  ASSERT_TRUE(received("db3"));
  auto st = row("db3", "SHOW SLAVE STATUS");
  ASSERT_EQ(st["Relay_Log_File"], exec["Relay_Log_File"]);
  ASSERT_EQ(st["Relay_Log_Pos"], exec["Relay_Log_Pos"]);

  std::string info = sql("db3", "SELECT @@relay_log_info_file");
  if (info.empty() || info.front() != '/') info = sql("db3", "SELECT @@datadir") + "/" + info;
  ASSERT_EQ(run_command("test -f " + shell_quote(info)).exit_code, 0) << info;
  const std::string tail = tmp_ + "/tail.binlog";
  const CommandResult r = c().exec_in(
      "db3", node() + " save_binary_logs --command=save --relay_log_info=" + shell_quote(info) +
                 " --start_file=" + shell_quote(exec["Relay_Log_File"]) +
                 " --start_pos=" + exec["Relay_Log_Pos"] + " --output_file=" + shell_quote(tail));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["result"], "saved");
  EXPECT_EQ(j["transactions"], 2 * kBatchTransactions);
  EXPECT_GE(j["files"].size(), 2u) << "the tail must cross the FLUSH RELAY LOGS rotation";
  EXPECT_EQ(j["ends_inside_transaction"], false);
  EXPECT_EQ(j["start"]["file"], exec["Relay_Log_File"]);
  const CommandResult size = run_command("stat -c %s " + shell_quote(tail));
  EXPECT_EQ(std::to_string(j.value("bytes", 0)) + "\n", size.out);

  // The same events as the master logged after db3's executed position (no binlog rotation in
  // between): decoded rows and GTIDs identical, in order.
  const std::string basename = sql("db1", "SELECT @@log_bin_basename");
  const std::string master_log =
      basename.substr(0, basename.rfind('/')) + "/" + exec["Relay_Master_Log_File"];
  const std::string from_master = rows_and_gtids("--start-position=" + exec["Exec_Master_Log_Pos"] +
                                                 " " + shell_quote(master_log));
  const std::string from_tail = rows_and_gtids(shell_quote(tail));
  EXPECT_THAT(from_tail, HasSubstr("GTID "));
  EXPECT_EQ(from_tail, from_master);

  // Nothing after the read position: exit 10, no file. --command=test finds the relay logs.
  const std::string save = node() + " save_binary_logs --relay_log_info=" + shell_quote(info) +
                           " --output_file=" + shell_quote(tmp_ + "/none");
  const std::string relay_base = sql("db3", "SELECT @@relay_log_basename");
  const CommandResult newest =
      run_command("f=$(tail -n1 " + shell_quote(relay_base + ".index") +
                  "); f=${f##*/}; echo \"$f $(stat -c %s " +
                  shell_quote(relay_base.substr(0, relay_base.rfind('/'))) + "/$f)\"");
  ASSERT_EQ(newest.exit_code, 0) << newest.err;
  const std::string newest_file = newest.out.substr(0, newest.out.find(' '));
  const std::string newest_size = newest.out.substr(newest.out.find(' ') + 1);
  const CommandResult none =
      c().exec_in("db3", save + " --command=save --start_file=" + shell_quote(newest_file) +
                             " --start_pos=" + newest_size.substr(0, newest_size.find('\n')));
  EXPECT_EQ(none.exit_code, 10) << none.out << none.err;
  EXPECT_NE(run_command("test -e " + shell_quote(tmp_ + "/none")).exit_code, 0);
  const CommandResult tested = c().exec_in(
      "db3",
      save + " --command=test --start_pos=4 --start_file=" + shell_quote(exec["Relay_Log_File"]));
  EXPECT_EQ(tested.exit_code, 0) << tested.out << tested.err;
  EXPECT_THAT(tested.err, HasSubstr("Relay log found at "));
  sql("db3", "START SLAVE SQL_THREAD");
}

// The saved text and the relay-log text diff, applied with --handle_raw_binlog=0, leave db3 with
// the master's checksums, as the raw files do; the text holds the raw file's transactions.
TEST_F(NodeTextTest, TextSaveAndTextDiffApplyLikeRaw) {
  // --- save_binary_logs on the master, from db3's position, across a binlog rotation.
  sql("db3", "STOP SLAVE");
  auto st = row("db3", "SHOW SLAVE STATUS");
  write_batch(1000);
  sql("db1", "FLUSH BINARY LOGS");
  write_batch(1200);
  ASSERT_TRUE(caught_up({"db2"}));
  ASSERT_NE(checksum("db3"), checksum("db1"));
  const std::string basename = sql("db1", "SELECT @@log_bin_basename");
  const std::string save = node() + " save_binary_logs --command=save --binlog_dir=" +
                           shell_quote(basename.substr(0, basename.rfind('/'))) +
                           " --start_file=" + st["Master_Log_File"] +
                           " --start_pos=" + st["Read_Master_Log_Pos"];
  const CommandResult raw =
      c().exec_in("db1", save + " --output_file=" + shell_quote(tmp_ + "/saved.binlog"));
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  const CommandResult text = c().exec_in(
      "db1", save + " --handle_raw_binlog=0 --output_file=" + shell_quote(tmp_ + "/saved.sql"));
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  const auto rj = nlohmann::json::parse(raw.out, nullptr, false);
  const auto tj = nlohmann::json::parse(text.out, nullptr, false);
  ASSERT_TRUE(tj.is_object()) << text.out;
  EXPECT_EQ(tj["format"], "text");
  EXPECT_EQ(tj["transactions"], 2 * kBatchTransactions);
  EXPECT_EQ(tj["transactions"], rj["transactions"]);
  EXPECT_EQ(tj["last_gtid"], rj["last_gtid"]);
  const CommandResult sections =
      run_command("grep -c '^# Binary/Relay log file ' " + shell_quote(tmp_ + "/saved.sql"));
  EXPECT_EQ(sections.out, "2\n") << "one section per binlog";

  const CommandResult applied = apply_on_db3(tmp_ + "/saved.sql", " --handle_raw_binlog=0");
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  const auto aj = nlohmann::json::parse(applied.out, nullptr, false);
  EXPECT_EQ(aj["transactions"], 2 * kBatchTransactions);
  EXPECT_EQ(aj["gtid_check"], "gtid_binlog_pos");
  EXPECT_EQ(aj["last_gtid"], tj["last_gtid"]);
  EXPECT_EQ(checksum("db3"), checksum("db1"));
  EXPECT_THAT(applied.err + applied.out, Not(HasSubstr(c().env("ADMIN_PASSWORD"))));
  repoint_db3(tj["end"]);
  sql("db3", "START SLAVE");
  ASSERT_TRUE(caught_up({"db3"}));

  // --- the relay-log diff on db2 for db3, as text, applied with the binlog off.
  sql("db3", "STOP SLAVE");
  st = row("db3", "SHOW SLAVE STATUS");
  write_batch(2000);
  ASSERT_TRUE(caught_up({"db2"}));
  const std::string relay_base = sql("db2", "SELECT @@relay_log_basename");
  auto latest = row("db2", "SHOW SLAVE STATUS");
  const std::string generate =
      node() + " apply_diff_relay_logs --command=generate --target_version=10.11 --relay_dir=" +
      shell_quote(relay_base.substr(0, relay_base.rfind('/'))) +
      " --current_relay_log=" + shell_quote(latest["Relay_Log_File"]) +
      " --server_id=" + sql("db2", "SELECT @@server_id") +
      " --target_mlf=" + st["Master_Log_File"] + " --target_rmlp=" + st["Read_Master_Log_Pos"] +
      " --latest_mlf=" + latest["Master_Log_File"] +
      " --latest_rmlp=" + latest["Read_Master_Log_Pos"];
  const CommandResult raw_diff = c().exec_in(
      "db2", generate + " --diff_file_readtolatest=" + shell_quote(tmp_ + "/diff.binlog"));
  ASSERT_EQ(raw_diff.exit_code, 0) << raw_diff.err;
  const CommandResult text_diff =
      c().exec_in("db2", generate + " --handle_raw_binlog=0 --diff_file_readtolatest=" +
                             shell_quote(tmp_ + "/diff.sql"));
  ASSERT_EQ(text_diff.exit_code, 0) << text_diff.out << text_diff.err;
  const auto dj = nlohmann::json::parse(text_diff.out, nullptr, false);
  EXPECT_EQ(dj["format"], "text");
  EXPECT_EQ(dj["transactions"], kBatchTransactions);
  EXPECT_EQ(dj["transactions"], nlohmann::json::parse(raw_diff.out)["transactions"]);
  const std::string gtid_before = sql("db3", "SELECT @@global.gtid_binlog_pos");

  const CommandResult unlogged =
      apply_on_db3(tmp_ + "/diff.sql", " --handle_raw_binlog=0 --disable_log_bin=1");
  ASSERT_EQ(unlogged.exit_code, 0) << unlogged.out << unlogged.err;
  const auto uj = nlohmann::json::parse(unlogged.out, nullptr, false);
  EXPECT_EQ(uj["gtid_check"], "impossible");
  EXPECT_EQ(checksum("db3"), checksum("db1"));
  EXPECT_EQ(sql("db3", "SELECT @@global.gtid_binlog_pos"), gtid_before)
      << "--disable_log_bin=1: db3 must not log what it applied";
  repoint_db3(dj["end"]);
}

TEST_F(NodeTextTest, GenerateAndSendCopiesTheDiffToAnotherHost) {
  auto before = row("db3", "SHOW SLAVE STATUS");
  write_batch(3000);
  ASSERT_TRUE(caught_up({"db2", "db3"}));
  auto now = row("db3", "SHOW SLAVE STATUS");
  const std::string relay_base = sql("db3", "SELECT @@relay_log_basename");
  const std::string local = tmp_ + "/db3/diff.binlog";
  const std::string remote = tmp_ + "/db2/received/diff.binlog";
  const std::string common =
      node() + " apply_diff_relay_logs --command=generate_and_send --relay_dir=" +
      shell_quote(relay_base.substr(0, relay_base.rfind('/'))) +
      " --current_relay_log=" + shell_quote(now["Relay_Log_File"]) +
      " --server_id=" + sql("db3", "SELECT @@server_id") +
      " --target_mlf=" + before["Master_Log_File"] +
      " --target_rmlp=" + before["Read_Master_Log_Pos"] +
      " --latest_mlf=" + now["Master_Log_File"] + " --latest_rmlp=" + now["Read_Master_Log_Pos"] +
      " --diff_file_readtolatest=" + shell_quote(local) + " --scp_user=root --ssh_options=" +
      shell_quote("-i " + c().env("SSH_KEY") + " -o UserKnownHostsFile=" + c().env("KNOWN_HOSTS"));
  const CommandResult sent = c().exec_in("db3", common + " --scp_host=" + c().host("db2").ip +
                                                    " --remote_diff_file=" + shell_quote(remote));
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  const auto j = nlohmann::json::parse(sent.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << sent.out;
  EXPECT_EQ(j["command"], "generate_and_send");
  EXPECT_EQ(j["transactions"], kBatchTransactions);
  EXPECT_EQ(j["sent"]["host"], c().host("db2").ip);
  EXPECT_EQ(j["sent"]["tries"], 1);
  const CommandResult sums =
      run_command("sha256sum " + shell_quote(local) + " " + shell_quote(remote) + " | cut -c1-64");
  ASSERT_EQ(sums.exit_code, 0) << sums.err;
  const std::string want = j["sent"].value("sha256", "");
  EXPECT_EQ(sums.out, want + "\n" + want + "\n");
  EXPECT_EQ(run_command("cmp " + shell_quote(local) + " " + shell_quote(remote)).exit_code, 0);

  // A host that does not resolve: exit 1, nothing on stdout, the last line names it.
  const CommandResult bad =
      c().exec_in("db3", common + " --scp_host=no-such-host.invalid --remote_diff_file=" +
                             shell_quote(tmp_ + "/db2/never.binlog"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.out, "");
  std::string last = bad.err;
  while (!last.empty() && last.back() == '\n') last.pop_back();
  last = last.substr(last.rfind('\n') + 1);
  EXPECT_THAT(last, StartsWith("apply_diff_relay_logs: generate_and_send: sending "));
  EXPECT_THAT(last, HasSubstr("no-such-host.invalid"));
  EXPECT_THAT(last, HasSubstr("failed after 3 tries"));
  // An option smuggled in as the host is refused before anything runs.
  const CommandResult smuggled = c().exec_in("db3", common + " --scp_host=-oProxyCommand=x");
  EXPECT_EQ(smuggled.exit_code, 1);
  EXPECT_EQ(std::count(smuggled.err.begin(), smuggled.err.end(), '\n'), 1) << smuggled.err;
  EXPECT_THAT(smuggled.err, HasSubstr("--scp_host"));
}

}  // namespace
}  // namespace mha::test
