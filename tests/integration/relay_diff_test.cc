// Relay-log diffs in file/position mode (issue #5) against the real test bed: one replica's IO
// thread is stopped so that it misses the last N single-row commits, which only the other
// replica received; the master is killed with kill -9 and masterha_manager fails over. The
// lagging replica must get the missing events from the latest replica's relay logs (node helper
// apply_diff_relay_logs on that host, relayed by the manager), so afterwards every table has the
// same checksum on both survivors and every acknowledged row is there. With relay_log_purge=1
// on the latest replica the relay logs are gone: the failover must stop before anyone moves.
//
// The manager run, polling and the configuration come from tests/support/harness.h.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/harness.h"
#include <signal.h>
#include <sys/stat.h>

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

class RelayDiffTest : public ManagerTest {
 protected:
  virtual ClusterOptions cluster_options() const { return {3, ReplMode::kFilePos, true}; }

  void SetUp() override {
    Status s = cluster_.up(cluster_options());
    ASSERT_TRUE(s) << s.error().message;
    fresh_dir("rd");
    ASSERT_TRUE(sql("db1",
                    "CREATE TABLE IF NOT EXISTS test.diffed (id INT PRIMARY KEY, "
                    "pad VARCHAR(200))"));
    ASSERT_TRUE(sql("db1", "CREATE TABLE IF NOT EXISTS test.other (id INT PRIMARY KEY, v INT)"));
    ASSERT_TRUE(sql("db1", "INSERT INTO test.other VALUES (1, 1), (2, 2)"));
    ASSERT_TRUE(replicas_received_all({"db2", "db3"}));
  }

  Result<std::string> sql(const std::string& host, const std::string& statement) {
    Result<std::string> r = c().sql(host, statement);
    EXPECT_TRUE(r) << host << ": " << (r ? "" : r.error().message);
    return r;
  }

