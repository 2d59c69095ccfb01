// File/position failovers recover a follower that needs a relay-log diff after the promotion and
// the VIP move (planner/steps.h "Order"). What the executor must do with such a plan: a follower
// that fails then is left out and reported (exit 10, the new master stays promoted and the VIP
// moved), the new master's RESET SLAVE ALL waits for the diffs that read its relay logs, the
// report script runs last with the replicas that really follow, and a VIP script that fails
// after the promotion does not leave the followers behind.

#include "mha/mysql/dialect.h"
#include "mha/mysql/semi_sync.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "executor_fixture.h"
#include <stdlib.h>

namespace mha::recovery::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kVip = "/usr/local/bin/master_ip_failover";
constexpr const char* kReport = "/usr/local/bin/send_report";

// Answers by the first scripted substring the command contains; records every command.
class ScriptedHosts final : public HostAccess {
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

mysql::ResultSet file_status(const std::string& read, const std::string& exec) {
  return mysql::ResultSet{
      {"Master_Host", "Master_Port", "Slave_IO_Running", "Slave_SQL_Running", "Using_Gtid",
       "Master_Log_File", "Read_Master_Log_Pos", "Relay_Master_Log_File", "Exec_Master_Log_Pos",
       "Relay_Log_File", "Relay_Log_Pos"},
      {{"10.77.0.11", "3306", "No", "Yes", "No", "mysql-bin.000003", read, "mysql-bin.000003", exec,
        "relay-bin.000007", "900"}},
      0};
}

class ExecutorOrderTest : public ExecutorFixture {
 protected:
  ExecutorOrderTest()
      : dialect_(*mysql::Dialect::for_version(
            *topology::parse_server_version("10.11.19-MariaDB-0+deb12u1-log"))) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mha-executor-order-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    scratch_ = pattern;
    options_.local_workdir = scratch_.string();
    options_.hosts = &hosts_;
  }
  ~ExecutorOrderTest() override { std::filesystem::remove_all(scratch_); }

  // The planner's order for a lagging follower db3, new master db2 (also the diff source).
  std::vector<planner::PlanStep> late_follower_plan() const {
    planner::PromoteNewMaster promote{db2(), false, false, true, true};
    return {
        promote,
        planner::RunFailoverScript{kVip, db1(), db2(), seconds(60)},
        planner::ApplyRelayDiff{db3(),
                                db2(),
                                {"mysql-bin.000003", 900},
                                {"mysql-bin.000003", 1234},
                                false,
                                seconds(300)},
        planner::RepointReplica{db3(), db2(), planner::RepointMethod::kFilePosition, true,
                                seconds(120)},
        planner::ResetNewMasterReplication{db2()},
        planner::RunReportScript{kReport, db1(), db2(), {db3()}, seconds(60)},
    };
  }

  Result<ExecutionReport> run_file_position(std::vector<planner::PlanStep> steps) {
    planner::FailoverPlan p = plan_of(std::move(steps));
    p.mode = planner::ReplicationMode::kFilePosition;
    Executor ex(sql_, scripts_, journal_, clock_, options_);
    return ex.execute(p, snapshot());
  }

