// The ApplyRelayDiff step's pieces (src/recovery/relay_diff.h) with scripted SQL sessions and a
// scripted host: command lines, the helper's summary, and what a failed or a good apply leaves.

#include "relay_diff.h"

#include "mha/mysql/testing/fake_sql_session.h"
#include "mha/topology/server_version.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <stdlib.h>

namespace mha::recovery::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Answers by the first scripted substring the command contains; records every command.
class FakeHosts final : public HostAccess {
 public:
  void on(const std::string& needle, ssh::ExecResult r) { script_.emplace_back(needle, r); }
  Result<ssh::ExecResult> run(std::size_t host, const std::string& command, const std::string&,
                              std::chrono::milliseconds) override {
    commands.push_back(std::to_string(host) + ": " + command);
    for (const auto& [needle, r] : script_) {
      if (command.find(needle) != std::string::npos) return r;
    }
    return ssh::ExecResult{0, "", "", ""};
  }
  Status download(std::size_t host, const std::string& remote, const std::string& local) override {
    commands.push_back(std::to_string(host) + ": download " + remote);
    std::ofstream(local) << "diff";
    return ok_status();
  }
  Status upload(std::size_t host, const std::string&, const std::string& remote, int) override {
    commands.push_back(std::to_string(host) + ": upload " + remote);
    return ok_status();
  }
  std::vector<std::string> commands;

 private:
  std::vector<std::pair<std::string, ssh::ExecResult>> script_;
};

const std::vector<std::string> kStatusColumns = {
    "Master_Host",         "Master_Port",     "Slave_IO_Running",    "Slave_SQL_Running",
    "Using_Gtid",          "Master_Log_File", "Read_Master_Log_Pos", "Relay_Master_Log_File",
    "Exec_Master_Log_Pos", "Relay_Log_File",  "Relay_Log_Pos"};

mysql::ResultSet status(const std::string& read, const std::string& exec) {
  return mysql::ResultSet{kStatusColumns,
                          {{"10.77.0.11", "3306", "No", "Yes", "No", "mysql-bin.000003", read,
                            "mysql-bin.000003", exec, "relay-bin.000007", "900"}},
                          0};
}

const char* kGenerated =
    "{\"tool\":\"apply_diff_relay_logs\",\"command\":\"generate\",\"result\":\"generated\","
    "\"end\":{\"file\":\"mysql-bin.000003\",\"pos\":1234},\"transactions\":3,"
    "\"last_gtid\":\"0-1-14\",\"bytes\":700,\"incomplete_tail\":null}\n";

class RelayDiffStep : public ::testing::Test {
 protected:
  RelayDiffStep()
      : dialect_(*mysql::Dialect::for_version(
            *topology::parse_server_version("10.11.19-MariaDB-0+deb12u1-log"))) {
    // A directory of its own: ctest runs this fixture's tests in parallel, and a shared fixed
    // name let one test's teardown remove another's scratch directory mid-test.
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mha-relay-diff-step-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    scratch_ = pattern;
    job_.target = {"db3", 2, "10.77.0.13", 3306, "/var/tmp", &target_, &dialect_};
    job_.source = {"db2", 1, "10.77.0.12", 3306, "/var/tmp", &source_, &dialect_};
    job_.hosts = &hosts_;
    job_.admin = {"mha", "admin-secret"};
    job_.app = "app1";
    job_.local_workdir = scratch_.string();
    job_.from = {"mysql-bin.000003", 900};
    job_.to = {"mysql-bin.000003", 1234};
    job_.timeout = std::chrono::seconds(60);
  }
  ~RelayDiffStep() override { std::filesystem::remove_all(scratch_); }

  void expect_source_location() {
    source_.expect("SHOW SLAVE STATUS").returns(status("1234", "1234"));
    source_.expect(dialect_.select_relay_log_basename())
        .returns({"base", "id"}, {{"/var/lib/mysql/relay-bin", "2"}});
  }
  void expect_target_settled() {
    target_.expect("SHOW SLAVE STATUS").returns(status("900", "900"));
    target_.expect(dialect_.stop_replica(mysql::ReplicaThreads::kSqlThread));
  }
  void expect_apply_prelude() {
    target_.expect(dialect_.select_packet_and_read_only()).returns({"p", "r"}, {{"16777216", "1"}});
    target_.expect(dialect_.set_max_allowed_packet(1073741824));
    for (const std::string& s : dialect_.set_read_only(false)) target_.expect(s);
  }
  void expect_restore() {
    for (const std::string& s : dialect_.set_read_only(true)) target_.expect(s);
    target_.expect(dialect_.set_max_allowed_packet(16777216));
  }

  mysql::Dialect dialect_;
  std::filesystem::path scratch_;
  mysql::testing::FakeSqlSession target_;
  mysql::testing::FakeSqlSession source_;
  FakeHosts hosts_;
  RelayDiffJob job_;
};

TEST(RelayDiffCommand, QuotesEveryWordAndNamesBothPositions) {
  const std::string cmd =
      relay_diff_command("generate", "/var/lib/my sql", "relay-bin.000007", 2,
                         {"mysql-bin.000003", 900}, {"mysql-bin.000004", 4}, "/var/tmp/d.binlog");
  EXPECT_EQ(cmd,
            "masterha_node apply_diff_relay_logs '--command=generate' "
            "'--relay_dir=/var/lib/my sql' '--current_relay_log=relay-bin.000007' "
            "'--server_id=2' '--target_mlf=mysql-bin.000003' '--target_rmlp=900' "
            "'--latest_mlf=mysql-bin.000004' '--latest_rmlp=4' "
            "'--diff_file_readtolatest=/var/tmp/d.binlog'");
}