  // Every replica's IO thread received what the master logged (file/position).
  bool replicas_received_all(const std::vector<std::string>& replicas) {
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

  // N single-row commits in one client session (each its own transaction), ids from `first`.
  std::set<int> commit_rows(int first, int n) {
    std::string batch;
    std::set<int> ids;
    for (int id = first; id < first + n; ++id) {
      batch += "INSERT INTO test.diffed VALUES (" + std::to_string(id) + ", REPEAT('r', " +
               std::to_string(id % 200) + "));\n";
      ids.insert(id);
    }
    EXPECT_TRUE(sql("db1", batch));
    return ids;
  }

  // "schema.table checksum" for every user table of `host`, sorted.
  // After a failover: `follower` executes everything the new master `master` logged, both hold
  // exactly the acknowledged rows of test.diffed, and their table checksums are equal.
  void expect_survivors_agree(const std::string& master, const std::string& follower,
                              const std::set<int>& acked) {
    ASSERT_TRUE(eventually(
        [&] {
          auto ms = c().sql_row(master, "SHOW MASTER STATUS");
          auto fs = c().sql_row(follower, "SHOW SLAVE STATUS");
          return ms && fs && (*fs)["Relay_Master_Log_File"] == (*ms)["File"] &&
                 (*fs)["Exec_Master_Log_Pos"] == (*ms)["Position"];
        },
        seconds(60)));
    for (const std::string& h : {master, follower}) {
      EXPECT_EQ(ids_on(h, "test.diffed"), acked)
          << h << " does not hold exactly the acknowledged rows";
    }
    EXPECT_EQ(extended_checksums(follower), extended_checksums(master));
    EXPECT_NE(extended_checksums(follower), "");
  }

  std::string extended_checksums(const std::string& host) {
    auto tables = sql(host,
                      "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables "
                      "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('mysql', "
                      "'information_schema', 'performance_schema', 'sys') ORDER BY 1");
    if (!tables) return "";
    std::string out;
    std::istringstream in(*tables);
    for (std::string t; std::getline(in, t);) {
      if (t.empty()) continue;
      auto sum = sql(host, "CHECKSUM TABLE " + t + " EXTENDED");
      out += (sum ? *sum : "error") + "\n";
    }
    return out;
  }

  // `lagging` misses the last `n` commits that `latest` received; kill -9 the master; the
  // failover must bring both survivors to the same data, `expected_master` promoted.
  void run_lagging(const std::string& lagging, const std::string& latest, int n,
                   const std::string& expected_master) {
    const std::string conf = write_conf();
    ManagerProcess m(c(), conf, dir_);
    m.start();
    ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
    std::set<int> acked = commit_rows(1, 20);
    ASSERT_TRUE(replicas_received_all({lagging, latest}));
    ASSERT_TRUE(sql(lagging, "STOP SLAVE IO_THREAD"));
    // Small relay logs on the latest replica: the diff crosses relay-log rotations.
    ASSERT_TRUE(sql(latest, "SET GLOBAL max_relay_log_size = 4096"));
    for (int id : commit_rows(1000, n)) acked.insert(id);
    ASSERT_TRUE(replicas_received_all({latest}));
    ASSERT_EQ(ids_on(lagging, "test.diffed").size(), 20u);
    ASSERT_TRUE(c().kill9("db1"));
    ASSERT_EQ(m.wait_exit(seconds(180)), 0) << diagnostics(m);
    const std::string log = read_file(log_file());
    EXPECT_THAT(log, HasSubstr("apply_relay_diff"));
    EXPECT_THAT(log, HasSubstr("applied " + std::to_string(n) + " transaction(s)"));
    auto ro = sql(expected_master, "SELECT @@read_only");
    EXPECT_EQ(ro.value_or(""), "0");
    const std::string follower = expected_master == lagging ? latest : lagging;
    auto st = c().sql_row(follower, "SHOW SLAVE STATUS");
    ASSERT_TRUE(st);
    EXPECT_EQ((*st)["Master_Host"], c().host(expected_master).ip);
    EXPECT_EQ((*st)["Slave_SQL_Running"], "Yes") << (*st)["Last_SQL_Error"];
    // The follower replicates from the new master: wait until it executed everything.
    expect_survivors_agree(expected_master, follower, acked);
    // No diff is left on the hosts after a success.
    CommandResult left = c().exec_in(latest, "ls " + c().state_dir() + "/remote 2>/dev/null");
    EXPECT_THAT(left.out, ::testing::Not(HasSubstr("masterha_relay_diff")));
  }
};

// db3 (not a candidate) misses a few commits; db2 (candidate_master, latest) is promoted.
TEST_F(RelayDiffTest, ReplicaMissingTheLastTransactionsGetsThemFromTheLatest) {
  run_lagging("db3", "db2", 5, "db2");
}

// The candidate db2 misses 2000 commits that only db3 received: it is still elected, gets the
// diff from db3's relay logs first, and db3 then follows it from its recorded position.
TEST_F(RelayDiffTest, NewMasterMissingThousandsOfCommitsGetsThemBeforePromotion) {
  run_lagging("db2", "db3", 2000, "db2");
}

// The same with binlog_checksum=NONE everywhere (MariaDB rotates the binlog when it changes): the
// master's events reach the relay logs without a CRC32, and the diff built from them must still
// apply byte for byte (the reader cannot lean on checksums to find event boundaries).
TEST_F(RelayDiffTest, ReplicaMissingCommitsWithBinlogChecksumOff) {
  for (const char* host : {"db1", "db2", "db3"}) {
    ASSERT_TRUE(sql(host, "SET GLOBAL binlog_checksum = NONE"));
  }
  ASSERT_TRUE(replicas_received_all({"db2", "db3"}));
  ASSERT_EQ(sql("db1", "SELECT @@global.binlog_checksum").value_or(""), "NONE");
  run_lagging("db3", "db2", 300, "db2");
  // The salvage step read the dead master's binlog after the rotation: written without CRC32.
  EXPECT_THAT(read_file(log_file()), HasSubstr("Binlog checksum: none"));
}

// db3's IO thread stops inside one large transaction (its link from db1 is rate-limited with
// htb, so the transaction arrives slowly; STOP SLAVE IO_THREAD lands in the middle of it). Its
// SQL thread then idles at the transaction's start (Exec < Read) forever. The failover must not
// wait for Exec == Read: db3 gets the diff from its Exec position (the whole transaction, from
// db2's relay logs) and ends with exactly the acknowledged rows, no row twice or missing.
TEST_F(RelayDiffTest, ReplicaCutInsideATransactionGetsItWholeFromItsExecPosition) {
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  std::set<int> acked = commit_rows(1, 20);
  ASSERT_TRUE(replicas_received_all({"db2", "db3"}));

  // Only what db1 sends to db3 is slowed: 256 kbit/s, so a few MB take minutes.
  Undo unthrottle([&] { c().exec_in("db1", "tc qdisc del dev eth0 root 2>/dev/null"); });
  CommandResult tc =
      c().exec_in("db1",
                  "tc qdisc add dev eth0 root handle 1: htb default 1 && "
                  "tc class add dev eth0 parent 1: classid 1:1 htb rate 1gbit && "
                  "tc class add dev eth0 parent 1: classid 1:2 htb rate 256kbit ceil 256kbit && "
                  "tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst " +
                      c().host("db3").ip + "/32 flowid 1:2");
  ASSERT_EQ(tc.exit_code, 0) << tc.err;

  auto before = c().sql_row("db1", "SHOW MASTER STATUS");
  ASSERT_TRUE(before);
  // One transaction of 20000 rows (about 4.5 MB of row events).
  constexpr int kFirst = 100000;
  constexpr int kRows = 20000;
  ASSERT_TRUE(sql("db1", "INSERT INTO test.diffed SELECT seq, REPEAT('t', 200) FROM test.seq_" +
                             std::to_string(kFirst) + "_to_" + std::to_string(kFirst + kRows - 1)));
  for (int id = kFirst; id < kFirst + kRows; ++id) acked.insert(id);
  ASSERT_TRUE(replicas_received_all({"db2"}));
  auto after = c().sql_row("db1", "SHOW MASTER STATUS");
  ASSERT_TRUE(after);
  const uint64_t txn_start = std::stoull((*before)["Position"]);
  const uint64_t txn_end = std::stoull((*after)["Position"]);
  ASSERT_GT(txn_end - txn_start, 1000000u) << "the transaction is too small to be cut reliably";

  // Stop db3's IO thread once it has some of the transaction, well before the end.
  ASSERT_TRUE(eventually(
      [&] {
        auto st = c().sql_row("db3", "SHOW SLAVE STATUS");
        return st && (*st)["Master_Log_File"] == (*after)["File"] &&
               std::stoull((*st)["Read_Master_Log_Pos"]) > txn_start + 20000;
      },
      seconds(60)));
  ASSERT_TRUE(sql("db3", "STOP SLAVE IO_THREAD"));
  // The precondition the test is about: db3 is really inside the transaction, idle.
  std::map<std::string, std::string> cut;
  ASSERT_TRUE(eventually(
      [&] {
        auto st = c().sql_row("db3", "SHOW SLAVE STATUS");
        if (!st) return false;
        cut = *st;
        return cut["Slave_IO_Running"] == "No" &&
               cut["Slave_SQL_Running_State"].find("read all relay log") != std::string::npos;
      },
      seconds(30)))
      << cut["Slave_SQL_Running_State"];
  const uint64_t read = std::stoull(cut["Read_Master_Log_Pos"]);
  const uint64_t exec = std::stoull(cut["Exec_Master_Log_Pos"]);
  ASSERT_EQ(exec, txn_start) << "db3 did not stop at the start of the large transaction";
  ASSERT_GT(read, exec);
  ASSERT_LT(read, txn_end) << "db3 received the whole transaction: nothing was cut";
  ASSERT_EQ(ids_on("db3", "test.diffed").size(), 20u);

  ASSERT_TRUE(c().kill9("db1"));
  ASSERT_EQ(m.wait_exit(seconds(300)), 0) << diagnostics(m);
  const std::string log = read_file(log_file());
  EXPECT_THAT(log, HasSubstr("ends inside a transaction"));
  EXPECT_THAT(log, HasSubstr("applied 1 transaction(s)"));
  auto st = c().sql_row("db3", "SHOW SLAVE STATUS");
  ASSERT_TRUE(st);
  EXPECT_EQ((*st)["Master_Host"], c().host("db2").ip);
  EXPECT_EQ((*st)["Slave_SQL_Running"], "Yes") << (*st)["Last_SQL_Error"];
  expect_survivors_agree("db2", "db3", acked);
}

// Both replicas are cut inside the same large transaction: no replica has all of it. The plan
// counts both up to the transaction's start; the dead master's host still answers SSH, so the
// binlog salvage, starting there, brings the whole transaction to the new master and the other
// replica replicates it: every acknowledged row on both survivors.
TEST_F(RelayDiffTest, EveryReplicaCutInsideATransactionGetsItFromTheDeadMastersBinlog) {
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  std::set<int> acked = commit_rows(1, 20);
  ASSERT_TRUE(replicas_received_all({"db2", "db3"}));
  Undo unthrottle([&] { c().exec_in("db1", "tc qdisc del dev eth0 root 2>/dev/null"); });
  std::string line =
      "tc qdisc add dev eth0 root handle 1: htb default 1 && "
      "tc class add dev eth0 parent 1: classid 1:1 htb rate 1gbit && "
      "tc class add dev eth0 parent 1: classid 1:2 htb rate 256kbit ceil 256kbit";
  for (const std::string h : {"db2", "db3"}) {
    line += " && tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst " +
            c().host(h).ip + "/32 flowid 1:2";
  }
  CommandResult tc = c().exec_in("db1", line);
  ASSERT_EQ(tc.exit_code, 0) << tc.err;
  auto before = c().sql_row("db1", "SHOW MASTER STATUS");
  ASSERT_TRUE(before);
  // Semi-sync gives up after 3 s without an acknowledgement; the commit then returns.
  ASSERT_TRUE(sql("db1",
                  "INSERT INTO test.diffed SELECT seq, REPEAT('t', 200) FROM "
                  "test.seq_100000_to_119999"));
  for (int id = 100000; id < 120000; ++id) acked.insert(id);
  auto after = c().sql_row("db1", "SHOW MASTER STATUS");
  ASSERT_TRUE(after);
  const uint64_t txn_start = std::stoull((*before)["Position"]);
  const uint64_t txn_end = std::stoull((*after)["Position"]);
  for (const std::string h : {"db2", "db3"}) {
    ASSERT_TRUE(eventually(
        [&] {
          auto st = c().sql_row(h, "SHOW SLAVE STATUS");
          return st && (*st)["Master_Log_File"] == (*after)["File"] &&
                 std::stoull((*st)["Read_Master_Log_Pos"]) > txn_start + 20000;
        },
        seconds(60)))
        << h;
    ASSERT_TRUE(sql(h, "STOP SLAVE IO_THREAD"));
  }
  for (const std::string h : {"db2", "db3"}) {
    std::map<std::string, std::string> cut;
    ASSERT_TRUE(eventually(
        [&] {
          auto st = c().sql_row(h, "SHOW SLAVE STATUS");
          if (!st) return false;
          cut = *st;
          return cut["Slave_SQL_Running_State"].find("read all relay log") != std::string::npos;
        },
        seconds(30)))
        << h << ": " << cut["Slave_SQL_Running_State"];
    ASSERT_EQ(cut["Slave_IO_Running"], "No") << h;
    ASSERT_EQ(std::stoull(cut["Exec_Master_Log_Pos"]), txn_start) << h;
    ASSERT_LT(std::stoull(cut["Read_Master_Log_Pos"]), txn_end) << h << " received it all";
  }
  ASSERT_TRUE(c().kill9("db1"));
  ASSERT_EQ(m.wait_exit(seconds(300)), 0) << diagnostics(m);
  const std::string log = read_file(log_file());
  EXPECT_THAT(log, HasSubstr("received only part of the transaction at"));
  EXPECT_THAT(log, HasSubstr("saved 1 transaction(s)"));
  expect_survivors_agree("db2", "db3", acked);
}

// relay_log_purge=1 on the only latest replica removed the relay logs the lagging one needs:
// the failover stops at the check, before anything is promoted or re-pointed.
TEST_F(RelayDiffTest, PurgedRelayLogsOnTheLatestReplicaRefuseAndNobodyMoves) {
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  ASSERT_TRUE(sql("db3", "STOP SLAVE IO_THREAD"));
  ASSERT_TRUE(sql("db2", "SET GLOBAL relay_log_purge = 1"));
  ASSERT_TRUE(sql("db2", "SET GLOBAL max_relay_log_size = 4096"));
  commit_rows(1000, 200);
  ASSERT_TRUE(replicas_received_all({"db2"}));
  // The relay log db2 was writing when db3 stopped is finished and applied: purged.
  ASSERT_TRUE(sql("db2", "FLUSH RELAY LOGS"));
  ASSERT_TRUE(sql("db1", "INSERT INTO test.other VALUES (3, 3)"));
  ASSERT_TRUE(replicas_received_all({"db2"}));
  ASSERT_TRUE(c().kill9("db1"));
  const int rc = m.wait_exit(seconds(180));
  EXPECT_EQ(rc, 1) << diagnostics(m);
  const std::string log = read_file(log_file());
  EXPECT_THAT(log, HasSubstr("do not hold the events after")) << diagnostics(m);
  for (const std::string h : {"db2", "db3"}) {
    auto st = c().sql_row(h, "SHOW SLAVE STATUS");
    ASSERT_TRUE(st) << h;
    EXPECT_EQ((*st)["Master_Host"], c().host("db1").ip) << h << " was re-pointed";
    EXPECT_EQ(sql(h, "SELECT @@read_only").value_or(""), "1") << h << " was promoted";
  }
  EXPECT_EQ(ids_on("db3", "test.diffed").size(), 0u) << "db3 got part of a diff";
}

// The same cluster without semi-sync: the promotion needs no replica re-pointed before it.
class RelayDiffNoSemiSyncTest : public RelayDiffTest {
 protected:
  ClusterOptions cluster_options() const override { return {3, ReplMode::kFilePos, false}; }