  // PromoteNewMaster with reset_later: STOP SLAVE, no RESET SLAVE ALL, read_only=0.
  void expect_promotion() {
    db(kDb2).expect("STOP SLAVE");
    for (const std::string& s : dialect_.set_read_only(false)) db(kDb2).expect(s);
  }
  // db3's diff from db2's relay logs, applied until mysql stops on a conflicting row.
  void expect_diff_that_fails_on_a_conflict() {
    db(kDb3).expect("SHOW SLAVE STATUS").returns(file_status("900", "900"));
    db(kDb3).expect(dialect_.stop_replica(mysql::ReplicaThreads::kSqlThread));
    // The new master still answers SHOW SLAVE STATUS: its relay logs are still there.
    db(kDb2).expect("SHOW SLAVE STATUS").returns(file_status("1234", "1234"));
    db(kDb2)
        .expect(dialect_.select_relay_log_basename())
        .returns({"base", "id"}, {{"/var/lib/mysql/relay-bin", "2"}});
    db(kDb3)
        .expect(dialect_.select_packet_and_read_only())
        .returns({"p", "r"}, {{"16777216", "1"}});
    db(kDb3).expect(dialect_.set_max_allowed_packet(1073741824));
    for (const std::string& s : dialect_.set_read_only(false)) db(kDb3).expect(s);
    for (const std::string& s : dialect_.set_read_only(true)) db(kDb3).expect(s);
    db(kDb3).expect(dialect_.set_max_allowed_packet(16777216));
    hosts_.on("--command=generate",
              {0, "",
               "{\"result\":\"generated\",\"end\":{\"file\":\"mysql-bin.000003\",\"pos\":1234},"
               "\"transactions\":3,\"last_gtid\":\"0-1-14\",\"bytes\":700,"
               "\"incomplete_tail\":null}\n",
               ""});
    hosts_.on("mysqlbinlog", {0, "", "pipestatus=0 1\n",
                              "ERROR 1062 (23000) at line 40: Duplicate entry '7' for key "
                              "'PRIMARY'\n"});
  }
  void expect_late_reset() {
    db(kDb2).expect("STOP SLAVE");
    db(kDb2).expect(dialect_.reset_replica(true));
  }

  std::vector<std::string> journal_order() const {
    std::vector<std::string> out;
    for (const JournalRecord& r : journal_.records()) {
      out.push_back(std::string(r.finished ? "end " : "start ") + r.step_name);
    }
    return out;
  }

  mysql::Dialect dialect_;
  std::filesystem::path scratch_;
  ScriptedHosts hosts_;
};

TEST_F(ExecutorOrderTest, FollowerDiffFailingAfterThePromotionIsReportedNotFatal) {
  expect_promotion();
  scripts_.on_program(kVip, hooks::testing::exit_with(0));
  expect_diff_that_fails_on_a_conflict();
  expect_late_reset();
  scripts_.on_program(kReport, hooks::testing::exit_with(0));

  auto r = run_file_position(late_follower_plan());
  ASSERT_TRUE(r) << r.error().message;
  // "Completed with errors": no failure, db3 not recovered -> the manager exits 10.
  EXPECT_TRUE(r->succeeded());
  EXPECT_FALSE(r->failure);
  ASSERT_EQ(r->not_recovered.size(), 1u);
  EXPECT_EQ(r->not_recovered[0].server, db3());
  EXPECT_THAT(r->not_recovered[0].reason, HasSubstr("relay-log diff not applied"));
  EXPECT_THAT(r->not_recovered[0].reason, HasSubstr("pipestatus=0 1"));

  // Every step ran, in plan order: promotion and VIP script first, both ok.
  ASSERT_EQ(r->steps.size(), 6u);
  const std::vector<std::string> names{
      "promote_new_master", "run_failover_script",          "apply_relay_diff",
      "repoint_replica",    "reset_new_master_replication", "run_report_script"};
  for (std::size_t k = 0; k < names.size(); ++k) {
    EXPECT_EQ(r->steps[k].index, k);
    EXPECT_EQ(r->steps[k].name, names[k]);
  }
  EXPECT_EQ(r->steps[0].outcome, StepOutcome::kOk);
  EXPECT_THAT(r->steps[0].detail, HasSubstr("read_only=0"));
  EXPECT_THAT(r->steps[0].detail, Not(HasSubstr("RESET SLAVE ALL")));
  EXPECT_EQ(r->steps[1].outcome, StepOutcome::kOk);
  EXPECT_EQ(r->steps[2].outcome, StepOutcome::kWarning);
  EXPECT_EQ(r->steps[3].outcome, StepOutcome::kSkipped);  // not re-pointed: left as it is
  EXPECT_EQ(r->steps[4].outcome, StepOutcome::kOk);
  EXPECT_THAT(r->steps[4].detail, HasSubstr("RESET SLAVE ALL"));
  EXPECT_EQ(r->steps[5].outcome, StepOutcome::kOk);

  // The journal shows the same order, each step finished before the next started.
  std::vector<std::string> want;
  for (const std::string& n : names) {
    want.push_back("start " + n);
    want.push_back("end " + n);
  }
  EXPECT_EQ(journal_order(), want);

  // The report script ran last, with no new slave (db3 was left out) and a partial result.
  const std::vector<hooks::ProcessSpec> calls = scripts_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].program(), kVip);
  EXPECT_THAT(calls[0].shell_command.value_or(""), HasSubstr("--command=start"));
  EXPECT_EQ(calls[1].program(), kReport);
  EXPECT_THAT(calls[1].shell_command.value_or(""), HasSubstr("'--new_slave_hosts='"));
  EXPECT_THAT(calls[1].shell_command.value_or(""), HasSubstr("partially failed"));
  EXPECT_EQ(db(kDb2).pending(), 0u);
  EXPECT_EQ(db(kDb3).pending(), 0u);
  EXPECT_THAT(journal_text(), Not(HasSubstr("admin-secret")));
}

