// StopReplicaIo, FenceOldMaster and ConfirmReceived: statements, script contracts, ignore_fail.

#include <gmock/gmock.h>

#include <algorithm>
#include <future>

#include "executor_fixture.h"

namespace mha::recovery::testing {
namespace {

using hooks::testing::exit_with;
using std::chrono::seconds;

planner::FenceOldMaster fence(const planner::ServerRef& master, bool try_read_only = false) {
  planner::FenceOldMaster f;
  f.master = master;
  f.command = planner::FenceCommand::kStopSsh;
  f.ip_failover_script = "/usr/local/bin/master_ip_failover";
  f.shutdown_script = "/usr/local/bin/power_manager";
  f.try_read_only = try_read_only;
  f.script_timeout = seconds(60);
  f.sql_connect_timeout = seconds(2);
  return f;
}

TEST_F(ExecutorFixture, StopReplicaIoStopsEveryReplicasIoThread) {
  expect_io_stop(kDb2);
  expect_io_stop(kDb3);
  auto r = run({planner::StopReplicaIo{{db2(), db3()}, {}, seconds(30)}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
  ASSERT_EQ(r->steps.size(), 1u);
  EXPECT_EQ(r->steps[0].outcome, StepOutcome::kOk);
}

// The KILL before STOP only where the thread killed is surely the default connection's IO thread.
TEST_F(ExecutorFixture, StopReplicaIoKillsNoThreadWhereTheIoThreadIsNotSurelyTheOneStopped) {
  // db2 has a second, named connection: its Slave_IO threads cannot be told apart.
  db(kDb2).expect("SHOW ALL SLAVES STATUS").returns(connections({"", "other"}));
  db(kDb2).expect("STOP SLAVE IO_THREAD");
  // db3's IO thread is not running (no Slave_IO thread): nothing to kill.
  db(kDb3).expect("SHOW ALL SLAVES STATUS").returns(connections({""}));
  db(kDb3).expect("SHOW FULL PROCESSLIST").returns(processlist(std::nullopt));
  db(kDb3).expect("STOP SLAVE IO_THREAD");
  auto r = run({planner::StopReplicaIo{{db2(), db3()}, {}, seconds(30)}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
}

TEST_F(ExecutorFixture, AFailedKillOfTheIoThreadStillStopsIt) {
  db(kDb2).expect("SHOW ALL SLAVES STATUS").fails(1227);  // no privilege: STOP alone
  db(kDb2).expect("STOP SLAVE IO_THREAD");
  db(kDb3).expect("SHOW ALL SLAVES STATUS").returns(connections({""}));
  db(kDb3).expect("SHOW FULL PROCESSLIST").returns(processlist(14));
  db(kDb3).expect("KILL CONNECTION 14").fails(1094);  // the thread ended meanwhile
  db(kDb3).expect("STOP SLAVE IO_THREAD");
  auto r = run({planner::StopReplicaIo{{db2(), db3()}, {}, seconds(30)}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
  EXPECT_EQ(r->steps[0].outcome, StepOutcome::kOk);
}

// A KILL that lands between two reads leaves the thread blocked in the next one: it is repeated
// until the thread has left the processlist.
TEST_F(ExecutorFixture, TheKillIsRepeatedUntilTheIoThreadHasGone) {
  db(kDb2).expect("SHOW ALL SLAVES STATUS").returns(connections({""}));
  db(kDb2).expect("SHOW FULL PROCESSLIST").returns(processlist(14));
  db(kDb2).expect("KILL CONNECTION 14");
  db(kDb2).expect("SHOW FULL PROCESSLIST").returns(processlist(14));  // still reading
  db(kDb2).expect("KILL CONNECTION 14");
  db(kDb2).expect("SHOW FULL PROCESSLIST").returns(processlist(14));
  db(kDb2).expect("KILL CONNECTION 14").fails(1094);  // it ended meanwhile
  db(kDb2).expect("STOP SLAVE IO_THREAD");
  expect_io_stop(kDb3);
  auto r = run({planner::StopReplicaIo{{db2(), db3()}, {}, seconds(30)}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
}

TEST_F(ExecutorFixture, IgnoreFailReplicaThatCannotStopIsDroppedFromLaterSteps) {
  expect_io_stop(kDb2);
  sql_.refuse(kDb3, 2003);
  planner::RepointReplica repoint{db3(), db2(), planner::RepointMethod::kMariadbSlavePos, true,
                                  seconds(120)};
  auto r = run({planner::StopReplicaIo{{db2(), db3()}, {db3()}, seconds(30)}, repoint});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
  ASSERT_EQ(r->not_recovered.size(), 1u);
  EXPECT_EQ(r->not_recovered[0].server, db3());
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_EQ(r->steps[1].outcome, StepOutcome::kSkipped);
  // db3 was contacted once (the refused STOP), never for the re-point.
  EXPECT_EQ(std::count(sql_.connects().begin(), sql_.connects().end(), kDb3), 1);
}

TEST_F(ExecutorFixture, ReplicaWithoutIgnoreFailThatCannotStopFailsTheStep) {
  // Every replica is asked at once, so db3 stops although db2 fails; the failure says so.
  expect_io_stop(kDb2).fails(2013);
  expect_io_stop(kDb3);
  auto r = run({planner::StopReplicaIo{{db2(), db3()}, {}, seconds(30)}});
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->failure);
  EXPECT_EQ(r->failure->index, 0u);
  EXPECT_EQ(r->failure->name, "stop_replica_io");
  EXPECT_THAT(r->failure->left_state, ::testing::HasSubstr("IO threads stopped on: db3"));
  EXPECT_THAT(r->failure->left_state, ::testing::HasSubstr("old master was not fenced"));
}

TEST_F(ExecutorFixture, ReplicaIoThreadsStopWhileTheOldMasterIsFenced) {
  // MHA's phase 2: STOP SLAVE IO_THREAD against a hung master returns only once the fence has
  // ended the master's connections. Here db2's STOP holds until the shutdown script has run; run
  // one after the other, the STOP would give up waiting and the check below would fail.
  std::promise<void> fenced;
  std::shared_future<void> fenced_seen = fenced.get_future().share();
  bool overlapped = false;
  expect_io_stop(kDb2).during([&] {
    overlapped = fenced_seen.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  });
  expect_io_stop(kDb3);
  scripts_.on_program("/usr/local/bin/master_ip_failover", exit_with(0));
  scripts_.on(
      [](const hooks::ProcessSpec& spec) {
        return spec.program() == "/usr/local/bin/power_manager";
      },
      [&](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
        fenced.set_value();
        hooks::ProcessResult done;
        done.exit_code = 0;
        return done;
      });
  auto r = run({planner::StopReplicaIo{{db2(), db3()}, {}, seconds(30)}, fence(db1())});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded());
  EXPECT_TRUE(overlapped);
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_EQ(r->steps[0].name, "stop_replica_io");
  EXPECT_EQ(r->steps[1].name, "fence_old_master");
  // Both are journaled as started before either ended; the overlap counts once in the phase.
  const std::vector<JournalRecord>& j = journal_.records();
  ASSERT_EQ(j.size(), 4u);
  EXPECT_EQ(j[0].step_index, 0u);
  EXPECT_FALSE(j[0].finished);
  EXPECT_EQ(j[1].step_index, 1u);
  EXPECT_FALSE(j[1].finished);
  EXPECT_TRUE(j[2].finished);
  EXPECT_TRUE(j[3].finished);
  EXPECT_EQ(r->phases.fence, r->steps[0].elapsed);
}

TEST_F(ExecutorFixture, AFailedStopNamesTheFenceThatRanBesideIt) {
  expect_io_stop(kDb2).fails(1045);
  expect_io_stop(kDb3);
  scripts_.on_program("/usr/local/bin/master_ip_failover", exit_with(0));
  scripts_.on_program("/usr/local/bin/power_manager", exit_with(0));
  auto r = run({planner::StopReplicaIo{{db2(), db3()}, {}, seconds(30)}, fence(db1())});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->failure);
  EXPECT_EQ(r->failure->name, "stop_replica_io");
  EXPECT_THAT(r->failure->left_state,
              ::testing::HasSubstr("The old master was fenced at the same time (step 1)"));
  ASSERT_EQ(r->steps.size(), 2u);  // the fence's outcome is recorded too
  EXPECT_EQ(r->steps[1].outcome, StepOutcome::kOk);
}

TEST_F(ExecutorFixture, FenceRunsBothScriptsWithMhaArguments) {
  scripts_.on_program("/usr/local/bin/master_ip_failover", exit_with(0));
  scripts_.on_program("/usr/local/bin/power_manager", exit_with(0));
  auto r = run({fence(db1())});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->succeeded());
  // The two scripts run at the same time, so the order of the calls is not fixed.
  auto calls = scripts_.calls();
  ASSERT_EQ(calls.size(), 2u);
  std::sort(calls.begin(), calls.end(),
            [](const hooks::ProcessSpec& a, const hooks::ProcessSpec& b) {
              return *a.shell_command < *b.shell_command;
            });
  EXPECT_EQ(*calls[0].shell_command,
            "/usr/local/bin/master_ip_failover '--command=stopssh' '--ssh_user=root' "
            "'--orig_master_host=db1' '--orig_master_ip=10.77.0.11' '--orig_master_port=3306'");
  EXPECT_EQ(*calls[1].shell_command,
            "/usr/local/bin/power_manager '--command=stopssh' '--ssh_user=root' '--host=db1' "
            "'--ip=10.77.0.11' '--port=3306'");
  EXPECT_EQ(calls[0].timeout, std::chrono::milliseconds(60'000));
  EXPECT_EQ(calls[1].timeout, std::chrono::milliseconds(60'000));
}

// The planned new master rides along with MHA's stop arguments (a hint for the script's start;
// the shutdown script gets nothing new).
TEST_F(ExecutorFixture, FenceTellsTheVipScriptThePlannedNewMaster) {
  scripts_.on_program("/usr/local/bin/master_ip_failover", exit_with(0));
  scripts_.on_program("/usr/local/bin/power_manager", exit_with(0));
  planner::FenceOldMaster f = fence(db1());
  f.new_master = db2();
  auto r = run({f});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->succeeded());
  std::vector<std::string> lines;
  for (const hooks::ProcessSpec& c : scripts_.calls()) lines.push_back(*c.shell_command);
  std::sort(lines.begin(), lines.end());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "/usr/local/bin/master_ip_failover '--command=stopssh' '--ssh_user=root' "
            "'--orig_master_host=db1' '--orig_master_ip=10.77.0.11' '--orig_master_port=3306' "
            "'--new_master_host=db2' '--new_master_ip=10.77.0.12' '--new_master_port=3306'");
  EXPECT_THAT(lines[1], ::testing::Not(::testing::HasSubstr("new_master")));
}

// Each script waits (up to 5 s) until the other one has started: run one after the other, the
// first would give up and fail the step.
TEST_F(ExecutorFixture, FenceRunsItsScriptsAtTheSameTime) {
  std::promise<void> vip_started, shutdown_started;
  std::shared_future<void> vip_seen = vip_started.get_future().share();
  std::shared_future<void> shutdown_seen = shutdown_started.get_future().share();
  auto meet = [](std::promise<void>& mine, std::shared_future<void> other) {
    return [&mine, other](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
      mine.set_value();
      return exit_with(other.wait_for(seconds(5)) == std::future_status::ready ? 0 : 1);
    };
  };
  scripts_.on(
      [](const hooks::ProcessSpec& p) {
        return p.program() == "/usr/local/bin/master_ip_failover";
      },
      meet(vip_started, shutdown_seen));
  scripts_.on(
      [](const hooks::ProcessSpec& p) { return p.program() == "/usr/local/bin/power_manager"; },
      meet(shutdown_started, vip_seen));
  auto r = run({fence(db1())});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->succeeded()) << (r->failure ? r->failure->error.message : "");
}

TEST_F(ExecutorFixture, FenceScriptExit10ProceedsWithAWarning) {
  scripts_.on_program("/usr/local/bin/master_ip_failover", exit_with(10));
  scripts_.on_program("/usr/local/bin/power_manager", exit_with(0));
  expect_io_stop(kDb2);
  auto r = run({fence(db1()), planner::StopReplicaIo{{db2()}, {}, seconds(30)}});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->succeeded());
  EXPECT_EQ(r->steps[0].outcome, StepOutcome::kWarning);
  EXPECT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->steps.size(), 2u);
}

TEST_F(ExecutorFixture, FenceScriptOtherExitAbortsBeforeTheNextStep) {
  scripts_.on_program("/usr/local/bin/master_ip_failover", exit_with(1));
  scripts_.on_program("/usr/local/bin/power_manager", exit_with(0));
  auto r = run({fence(db1()), planner::StopReplicaIo{{db2()}, {}, seconds(30)}});
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->failure);
  EXPECT_EQ(r->failure->index, 0u);
  EXPECT_NE(r->failure->error.message.find("master_ip_failover_script"), std::string::npos)
      << r->failure->error.message;
  EXPECT_EQ(r->steps.size(), 1u);  // the second step never started
  // shutdown_script ran alongside (fencing more than needed is safe).
  EXPECT_EQ(scripts_.calls().size(), 2u);
  EXPECT_TRUE(sql_.connects().empty());
}

TEST_F(ExecutorFixture, FenceScriptTimeoutAborts) {
  scripts_.on_program("/usr/local/bin/master_ip_failover", hooks::testing::timed_out_result());
  auto r = run({fence(db1())});
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->failure);
  EXPECT_EQ(r->failure->error.code, ErrorCode::kTimeout);
}

TEST_F(ExecutorFixture, FenceLeavesADeadOldMasterAloneBySql) {
  scripts_.on_program("/usr/local/bin/master_ip_failover", exit_with(0));
  scripts_.on_program("/usr/local/bin/power_manager", exit_with(0));
  sql_.refuse(kDb1, 2003);
  auto r = run({fence(db1(), true)});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->succeeded());
  EXPECT_NE(r->steps[0].detail.find("does not answer SQL"), std::string::npos);
}

TEST_F(ExecutorFixture, FenceMakesAReachableOldMasterReadOnlyAndKillsClients) {
  planner::FenceOldMaster f = fence(db1(), true);
  f.ip_failover_script.clear();
  f.shutdown_script.clear();
  db(kDb1).expect("SET GLOBAL read_only = ON");
  db(kDb1).expect("SELECT CONNECTION_ID()").returns({"CONNECTION_ID()"}, {{"5"}});
  // Ours (5), replication and server threads are spared; application sessions are killed,
  // idle or not (the rule topology::is_application_session shares with the switchover).
  db(kDb1)
      .expect("SHOW FULL PROCESSLIST")
      .returns(
          {"Id", "User", "Host", "db", "Command", "Time", "State", "Info"},
          {{"5", "mha", "10.77.0.1:40000", {}, "Query", "0", "starting", "SHOW FULL PROCESSLIST"},
           {"7", "app", "10.77.0.1:40100", "test", "Sleep", "3", "", {}},
           {"8", "repl", "10.77.0.12:41000", {}, "Binlog Dump GTID", "90", "", {}},
           {"9", "app", "10.77.0.1:40200", "test", "Query", "0", "updating", "UPDATE t"},
           {"2", "system user", "", {}, "Daemon", {}, "InnoDB purge worker", {}}});
  db(kDb1).expect("KILL CONNECTION 7");
  db(kDb1).expect("KILL CONNECTION 9").fails(1094);  // gone meanwhile: not a problem
  auto r = run({f});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->succeeded());
  EXPECT_EQ(r->steps[0].outcome, StepOutcome::kOk);
  EXPECT_NE(r->steps[0].detail.find("1 client session(s) killed"), std::string::npos);
}

TEST_F(ExecutorFixture, ConfirmReceivedUnchangedContinues) {
  planner::ConfirmReceived c;
  planner::ReceivedPosition p;
  p.mode = planner::ReplicationMode::kMariadbGtid;
  p.mariadb = planner::testing::mariadb_pos("0-1-100");
  c.expected = {{db2(), p}};
  db(kDb2)
      .expect("SHOW SLAVE STATUS")
      .returns({"Master_Host", "Master_Port", "Slave_IO_Running", "Slave_SQL_Running", "Using_Gtid",
                "Master_Log_File", "Read_Master_Log_Pos", "Relay_Master_Log_File",
                "Exec_Master_Log_Pos", "Relay_Log_File", "Relay_Log_Pos", "Gtid_IO_Pos"},
               {{"10.77.0.11", "3306", "No", "Yes", "Slave_Pos", "mysql-bin.000001", "1234",
                 "mysql-bin.000001", "1234", "relay-bin.000002", "900", "0-1-100"}});
  db(kDb2)
      .expect(kGtidState)
      .returns({"gtid_binlog_pos", "gtid_slave_pos", "gtid_current_pos"},
               {{"0-1-100", "0-1-100", "0-1-100"}});
  auto r = run({c});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->succeeded()) << (r->failure ? r->failure->error.message : "");
  EXPECT_FALSE(r->replan_needed);
}

