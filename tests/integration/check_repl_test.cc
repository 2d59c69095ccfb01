// masterha_check_repl against the real test bed, run as an operator runs it: the built binary in
// the manager namespace (`ip netns exec mha-mgr build/bin/masterha_check_repl --conf=...`).
//
// Each test breaks one thing, asserts the exit code and the line that names the problem, and
// undoes the fault (guards run even when an assertion fails), then waits until every replica
// replicates again so the next test starts from a healthy cluster. The cluster comes up once
// per replication mode (GTID suite, file/position suite).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cluster.h"
#include "support/harness.h"
#include <sys/stat.h>

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kOk = "MySQL Replication Health is OK.";
constexpr const char* kNotOk = "MySQL Replication Health is NOT OK!";

struct ToolRun {
  int code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

// The one line of `out` that has "[<level>] <check>: " and `text`; "" when there is none.
std::string line_with(const std::string& out, const std::string& level, const std::string& check,
                      const std::string& text) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.find("[" + level + "] " + check + ": ") != std::string::npos &&
        line.find(text) != std::string::npos) {
      return line;
    }
  }
  return "";
}

std::string last_line(const std::string& out) {
  std::istringstream in(out);
  std::string last;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) last = line;
  }
  return last;
}

class CheckReplTest : public ::testing::Test {
 protected:
  static void bring_up(ReplMode mode) {
    cluster_ = new Cluster();
    const auto start = Clock::now();
    Status s = cluster_->up(ClusterOptions{3, mode, true});
    if (!s) up_error_ = s.error().message;
    up_seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("[ cluster  ] up in %.1f s\n", up_seconds_);
  }
  static void TearDownTestSuite() {
    delete cluster_;  // down()
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    ASSERT_TRUE(cluster_->is_up()) << "test bed did not come up: " << up_error_;
  }

  static Cluster& c() { return *cluster_; }
  static std::string ip(const std::string& host) { return c().host(host).ip; }
  static std::string display(const std::string& host) {
    return ip(host) + "(" + ip(host) + ":3306)";  // app1.cnf names hosts by address
  }

  static ToolRun check_repl_conf(const std::string& conf, const std::string& extra = "") {
    const auto start = Clock::now();
    CommandResult r =
        c().exec_in("mgr",
                    shell_quote(binary("masterha_check_repl")) + " --conf=" + shell_quote(conf) +
                        " --global_conf=" + shell_quote(c().state_dir() + "/no_default.cnf") +
                        (extra.empty() ? "" : " " + extra),
                    120);
    return ToolRun{r.exit_code, r.out, r.err,
                   std::chrono::duration<double>(Clock::now() - start).count()};
  }
  static ToolRun check_repl(const std::string& extra = std::string()) {
    return check_repl_conf(c().env("APP_CONF"), extra);
  }

  static void sql_ok(const std::string& host, const std::string& statement) {
    Result<std::string> r = c().sql(host, statement);
    EXPECT_TRUE(r) << host << ": " << statement << ": " << (r ? "" : r.error().message);
  }

  static std::string slave_field(const std::string& host, const std::string& field) {
    Result<std::map<std::string, std::string>> row = c().sql_row(host, "SHOW SLAVE STATUS");
    if (!row) return "error: " + row.error().message;
    auto it = row->find(field);
    return it == row->end() ? "" : it->second;
  }