// A VIP script that fails after the promotion still fails the failover (exit 1), but the
// followers the plan recovers after it are still recovered, and the report names the VIP step.
TEST_F(ExecutorOrderTest, VipScriptFailingAfterThePromotionStillRecoversTheFollowers) {
  // The re-point needs the position RecordNewMasterPosition read: the plan starts with that step.
  db(kDb2)
      .expect("SHOW MASTER STATUS")
      .returns({"File", "Position"}, {{"mysql-bin.000001", "4000"}});
  expect_promotion();
  scripts_.on_program(kVip, hooks::testing::exit_with(1, "", "cannot reach the switch\n"));
  // db3's diff applies (the pipeline and the last-GTID check succeed) and db3 is re-pointed.
  db(kDb3).expect("SHOW SLAVE STATUS").returns(file_status("900", "900"));
  db(kDb3).expect(dialect_.stop_replica(mysql::ReplicaThreads::kSqlThread));
  db(kDb2).expect("SHOW SLAVE STATUS").returns(file_status("1234", "1234"));
  db(kDb2)
      .expect(dialect_.select_relay_log_basename())
      .returns({"base", "id"}, {{"/var/lib/mysql/relay-bin", "2"}});
  db(kDb3).expect(dialect_.select_packet_and_read_only()).returns({"p", "r"}, {{"16777216", "1"}});
  db(kDb3).expect(dialect_.set_max_allowed_packet(1073741824));
  for (const std::string& s : dialect_.set_read_only(false)) db(kDb3).expect(s);
  for (const std::string& s : dialect_.set_read_only(true)) db(kDb3).expect(s);
  db(kDb3).expect(dialect_.set_max_allowed_packet(16777216));
  db(kDb3).expect(dialect_.select_logged_gtids()).returns({"g", "b"}, {{"0-1-14", "1"}});
  hosts_.on("--command=generate",
            {0, "",
             "{\"result\":\"generated\",\"end\":{\"file\":\"mysql-bin.000003\",\"pos\":1234},"
             "\"transactions\":3,\"last_gtid\":\"0-1-14\",\"bytes\":700,\"incomplete_tail\":null}"
             "\n",
             ""});
  hosts_.on("mysqlbinlog", {0, "", "pipestatus=0 0\n", ""});
  db(kDb3).expect("STOP SLAVE");
  db(kDb3).expect(
      "CHANGE MASTER TO MASTER_HOST='10.77.0.12', MASTER_PORT=3306, MASTER_USER='repl', "
      "MASTER_PASSWORD='repl-secret', MASTER_LOG_FILE='mysql-bin.000001', MASTER_LOG_POS=4000, "
      "MASTER_USE_GTID=no");
  db(kDb3).expect("START SLAVE");
  db(kDb3).expect("SELECT MASTER_POS_WAIT('mysql-bin.000001', 4000, 2)").returns({"w"}, {{"0"}});
  expect_late_reset();

  std::vector<planner::PlanStep> steps = late_follower_plan();
  steps.insert(steps.begin(), planner::RecordNewMasterPosition{db2()});
  auto r = run_file_position(std::move(steps));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->failure);
  EXPECT_EQ(r->failure->name, "run_failover_script");
  EXPECT_THAT(r->failure->left_state, HasSubstr("master_ip_failover_script --command=start"));
  EXPECT_TRUE(r->not_recovered.empty());
  // Record, promote, VIP (failed), then db3's diff, re-point and the reset; not the report.
  std::vector<std::string> ran;
  for (const StepReport& s : r->steps) ran.push_back(s.name);
  ASSERT_EQ(ran, (std::vector<std::string>{"record_new_master_position", "promote_new_master",
                                           "run_failover_script", "apply_relay_diff",
                                           "repoint_replica", "reset_new_master_replication"}));
  EXPECT_EQ(r->steps[2].outcome, StepOutcome::kFailed);
  EXPECT_EQ(r->steps[3].outcome, StepOutcome::kOk);
  EXPECT_EQ(r->steps[4].outcome, StepOutcome::kOk);
  EXPECT_EQ(scripts_.calls().size(), 1u);
  EXPECT_EQ(db(kDb3).pending(), 0u);
}