TEST(RelayDiffCommand, ReadsTheSummaryLine) {
  auto r = parse_relay_diff_output(std::string("banner\n") + kGenerated);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->has_diff);
  EXPECT_EQ(r->transactions, 3u);
  ASSERT_TRUE(r->end);
  EXPECT_EQ(r->end->to_string(), "mysql-bin.000003:1234");
  EXPECT_EQ(r->last_gtid->to_string(), "0-1-14");
  auto none = parse_relay_diff_output("{\"result\":\"nothing_to_apply\",\"end\":null}\n");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_diff);
  EXPECT_FALSE(none->end);
  EXPECT_FALSE(parse_relay_diff_output("no json here\n"));
}

TEST_F(RelayDiffStep, CheckReportsPurgedRelayLogsWithTheHelpersReason) {
  job_.check_only = true;
  expect_source_location();
  hosts_.on("--command=find",
            {1, "", "",
             "apply_diff_relay_logs: Failed to find the relay-log diff: the relay logs "
             "in /var/lib/mysql do not hold the events after mysql-bin.000003:900\n"});
  const RelayDiffOutcome o = run_relay_diff(job_);
  EXPECT_FALSE(o.ok);
  EXPECT_FALSE(o.target_changed);
  EXPECT_THAT(o.detail, HasSubstr("exited 1"));
  EXPECT_THAT(o.detail, HasSubstr("do not hold the events after mysql-bin.000003:900"));
  ASSERT_EQ(hosts_.commands.size(), 1u);
  EXPECT_THAT(hosts_.commands[0], HasSubstr("1: masterha_node apply_diff_relay_logs"));
  EXPECT_THAT(hosts_.commands[0], HasSubstr("'--relay_dir=/var/lib/mysql'"));
}

TEST_F(RelayDiffStep, AppliesVerifiesAndCleansUp) {
  expect_target_settled();
  expect_source_location();
  expect_apply_prelude();
  expect_restore();
  target_.expect(dialect_.select_logged_gtids()).returns({"g", "b"}, {{"0-1-14", "1"}});
  hosts_.on("--command=generate", {0, "", kGenerated, ""});
  hosts_.on("mysqlbinlog", {0, "", "pipestatus=0 0\n", ""});
  const RelayDiffOutcome o = run_relay_diff(job_);
  EXPECT_TRUE(o.ok) << o.detail;
  EXPECT_THAT(o.detail, HasSubstr("applied 3 transaction(s)"));
  std::string all;
  for (const std::string& c : hosts_.commands) all += c + "\n";
  EXPECT_THAT(all, HasSubstr("1: download /var/tmp/masterha_relay_diff_app1_2.binlog"));
  EXPECT_THAT(all, HasSubstr("2: upload /var/tmp/masterha_relay_diff_app1_2.binlog"));
  EXPECT_THAT(all, HasSubstr("2: rm -f '/var/tmp/masterha_relay_diff_app1_2.binlog'"));
  EXPECT_THAT(all, HasSubstr("1: rm -f '/var/tmp/masterha_relay_diff_app1_2.binlog'"));
  EXPECT_THAT(all, Not(HasSubstr("admin-secret")));
  EXPECT_TRUE(std::filesystem::is_empty(scratch_));
}

TEST_F(RelayDiffStep, AHalfWayApplyFailsRestoresTheServerAndKeepsTheFiles) {
  expect_target_settled();
  expect_source_location();
  expect_apply_prelude();
  expect_restore();
  hosts_.on("--command=generate", {0, "", kGenerated, ""});
  // mysqlbinlog stopped half way; mysql itself exited 0.
  hosts_.on("mysqlbinlog", {0, "", "pipestatus=1 0\n", "ERROR: Binary logs are missing data\n"});
  const RelayDiffOutcome o = run_relay_diff(job_);
  EXPECT_FALSE(o.ok);
  EXPECT_TRUE(o.target_changed);
  EXPECT_THAT(o.detail, HasSubstr("pipestatus=1 0"));
  EXPECT_THAT(o.detail, HasSubstr("files kept"));
  EXPECT_THAT(o.detail, HasSubstr("db3:/var/tmp/masterha_relay_diff_app1_2.binlog"));
}

TEST_F(RelayDiffStep, MissingTransactionAfterTheApplyFails) {
  expect_target_settled();
  expect_source_location();
  expect_apply_prelude();
  expect_restore();
  target_.expect(dialect_.select_logged_gtids()).returns({"g", "b"}, {{"0-1-13", "1"}});
  hosts_.on("--command=generate", {0, "", kGenerated, ""});
  hosts_.on("mysqlbinlog", {0, "", "pipestatus=0 0\n", ""});
  const RelayDiffOutcome o = run_relay_diff(job_);
  EXPECT_FALSE(o.ok);
  EXPECT_THAT(o.detail, HasSubstr("does not have 0-1-14"));
}

TEST_F(RelayDiffStep, ATargetThatReceivedSomethingElseIsNotTouched) {
  target_.expect("SHOW SLAVE STATUS").returns(status("950", "950"));
  const RelayDiffOutcome o = run_relay_diff(job_);
  EXPECT_FALSE(o.ok);
  EXPECT_FALSE(o.target_changed);
  EXPECT_THAT(o.detail, HasSubstr("not mysql-bin.000003:900 as planned"));
  EXPECT_TRUE(hosts_.commands.empty());
}

}  // namespace
}  // namespace mha::recovery::internal
