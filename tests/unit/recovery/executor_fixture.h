#pragma once

// ExecutorFixture: the planner's test cluster (db1 dead master 10.77.0.11, replicas db2 10.77.0.12
// and db3 10.77.0.13, MariaDB 10.11, GTID) plus scripted fakes for SQL, scripts, journal and
// clock, so each test scripts the statements one step must send and runs a hand-made plan.

#include "mha/hooks/testing/fake_process_runner.h"
#include "mha/mysql/testing/fake_sql_session.h"
#include "mha/recovery/executor.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "unit/planner/plan_fixture.h"

namespace mha::recovery::testing {

inline constexpr const char* kDb1 = "10.77.0.11:3306";
inline constexpr const char* kDb2 = "10.77.0.12:3306";
inline constexpr const char* kDb3 = "10.77.0.13:3306";
inline constexpr const char* kGtidState =
    "SELECT @@GLOBAL.gtid_binlog_pos AS gtid_binlog_pos, @@GLOBAL.gtid_slave_pos AS "
    "gtid_slave_pos, @@GLOBAL.gtid_current_pos AS gtid_current_pos";

// Each steady_now() call is one second after the previous one; system time likewise.
class StepClock final : public Clock {
 public:
  std::chrono::system_clock::time_point system_now() override {
    return planner::testing::kNow + std::chrono::seconds(ticks_++);
  }
  std::chrono::steady_clock::time_point steady_now() override {
    return std::chrono::steady_clock::time_point{} + std::chrono::seconds(ticks_++);
  }

 private:
  int ticks_ = 0;
};

class ExecutorFixture : public ::testing::Test {
 protected:
  ExecutorFixture() {
    options_.app = "app1";
    options_.conf_file = "/etc/mha/app1.cnf";
    options_.admin = {"mha", "admin-secret"};
    options_.repl = {"repl", "repl-secret"};
    options_.ssh_user = "root";
  }

  planner::ServerRef ref(std::size_t i) const { return {i, snapshot().servers[i].id.display()}; }
  planner::ServerRef db1() const { return ref(0); }
  planner::ServerRef db2() const { return ref(1); }
  planner::ServerRef db3() const { return ref(2); }

  const topology::ClusterSnapshot& snapshot() const { return cluster_.snapshot(); }

  planner::FailoverPlan plan_of(std::vector<planner::PlanStep> steps) const {
    planner::FailoverPlan p;
    p.mode = planner::ReplicationMode::kMariadbGtid;
    p.dead_master = db1();
    p.new_master = db2();
    p.new_replicas = {db3()};
    p.steps = std::move(steps);
    return p;
  }

  Result<ExecutionReport> run(std::vector<planner::PlanStep> steps) {
    Executor ex(sql_, scripts_, journal_, clock_, options_);
    return ex.execute(plan_of(std::move(steps)), snapshot());
  }

  // Every journal line, joined, to check that no secret was written.
  std::string journal_text() const {
    std::string out;
    for (const JournalRecord& r : journal_.records()) out += journal_line(r) + "\n";
    return out;
  }

  mysql::testing::FakeSqlSession& db(const char* server) { return sql_.session(server); }

  // Scripted answers for the IO-thread stop (executor.cc interrupt_io_thread): SHOW FULL
  // PROCESSLIST with the SQL thread and, when `io_thread` is set, the IO thread with that id; SHOW
  // ALL SLAVES STATUS with these connection names.
  static mysql::ResultSet processlist(std::optional<uint64_t> io_thread) {
    mysql::ResultSet rs{{"Id", "User", "Host", "db", "Command", "Time", "State", "Info"}, {}, 0};
    if (io_thread) {
      rs.rows.push_back({std::to_string(*io_thread), "system user", "", std::nullopt, "Slave_IO",
                         "3", "Waiting for master to send event", std::nullopt});
    }
    rs.rows.push_back({"7", "system user", "", std::nullopt, "Slave_SQL", "3", "", std::nullopt});
    return rs;
  }
  static mysql::ResultSet connections(std::vector<std::string> names) {
    mysql::ResultSet rs{{"Connection_name", "Master_Host"}, {}, 0};
    for (std::string& n : names) rs.rows.push_back({std::move(n), "10.77.0.11"});
    return rs;
  }

  // What StopReplicaIo sends a MariaDB replica with one replication connection, the default one,
  // whose IO thread is `io_thread`: the connection list, the processlist, a KILL of that thread
  // (so a read blocked on a cut-off master ends at once), the processlist again (the thread has
  // gone), then STOP SLAVE IO_THREAD, whose expectation is returned (to make it fail or hold).
  mysql::testing::FakeSqlSession::Expectation& expect_io_stop(const char* server,
                                                              uint64_t io_thread = 14) {
    db(server).expect("SHOW ALL SLAVES STATUS").returns(connections({""}));
    db(server).expect("SHOW FULL PROCESSLIST").returns(processlist(io_thread));
    db(server).expect("KILL CONNECTION " + std::to_string(io_thread));
    db(server).expect("SHOW FULL PROCESSLIST").returns(processlist(std::nullopt));
    return db(server).expect("STOP SLAVE IO_THREAD");
  }

  planner::testing::PlanFixture cluster_;
  mysql::testing::FakeSqlConnector sql_;
  hooks::testing::FakeProcessRunner scripts_;
  MemoryJournal journal_;
  StepClock clock_;
  ExecutorOptions options_;
};

}  // namespace mha::recovery::testing
