#include "mha/recovery/executor.h"

#include "mha/common/log.h"
#include "mha/common/quoting.h"
#include "mha/mysql/dialect.h"
#include "mha/mysql/errors.h"
#include "mha/mysql/library.h"
#include "mha/mysql/semi_sync.h"
#include "mha/mysql/sql_text.h"
#include "mha/mysql/status_parsers.h"
#include "mha/planner/position.h"
#include "mha/topology/sessions.h"

#include <algorithm>
#include <compare>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <optional>
#include <set>
#include <thread>
#include <type_traits>
#include <utility>

#include "apply_settings.h"
#include "command_output.h"
#include "relay_diff.h"
#include "relay_tail.h"
#include "salvage.h"
#include "script_args.h"
#include <sys/stat.h>
#include <unistd.h>

namespace mha::recovery {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

// MHA's script exit status meaning "failed, but proceed with the failover".
constexpr int kScriptProceedWithWarning = 10;
// How long one wait of a re-pointed replica lasts before its threads are checked for errors.
constexpr seconds kRepointWaitSlice{2};
// ER_NO_SUCH_THREAD: the session ended between listing and KILL.
constexpr int kErNoSuchThread = 1094;

struct StepResult {
  StepOutcome outcome = StepOutcome::kOk;
  std::string detail;
  std::optional<Error> error;  // set iff outcome == kFailed
  std::string left_state;      // for failures
};

StepResult ok(std::string detail, StepOutcome outcome = StepOutcome::kOk) {
  return StepResult{outcome, std::move(detail), std::nullopt, {}};
}

StepResult failed(Error error, std::string left_state) {
  StepResult r;
  r.outcome = StepOutcome::kFailed;
  r.detail = error.message;
  r.error = std::move(error);
  r.left_state = std::move(left_state);
  return r;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

// The single cell of a one-row result, "" when absent or NULL.
std::string cell_text(const mysql::ResultSet& r, const std::string& column) {
  const mysql::Cell* c = r.get(0, column);
  return c && *c ? **c : std::string();
}

// A script's output, line by line, redacted (operators' scripts may echo what they were given).
void log_output(const std::string& what, std::string_view stream, const std::string& text) {
  internal::log_command_output(what + " " + std::string(stream), text);
}

// Which report phase a step's time counts towards.
milliseconds* phase_slot(PhaseTimings& p, const planner::PlanStep& step) {
  return std::visit(
      [&p](const auto& s) -> milliseconds* {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, planner::StopReplicaIo> ||
                      std::is_same_v<T, planner::FenceOldMaster> ||
                      std::is_same_v<T, planner::ConfirmReceived>) {
          return &p.fence;
        } else if constexpr (std::is_same_v<T, planner::PromoteNewMaster> ||
                             std::is_same_v<T, planner::ResetNewMasterReplication>) {
          return &p.promote;
        } else if constexpr (std::is_same_v<T, planner::RepointReplica>) {
          return &p.repoint;
        } else if constexpr (std::is_same_v<T, planner::RunFailoverScript>) {
          return &p.vip;
        } else if constexpr (std::is_same_v<T, planner::RunReportScript>) {
          return &p.report;
        } else {
          return &p.catch_up;
        }
      },
      step);
}

// Runs the steps of one execute() call; holds what earlier steps learnt.
class StepRunner {
 public:
  StepRunner(mysql::SqlConnector& sql, hooks::ProcessRunner& runner, const ExecutorOptions& opts,
             const planner::FailoverPlan& plan, const topology::ClusterSnapshot& snap,
             ExecutionReport& report)
      : sql_(sql), runner_(runner), opts_(opts), plan_(plan), snap_(snap), report_(report) {}

  StepResult run(const planner::StopReplicaIo& s);
  StepResult run(const planner::FenceOldMaster& s);
  StepResult run(const planner::ConfirmReceived& s);
  StepResult run(const planner::WaitRelayApplied& s);
  StepResult run(const planner::CatchUpFromLatest& s);
  StepResult run(const planner::RecordNewMasterPosition& s);
  StepResult run(const planner::RepointReplica& s);
  StepResult run(const planner::PromoteNewMaster& s);
  StepResult run(const planner::RunFailoverScript& s);
  StepResult run(const planner::RunReportScript& s);
  StepResult run(const planner::ResetNewMasterReplication& s);
  StepResult run(const planner::ApplyRelayDiff& s);
  StepResult run(const planner::ApplySavedBinlog& s);
  StepResult wait_relay_applied(const planner::WaitRelayApplied& s);  // run() without may_fail
  bool promoted() const { return promoted_; }                         // PromoteNewMaster succeeded

  // StopReplicaIo in two halves, so the old master can be fenced while the IO threads stop (MHA
  // does the same, mha.md §3.3). start_stop_io() sends STOP SLAVE IO_THREAD to every planned
  // replica at once, each on its own connection and thread: a replica reading from a hung or
  // cut-off master takes seconds to stop, and one after another those add up. It only reads this
  // object. finish_stop_io() waits for all of them and records the outcome; `left_if_failed` says
  // what a failure leaves besides the IO threads.
  struct IoStopper {
    planner::ServerRef ref;
    std::future<Status> done;
  };
  std::vector<IoStopper> start_stop_io(const planner::StopReplicaIo& s);
  StepResult finish_stop_io(const planner::StopReplicaIo& s, std::vector<IoStopper> stoppers,
                            const std::string& left_if_failed);

 private:
  struct Server {
    const topology::ServerObservation* obs = nullptr;
    mysql::Dialect dialect;
    std::unique_ptr<mysql::SqlSession> session;
  };

  static StepResult unimplemented(const char* name) {
    return failed(make_error(ErrorCode::kInternal, std::string(name) + " is not implemented"),
                  "nothing was changed by this step");
  }

  // Connects to a planned server. `read` bounds each statement; `connect` the handshake.
  Result<Server> open(const planner::ServerRef& ref, seconds read,
                      std::optional<seconds> connect = std::nullopt) {
    if (ref.index >= snap_.servers.size()) {
      return Unexpected(
          make_error(ErrorCode::kInternal,
                     "plan names server #" + std::to_string(ref.index) + " outside the snapshot"));
    }
    const topology::ServerObservation& obs = snap_.servers[ref.index];
    mysql::Endpoint ep{obs.id.ip.empty() ? obs.id.hostname : obs.id.ip, obs.id.port, ""};
    mysql::Timeouts t{connect.value_or(opts_.connect_timeout), read, read};
    Result<std::unique_ptr<mysql::SqlSession>> s = sql_.connect(ep, opts_.admin, t);
    if (!s) return Unexpected(std::move(s).error());
    // A server the snapshot could not read (the dead master, if it wakes up) tells its version
    // now: the dialect must match the server that is actually there.
    std::optional<topology::ServerVersion> version = obs.version;
    if (!version) {
      Result<mysql::ResultSet> v = (*s)->query("SELECT VERSION() AS v");
      if (!v) return Unexpected(std::move(v).error());
      Result<topology::ServerVersion> parsed = topology::parse_server_version(cell_text(*v, "v"));
      if (!parsed) return Unexpected(std::move(parsed).error());
      version = *parsed;
    }
    Result<mysql::Dialect> d = mysql::Dialect::for_version(*version);
    if (!d) return Unexpected(std::move(d).error());
    return Server{&obs, std::move(*d), std::move(*s)};
  }

  Result<Server> open_stmt(const planner::ServerRef& ref) {
    return open(ref, opts_.statement_timeout);
  }

  // Runs a statement; the error names the server and the redacted statement.
  static Status exec(Server& s, const planner::ServerRef& ref, const std::string& sql) {
    log::debug("{}: {}", ref.name, mysql::redact_sql(sql));
    Status st = s.session->execute(sql);
    if (!st) {
      Error e = std::move(st).error();
      e.message = ref.name + ": " + mysql::redact_sql(sql) + ": " + e.message;
      return Unexpected(std::move(e));
    }
    return ok_status();
  }