  static bool poll(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(50ms);
    }
    return true;
  }

  // Every replica's IO and SQL threads are running again (after a fault was undone).
  static void expect_replicating() {
    for (const char* h : {"db2", "db3"}) {
      EXPECT_TRUE(poll(
          [&] {
            return slave_field(h, "Slave_IO_Running") == "Yes" &&
                   slave_field(h, "Slave_SQL_Running") == "Yes";
          },
          30s))
          << h << " does not replicate: IO " << slave_field(h, "Slave_IO_Running") << ", SQL "
          << slave_field(h, "Slave_SQL_Running") << ", " << slave_field(h, "Last_Error");
    }
  }

  // A copy of app1.cnf with `edit` applied to its text, under the test bed's directory.
  static std::string conf_copy(const std::string& name,
                               const std::function<std::string(std::string)>& edit) {
    std::ifstream in(c().env("APP_CONF"));
    std::stringstream text;
    text << in.rdbuf();
    const std::string path = c().state_dir() + "/" + name;
    std::ofstream out(path, std::ios::trunc);
    out << edit(text.str());
    out.close();
    return path;
  }

  static std::string add_to_server_default(std::string text, const std::string& line) {
    const std::string section = "[server default]\n";
    const std::size_t at = text.find(section);
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) text.insert(at + section.size(), line + "\n");
    return text;
  }

  static void expect_healthy(const ToolRun& r) {
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(last_line(r.out), kOk) << r.out;
    EXPECT_NE(r.out.find(display("db1") + " (current master)\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" +--" + display("db2") + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" +--" + display("db3") + "\n"), std::string::npos) << r.out;
  }

  static inline Cluster* cluster_ = nullptr;
  static inline std::string up_error_;
  static inline double up_seconds_ = 0;
};

// --- MariaDB GTID mode (Using_Gtid=Slave_Pos), semi-sync on -----------------------------------

class CheckReplGtid : public CheckReplTest {
 protected:
  static void SetUpTestSuite() { bring_up(ReplMode::kGtid); }
};

TEST_F(CheckReplGtid, HealthyClusterIsOk) {
  ToolRun r = check_repl();
  expect_healthy(r);
  EXPECT_NE(line_with(r.out, "info", "master", "Current master is " + display("db1")), "") << r.out;
  // The SSH facts come from the manager's probe of every host.
  for (const char* h : {"db1", "db2", "db3"}) {
    EXPECT_NE(line_with(r.out, "info", "ssh", display(h) + " is reachable over SSH."), "") << r.out;
    // The fixture puts this build's masterha_node on the PATH of SSH sessions.
    EXPECT_NE(line_with(r.out, "info", "node_helper", "found on " + display(h)), "") << r.out;
  }
  EXPECT_NE(line_with(r.out, "info", "errant_transactions", ""), "") << r.out;
  std::printf("[ timing   ] healthy check took %.2f s\n", r.seconds);
}

TEST_F(CheckReplGtid, JsonReportHasEveryCheck) {
  ToolRun r = check_repl("--json");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << "stdout is not JSON:\n" << r.out;
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["mode"], "mariadb_gtid");
  EXPECT_EQ(j["master"]["ip"], ip("db1"));
  EXPECT_EQ(j["replicas"].size(), 2u);
  std::set<std::string> names;
  for (const nlohmann::json& check : j["checks"]) {
    ASSERT_TRUE(check.contains("name") && check.contains("status") && check.contains("message"))
        << check.dump();
    names.insert(check["name"].get<std::string>());
  }
  // Every check that reports on a healthy GTID cluster (log_slave_updates, dead_servers and
  // failed_replicas only speak up when something is wrong).
  const std::vector<std::string> expected = {"sql_access",
                                             "master",
                                             "master_alive",
                                             "topology",
                                             "alive_replicas",
                                             "server_versions",
                                             "server_id_unique",
                                             "read_only",
                                             "log_bin",
                                             "relay_log_purge",
                                             "replication_filters",
                                             "binlog_filters",
                                             "gtid_consistency",
                                             "errant_transactions",
                                             "repl_user_privilege",
                                             "promotable_replica",
                                             "ssh",
                                             "node_helper",
                                             "replication_running",
                                             "semi_sync",
                                             "failure_detection",
                                             "data_loss_risk",
                                             "master_ip_failover_script",
                                             "shutdown_script"};
  for (const std::string& name : expected) {
    EXPECT_TRUE(names.count(name)) << "missing check " << name << " in\n" << r.out;
  }
  EXPECT_EQ(r.out.find("MySQL Replication Health"), std::string::npos) << "text leaked into JSON";
}

TEST_F(CheckReplGtid, StoppedReplicaIsNotOk) {
  ASSERT_TRUE(c().kill9("db3"));
  Undo undo([] {
    EXPECT_TRUE(c().restart_mysqld("db3"));
    expect_replicating();
  });
  ToolRun r = check_repl();
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  EXPECT_NE(line_with(r.out, "error", "dead_servers", display("db3")), "") << r.out;
}

TEST_F(CheckReplGtid, SqlThreadErrorIsNamed) {
  sql_ok("db1", "CREATE TABLE IF NOT EXISTS test.check_repl (id INT PRIMARY KEY)");
  ASSERT_TRUE(
      poll([] { return c().sql("db3", "SELECT COUNT(*) FROM test.check_repl").has_value(); }, 20s));
  // A row only db3 has, then the same key from the master: db3's SQL thread stops on 1062.
  sql_ok("db3", "SET SESSION sql_log_bin=0; INSERT INTO test.check_repl VALUES (1)");
  sql_ok("db1", "INSERT INTO test.check_repl VALUES (1)");
  Undo undo([] {
    sql_ok("db3", "SET SESSION sql_log_bin=0; DELETE FROM test.check_repl WHERE id=1; START SLAVE");
    expect_replicating();
    sql_ok("db1", "DELETE FROM test.check_repl");
  });
  ASSERT_TRUE(poll([] { return slave_field("db3", "Last_SQL_Errno") == "1062"; }, 20s))
      << slave_field("db3", "Last_SQL_Error");
  ToolRun r = check_repl();
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  EXPECT_NE(line_with(r.out, "error", "failed_replicas", display("db3")), "") << r.out;
  EXPECT_NE(line_with(r.out, "error", "failed_replicas", "Duplicate entry"), "") << r.out;
  EXPECT_NE(r.out.find(" +--" + display("db3") + " (failed)"), std::string::npos) << r.out;
}