TEST_F(ExecutorFixture, ConfirmReceivedChangedStopsForAReplan) {
  planner::ConfirmReceived c;
  planner::ReceivedPosition p;
  p.mode = planner::ReplicationMode::kMariadbGtid;
  p.mariadb = planner::testing::mariadb_pos("0-1-100");
  c.expected = {{db2(), p}};
  db(kDb2)
      .expect("SHOW SLAVE STATUS")
      .returns({"Master_Host", "Master_Port", "Slave_IO_Running", "Slave_SQL_Running", "Using_Gtid",
                "Master_Log_File", "Read_Master_Log_Pos", "Relay_Master_Log_File",
                "Exec_Master_Log_Pos", "Relay_Log_File", "Relay_Log_Pos", "Gtid_IO_Pos"},
               {{"10.77.0.11", "3306", "No", "Yes", "Slave_Pos", "mysql-bin.000001", "1234",
                 "mysql-bin.000001", "1234", "relay-bin.000002", "900", "0-1-103"}});
  db(kDb2)
      .expect(kGtidState)
      .returns({"gtid_binlog_pos", "gtid_slave_pos", "gtid_current_pos"},
               {{"0-1-100", "0-1-100", "0-1-100"}});
  auto r = run({c, planner::StopReplicaIo{{db3()}, {}, seconds(30)}});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->replan_needed);
  EXPECT_FALSE(r->failure);
  EXPECT_FALSE(r->succeeded());
  ASSERT_EQ(r->steps.size(), 1u);  // the rest of the old plan did not run
  EXPECT_EQ(r->steps[0].outcome, StepOutcome::kChanged);
  EXPECT_NE(r->steps[0].detail.find("0-1-103"), std::string::npos);
}

}  // namespace
}  // namespace mha::recovery::testing