  static Result<mysql::ResultSet> query(Server& s, const planner::ServerRef& ref,
                                        const std::string& sql) {
    log::debug("{}: {}", ref.name, mysql::redact_sql(sql));
    Result<mysql::ResultSet> r = s.session->query(sql);
    if (!r) {
      Error e = std::move(r).error();
      e.message = ref.name + ": " + mysql::redact_sql(sql) + ": " + e.message;
      return Unexpected(std::move(e));
    }
    return r;
  }

  // Before STOP: MariaDB re-signals an IO thread blocked reading from a cut-off or hung master
  // only every 2 s until it notices, so its STOP SLAVE IO_THREAD takes ~2 s there (measured on
  // the test bed: 2.15 s; docs/benchmarks.md), while a KILL of that thread, repeated until the
  // thread has gone, ends its read at once and it exits cleanly (no IO error recorded). Done
  // only when the replica has one replication connection, the default one, and exactly one
  // "Slave_IO" thread, so the thread killed is surely the one being stopped; otherwise, and on
  // MySQL (whose IO thread is not listed so), STOP alone. Best effort: whatever fails here, the
  // STOP that follows decides.
  static void interrupt_io_thread(Server& srv, const planner::ServerRef& ref);
  // The processlist ids of MariaDB's replication IO threads (Command "Slave_IO"); nullopt when the
  // processlist cannot be read.
  static std::optional<std::vector<uint64_t>> slave_io_threads(Server& srv,
                                                               const planner::ServerRef& ref);

  // The server's executed GTID state as text: MariaDB @@gtid_binlog_pos (what it logged, which
  // is what its replicas can fetch), MySQL @@gtid_executed.
  static Result<std::string> gtid_state(Server& s, const planner::ServerRef& ref) {
    Result<mysql::ResultSet> r = query(s, ref, s.dialect.select_gtid_state());
    if (!r) return Unexpected(std::move(r).error());
    const mysql::GtidVariables v = s.dialect.gtid_variables();
    return cell_text(*r, s.dialect.is_mariadb() ? v.binlog_pos : v.executed);
  }

  // Runs a server-side wait statement and interprets its cell.
  static Result<mysql::WaitOutcome> wait(Server& s, const planner::ServerRef& ref,
                                         const std::string& sql, bool gtid) {
    Result<mysql::ResultSet> r = query(s, ref, sql);
    if (!r) return Unexpected(std::move(r).error());
    return gtid ? s.dialect.gtid_wait_outcome(*r) : s.dialect.position_wait_outcome(*r);
  }

  mysql::Credentials repl_credentials(const planner::ServerRef& replica) const {
    mysql::Credentials c = opts_.repl;
    if (c.user.empty() && replica.index < snap_.servers.size() &&
        snap_.servers[replica.index].replica) {
      c.user = snap_.servers[replica.index].replica->master_user;
    }
    return c;
  }

  // Runs a hook with MHA's exit-status contract: 0 ok, 10 proceed with a warning, anything else
  // (or not runnable, killed, timed out) fails. `what` names it in messages; the command line is
  // never logged (operator-written lines may carry secrets).
  StepResult run_script(const std::string& what, const std::string& line, seconds timeout,
                        std::string stdin_data = {});
  // run_script in two halves, so scripts can run at the same time: launch_script touches no
  // state of this object (safe from another thread), judge_script records the outcome.
  Result<hooks::ProcessResult> launch_script(const std::string& what, const std::string& line,
                                             seconds timeout, std::string stdin_data = {});
  StepResult judge_script(const std::string& what, Result<hooks::ProcessResult> r);

  // The server's script facts, with the executor-wide ssh_user when it has none of its own.
  ServerScriptFacts facts(const topology::ServerIdentity& id) const {
    ServerScriptFacts f;
    if (id.config_index < opts_.servers.size()) f = opts_.servers[id.config_index];
    if (f.ssh_user.empty()) f.ssh_user = opts_.ssh_user;
    if (f.hostname.empty()) f.hostname = id.hostname;
    if (f.ip.empty()) f.ip = id.ip;
    return f;
  }

  // The fence by SQL: read_only and the application sessions killed, when the old master still
  // answers. Reads this object only (it runs beside the fence scripts); warnings are returned.
  struct SqlFence {
    std::string detail;
    std::optional<Error> failure;
    std::vector<std::string> warnings;
  };
  SqlFence fence_by_sql(const planner::FenceOldMaster& s);

  // Waits (bounded) until the new master has a semi-sync replica; returns what it saw.
  std::string wait_semi_sync_clients(Server& nm, const planner::ServerRef& ref);

  bool dropped(std::size_t index) const { return dropped_.count(index) != 0; }
  void drop(const planner::ServerRef& ref, const std::string& reason) {
    dropped_.insert(ref.index);
    report_.not_recovered.push_back({ref, reason});
    report_.warnings.push_back(ref.name + ": " + reason);
  }