  // The one file in the manager's work directory whose name ends with `suffix`.
  std::string work_file(const std::string& suffix) {
    std::vector<std::string> found;
    for (const auto& e : std::filesystem::directory_iterator(workdir())) {
      const std::string name = e.path().filename().string();
      if (name.size() > suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        found.push_back(e.path().string());
      }
    }
    EXPECT_EQ(found.size(), 1u) << "files ending with " << suffix << " in " << workdir();
    return found.empty() ? "" : found.front();
  }
};

// Issue #5 (docs/benchmarks.md "Diff-apply speed"): a follower's relay-log diff must not keep the
// new master read-only. db3 misses 300 commits that db2 (candidate_master, latest, the diff
// source) received; the failover promotes db2 and runs the VIP script first, then gives db3 its
// diff from db2's relay logs (still there: db2 keeps its replica configuration until then) and
// re-points it. Checked from the failover journal's start/end times and the report's step list,
// then on the servers: every acknowledged write on both survivors, equal checksums.
TEST_F(RelayDiffNoSemiSyncTest, FollowerDiffRunsAfterThePromotionAndTheVipMove) {
  const std::string conf = write_conf();
  ManagerProcess m(c(), conf, dir_);
  m.start();
  ASSERT_TRUE(wait_status(conf, 0, seconds(30))) << diagnostics(m);
  std::set<int> acked = commit_rows(1, 20);
  ASSERT_TRUE(replicas_received_all({"db2", "db3"}));
  ASSERT_TRUE(sql("db3", "STOP SLAVE IO_THREAD"));
  ASSERT_TRUE(sql("db2", "SET GLOBAL max_relay_log_size = 4096"));
  for (int id : commit_rows(1000, 300)) acked.insert(id);
  ASSERT_TRUE(replicas_received_all({"db2"}));
  ASSERT_EQ(ids_on("db3", "test.diffed").size(), 20u);
  ASSERT_TRUE(c().kill9("db1"));
  ASSERT_EQ(m.wait_exit(seconds(180)), 0) << diagnostics(m);

  // The journal: one JSON line per step started / finished, in the order they ran.
  struct Record {
    std::size_t line;
    nlohmann::json j;
  };
  std::vector<Record> journal;
  {
    std::ifstream in(work_file(".failover.journal"));
    std::string line;
    for (std::size_t k = 0; std::getline(in, line); ++k) {
      if (!line.empty()) journal.push_back({k, nlohmann::json::parse(line)});
    }
  }
  auto find = [&](const std::string& name, const std::string& kind,
                  const std::string& detail_has) -> const Record* {
    for (const Record& r : journal) {
      if (r.j["name"] == name && r.j["kind"] == kind &&
          r.j["detail"].get<std::string>().find(detail_has) != std::string::npos) {
        return &r;
      }
    }
    return nullptr;
  };
  const std::string db3 = ip("db3") + "(" + ip("db3") + ":";  // the display name
  const Record* promoted = find("promote_new_master", "finished", "");
  const Record* vip = find("run_failover_script", "finished", "");
  const Record* diff = find("apply_relay_diff", "started", "Apply relay-log events");
  const Record* repointed = find("repoint_replica", "finished", "");
  const Record* reset = find("reset_new_master_replication", "finished", "");
  ASSERT_TRUE(promoted && vip && diff) << read_file(work_file(".journal"));
  EXPECT_THAT(diff->j["detail"].get<std::string>(), HasSubstr("on " + db3));
  EXPECT_EQ(promoted->j["outcome"], "ok");
  EXPECT_EQ(vip->j["outcome"], "ok");
  // ISO 8601 UTC with milliseconds: ordered as strings. Equal milliseconds are possible, so the
  // journal's line order (strict) is checked too.
  for (const Record* before : {promoted, vip}) {
    EXPECT_LT(before->line, diff->line) << before->j.dump() << " vs " << diff->j.dump();
    EXPECT_LE(before->j["at"].get<std::string>(), diff->j["at"].get<std::string>())
        << before->j.dump() << " vs " << diff->j.dump();
  }
  // db2's relay logs were the source: it is reset only after db3's diff and re-point.
  ASSERT_TRUE(repointed && reset) << read_file(work_file(".journal"));
  EXPECT_LT(diff->line, repointed->line);
  EXPECT_LT(repointed->line, reset->line);

  // The report lists the same steps in the order they ran, all ok.
  const nlohmann::json report =
      nlohmann::json::parse(read_file(work_file(".failover.report.json")));
  EXPECT_EQ(report["result"], "succeeded");
  std::vector<std::string> ran;
  for (const auto& step : report["steps"]) {
    ran.push_back(step["step"].get<std::string>());
    EXPECT_NE(step["outcome"], "failed") << step.dump();
  }
  auto at = [&](const std::string& name, int nth) {
    for (std::size_t k = 0; k < ran.size(); ++k) {
      if (ran[k] == name && nth-- == 0) return static_cast<long>(k);
    }
    return -1L;
  };
  ASSERT_GE(at("apply_relay_diff", 1), 0) << report["steps"].dump(1);  // [0] is the check
  EXPECT_LT(at("promote_new_master", 0), at("apply_relay_diff", 1));
  EXPECT_LT(at("run_failover_script", 0), at("apply_relay_diff", 1));

  EXPECT_EQ(sql("db2", "SELECT @@read_only").value_or(""), "0");
  EXPECT_TRUE(slave_status("db2").empty()) << "db2 kept its replica configuration";
  auto st = c().sql_row("db3", "SHOW SLAVE STATUS");
  ASSERT_TRUE(st);
  EXPECT_EQ((*st)["Master_Host"], ip("db2"));
  EXPECT_EQ((*st)["Slave_SQL_Running"], "Yes") << (*st)["Last_SQL_Error"];
  expect_survivors_agree("db2", "db3", acked);
}

// purge_relay_logs on a replica that keeps relay_log_purge=0: the finished relay logs go, the
// setting stays 0 and replication goes on.
TEST_F(RelayDiffTest, PurgeRelayLogsRemovesFinishedRelayLogsAndKeepsPurgingOff) {
  ASSERT_TRUE(sql("db2", "SET GLOBAL max_relay_log_size = 4096"));
  commit_rows(1000, 100);
  ASSERT_TRUE(replicas_received_all({"db2", "db3"}));
  auto base = sql("db2", "SELECT @@relay_log_basename");
  ASSERT_TRUE(base);
  auto count = [&] {
    CommandResult r = c().exec_in("db2", "ls " + shell_quote(*base) + ".0* | wc -l");
    return std::stoi("0" + r.out);
  };
  const int before = count();
  ASSERT_GT(before, 3);
  const Host& db2 = c().host("db2");
  CommandResult r = c().exec_in("db2", shell_quote(binary("purge_relay_logs")) +
                                           " --user=root --socket=" + shell_quote(db2.socket) +
                                           " --workdir=/tmp");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"result\":\"purged\""));
  EXPECT_LT(count(), before);
  EXPECT_EQ(sql("db2", "SELECT @@relay_log_purge").value_or(""), "0");
  ASSERT_TRUE(sql("db1", "INSERT INTO test.other VALUES (9, 9)"));
  EXPECT_TRUE(replicas_received_all({"db2", "db3"}));
}

}  // namespace
}  // namespace mha::test