TEST_F(CheckReplGtid, WritableReplicaIsAWarningAndTwoWritableMastersAnError) {
  sql_ok("db2", "SET GLOBAL read_only=0");
  Undo undo([] {
    sql_ok("db1", "STOP SLAVE; RESET SLAVE ALL");
    sql_ok("db2", "SET GLOBAL read_only=1");
  });
  // A writable replica: MHA only warns, and so do we.
  ToolRun r = check_repl();
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(line_with(r.out, "warning", "read_only",
                      "read_only=1 is not set on replica " + display("db2")),
            "")
      << r.out;
  // The old master also set up to replicate from db2: master-master with both writable.
  sql_ok("db1", "CHANGE MASTER TO MASTER_HOST='" + ip("db2") +
                    "', MASTER_PORT=3306, MASTER_USER='" + c().env("REPL_USER") +
                    "', MASTER_USE_GTID=current_pos");
  r = check_repl();
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  EXPECT_NE(line_with(r.out, "error", "master",
                      "Multi-master configuration is detected, but two or more masters are "
                      "either writable"),
            "")
      << r.out;
}

TEST_F(CheckReplGtid, ReplicaOfAnotherReplicaIsNotOk) {
  sql_ok("db3", "STOP SLAVE; CHANGE MASTER TO MASTER_HOST='" + ip("db2") + "'; START SLAVE");
  Undo undo([] {
    sql_ok("db3", "STOP SLAVE; CHANGE MASTER TO MASTER_HOST='" + ip("db1") + "'; START SLAVE");
    expect_replicating();
  });
  ToolRun r = check_repl();
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  EXPECT_NE(line_with(r.out, "error", "topology",
                      display("db3") + " replicates from " + display("db2") +
                          ", but the real master is " + display("db1")),
            "")
      << r.out;
}

TEST_F(CheckReplGtid, MissingReplicationGrantOnACandidateIsAnError) {
  const std::string user = "'" + c().env("REPL_USER") + "'@'%'";
  sql_ok("db2", "SET SESSION sql_log_bin=0; REVOKE REPLICATION SLAVE ON *.* FROM " + user);
  Undo undo([user] {
    sql_ok("db2", "SET SESSION sql_log_bin=0; GRANT REPLICATION SLAVE ON *.* TO " + user);
  });
  ToolRun r = check_repl();
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  EXPECT_NE(line_with(r.out, "error", "repl_user_privilege",
                      "does not have the REPLICATION SLAVE privilege on " + display("db2")),
            "")
      << r.out;
}

TEST_F(CheckReplGtid, WrongPasswordIsAccessDeniedWithoutThePassword) {
  const std::string bad = "Wrong-Pa55word-xyzzy";
  const std::string conf = conf_copy("check_repl_bad_password.cnf", [&](std::string text) {
    const std::string key = "\npassword=";
    const std::size_t at = text.find(key);
    EXPECT_NE(at, std::string::npos);
    const std::size_t end = text.find('\n', at + 1);
    return text.replace(at, end - at, key + bad);
  });
  ToolRun r = check_repl_conf(conf);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  EXPECT_NE(line_with(r.out, "error", "sql_access", "Access denied"), "") << r.out;
  for (const std::string& secret : {bad, c().env("ADMIN_PASSWORD"), c().env("REPL_PASSWORD")}) {
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
  }
}

TEST_F(CheckReplGtid, UnreachableHostIsNotOkWithinBoundedTime) {
  ASSERT_TRUE(c().link_down("db3"));
  Undo undo([] {
    EXPECT_TRUE(c().link_up("db3"));
    expect_replicating();
  });
  ToolRun r = check_repl();
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  EXPECT_NE(line_with(r.out, "error", "dead_servers", display("db3")), "") << r.out;
  // SQL connect (5 s) and SSH connect (ssh_connection_timeout 5 s) run in parallel.
  EXPECT_LT(r.seconds, 15.0) << r.out;
  std::printf("[ timing   ] check with db3 unreachable took %.2f s\n", r.seconds);
}