// A failed step before the promotion still stops everything (nothing promoted, nobody moved).
TEST_F(ExecutorOrderTest, FailureBeforeThePromotionStillStopsTheFailover) {
  db(kDb2).expect("SHOW MASTER STATUS").fails(2013);
  std::vector<planner::PlanStep> steps = late_follower_plan();
  steps.insert(steps.begin(), planner::RecordNewMasterPosition{db2()});
  auto r = run_file_position(std::move(steps));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->failure);
  EXPECT_EQ(r->failure->name, "record_new_master_position");
  EXPECT_EQ(r->steps.size(), 1u);
  EXPECT_TRUE(scripts_.calls().empty());
}

// The late RESET SLAVE ALL failing leaves a warning naming the manual fix, not a failed failover.
TEST_F(ExecutorOrderTest, LateResetFailingIsAWarning) {
  db(kDb2).expect("STOP SLAVE");
  db(kDb2).expect(dialect_.reset_replica(true)).fails(1198, "This operation cannot be performed");
  auto r = run_file_position({planner::ResetNewMasterReplication{db2()}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
  ASSERT_EQ(r->steps.size(), 1u);
  EXPECT_EQ(r->steps[0].outcome, StepOutcome::kWarning);
  EXPECT_THAT(r->steps[0].detail, HasSubstr("RESET SLAVE ALL on it by hand"));
  ASSERT_FALSE(r->warnings.empty());
}

// Semi-sync: the promotion waits only for replicas already re-pointed. With none yet (the plan
// re-points them after it) it does not wait out kSemiSyncClientWait, and says why.
TEST_F(ExecutorOrderTest, SemiSyncPromotionDoesNotWaitForFollowersRepointedLater) {
  db(kDb2).expect("STOP SLAVE");
  db(kDb2).expect(mysql::set_semi_sync_master(dialect_, true));
  for (const std::string& s : dialect_.set_read_only(false)) db(kDb2).expect(s);
  auto r = run_file_position({planner::PromoteNewMaster{db2(), false, true, true, false}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
  EXPECT_THAT(r->steps[0].detail, HasSubstr("no semi-sync replica yet"));
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_THAT(r->warnings[0], HasSubstr("no replica follows it yet"));
  EXPECT_EQ(db(kDb2).pending(), 0u);
}

}  // namespace
}  // namespace mha::recovery::testing