  mysql::SqlConnector& sql_;
  hooks::ProcessRunner& runner_;
  const ExecutorOptions& opts_;
  const planner::FailoverPlan& plan_;
  const topology::ClusterSnapshot& snap_;
  ExecutionReport& report_;
  std::set<std::size_t> dropped_;  // ignore_fail servers that failed: out of the rest of the plan
  // Replicas that follow the new master so far (RepointReplica succeeded): the semi-sync
  // clients the promotion can wait for. File/position followers re-pointed after it are not.
  std::set<std::size_t> repointed_;
  bool promoted_ = false;  // PromoteNewMaster succeeded
};

StepResult StepRunner::run_script(const std::string& what, const std::string& line, seconds timeout,
                                  std::string stdin_data) {
  return judge_script(what, launch_script(what, line, timeout, std::move(stdin_data)));
}

Result<hooks::ProcessResult> StepRunner::launch_script(const std::string& what,
                                                       const std::string& line, seconds timeout,
                                                       std::string stdin_data) {
  hooks::ProcessSpec spec;
  spec.shell_command = line;
  spec.timeout = duration_cast<milliseconds>(timeout);
  spec.stdin_data = std::move(stdin_data);
  log::info("running {} ({})", what, spec.program());
  return runner_.run(spec);
}

StepResult StepRunner::judge_script(const std::string& what, Result<hooks::ProcessResult> r) {
  if (r) {
    log_output(what, "stdout", r->out);
    log_output(what, "stderr", r->err);
  }
  if (!r) {
    Error e = std::move(r).error();
    e.message = what + " could not be run: " + e.message;
    return failed(std::move(e), "");
  }
  if (r->success()) return ok(what + " exited 0");
  if (!r->timed_out && r->term_signal == 0 && r->exit_code == kScriptProceedWithWarning) {
    const std::string w = what + " exited 10 (failed, proceeding as MHA does)";
    report_.warnings.push_back(w);
    return ok(w, StepOutcome::kWarning);
  }
  return failed(make_error(r->timed_out ? ErrorCode::kTimeout : ErrorCode::kPrecondition,
                           what + " failed: " + r->describe(), r->exit_code),
                "");
}

std::vector<StepRunner::IoStopper> StepRunner::start_stop_io(const planner::StopReplicaIo& s) {
  std::vector<IoStopper> stoppers;
  for (const planner::ServerRef& ref : s.replicas) {
    if (dropped(ref.index)) continue;
    stoppers.push_back(
        {ref, std::async(std::launch::async, [this, ref, timeout = s.timeout]() -> Status {
           mysql::MysqlThreadToken token;
           Result<Server> srv = open(ref, timeout);
           if (!srv) return Unexpected(std::move(srv).error());
           interrupt_io_thread(*srv, ref);
           const auto start = std::chrono::steady_clock::now();
           Status st = exec(*srv, ref, srv->dialect.stop_replica(mysql::ReplicaThreads::kIoThread));
           // Where the fence phase's time goes (docs/benchmarks.md): a STOP that waits on an IO
           // thread blocked by a cut-off master shows here.
           log::info("{}: STOP SLAVE IO_THREAD {} in {} ms", ref.name, st ? "returned" : "failed",
                     std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count());
           return st;
         })});
  }
  return stoppers;
}

std::optional<std::vector<uint64_t>> StepRunner::slave_io_threads(Server& srv,
                                                                  const planner::ServerRef& ref) {
  Result<mysql::ResultSet> listed = query(srv, ref, srv.dialect.show_full_processlist());
  Result<std::vector<topology::ProcessInfo>> sessions =
      listed ? mysql::parse_processlist(*listed) : Unexpected(std::move(listed).error());
  if (!sessions) return std::nullopt;
  std::vector<uint64_t> ids;
  for (const topology::ProcessInfo& p : *sessions) {
    if (p.command == "Slave_IO") ids.push_back(p.id);
  }
  return ids;
}

void StepRunner::interrupt_io_thread(Server& srv, const planner::ServerRef& ref) {
  if (!srv.dialect.is_mariadb()) return;
  Result<mysql::ResultSet> channels = query(srv, ref, srv.dialect.show_all_replicas_status());
  if (!channels || channels->rows.size() != 1) return;
  // The one connection must be the default one (Connection_name ''), the one STOP stops.
  const std::optional<std::size_t> name = channels->find_column("Connection_name");
  if (!name || *name >= channels->rows[0].size()) return;
  const mysql::Cell& connection = channels->rows[0][*name];
  if (!connection || !connection->empty()) return;
  const std::optional<std::vector<uint64_t>> io_threads = slave_io_threads(srv, ref);
  if (!io_threads || io_threads->size() != 1) return;
  const uint64_t id = io_threads->front();
  // One KILL ends the thread's read at once unless it lands while the thread is between two
  // reads: the thread then blocks in the next one until STOP re-signals it 2 s later (on the test
  // bed, 1 stop in 6 with writes flowing; none in 12 with the KILL repeated). So the KILL is
  // repeated every 20 ms, as STOP would every 2 s, until the thread has left the processlist, for
  // at most 50 rounds (~1 s); STOP then finds it stopped. Logged either way: a STOP that still
  // takes ~2 s is explained by these lines.
  constexpr int kMaxKills = 50;
  const auto start = std::chrono::steady_clock::now();
  int kills = 0;
  while (true) {
    Status st = exec(srv, ref, srv.dialect.kill_connection(id));
    if (!st && st.error().detail == kErNoSuchThread) break;  // gone meanwhile
    if (!st) {
      log::info("{}: the IO thread (id {}) was not killed before STOP: {}", ref.name, id,
                st.error().message);
      return;
    }
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::optional<std::vector<uint64_t>> still = slave_io_threads(srv, ref);
    if (!still) return;  // STOP decides
    if (std::find(still->begin(), still->end(), id) == still->end()) break;
    if (kills == kMaxKills) {
      log::info("{}: the IO thread (id {}) was still running after {} KILLs; STOP waits for it",
                ref.name, id, kills);
      return;
    }
  }
  log::info("{}: IO thread (id {}) ended by {} KILL(s) in {} ms, before STOP SLAVE IO_THREAD",
            ref.name, id, kills,
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count());
}

StepResult StepRunner::finish_stop_io(const planner::StopReplicaIo& s,
                                      std::vector<IoStopper> stoppers,
                                      const std::string& left_if_failed) {
  std::vector<std::string> stopped;
  std::optional<Error> failure;
  for (IoStopper& stopper : stoppers) {
    Status st = stopper.done.get();
    if (st) {
      stopped.push_back(stopper.ref.name);
      continue;
    }
    const bool may_fail =
        std::find(s.may_fail.begin(), s.may_fail.end(), stopper.ref) != s.may_fail.end();
    if (may_fail) {
      drop(stopper.ref, "could not stop the IO thread (ignore_fail): " + st.error().message);
    } else if (!failure) {
      failure = std::move(st).error();
    }
  }
  if (failure) {
    return failed(std::move(*failure), "IO threads stopped on: " + join(stopped) + ". " +
                                           left_if_failed +
                                           "; START SLAVE IO_THREAD on those replicas resumes "
                                           "replication as before.");
  }
  return ok("IO thread stopped on " + join(stopped));
}

StepResult StepRunner::run(const planner::StopReplicaIo& s) {
  return finish_stop_io(s, start_stop_io(s),
                        "The old master was not fenced and nothing else changed");
}

StepRunner::SqlFence StepRunner::fence_by_sql(const planner::FenceOldMaster& s) {
  SqlFence f;
  Result<Server> srv = open(s.master, s.sql_connect_timeout, s.sql_connect_timeout);
  if (!srv) {
    // The expected case: the master is dead. Nothing to fence by SQL.
    f.detail = "old master does not answer SQL (" + srv.error().message + ")";
    return f;
  }
  for (const std::string& sql : srv->dialect.set_read_only(true)) {
    Status st = exec(*srv, s.master, sql);
    if (!st) {
      f.failure = std::move(st).error();
      return f;
    }
  }
  // Every application session but ours: the one rule the online switchover kills by too.
  Result<mysql::ResultSet> own = query(*srv, s.master, srv->dialect.select_connection_id());
  Result<mysql::ResultSet> listed = query(*srv, s.master, srv->dialect.show_full_processlist());
  Result<std::vector<topology::ProcessInfo>> sessions =
      listed ? mysql::parse_processlist(*listed) : Unexpected(std::move(listed).error());
  if (!own || !sessions) {
    f.failure = own ? std::move(sessions).error() : std::move(own).error();
    return f;
  }
  const bool own_known = !own->rows.empty() && !own->rows[0].empty() && own->rows[0][0];
  const std::string own_id = own_known ? *own->rows[0][0] : std::string();
  int killed = 0;
  for (const topology::ProcessInfo& p : *sessions) {
    if (std::to_string(p.id) == own_id || !topology::is_application_session(p)) continue;
    Status st = exec(*srv, s.master, srv->dialect.kill_connection(p.id));
    if (st) {
      ++killed;
    } else if (st.error().detail != kErNoSuchThread) {
      f.warnings.push_back(st.error().message);
    }
  }
  f.detail = "old master answered SQL: read_only=1, " + std::to_string(killed) +
             " client session(s) killed";
  return f;
}

StepResult StepRunner::run(const planner::FenceOldMaster& s) {
  if (s.master.index >= snap_.servers.size()) {
    return failed(make_error(ErrorCode::kInternal, s.master.name + " is not in the snapshot"),
                  "nothing was changed by this step");
  }
  const topology::ServerIdentity& id = snap_.servers[s.master.index].id;
  const std::string command = planner::fence_command_name(s.command);
  const std::string left =
      "Replica IO threads are stopped; the old master " + s.master.name +
      " may still be running and holding the VIP. Fence it by hand (or fix the script) and run "
      "the failover again, or START SLAVE IO_THREAD on the replicas to resume.";
  std::vector<std::string> done;
  StepOutcome outcome = StepOutcome::kOk;
  // Both scripts reach the same dead host over SSH and neither needs the other's result, so they
  // run at the same time: the fence costs the slower one, not the sum (docs/benchmarks.md). The
  // SQL fence (read_only + kill, for a master that still answers) runs beside them too: against
  // a cut-off host its connect costs a whole timeout. Outcomes are judged afterwards in MHA's
  // order: VIP script, shutdown script, SQL.
  std::future<SqlFence> sql_fence;
  if (s.try_read_only) {
    sql_fence = std::async(std::launch::async, [this, &s] {
      mysql::MysqlThreadToken token;
      return fence_by_sql(s);
    });
  }
  const ServerScriptFacts f = facts(id);
  const std::string vip_what = "master_ip_failover_script --command=" + command;
  std::future<Result<hooks::ProcessResult>> vip;
  if (!s.ip_failover_script.empty()) {
    std::vector<std::string> args{"--command=" + command, "--ssh_user=" + f.ssh_user};
    for (std::string& a : internal::orig_master_args(id)) args.push_back(std::move(a));
    for (std::string& a : internal::ssh_args(f, "orig_master_")) args.push_back(std::move(a));
    if (s.new_master) {
      const topology::ServerIdentity& nm = snap_.servers[s.new_master->index].id;
      for (std::string& a : internal::new_master_args(nm)) args.push_back(std::move(a));
      for (std::string& a : internal::ssh_args(facts(nm), "new_master_")) {
        if (a.rfind("--ssh_options=", 0) != 0) args.push_back(std::move(a));
      }
    }
    vip =
        std::async(std::launch::async,
                   [this, &vip_what, &s, line = internal::script_line(s.ip_failover_script, args)] {
                     return launch_script(vip_what, line, s.script_timeout);
                   });
  }
  const std::string shutdown_what = "shutdown_script --command=" + command;
  std::optional<Result<hooks::ProcessResult>> shutdown;
  if (!s.shutdown_script.empty()) {
    std::vector<std::string> args{"--command=" + command, "--ssh_user=" + f.ssh_user,
                                  "--host=" + id.hostname, "--ip=" + id.ip,
                                  "--port=" + std::to_string(id.port)};
    for (std::string& a : internal::ssh_args(f, "")) args.push_back(std::move(a));
    if (!f.master_pid_file.empty()) args.push_back("--pid_file=" + f.master_pid_file);
    shutdown = launch_script(shutdown_what, internal::script_line(s.shutdown_script, args),
                             s.script_timeout);
  }
  std::vector<StepResult> results;
  if (vip.valid()) results.push_back(judge_script(vip_what, vip.get()));
  if (shutdown) results.push_back(judge_script(shutdown_what, std::move(*shutdown)));
  for (StepResult& r : results) {
    if (r.outcome == StepOutcome::kFailed) {
      r.left_state = left;
      return r;
    }
    if (r.outcome == StepOutcome::kWarning) outcome = StepOutcome::kWarning;
    done.push_back(r.detail);
  }
  if (sql_fence.valid()) {
    SqlFence by_sql = sql_fence.get();
    if (by_sql.failure) return failed(std::move(*by_sql.failure), left);
    if (!by_sql.warnings.empty()) outcome = StepOutcome::kWarning;
    for (std::string& w : by_sql.warnings) report_.warnings.push_back(std::move(w));
    done.push_back(by_sql.detail);
  }
  if (done.empty()) {
    report_.warnings.push_back("no fencing configured for " + s.master.name);
    return ok("nothing configured to fence " + s.master.name, StepOutcome::kWarning);
  }
  return ok(join(done), outcome);
}

StepResult StepRunner::run(const planner::ConfirmReceived& s) {
  std::vector<std::string> moved;
  for (const planner::ConfirmReceived::Expected& e : s.expected) {
    if (dropped(e.replica.index)) continue;
    const std::string left =
        "Replica IO threads are stopped and the old master is fenced; "
        "nothing was promoted. Run the failover again.";
    Result<Server> srv = open_stmt(e.replica);
    if (!srv) return failed(std::move(srv).error(), left);
    Result<mysql::ResultSet> rs = query(*srv, e.replica, srv->dialect.show_replica_status());
    if (!rs) return failed(std::move(rs).error(), left);
    Result<std::vector<topology::ReplicaStatus>> parsed = mysql::parse_replica_status(*rs);
    if (!parsed) return failed(std::move(parsed).error(), left);
    topology::ServerObservation obs = *srv->obs;
    obs.replica.reset();
    for (topology::ReplicaStatus& st : *parsed) {
      if (st.channel.empty()) obs.replica = std::move(st);
    }
    if (srv->dialect.is_mariadb()) {
      Result<mysql::ResultSet> g = query(*srv, e.replica, srv->dialect.select_gtid_state());
      if (!g) return failed(std::move(g).error(), left);
      Result<topology::GtidPosition> slave_pos =
          topology::GtidPosition::parse(cell_text(*g, srv->dialect.gtid_variables().slave_pos));
      if (!slave_pos) return failed(std::move(slave_pos).error(), left);
      obs.mariadb_gtid.slave_pos = std::move(*slave_pos);
    }
    std::optional<planner::ReceivedPosition> now = planner::received_position(obs, e.received.mode);
    if (!now) {
      return failed(make_error(ErrorCode::kConflict, e.replica.name + " is no longer a replica"),
                    left);
    }
    // Compare in the plan's mode only: in GTID modes the file coordinates are not part of the
    // position (a replica's Master_Log_File may be reported differently after a restart).
    if (planner::compare_received(*now, e.received) != std::partial_ordering::equivalent) {
      moved.push_back(e.replica.name + " " + e.received.to_string() + " -> " + now->to_string());
    }
  }
  if (!moved.empty()) {
    report_.replan_needed = true;
    return ok("received positions changed: " + join(moved), StepOutcome::kChanged);
  }
  return ok("received positions as planned");
}

StepResult StepRunner::run(const planner::WaitRelayApplied& s) {
  if (dropped(s.replica.index)) return ok(s.replica.name + " dropped", StepOutcome::kSkipped);
  StepResult r = wait_relay_applied(s);
  if (r.outcome != StepOutcome::kFailed || !s.may_fail) return r;
  // A replica other than the new master (and not a catch-up source) that cannot apply its own
  // relay log (a conflicting row, a broken SQL thread) is left as it is and reported (exit 10),
  // as in GTID mode and in MHA; the new master is not held read-only for it.
  drop(s.replica, "could not apply its relay log: " + r.error->message);
  return ok(s.replica.name + " left out: " + r.error->message, StepOutcome::kWarning);
}

StepResult StepRunner::wait_relay_applied(const planner::WaitRelayApplied& s) {
  const std::string left = "The old master is fenced and replica IO threads are stopped; " +
                           s.replica.name +
                           " has not applied its whole relay log. Nothing was promoted. Fix its "
                           "SQL thread and run the failover again.";
  Result<Server> srv = open(s.replica, s.timeout + opts_.wait_margin);
  if (!srv) return failed(std::move(srv).error(), left);
  Result<mysql::ResultSet> rs = query(*srv, s.replica, srv->dialect.show_replica_status());
  if (!rs) return failed(std::move(rs).error(), left);
  Result<std::vector<topology::ReplicaStatus>> parsed = mysql::parse_replica_status(*rs);
  if (!parsed) return failed(std::move(parsed).error(), left);
  const topology::ReplicaStatus* st = nullptr;
  for (const topology::ReplicaStatus& r : *parsed) {
    if (r.channel.empty()) st = &r;
  }
  if (!st) {
    return failed(make_error(ErrorCode::kPrecondition, s.replica.name + " is not a replica"), left);
  }
  if (st->sql_failed()) {
    return failed(make_error(ErrorCode::kPrecondition, "SQL thread stopped on error " +
                                                           std::to_string(st->last_sql_errno) +
                                                           ": " + st->last_sql_error),
                  left);
  }
  const bool gtid = st->using_gtid != topology::UsingGtid::kNo;
  if (!gtid) {  // file/position: relay_tail.cc (a relay log may end inside a transaction)
    Result<std::string> done = internal::wait_relay_position(
        {s.replica.name, srv->session.get(), &srv->dialect, s.stop_at.value_or(st->read_master),
         s.stop_at.has_value(), s.timeout});
    if (!done) return failed(std::move(done).error(), left);
    return ok(*done);
  }
  if (!st->sql_running) {
    Status started =
        exec(*srv, s.replica, srv->dialect.start_replica(mysql::ReplicaThreads::kSqlThread));
    if (!started) return failed(std::move(started).error(), left);
  }
  const std::string target = st->gtid_io_pos.to_string();
  if (target.empty()) return ok(s.replica.name + ": nothing received over GTID");
  const std::string sql = srv->dialect.wait_for_gtid(target, s.timeout);
  Result<mysql::WaitOutcome> w = wait(*srv, s.replica, sql, gtid);
  if (!w) return failed(std::move(w).error(), left);
  if (*w != mysql::WaitOutcome::kReached) {
    return failed(make_error(ErrorCode::kTimeout,
                             s.replica.name + " did not apply its relay log up to " + target +
                                 (*w == mysql::WaitOutcome::kTimedOut
                                      ? " within " + std::to_string(s.timeout.count()) + " s"
                                      : " (SQL thread not running)")),
                  left);
  }
  return ok(s.replica.name + " applied up to " + target);
}

StepResult StepRunner::run(const planner::CatchUpFromLatest& s) {
  const std::string left_before = "The old master is fenced, nothing was promoted and " +
                                  s.new_master.name + " was not changed.";
  Result<Server> src = open_stmt(s.source);
  if (!src) return failed(std::move(src).error(), left_before);
  Result<std::string> source_state = gtid_state(*src, s.source);
  if (!source_state) return failed(std::move(source_state).error(), left_before);
  if (src->dialect.is_mariadb()) {
    Result<topology::GtidPosition> have = topology::GtidPosition::parse(*source_state);
    if (!have) return failed(std::move(have).error(), left_before);
    if (!have->contains(s.target.mariadb)) {
      return failed(make_error(ErrorCode::kPrecondition,
                               s.source.name + " logged " + *source_state +
                                   ", which does not contain what it received (" +
                                   s.target.to_string() + "): is log_slave_updates on?"),
                    left_before);
    }
  }
  const std::string left = "The old master is fenced and nothing was promoted; " +
                           s.new_master.name + " may still replicate from " + s.source.name +
                           " (STOP SLAVE; CHANGE MASTER it back or finish the failover by hand).";
  Result<Server> nm = open(s.new_master, s.timeout + opts_.wait_margin);
  if (!nm) return failed(std::move(nm).error(), left_before);
  Status st = exec(*nm, s.new_master, nm->dialect.stop_replica());
  if (!st) return failed(std::move(st).error(), left_before);
  mysql::ChangeMasterOptions cm;
  const topology::ServerIdentity& sid = snap_.servers[s.source.index].id;
  cm.host = sid.ip.empty() ? sid.hostname : sid.ip;
  cm.port = sid.port;
  const mysql::Credentials repl = repl_credentials(s.new_master);
  cm.user = repl.user;
  cm.password = repl.password;
  cm.mode = nm->dialect.is_mariadb() ? mysql::ReplicationMode::kMariadbSlavePos
                                     : mysql::ReplicationMode::kMysqlAutoPosition;
  Result<std::string> change = nm->dialect.change_master(cm);
  if (!change) return failed(std::move(change).error(), left_before);
  st = exec(*nm, s.new_master, *change);
  if (!st) return failed(std::move(st).error(), left);
  st = exec(*nm, s.new_master, nm->dialect.start_replica());
  if (!st) return failed(std::move(st).error(), left);
  Result<mysql::WaitOutcome> w =
      wait(*nm, s.new_master, nm->dialect.wait_for_gtid(*source_state, s.timeout), true);
  // Stop in every case: the new master must not keep following a replica.
  Status stop = exec(*nm, s.new_master, nm->dialect.stop_replica());
  if (!w) return failed(std::move(w).error(), left);
  if (*w != mysql::WaitOutcome::kReached) {
    return failed(
        make_error(ErrorCode::kTimeout, s.new_master.name + " did not reach " + *source_state +
                                            " from " + s.source.name + " within " +
                                            std::to_string(s.timeout.count()) + " s"),
        left);
  }
  if (!stop) return failed(std::move(stop).error(), left);
  return ok(s.new_master.name + " caught up with " + s.source.name + " at " + *source_state);
}

StepResult StepRunner::run(const planner::ApplySavedBinlog& s) {
  // Best effort throughout: anything that goes wrong is a warning and the failover goes on with
  // what the replicas received, exactly as it must when the dead master's host is down.
  auto skip = [&](const std::string& why, std::vector<std::string> kept = {}) {
    std::string w = "binlog salvage from " + s.dead_master.name + " not done: " + why +
                    "; events only the dead master had may be lost";
    if (!kept.empty()) w += " (files kept: " + join(kept) + ")";
    report_.warnings.push_back(w);
    return ok(w, StepOutcome::kWarning);
  };
  if (opts_.hosts == nullptr) return skip("no SSH access configured for the executor");
  const topology::ServerIdentity& dead = snap_.servers[s.dead_master.index].id;
  const topology::ServerIdentity& tid = snap_.servers[s.target.index].id;
  const ServerScriptFacts df = facts(dead);
  const ServerScriptFacts tf = facts(tid);
  if (df.master_binlog_dir.empty()) return skip("master_binlog_dir is not set");

  Result<Server> target = open(s.target, s.timeout + opts_.wait_margin);
  if (!target) return skip(target.error().message);
  std::vector<std::string> start;
  if (s.mode == planner::ReplicationMode::kFilePosition) {
    start = {"--start_file=" + s.from.file, "--start_pos=" + std::to_string(s.from.pos)};
  } else {
    // The target's last transaction from the dead master's domain: what it executed (slave_pos)
    // or logged (binlog_pos, which includes what the catch-up step replicated).
    Result<mysql::ResultSet> g = query(*target, s.target, target->dialect.select_gtid_state());
    if (!g) return skip(g.error().message);
    const mysql::GtidVariables v = target->dialect.gtid_variables();
    topology::GtidPosition have;
    for (const std::string& column : {v.binlog_pos, v.slave_pos}) {
      Result<topology::GtidPosition> p = topology::GtidPosition::parse(cell_text(*g, column));
      if (!p) return skip(p.error().message);
      for (const topology::MariadbGtid& e : p->entries()) {
        const topology::MariadbGtid* cur = have.find(e.domain_id);
        if (cur == nullptr || cur->seq_no < e.seq_no) have.set(e);
      }
    }
    const topology::ServerObservation& tobs = snap_.servers[s.target.index];
    const uint32_t dead_id = tobs.replica ? tobs.replica->master_server_id : 0;
    std::optional<topology::MariadbGtid> last;
    for (const topology::MariadbGtid& e : have.entries()) {
      if (e.server_id == dead_id) last = e;
    }
    if (!last && have.size() == 1) last = have.entries().front();
    if (!last) return skip("cannot tell the dead master's GTID domain in " + have.to_string());
    const std::string file = tobs.replica ? tobs.replica->read_master.file : "";
    const std::string prefix = internal::binlog_prefix(file);
    if (prefix.empty()) return skip("the dead master's binlog name is unknown");
    start = {"--start_gtid=" + last->to_string(), "--binlog_prefix=" + prefix};
  }

  const std::string remote_dead = df.remote_workdir + "/masterha_saved_" + opts_.app + ".binlog";
  const std::string remote_target = tf.remote_workdir + "/masterha_saved_" + opts_.app + ".binlog";
  const std::string remote_cnf = tf.remote_workdir + "/masterha_apply_" + opts_.app + ".cnf";
  const std::string local = opts_.local_workdir + "/" + opts_.app + ".saved_master_binlog.binlog";
  const std::string local_cnf = opts_.local_workdir + "/" + opts_.app + ".apply.cnf";
  const auto timeout = duration_cast<milliseconds>(s.timeout);

  Result<ssh::ExecResult> saved = opts_.hosts->run(
      dead.config_index, internal::save_command(df.master_binlog_dir, start, remote_dead), "",
      timeout);
  if (!saved)
    return skip("save_binary_logs on " + s.dead_master.name + ": " + saved.error().message);
  log_output("save_binary_logs", "stderr", saved->err);
  if (saved->exit_code == 10) {
    return ok(s.dead_master.name + " has no events after what " + s.target.name +
              " has: nothing to save");
  }
  if (saved->exit_code != 0) {
    return skip("save_binary_logs on " + s.dead_master.name + " exited " +
                std::to_string(saved->exit_code));
  }
  Result<internal::SavedBinlog> summary = internal::parse_save_output(saved->out);
  if (!summary) return skip(summary.error().message, {s.dead_master.name + ":" + remote_dead});
  if (!summary->saved) return ok("nothing to save on " + s.dead_master.name);
  if (Status st = opts_.hosts->download(dead.config_index, remote_dead, local); !st) {
    return skip(st.error().message, {s.dead_master.name + ":" + remote_dead});
  }
  {
    const mode_t old = ::umask(077);
    // The credentials go to the target host in a 0600 option file, never in argv.
    std::ofstream(local_cnf) << client_option_file_text(opts_.admin.user, opts_.admin.password);
    ::umask(old);
  }
  Status up = opts_.hosts->upload(tid.config_index, local, remote_target, 0600);
  if (up) up = opts_.hosts->upload(tid.config_index, local_cnf, remote_cnf, 0600);
  ::unlink(local_cnf.c_str());
  if (!up) return skip(up.error().message, {local});

  // The server's max_allowed_packet raised (the largest saved event must fit) and read_only
  // lifted around the apply; both restored after, whatever happened (promotion decides the final
  // read_only).
  Result<internal::ApplySettings> settings =
      internal::ApplySettings::prepare(*target->session, target->dialect, s.target.name);
  if (!settings) {
    (void)opts_.hosts->run(tid.config_index, "rm -f " + internal::shell_quote(remote_cnf), "",
                           milliseconds(10000));
    return skip(settings.error().message, {local});
  }
  Result<ssh::ExecResult> applied =
      opts_.hosts->run(tid.config_index,
                       internal::apply_command(remote_target, remote_cnf,
                                               tid.ip.empty() ? tid.hostname : tid.ip, tid.port),
                       "", timeout);
  (void)opts_.hosts->run(tid.config_index, "rm -f " + internal::shell_quote(remote_cnf), "",
                         milliseconds(10000));
  for (std::string& e : settings->restore()) report_.warnings.push_back(std::move(e));
  if (!applied || !internal::apply_succeeded(applied->out)) {
    if (applied) log_output("apply", "stderr", applied->err);
    std::string why = applied ? "mysqlbinlog | mysql did not succeed" : applied.error().message;
    if (applied) {
      const std::size_t at = applied->out.rfind("pipestatus=");
      if (at != std::string::npos) why += " (" + applied->out.substr(at) + ")";
    }
    return skip("applying the saved events on " + s.target.name + ": " + why,
                {local, s.target.name + ":" + remote_target});
  }
  // The target must now have the last saved transaction.
  if (summary->last_gtid && target->dialect.is_mariadb()) {
    Result<std::string> logged = gtid_state(*target, s.target);
    Result<topology::GtidPosition> pos =
        logged ? topology::GtidPosition::parse(*logged)
               : Result<topology::GtidPosition>(Unexpected(logged.error()));
    topology::GtidPosition want;
    want.set(*summary->last_gtid);
    if (!pos || !pos->contains(want)) {
      return skip(
          s.target.name + " does not have " + summary->last_gtid->to_string() + " after the apply",
          {local, s.target.name + ":" + remote_target});
    }
  }
  (void)opts_.hosts->run(dead.config_index, "rm -f " + internal::shell_quote(remote_dead), "",
                         milliseconds(10000));
  (void)opts_.hosts->run(tid.config_index, "rm -f " + internal::shell_quote(remote_target), "",
                         milliseconds(10000));
  ::unlink(local.c_str());
  std::string detail = "saved " + std::to_string(summary->transactions) + " transaction(s), " +
                       std::to_string(summary->bytes) + " bytes from " + s.dead_master.name +
                       " and applied them on " + s.target.name;
  if (summary->last_gtid) detail += " up to " + summary->last_gtid->to_string();
  if (!summary->incomplete_tail.empty()) {
    detail += "; an unfinished transaction at " + summary->incomplete_tail + " was left out";
  }
  return ok(detail);
}

StepResult StepRunner::run(const planner::ApplyRelayDiff& s) {
  if (dropped(s.target.index)) return ok(s.target.name + " dropped", StepOutcome::kSkipped);
  const bool new_master = s.target == plan_.new_master;
  const std::string left = "The old master is fenced; nothing was promoted or re-pointed.";
  Result<Server> target = open(s.target, s.timeout + opts_.wait_margin);
  Result<Server> source = target ? open_stmt(s.source) : Unexpected(target.error());
  internal::RelayDiffOutcome r;
  if (target && source) {
    auto side = [&](const planner::ServerRef& ref, Server& srv) {
      const topology::ServerIdentity& id = snap_.servers[ref.index].id;
      return internal::RelayDiffServer{
          ref.name,    id.config_index,          id.ip.empty() ? id.hostname : id.ip,
          id.port,     facts(id).remote_workdir, srv.session.get(),
          &srv.dialect};
    };
    r = internal::run_relay_diff({side(s.target, *target), side(s.source, *source), opts_.hosts,
                                  opts_.admin, opts_.app, opts_.local_workdir, s.from, s.to,
                                  s.timeout, s.check_only});
  } else {
    r.error = (target ? source : target).error();
  }
  if (r.ok) return ok(r.detail);
  // A replica that cannot be brought level stays as it is and is reported (exit 10); the new
  // master, or a check (before anything changed) for a replica without ignore_fail, fails the
  // failover: MHA refuses too when no latest replica kept the relay logs needed.
  if (!new_master && (!s.check_only || snap_.servers[s.target.index].id.ignore_fail)) {
    drop(s.target, "relay-log diff not applied, left as it is: " + r.error->message);
    return ok(s.target.name + " not recovered: " + r.error->message, StepOutcome::kWarning);
  }
  return failed(
      std::move(*r.error),
      left +
          (r.target_changed ? " " + s.target.name + " may hold part of the relay-log diff." : ""));
}

StepResult StepRunner::run(const planner::RecordNewMasterPosition& s) {
  const std::string left = "The old master is fenced; nothing was promoted or re-pointed.";
  Result<Server> nm = open_stmt(s.new_master);
  if (!nm) return failed(std::move(nm).error(), left);
  Result<mysql::ResultSet> rs = query(*nm, s.new_master, nm->dialect.show_master_status());
  if (!rs) return failed(std::move(rs).error(), left);
  Result<std::optional<topology::MasterStatus>> ms = mysql::parse_master_status(*rs);
  if (!ms) return failed(std::move(ms).error(), left);
  if (!*ms) {
    return failed(
        make_error(ErrorCode::kPrecondition, s.new_master.name + " has binary logging disabled"),
        left);
  }
  report_.new_master_position = (*ms)->position;
  return ok(s.new_master.name + " is at " + (*ms)->position.to_string());
}

StepResult StepRunner::run(const planner::RepointReplica& s) {
  if (dropped(s.replica.index)) {
    return ok(s.replica.name + " left out earlier (not recovered), not re-pointed",
              StepOutcome::kSkipped);
  }
  const std::string left =
      "The old master is fenced; " + s.replica.name + " may replicate from nothing or from " +
      s.new_master.name + " without having caught up; " + s.new_master.name +
      " is not promoted yet (read_only). Fix the replica and re-point it by hand, then promote.";
  auto fail = [&](Error e) -> StepResult {
    if (s.may_fail) {
      drop(s.replica, "not re-pointed: " + e.message);
      return ok(s.replica.name + " not re-pointed: " + e.message, StepOutcome::kWarning);
    }
    return failed(std::move(e), left);
  };
  const bool file_pos = s.method == planner::RepointMethod::kFilePosition;
  std::string target;
  if (file_pos) {
    if (!report_.new_master_position) {
      return fail(make_error(ErrorCode::kInternal,
                             "file/position re-point without a recorded new master position"));
    }
    target = report_.new_master_position->to_string();
  } else {
    Result<Server> nm = open_stmt(s.new_master);
    if (!nm) return fail(std::move(nm).error());
    Result<std::string> g = gtid_state(*nm, s.new_master);
    if (!g) return fail(std::move(g).error());
    target = *g;
  }
  Result<Server> srv = open(s.replica, s.timeout + opts_.wait_margin);
  if (!srv) return fail(std::move(srv).error());
  Status st = exec(*srv, s.replica, srv->dialect.stop_replica());
  if (!st) return fail(std::move(st).error());
  const topology::ServerIdentity& nid = snap_.servers[s.new_master.index].id;
  mysql::ChangeMasterOptions cm;
  cm.host = nid.ip.empty() ? nid.hostname : nid.ip;
  cm.port = nid.port;
  const mysql::Credentials repl = repl_credentials(s.replica);
  cm.user = repl.user;
  cm.password = repl.password;
  switch (s.method) {
    case planner::RepointMethod::kMariadbSlavePos:
      cm.mode = mysql::ReplicationMode::kMariadbSlavePos;
      break;
    case planner::RepointMethod::kMysqlAutoPosition:
      cm.mode = mysql::ReplicationMode::kMysqlAutoPosition;
      break;
    case planner::RepointMethod::kFilePosition:
      cm.mode = mysql::ReplicationMode::kFilePosition;
      cm.position = report_.new_master_position;
      break;
  }
  Result<std::string> change = srv->dialect.change_master(cm);
  if (!change) return fail(std::move(change).error());
  st = exec(*srv, s.replica, *change);
  if (!st) return fail(std::move(st).error());
  st = exec(*srv, s.replica, srv->dialect.start_replica());
  if (!st) return fail(std::move(st).error());
  if (!file_pos && target.empty()) return ok(s.replica.name + " re-pointed (new master empty)");
  // Waited for in slices: a replica whose SQL thread stops on an error (a conflicting row) or
  // whose IO thread gives up (a failing login) would otherwise hold the promotion back for the
  // whole timeout, since the new master is promoted after the re-points.
  const auto deadline = std::chrono::steady_clock::now() + s.timeout;
  while (true) {
    const auto remaining = duration_cast<seconds>(deadline - std::chrono::steady_clock::now());
    const seconds slice = std::clamp(remaining, seconds(1), kRepointWaitSlice);
    const std::string wait_sql =
        file_pos ? srv->dialect.wait_for_position(*report_.new_master_position, slice)
                 : srv->dialect.wait_for_gtid(target, slice);
    Result<mysql::WaitOutcome> w = wait(*srv, s.replica, wait_sql, !file_pos);
    if (!w) return fail(std::move(w).error());
    if (*w == mysql::WaitOutcome::kReached) break;
    Result<mysql::ResultSet> rs = query(*srv, s.replica, srv->dialect.show_replica_status());
    if (!rs) return fail(std::move(rs).error());
    Result<std::vector<topology::ReplicaStatus>> parsed = mysql::parse_replica_status(*rs);
    if (!parsed) return fail(std::move(parsed).error());
    for (const topology::ReplicaStatus& rst : *parsed) {
      if (!rst.channel.empty()) continue;
      if (rst.sql_failed()) {
        return fail(make_error(ErrorCode::kConflict,
                               "SQL thread stopped on error " + std::to_string(rst.last_sql_errno) +
                                   " (" + rst.last_sql_error + ") before reaching " + target));
      }
      if (rst.io_running == topology::IoThreadState::kNo && rst.last_io_errno != 0) {
        return fail(make_error(ErrorCode::kConnect,
                               "IO thread stopped on error " + std::to_string(rst.last_io_errno) +
                                   " (" + rst.last_io_error + ") before reaching " + target));
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail(make_error(ErrorCode::kTimeout, s.replica.name + " replicates from " +
                                                      s.new_master.name + " but did not reach " +
                                                      target + " within " +
                                                      std::to_string(s.timeout.count()) + " s"));
    }
  }
  repointed_.insert(s.replica.index);
  return ok(s.replica.name + " replicates from " + s.new_master.name + " (" +
            planner::repoint_method_name(s.method) + "), reached " + target);
}

std::string StepRunner::wait_semi_sync_clients(Server& nm, const planner::ServerRef& ref) {
  // Only replicas already re-pointed can register; waiting for the ones the plan re-points after
  // the promotion (file/position followers with a diff) would only delay the first write.
  if (repointed_.empty()) {
    const bool later =
        std::any_of(plan_.new_replicas.begin(), plan_.new_replicas.end(),
                    [this](const planner::ServerRef& r) { return !dropped(r.index); });
    if (!later) return "no replica to wait for";
    const std::string w = ref.name +
                          ": no replica follows it yet; the first writes wait for "
                          "rpl_semi_sync_master_timeout until one is re-pointed";
    report_.warnings.push_back(w);
    log::warning("{}", w);
    return "no semi-sync replica yet";
  }
  Result<int> clients =
      mysql::wait_semi_sync_clients(*nm.session, nm.dialect, 1, mysql::kSemiSyncClientWait);
  if (clients && *clients >= 1) return std::to_string(*clients) + " semi-sync replica(s)";
  const std::string w = ref.name + ": no semi-sync replica connected within " +
                        std::to_string(mysql::kSemiSyncClientWait.count()) +
                        " ms; the first writes wait for rpl_semi_sync_master_timeout" +
                        (clients ? "" : " (" + clients.error().message + ")");
  report_.warnings.push_back(w);
  log::warning("{}", w);
  return "no semi-sync replica yet";
}

StepResult StepRunner::run(const planner::PromoteNewMaster& s) {
  const std::string left = "The replicas re-pointed so far follow " + s.new_master.name +
                           ", which may still be read-only or keep its replica configuration; "
                           "finish by hand (STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=0) "
                           "and recover the other replicas.";
  Result<Server> nm = open_stmt(s.new_master);
  if (!nm) return failed(std::move(nm).error(), left);
  std::vector<std::string> done;
  Status st = exec(*nm, s.new_master, nm->dialect.stop_replica());
  if (!st) return failed(std::move(st).error(), left);
  if (s.reset_slave_all) {
    st = exec(*nm, s.new_master, nm->dialect.reset_replica(true));
    if (!st) return failed(std::move(st).error(), left);
    done.push_back("RESET SLAVE ALL");
  }
  if (s.enable_semi_sync_master) {
    st = exec(*nm, s.new_master, mysql::set_semi_sync_master(nm->dialect, true));
    if (!st) return failed(std::move(st).error(), left);
    // Before the first write: with no semi-sync replica connected yet, the first commits would
    // wait out rpl_semi_sync_master_timeout and then be acknowledged without any replica having
    // them. The re-pointed replicas connected while semi-sync was off; they register as soon as
    // the master side is on.
    const std::string clients = wait_semi_sync_clients(*nm, s.new_master);
    done.push_back("semi-sync master on (" + clients + ")");
  }
  if (s.disable_read_only) {
    for (const std::string& sql : nm->dialect.set_read_only(false)) {
      st = exec(*nm, s.new_master, sql);
      if (!st) return failed(std::move(st).error(), left);
    }
    done.push_back("read_only=0");
  }
  if (s.reset_later) done.push_back("replica configuration kept until the followers' diffs");
  promoted_ = true;
  return ok(s.new_master.name + ": " + join(done));
}

StepResult StepRunner::run(const planner::RunFailoverScript& s) {
  const topology::ServerIdentity& orig = snap_.servers[s.orig_master.index].id;
  const topology::ServerIdentity& nm = snap_.servers[s.new_master.index].id;
  const ServerScriptFacts of = facts(orig);
  const ServerScriptFacts nf = facts(nm);
  std::vector<std::string> args{"--command=start", "--ssh_user=" + nf.ssh_user};
  for (std::string& a : internal::orig_master_args(orig)) args.push_back(std::move(a));
  for (std::string& a : internal::new_master_args(nm)) args.push_back(std::move(a));
  for (std::string& a : internal::ssh_args(of, "orig_master_")) {
    if (a.rfind("--ssh_options=", 0) != 0) args.push_back(std::move(a));
  }
  for (std::string& a : internal::ssh_args(nf, "new_master_")) args.push_back(std::move(a));
  args.push_back("--new_master_user=" + opts_.admin.user);
  // The password goes on stdin: argv is readable by every local user (docs/executor.md).
  StepResult r =
      run_script("master_ip_failover_script --command=start", internal::script_line(s.script, args),
                 s.timeout, opts_.admin.password + "\n");
  if (r.outcome == StepOutcome::kFailed) {
    r.left_state = s.new_master.name +
                   " is promoted and the replicas follow it (the plan's remaining replica "
                   "recoveries still ran, see the report), but the VIP/catalog was not switched: "
                   "run master_ip_failover_script --command=start by hand.";
  }
  return r;
}

StepResult StepRunner::run(const planner::ResetNewMasterReplication& s) {
  // The failover is done (promoted, VIP moved, followers recovered): a failure here leaves only
  // the stale configuration, which the operator removes; it does not fail the failover.
  auto warn = [&](const Error& e) {
    const std::string w = s.new_master.name + " keeps its replica configuration (" + e.message +
                          "); run STOP SLAVE; RESET SLAVE ALL on it by hand";
    report_.warnings.push_back(w);
    return ok(w, StepOutcome::kWarning);
  };
  Result<Server> nm = open_stmt(s.new_master);
  if (!nm) return warn(nm.error());
  Status st = exec(*nm, s.new_master, nm->dialect.stop_replica());
  if (st) st = exec(*nm, s.new_master, nm->dialect.reset_replica(true));
  if (!st) return warn(st.error());
  return ok(s.new_master.name + ": RESET SLAVE ALL");
}

StepResult StepRunner::run(const planner::RunReportScript& s) {
  const topology::ServerIdentity& orig = snap_.servers[s.orig_master.index].id;
  std::vector<std::string> slaves;
  for (const planner::ServerRef& r : s.new_slaves) {
    if (!dropped(r.index)) slaves.push_back(snap_.servers[r.index].id.hostname);
  }
  std::string hosts;
  for (const std::string& h : slaves) hosts += (hosts.empty() ? "" : ",") + h;
  const std::string result = report_.not_recovered.empty() ? "succeeded" : "partially failed";
  const std::string subject = opts_.app + ": MySQL Master failover " + s.orig_master.name + " to " +
                              s.new_master.name + " " + result;
  std::string body = subject + "\n";
  for (const StepReport& st : report_.steps) {
    body += st.name + ": " + step_outcome_name(st.outcome) + " " + st.detail + "\n";
  }
  std::vector<std::string> args{
      "--orig_master_host=" + orig.hostname,
      "--new_master_host=" + snap_.servers[s.new_master.index].id.hostname,
      "--new_slave_hosts=" + hosts,
      "--conf=" + opts_.conf_file,
      "--subject=" + subject,
      "--body=" + body};
  StepResult r = run_script("report_script", internal::script_line(s.script, args), s.timeout);
  if (r.outcome == StepOutcome::kFailed) {
    // MHA only logs a failing report script; the failover itself is done.
    report_.warnings.push_back(r.detail);
    return ok(r.detail, StepOutcome::kWarning);
  }
  return r;
}

}  // namespace

Executor::Executor(mysql::SqlConnector& sql, hooks::ProcessRunner& runner, Journal& journal,
                   Clock& clock, ExecutorOptions options)
    : sql_(sql), runner_(runner), journal_(journal), clock_(clock), options_(std::move(options)) {}

Result<ExecutionReport> Executor::execute(const planner::FailoverPlan& plan,
                                          const topology::ClusterSnapshot& snapshot) {
  for (const planner::PlanStep& step : plan.steps) {
    if (!planner::step_implemented(step)) {
      return Unexpected(make_error(ErrorCode::kPrecondition,
                                   std::string("the plan contains ") + planner::step_name(step) +
                                       ", which is not implemented yet; nothing was run"));
    }
  }
  ExecutionReport report;
  report.not_recovered = plan.not_recovered;
  StepRunner runner(sql_, runner_, options_, plan, snapshot, report);
  auto begin = [&](std::size_t i) -> Status {
    const std::string what = planner::describe_step(plan.steps[i]);
    log::info("step {}: {}", i, what);
    return journal_.append(JournalRecord{i, planner::step_name(plan.steps[i]), false,
                                         clock_.system_now(), StepOutcome::kRunning, what});
  };
  // Records a finished step; false when the execution stops here (failed, or the caller
  // re-plans).
  auto end = [&](std::size_t i, StepResult r, milliseconds elapsed) -> Result<bool> {
    const std::string name = planner::step_name(plan.steps[i]);
    report.steps.push_back(StepReport{i, name, r.outcome, r.detail, elapsed});
    MHA_TRY(
        journal_.append(JournalRecord{i, name, true, clock_.system_now(), r.outcome, r.detail}));
    if (r.outcome == StepOutcome::kFailed) {
      log::error("step {} ({}) failed: {}", i, name, r.detail);
      report.failure = StepFailure{i, name, *r.error, r.left_state};
      return false;
    }
    if (r.outcome == StepOutcome::kWarning) {
      log::warning("step {} ({}): {}", i, name, r.detail);
    } else {
      log::info("step {} ({}): {}", i, name, r.detail);
    }
    return r.outcome != StepOutcome::kChanged;
  };
  // Once the new master is promoted, a failed step (the VIP script) no longer stops the steps
  // that recover followers after it: stopping would leave them on the dead master's position,
  // where only a relay-log diff that nobody then runs could bring them back. The first failure
  // is still the one reported.
  std::optional<StepFailure> failed_after_promotion;
  auto recovers_follower = [&plan](const planner::PlanStep& s) {
    if (const auto* d = std::get_if<planner::ApplyRelayDiff>(&s))
      return d->target != plan.new_master;
    if (const auto* w = std::get_if<planner::WaitRelayApplied>(&s)) return w->may_fail;
    return std::holds_alternative<planner::RepointReplica>(s) ||
           std::holds_alternative<planner::ResetNewMasterReplication>(s);
  };
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const planner::PlanStep& step = plan.steps[i];
    if (failed_after_promotion && !recovers_follower(step)) continue;
    const auto* stop = std::get_if<planner::StopReplicaIo>(&step);
    const auto* fence = stop && i + 1 < plan.steps.size()
                            ? std::get_if<planner::FenceOldMaster>(&plan.steps[i + 1])
                            : nullptr;
    if (stop && fence) {
      // MHA's phase 2 (mha.md §3.3): the IO threads are told to stop, the old master is fenced
      // meanwhile, then the stoppers are awaited. Fencing first also ends a hung master's
      // connections (the shutdown script kills it), which is what lets its replicas' IO threads
      // stop at all; in sequence the two cost up to 4 s more (docs/benchmarks.md).
      MHA_TRY(begin(i));
      const auto stop_started = clock_.steady_now();
      std::vector<StepRunner::IoStopper> stoppers = runner.start_stop_io(*stop);
      Status journaled = begin(i + 1);
      const auto fence_started = clock_.steady_now();
      StepResult fenced = journaled ? runner.run(*fence)
                                    : failed(journaled.error(), "the old master was not fenced");
      const auto fence_elapsed = duration_cast<milliseconds>(clock_.steady_now() - fence_started);
      StepResult stopped = runner.finish_stop_io(
          *stop, std::move(stoppers),
          "The old master was fenced at the same time (step " + std::to_string(i + 1) +
              "): " + (fenced.outcome == StepOutcome::kFailed ? "failed" : fenced.detail));
      if (!journaled) return Unexpected(std::move(journaled).error());
      const auto both_elapsed = duration_cast<milliseconds>(clock_.steady_now() - stop_started);
      report.phases.fence += both_elapsed;  // once: the two overlap
      Result<bool> stop_on = end(i, std::move(stopped), both_elapsed);
      if (!stop_on) return Unexpected(std::move(stop_on).error());
      // The fence ran whatever the stop did: its outcome is recorded either way, and a failed
      // stop stays the failure reported (it is the earlier step).
      std::optional<StepFailure> stop_failure = report.failure;
      Result<bool> fence_on = end(i + 1, std::move(fenced), fence_elapsed);
      if (!fence_on) return Unexpected(std::move(fence_on).error());
      if (stop_failure) report.failure = std::move(stop_failure);
      if (!*stop_on || !*fence_on) return report;
      ++i;
      continue;
    }
    MHA_TRY(begin(i));
    const auto started = clock_.steady_now();
    StepResult r = std::visit([&runner](const auto& s) { return runner.run(s); }, step);
    const auto elapsed = duration_cast<milliseconds>(clock_.steady_now() - started);
    *phase_slot(report.phases, step) += elapsed;
    Result<bool> go_on = end(i, std::move(r), elapsed);
    if (!go_on) return Unexpected(std::move(go_on).error());
    if (!*go_on && report.failure && runner.promoted()) {
      if (!failed_after_promotion) failed_after_promotion = std::move(report.failure);
      report.failure.reset();
      continue;
    }
    if (!*go_on) return report;
  }
  if (failed_after_promotion) report.failure = std::move(failed_after_promotion);
  return report;
}

}  // namespace mha::recovery