TEST_F(CheckReplGtid, ErrantTransactionOnAReplicaIsNamed) {
  sql_ok("db1", "CREATE TABLE IF NOT EXISTS test.check_repl (id INT PRIMARY KEY)");
  ASSERT_TRUE(
      poll([] { return c().sql("db2", "SELECT COUNT(*) FROM test.check_repl").has_value(); }, 20s));
  // A write made on db2 itself, in its own GTID domain, so replication from db1 goes on.
  sql_ok("db2",
         "SET GLOBAL read_only=0; SET SESSION gtid_domain_id=9; "
         "INSERT INTO test.check_repl VALUES (100); SET GLOBAL read_only=1");
  Undo undo([] {
    // Forget the errant GTID: db2 has no replicas, so its binlog can start afresh.
    sql_ok("db2",
           "STOP SLAVE; SET SESSION sql_log_bin=0; DELETE FROM test.check_repl WHERE id=100; "
           "RESET MASTER; START SLAVE");
    expect_replicating();
  });
  ToolRun r = check_repl();
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  EXPECT_NE(line_with(r.out, "error", "errant_transactions", display("db2")), "") << r.out;
  EXPECT_NE(line_with(r.out, "error", "errant_transactions", "9-2-1"), "") << r.out;
}

TEST_F(CheckReplGtid, StatusScriptsAreCalledLikeMhaAndAFailureIsNotOk) {
  const std::string dir = c().state_dir();
  const std::string args_file = dir + "/check_repl_script_args";
  const std::string script = dir + "/check_repl_status.sh";
  {
    std::ofstream out(script, std::ios::trunc);
    out << "#!/bin/sh\necho \"$@\" > " << args_file << "\nexit \"${STATUS_EXIT:-0}\"\n";
  }
  ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
  const std::string ok_conf = conf_copy("check_repl_script_ok.cnf", [&](std::string text) {
    return add_to_server_default(text, "master_ip_failover_script=" + script);
  });
  ToolRun r = check_repl_conf(ok_conf);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(line_with(r.out, "info", "master_ip_failover_script", "exited with 0"), "") << r.out;
  std::ifstream in(args_file);
  std::string args;
  std::getline(in, args);
  EXPECT_EQ(args.rfind("--command=status --ssh_user=root --orig_master_host=" + ip("db1") +
                           " --orig_master_ip=" + ip("db1") + " --orig_master_port=3306",
                       0),
            0u)
      << args;

  const std::string failing = conf_copy("check_repl_script_fail.cnf", [&](std::string text) {
    return add_to_server_default(text, "master_ip_failover_script=STATUS_EXIT=1 " + script);
  });
  r = check_repl_conf(failing);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  EXPECT_NE(line_with(r.out, "error", "master_ip_failover_script", "exited with 1"), "") << r.out;
}

// --- MariaDB file/position mode ----------------------------------------------------------------

class CheckReplFilePos : public CheckReplTest {
 protected:
  static void SetUpTestSuite() { bring_up(ReplMode::kFilePos); }
};

TEST_F(CheckReplFilePos, HealthyClusterIsOk) {
  ToolRun r = check_repl();
  expect_healthy(r);
  EXPECT_EQ(r.out.find("[warning] relay_log_purge:"), std::string::npos) << r.out;
  // File/position failover needs SSH and the node helper on every host: both are checked.
  for (const char* h : {"db1", "db2", "db3"}) {
    EXPECT_NE(line_with(r.out, "info", "ssh", display(h) + " is reachable over SSH."), "") << r.out;
    EXPECT_NE(line_with(r.out, "info", "node_helper", "found on " + display(h)), "") << r.out;
  }
}

TEST_F(CheckReplFilePos, RelayLogPurgeIsAWarningAsInMha) {
  sql_ok("db3", "SET GLOBAL relay_log_purge=1");
  Undo undo([] { sql_ok("db3", "SET GLOBAL relay_log_purge=0"); });
  ToolRun r = check_repl();
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kOk) << r.out;
  EXPECT_NE(line_with(r.out, "warning", "relay_log_purge", display("db3")), "") << r.out;
}

// A key the hosts do not authorise: file/position failover needs SSH to every host, so the
// report fails and names each host (the node helper is then not probed at all).
TEST_F(CheckReplFilePos, UnauthorisedSshKeyIsAnError) {
  const std::string key = c().state_dir() + "/check_repl_unknown_key";
  CommandResult gen = run_command("rm -f " + shell_quote(key) + " " + shell_quote(key + ".pub") +
                                  " && ssh-keygen -q -t ed25519 -N '' -f " + shell_quote(key));
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string conf = conf_copy("check_repl_bad_key.cnf", [&](std::string text) {
    const std::size_t at = text.find(c().env("SSH_KEY"));
    EXPECT_NE(at, std::string::npos);
    return text.replace(at, c().env("SSH_KEY").size(), key);
  });
  ToolRun r = check_repl_conf(conf);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), kNotOk) << r.out;
  for (const char* h : {"db1", "db2", "db3"}) {
    EXPECT_NE(line_with(r.out, "error", "ssh", display(h) + " is not reachable over SSH"), "")
        << r.out;
  }
}

}  // namespace
}  // namespace mha::test
