#pragma once

// Executor: runs a planner::FailoverPlan's steps, in order, against the live servers, journalling
// each step before and after it runs, and stops at the first failed step; after the new master
// is promoted it still runs the steps that recover followers (and skips the rest).
//
// I/O goes through injected interfaces (mysql::SqlConnector for SQL, hooks::ProcessRunner for the
// operator's scripts, Journal, Clock), so every statement sequence is unit-tested with fakes.
// SQL text comes from mysql::Dialect, chosen from the version the snapshot observed per server.
//
// Timeouts: every connection is opened with a connect timeout (ExecutorOptions::connect_timeout,
// or the step's sql_connect_timeout for the old master) and a read timeout longer than the
// server-side wait it carries (MASTER_GTID_WAIT / MASTER_POS_WAIT get the step's timeout, the
// read timeout is that plus ExecutorOptions::wait_margin), so no call can block forever. Scripts
// run with the step's script timeout.
//
// Secrets: the replication password is only in CHANGE MASTER statements, which are logged and
// journalled through mysql::redact_sql(); the new master's password reaches
// master_ip_failover_script on stdin (one line), never in argv (docs/executor.md explains the
// difference from MHA's --new_master_password).
//
// Thread-compatible: one execute() at a time per Executor. Steps run sequentially on the calling
// thread (StopReplicaIo too: each replica is bounded by its own connect/read timeouts).

#include "mha/common/result.h"
#include "mha/hooks/process.h"
#include "mha/mysql/endpoint.h"
#include "mha/mysql/sql_session.h"
#include "mha/planner/decision.h"
#include "mha/recovery/journal.h"
#include "mha/ssh/remote_exec.h"
#include "mha/topology/binlog_position.h"
#include "mha/topology/cluster_snapshot.h"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mha::recovery {

// Time source for journal stamps and phase timings; injected so tests are deterministic.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point system_now() = 0;
  virtual std::chrono::steady_clock::time_point steady_now() = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point system_now() override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point steady_now() override {
    return std::chrono::steady_clock::now();
  }
};

// What the operator's scripts are told about a server beyond its address (MHA's
// get_ssh_args_if): SSH settings, passed only when they differ from the defaults, and the
// master_pid_file for shutdown_script.
struct ServerScriptFacts {
  std::string ssh_user;
  std::string hostname;  // to compare ssh_host with
  std::string ip;        // to compare ssh_ip with
  std::string ssh_host;
  std::string ssh_ip;
  int ssh_port = 22;
  std::string ssh_options;
  std::string master_pid_file;
  std::vector<std::string> master_binlog_dir;  // where its binlogs are (binlog salvage)
  std::string remote_workdir;                  // scratch directory on its host
};

// SSH to a configured server's host, for the steps that need files there (binlog salvage). The
// manager implements it over its session pool; tests script it. Thread-compatible.
class HostAccess {
 public:
  virtual ~HostAccess() = default;
  // Runs `command` on the host of server `config_index` (stdin: `stdin_data`, then EOF).
  virtual Result<ssh::ExecResult> run(std::size_t config_index, const std::string& command,
                                      const std::string& stdin_data,
                                      std::chrono::milliseconds timeout) = 0;
  virtual Status download(std::size_t config_index, const std::string& remote_path,
                          const std::string& local_path) = 0;
  virtual Status upload(std::size_t config_index, const std::string& local_path,
                        const std::string& remote_path, int mode) = 0;
};

struct ExecutorOptions {
  std::string app;           // for the report script's subject
  std::string conf_file;     // --conf passed to report_script
  mysql::Credentials admin;  // user/password (config); used for every SQL connection
  mysql::Credentials repl;   // repl_user/repl_password; empty user: the replica's Master_User
  std::string ssh_user;      // --ssh_user for the scripts (a server's own ssh_user wins)
  // Indexed by config index (ServerIdentity::config_index); missing entries: defaults.
  std::vector<ServerScriptFacts> servers;
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds statement_timeout{30};  // read/write timeout of statements without a wait
  std::chrono::seconds wait_margin{10};        // added to a server-side wait's read timeout
  // SSH to the hosts; null: binlog salvage is skipped with a warning.
  HostAccess* hosts = nullptr;
  std::string local_workdir = "/tmp";  // manager-side scratch directory (manager_workdir)
};

// The phases of the failover report (docs/failover.md): which steps count towards which.
struct PhaseTimings {
  std::chrono::milliseconds fence{0};     // StopReplicaIo, FenceOldMaster, ConfirmReceived
  std::chrono::milliseconds catch_up{0};  // WaitRelayApplied, CatchUpFromLatest,
                                          // RecordNewMasterPosition
  std::chrono::milliseconds promote{0};   // PromoteNewMaster
  std::chrono::milliseconds repoint{0};   // RepointReplica
  std::chrono::milliseconds vip{0};       // RunFailoverScript
  std::chrono::milliseconds report{0};    // RunReportScript
};

struct StepReport {
  std::size_t index = 0;
  std::string name;
  StepOutcome outcome = StepOutcome::kOk;
  std::string detail;
  std::chrono::milliseconds elapsed{0};
};

struct StepFailure {
  std::size_t index = 0;
  std::string name;
  Error error;             // why (no secrets)
  std::string left_state;  // what the cluster looks like now and what to do, one paragraph
};

struct ExecutionReport {
  std::vector<StepReport> steps;  // every step that started, in order
  PhaseTimings phases;
  // Set when a step failed (the first one); the remaining steps did not run, except, when it
  // failed after PromoteNewMaster, those that recover followers. The caller writes
  // .failover.error.
  std::optional<StepFailure> failure;
  // ConfirmReceived saw positions move: the steps after it did not run; take a fresh snapshot
  // and call decide_failover() with FailoverPolicy::already_fenced, then execute that plan.
  bool replan_needed = false;
  // Replicas that could not be recovered (ignore_fail / may_fail): exit code 10.
  std::vector<planner::NotRecovered> not_recovered;
  std::vector<std::string> warnings;  // script exit 10, kill failures, ...
  // The new master's SHOW MASTER STATUS read by RecordNewMasterPosition (file/position mode).
  std::optional<topology::BinlogPosition> new_master_position;

  bool succeeded() const { return !failure && !replan_needed; }
};

class Executor {
 public:
  // References must outlive the executor.
  Executor(mysql::SqlConnector& sql, hooks::ProcessRunner& runner, Journal& journal, Clock& clock,
           ExecutorOptions options);

  // Runs `plan`, whose ServerRef indexes point into `snapshot` (the snapshot the plan was made
  // from: it supplies addresses and server versions). Errors (the Result) only for a plan that
  // cannot be run at all (an unimplemented step, an index outside the snapshot, a server of
  // unknown version) or a journal that cannot be written; a step that fails is reported in
  // ExecutionReport::failure.
  Result<ExecutionReport> execute(const planner::FailoverPlan& plan,
                                  const topology::ClusterSnapshot& snapshot);

 private:
  mysql::SqlConnector& sql_;
  hooks::ProcessRunner& runner_;
  Journal& journal_;
  Clock& clock_;
  ExecutorOptions options_;
};

}  // namespace mha::recovery
