#include "mha/switchover/executor.h"

#include "mha/common/log.h"
#include "mha/common/quoting.h"
#include "mha/mysql/dialect.h"
#include "mha/mysql/semi_sync.h"
#include "mha/mysql/status_parsers.h"
#include "mha/observe/observe_cluster.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <memory>
#include <thread>

namespace mha::switchover {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string cell(const mysql::ResultSet& r, std::size_t row, const char* column) {
  const mysql::Cell* c = r.get(row, column);
  return (c && *c) ? **c : std::string();
}

std::string first_cell(const mysql::ResultSet& r) {
  return (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) ? std::string() : *r.rows[0][0];
}

int64_t number(const std::string& s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

mysql::Endpoint endpoint_of(const topology::ServerIdentity& id) {
  return mysql::Endpoint{id.ip.empty() ? id.hostname : id.ip, id.port, ""};
}

// One admin session to a server with its dialect.
struct Conn {
  std::unique_ptr<mysql::SqlSession> session;
  std::optional<mysql::Dialect> dialect;
  std::string name;

  Status run(const std::string& sql) {
    Status st = session->execute(sql);
    if (!st) {
      Error e = std::move(st).error();
      e.message = name + ": " + e.message;
      return Unexpected(std::move(e));
    }
    return ok_status();
  }
  Status run_all(const std::vector<std::string>& statements) {
    for (const std::string& s : statements) MHA_TRY(run(s));
    return ok_status();
  }
  Result<mysql::ResultSet> query(const std::string& sql) {
    Result<mysql::ResultSet> r = session->query(sql);
    if (!r) {
      Error e = std::move(r).error();
      e.message = name + ": " + e.message;
      return Unexpected(std::move(e));
    }
    return r;
  }
};

Result<Conn> connect(mysql::SqlConnector& connector, const config::AppConfig& config,
                     const topology::ServerObservation& s, const mysql::Timeouts& timeouts) {
  Conn c;
  c.name = s.id.display();
  if (!s.version) {
    return Unexpected(make_error(ErrorCode::kPrecondition, c.name + ": version unknown"));
  }
  Result<mysql::Dialect> d = mysql::Dialect::for_version(*s.version);
  if (!d) return Unexpected(std::move(d).error());
  c.dialect.emplace(*d);
  const config::ServerConfig& sc = config.servers.at(s.id.config_index);
  auto session =
      connector.connect(endpoint_of(s.id), mysql::Credentials{sc.user, sc.password}, timeouts);
  if (!session) return Unexpected(std::move(session).error());
  c.session = std::move(*session);
  return c;
}

// The server's binlog position and GTID state ("" without GTIDs).
struct FinalPosition {
  topology::BinlogPosition position;
  std::string gtid;
};

Result<FinalPosition> read_position(Conn& c) {
  Result<mysql::ResultSet> ms_rows = c.query(c.dialect->show_master_status());
  if (!ms_rows) return Unexpected(std::move(ms_rows).error());
  Result<std::optional<topology::MasterStatus>> ms = mysql::parse_master_status(*ms_rows);
  if (!ms) return Unexpected(std::move(ms).error());
  if (!*ms) return Unexpected(make_error(ErrorCode::kPrecondition, c.name + ": binary log is off"));
  FinalPosition f;
  f.position = (*ms)->position;
  Result<mysql::ResultSet> g = c.query(c.dialect->select_gtid_state());
  if (!g) return Unexpected(std::move(g).error());
  const mysql::GtidVariables v = c.dialect->gtid_variables();
  f.gtid = cell(*g, 0, (c.dialect->is_mariadb() ? v.binlog_pos : v.executed).c_str());
  return f;
}

std::string display(const topology::BinlogPosition& p) {
  return p.file + ":" + std::to_string(p.pos);
}

// MHA's argument set for master_ip_online_change_script.
std::string script_line(const config::AppConfig& config, const std::string& command,
                        const topology::ServerIdentity& orig, const topology::ServerIdentity& nm,
                        bool orig_is_new_slave) {
  const config::ServerConfig& oc = config.servers.at(orig.config_index);
  const config::ServerConfig& nc = config.servers.at(nm.config_index);
  std::vector<std::string> args{"--command=" + command,
                                "--orig_master_host=" + orig.hostname,
                                "--orig_master_ip=" + orig.ip,
                                "--orig_master_port=" + std::to_string(orig.port),
                                "--orig_master_user=" + oc.user,
                                "--new_master_host=" + nm.hostname,
                                "--new_master_ip=" + nm.ip,
                                "--new_master_port=" + std::to_string(nm.port),
                                "--new_master_user=" + nc.user,
                                "--orig_master_ssh_user=" + oc.ssh_user,
                                "--new_master_ssh_user=" + nc.ssh_user};
  auto ssh = [&](const config::ServerConfig& s, const std::string& prefix) {
    if (!s.ssh_host.empty() && s.ssh_host != s.hostname) {
      args.push_back("--" + prefix + "ssh_host=" + s.ssh_host);
    }
    if (!s.ssh_ip.empty() && s.ssh_ip != s.ip && s.ssh_ip != s.ssh_host) {
      args.push_back("--" + prefix + "ssh_ip=" + s.ssh_ip);
    }
    if (s.ssh_port != 22) args.push_back("--" + prefix + "ssh_port=" + std::to_string(s.ssh_port));
  };
  ssh(oc, "orig_master_");
  ssh(nc, "new_master_");
  if (!oc.ssh_options.empty()) args.push_back("--ssh_options=" + oc.ssh_options);
  if (orig_is_new_slave) args.push_back("--orig_master_is_new_slave");
  std::string line = config.app.master_ip_online_change_script;
  for (const std::string& a : args) line += " " + shell_quote(a);
  return line;
}

class Run {
 public:
  Run(const config::AppConfig& config, const topology::ClusterSnapshot& snap,
      const SwitchPlan& plan, mysql::SqlConnector& connector, hooks::ProcessRunner& runner,
      const ExecOptions& options)
      : config_(config),
        snap_(snap),
        plan_(plan),
        connector_(connector),
        runner_(runner),
        o_(options),
        orig_(snap.servers[plan.orig_master]),
        new_(snap.servers[plan.new_master]) {}

  Outcome go();

 private:
  void step(const std::string& what) {
    log::info("{}", what);
    out_.steps.push_back(what);
  }
  // Runs the online change script; "" on success (0 or 10), else why not.
  std::string script(const std::string& command, const topology::ServerIdentity& orig,
                     const topology::ServerIdentity& nm);
  Outcome fail_before_switch(const std::string& why);
  void switch_replica(std::size_t index, const FinalPosition& orig_final,
                      const FinalPosition& new_pos);
  void orig_as_new_slave(const FinalPosition& new_pos);
  // Re-points the other replicas, releases the old master's lock, and (orig_master_is_new_slave)
  // makes the old master a replica; failures become warnings.
  void follow_new_master(const FinalPosition& orig_final, const FinalPosition& new_pos);
  // Bounded wait for the first semi-sync replica of the new master; a warning when none came.
  void wait_semi_sync_replica();
  mysql::Credentials repl_for(const topology::ServerObservation& s) const {
    const config::ServerConfig& sc = config_.servers.at(s.id.config_index);
    mysql::Credentials c{sc.repl_user, sc.repl_password.value_or("")};
    if (c.user.empty() && s.replica) c.user = s.replica->master_user;
    if (c.user.empty() && new_.replica) c.user = new_.replica->master_user;
    return c;
  }
  mysql::ChangeMasterOptions change_to_new(const Conn& c, const topology::ServerObservation& s,
                                           const FinalPosition& new_pos, bool rejoin) const {
    mysql::ChangeMasterOptions cm;
    cm.host = endpoint_of(new_.id).host;
    cm.port = new_.id.port;
    const mysql::Credentials r = repl_for(s);
    cm.user = r.user;
    cm.password = r.password;
    if (plan_.gtid) {
      if (c.dialect->is_mariadb()) {
        cm.mode = rejoin ? mysql::ReplicationMode::kMariadbCurrentPos
                         : mysql::ReplicationMode::kMariadbSlavePos;
      } else {
        cm.mode = mysql::ReplicationMode::kMysqlAutoPosition;
      }
    } else {
      cm.mode = mysql::ReplicationMode::kFilePosition;
      cm.position = new_pos.position;
    }
    return cm;
  }
  Result<bool> wait_reached(Conn& c, const FinalPosition& target, seconds timeout);

  const config::AppConfig& config_;
  const topology::ClusterSnapshot& snap_;
  const SwitchPlan& plan_;
  mysql::SqlConnector& connector_;
  hooks::ProcessRunner& runner_;
  const ExecOptions& o_;
  const topology::ServerObservation& orig_;
  const topology::ServerObservation& new_;
  Outcome out_;
  std::optional<Conn> oc_, nc_;
  std::map<std::size_t, Conn> replica_conns_;  // opened before the block, used once each
  // What has been done that a rollback must undo.
  bool stop_ran_ = false;
  bool orig_read_only_ = false;
  bool orig_locked_ = false;
  bool new_stopped_ = false;
  bool repointed_ = false;  // a follower may already replicate from the new master
  Clock::time_point start_ = Clock::now();
};

std::string Run::script(const std::string& command, const topology::ServerIdentity& orig,
                        const topology::ServerIdentity& nm) {
  if (config_.app.master_ip_online_change_script.empty()) {
    log::warning("master_ip_online_change_script is not set: --command={} skipped", command);
    return "";
  }
  hooks::ProcessSpec spec;
  spec.shell_command = script_line(config_, command, orig, nm, plan_.orig_master_is_new_slave);
  spec.timeout = std::chrono::duration_cast<milliseconds>(o_.script_timeout);
  // The passwords on stdin, one line each: the old master's, then the new master's.
  spec.stdin_data = config_.servers.at(orig.config_index).password + "\n" +
                    config_.servers.at(nm.config_index).password + "\n";
  const std::string what = "master_ip_online_change_script --command=" + command;
  log::info("running {} ({})", what, spec.program());
  Result<hooks::ProcessResult> r = runner_.run(spec);
  if (!r) return what + " could not be run: " + r.error().message;
  for (const std::string* s : {&r->out, &r->err}) {
    if (!s->empty()) log::info("{} said: {}", what, *s);
  }
  if (r->success()) return "";
  if (!r->timed_out && r->term_signal == 0 && r->exit_code == 10) {
    out_.warnings.push_back(what + " exited 10 (proceeding, as MHA does)");
    log::warning("{} exited 10 (proceeding, as MHA does)", what);
    return "";
  }
  return what + " failed: " + r->describe();
}

Result<bool> Run::wait_reached(Conn& c, const FinalPosition& target, seconds timeout) {
  if (plan_.gtid && !target.gtid.empty()) {
    Result<mysql::ResultSet> r = c.query(c.dialect->wait_for_gtid(target.gtid, timeout));
    if (!r) return Unexpected(std::move(r).error());
    Result<mysql::WaitOutcome> w = c.dialect->gtid_wait_outcome(*r);
    if (!w) return Unexpected(std::move(w).error());
    return *w == mysql::WaitOutcome::kReached;
  }
  Result<mysql::ResultSet> r = c.query(c.dialect->wait_for_position(target.position, timeout));
  if (!r) return Unexpected(std::move(r).error());
  Result<mysql::WaitOutcome> w = c.dialect->position_wait_outcome(*r);
  if (!w) return Unexpected(std::move(w).error());
  return *w == mysql::WaitOutcome::kReached;
}

Outcome Run::fail_before_switch(const std::string& why) {
  log::error("switchover failed before {} took writes: {}", new_.id.display(), why);
  std::vector<std::string> left;
  if (new_stopped_ && nc_) {
    if (Status s = nc_->run(nc_->dialect->start_replica()); !s) {
      left.push_back(new_.id.display() + " replication not restarted (" + s.error().message + ")");
    } else {
      step("rollback: START SLAVE on " + new_.id.display());
    }
  }
  if (orig_locked_ && oc_) {
    if (Status s = oc_->run(oc_->dialect->unlock_tables()); !s) {
      left.push_back(orig_.id.display() + " still locked (" + s.error().message + ")");
    } else {
      step("rollback: UNLOCK TABLES on " + orig_.id.display());
    }
  }
  if (orig_read_only_ && oc_ && !(orig_.read_only && *orig_.read_only)) {
    if (Status s = oc_->run_all(oc_->dialect->set_read_only(false)); !s) {
      left.push_back(orig_.id.display() + " still read_only (" + s.error().message + ")");
    } else {
      step("rollback: read_only=OFF on " + orig_.id.display());
    }
  }
  if (stop_ran_) {
    // The roles swapped: --new_master_* names the old master, which takes writes again.
    if (std::string e = script("start", new_.id, orig_.id); !e.empty()) {
      left.push_back(e + " (run it by hand for " + orig_.id.display() + ")");
    } else {
      step("rollback: master_ip_online_change_script --command=start for " + orig_.id.display());
    }
  }
  out_.exit_code = 1;
  out_.total_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start_).count();
  if (left.empty()) {
    out_.rolled_back = true;
    out_.summary = "Switchover aborted (" + why + "); rolled back: " + orig_.id.display() +
                   " is the master and takes writes again, replicas untouched.";
  } else {
    std::string l;
    for (const std::string& x : left) l += (l.empty() ? "" : "; ") + x;
    out_.summary = "Switchover aborted (" + why + "); ROLLBACK INCOMPLETE: " + l;
  }
  return out_;
}

void Run::switch_replica(std::size_t index, const FinalPosition& orig_final,
                         const FinalPosition& new_pos) {
  const topology::ServerObservation& s = snap_.servers[index];
  auto fail = [&](const std::string& why) {
    out_.warnings.push_back(s.id.display() + ": " + why);
    log::error("{}: not switched: {}", s.id.display(), why);
  };
  Result<Conn> c = Unexpected(make_error(ErrorCode::kInternal, "not connected"));
  if (auto pre = replica_conns_.find(index); pre != replica_conns_.end()) {
    c = std::move(pre->second);
    replica_conns_.erase(pre);
  } else {
    c = connect(connector_, config_, s, o_.timeouts);
  }
  if (!c) return fail(c.error().message);
  Result<bool> reached = wait_reached(*c, orig_final, o_.catchup_timeout);
  if (!reached) return fail(reached.error().message);
  if (!*reached) return fail("did not reach the old master's final position in time");
  Result<std::string> cm = c->dialect->change_master(change_to_new(*c, s, new_pos, false));
  if (!cm) return fail(cm.error().message);
  for (const std::string& sql : {c->dialect->stop_replica(), *cm, c->dialect->start_replica()}) {
    if (Status st = c->run(sql); !st) return fail(st.error().message);
  }
  step(s.id.display() + " now replicates from " + new_.id.display());
}

void Run::orig_as_new_slave(const FinalPosition& new_pos) {
  Result<std::string> cm = oc_->dialect->change_master(change_to_new(*oc_, orig_, new_pos, true));
  if (!cm) {
    out_.warnings.push_back(orig_.id.display() + " as new replica: " + cm.error().message);
    return;
  }
  std::vector<std::string> statements;
  if (plan_.semi_sync) {
    // A replica must not keep the master side on: its SQL thread would wait for
    // acknowledgements nobody sends (rpl_semi_sync_master_timeout per transaction). The replica
    // side takes effect when START SLAVE starts the IO thread.
    statements.push_back(mysql::set_semi_sync_master(*oc_->dialect, false));
    statements.push_back(mysql::set_semi_sync_replica(*oc_->dialect, true));
  }
  statements.push_back(*cm);
  statements.push_back(oc_->dialect->start_replica());
  for (const std::string& sql : statements) {
    if (Status st = oc_->run(sql); !st) {
      out_.warnings.push_back(orig_.id.display() + " as new replica: " + st.error().message);
      log::error("{} could not be made a replica of {}: {}", orig_.id.display(), new_.id.display(),
                 st.error().message);
      return;
    }
  }
  step(orig_.id.display() + " now replicates from " + new_.id.display());
}

Outcome Run::go() {
  mysql::Timeouts t = o_.timeouts;
  // A wait statement runs for up to catchup_timeout: the read timeout must not cut it short.
  t.read = std::max(t.read, o_.catchup_timeout + seconds(10));
  {
    Result<Conn> c = connect(connector_, config_, orig_, t);
    if (!c) return fail_before_switch(c.error().message);
    oc_.emplace(std::move(*c));
    Result<Conn> n = connect(connector_, config_, new_, t);
    if (!n) return fail_before_switch(n.error().message);
    nc_.emplace(std::move(*n));
  }
  // The replicas' sessions are opened now, before writes are blocked: with semi-sync they are
  // re-pointed inside the window, and a connection handshake there is pure delay. One that cannot
  // be opened is retried (and reported) when its turn comes.
  for (std::size_t i : plan_.replicas) {
    if (Result<Conn> c = connect(connector_, config_, snap_.servers[i], t)) {
      replica_conns_.emplace(i, std::move(*c));
    }
  }
  std::set<uint64_t> own;
  if (auto id = oc_->query(oc_->dialect->select_connection_id())) {
    own.insert(static_cast<uint64_t>(number(first_cell(*id))));
  }
  if (o_.flush_tables) {
    if (Status s = oc_->run(oc_->dialect->flush_tables_no_binlog()); !s) {
      return fail_before_switch(s.error().message);
    }
    step("FLUSH NO_WRITE_TO_BINLOG TABLES on " + orig_.id.display());
  }

  // Bounds every lock wait of this session (read_only waits for running commits, FTWRL for
  // running statements), so a stuck session turns into a rollback, not a hang.
  if (Status s = oc_->run(oc_->dialect->set_session_lock_wait_timeout(seconds(10))); !s) {
    return fail_before_switch(s.error().message);
  }

  // Phase 2: stop writes.
  const Clock::time_point stopping = Clock::now();
  stop_ran_ = true;
  if (std::string e = script("stop", orig_.id, new_.id); !e.empty()) return fail_before_switch(e);
  const Clock::time_point blocked = Clock::now();
  orig_read_only_ = true;
  if (Status s = oc_->run_all(oc_->dialect->set_read_only(true)); !s) {
    return fail_before_switch(s.error().message);
  }
  step("read_only=ON on " + orig_.id.display() +
       (oc_->dialect->has_super_read_only() ? " (and super_read_only)" : ""));
  {
    Result<mysql::ResultSet> pl = oc_->query(oc_->dialect->show_full_processlist());
    if (!pl) return fail_before_switch(pl.error().message);
    int killed = 0;
    Result<std::vector<ProcessInfo>> sessions = mysql::parse_processlist(*pl);
    if (!sessions) return fail_before_switch(sessions.error().message);
    for (const ProcessInfo& p : *sessions) {
      if (own.count(p.id) != 0 || !topology::is_application_session(p)) continue;
      // An already-gone session (1094) is fine.
      if (oc_->run(oc_->dialect->kill_connection(p.id))) ++killed;
    }
    step("killed " + std::to_string(killed) + " application session(s) on " + orig_.id.display());
  }
  if (!o_.skip_lock_all_tables) {
    orig_locked_ = true;
    if (Status s = oc_->run(oc_->dialect->lock_all_tables()); !s) {
      return fail_before_switch(s.error().message);
    }
    step("FLUSH TABLES WITH READ LOCK on " + orig_.id.display());
  }
  Result<FinalPosition> orig_final = read_position(*oc_);
  if (!orig_final) return fail_before_switch(orig_final.error().message);
  if (o_.skip_lock_all_tables) {
    // Without the lock, the position must be stable: two equal reads 200 ms apart.
    const Clock::time_point until = Clock::now() + o_.catchup_timeout;
    while (true) {
      std::this_thread::sleep_for(milliseconds(200));
      Result<FinalPosition> again = read_position(*oc_);
      if (!again) return fail_before_switch(again.error().message);
      if (again->position == orig_final->position) break;
      if (Clock::now() >= until) {
        return fail_before_switch("the old master's binlog position kept moving");
      }
      orig_final = std::move(again);
    }
  }
  step("old master final position " + display(orig_final->position) +
       (orig_final->gtid.empty() ? "" : " GTID " + orig_final->gtid));

  // Phase 3: the new master catches up and stops replicating.
  Result<bool> reached = wait_reached(*nc_, *orig_final, o_.catchup_timeout);
  if (!reached) return fail_before_switch(reached.error().message);
  if (!*reached) {
    return fail_before_switch(new_.id.display() +
                              " did not reach the old master's final position within " +
                              std::to_string(o_.catchup_timeout.count()) + " s");
  }
  step(new_.id.display() + " reached the old master's final position");
  new_stopped_ = true;
  if (Status s = nc_->run(nc_->dialect->stop_replica()); !s) {
    return fail_before_switch(s.error().message);
  }
  Result<FinalPosition> new_pos = read_position(*nc_);
  if (!new_pos) return fail_before_switch(new_pos.error().message);
  step(new_.id.display() + " replication stopped at its own position " +
       display(new_pos->position));
  if (plan_.semi_sync) {
    // Still before the point of no return: a server that cannot be a semi-sync master (MySQL
    // without the plugin) rolls the switch back instead of silently dropping the guarantee.
    if (Status s = nc_->run(mysql::set_semi_sync_master(*nc_->dialect, true)); !s) {
      return fail_before_switch(s.error().message);
    }
    step("semi-sync master side on for " + new_.id.display());
  }

  // Phase 4. With semi-sync, the followers are re-pointed while the new master is still
  // read-only and the application writes only once a semi-sync replica acknowledges for it;
  // the window grows by the re-pointing (milliseconds when the replicas are current; the plan
  // refused any lagging more than --seconds_behind_master). Without semi-sync nothing is gained
  // by waiting, so the new master takes writes first and the followers come after.
  if (plan_.semi_sync) {
    repointed_ = true;  // from here on a failure is reported, not rolled back
    follow_new_master(*orig_final, *new_pos);
    if (plan_.semi_sync_followers > 0) wait_semi_sync_replica();
  }
  if (Status s = nc_->run_all(nc_->dialect->set_read_only(false)); !s) {
    if (!repointed_) return fail_before_switch(s.error().message);
    out_.exit_code = 1;
    out_.total_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start_).count();
    out_.summary = "Switchover failed after the replicas were re-pointed: " + s.error().message +
                   "; " + new_.id.display() +
                   " is read-only with the replicas following it: finish by hand "
                   "(SET GLOBAL read_only=0 on it, then the online change script's start).";
    log::error("{}", out_.summary);
    return out_;
  }
  // Point of no return: the new master takes writes.
  out_.switched = true;
  out_.write_block_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - blocked).count();
  step(new_.id.display() + " is writable: writes blocked for " +
       std::to_string(*out_.write_block_ms) + " ms");
  if (std::string e = script("start", orig_.id, new_.id); !e.empty()) {
    out_.warnings.push_back(e + ": the service address may still point at the old master");
    log::error("{}", e);
  } else {
    out_.service_gap_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - stopping).count();
    step("service address moved: --command=stop to --command=start done in " +
         std::to_string(*out_.service_gap_ms) + " ms");
  }
  if (!config_.servers.at(new_.id.config_index).skip_reset_slave) {
    if (Status s = nc_->run(nc_->dialect->reset_replica(true)); !s) {
      out_.warnings.push_back(s.error().message);
    } else {
      step("RESET SLAVE ALL on " + new_.id.display());
    }
  }
  if (!plan_.semi_sync) follow_new_master(*orig_final, *new_pos);

  out_.total_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start_).count();
  if (out_.warnings.empty()) {
    out_.exit_code = 0;
    out_.summary = "Switching master to " + new_.id.display() + " completed successfully.";
  } else {
    out_.exit_code = 10;
    out_.summary = "Switching master to " + new_.id.display() + " done, but " +
                   std::to_string(out_.warnings.size()) +
                   " step(s) failed: " + out_.warnings.front();
  }
  return out_;
}

void Run::follow_new_master(const FinalPosition& orig_final, const FinalPosition& new_pos) {
  for (std::size_t i : plan_.replicas) switch_replica(i, orig_final, new_pos);
  if (orig_locked_) {
    // The old master stays read-only; the lock goes so that it can replicate.
    if (Status s = oc_->run(oc_->dialect->unlock_tables()); !s) {
      out_.warnings.push_back(s.error().message);
    } else {
      orig_locked_ = false;
    }
  }
  if (plan_.orig_master_is_new_slave) orig_as_new_slave(new_pos);
}

void Run::wait_semi_sync_replica() {
  // Decided (docs/switchover.md): after the bounded wait the switch goes on without a semi-sync
  // replica. Its first commits then wait rpl_semi_sync_master_timeout and are acknowledged
  // asynchronously -- what the old master itself did whenever no replica acknowledged in time --
  // and the switch ends with exit 10 so the operator knows the guarantee was not in place.
  // Rolling back is no longer possible here: the replicas already follow the new master.
  const Clock::time_point t0 = Clock::now();
  Result<int> n =
      mysql::wait_semi_sync_clients(*nc_->session, *nc_->dialect, 1, mysql::kSemiSyncClientWait);
  const long long ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  if (n && *n >= 1) {
    step(std::to_string(*n) + " semi-sync replica(s) connected to " + new_.id.display() +
         " after " + std::to_string(ms) + " ms");
    return;
  }
  const std::string w = new_.id.display() + ": no semi-sync replica connected within " +
                        std::to_string(mysql::kSemiSyncClientWait.count()) + " ms" +
                        (n ? std::string() : " (" + n.error().message + ")") +
                        "; it takes writes anyway and acknowledges them asynchronously after "
                        "rpl_semi_sync_master_timeout until one connects";
  out_.warnings.push_back(w);
  log::warning("{}", w);
}

}  // namespace

Observed observe(const config::AppConfig& config, mysql::SqlConnector& connector,
                 const mysql::Timeouts& timeouts) {
  Observed o;
  observe::ObserveOptions oo;
  oo.timeouts = timeouts;
  o.snapshot = observe::observe_cluster(config, connector, oo);
  const std::optional<std::size_t> master = o.snapshot.derive_master();
  for (std::size_t i = 0; i < o.snapshot.servers.size(); ++i) {
    const topology::ServerObservation& s = o.snapshot.servers[i];
    if (!s.alive()) continue;
    Result<Conn> c = connect(connector, config, s, timeouts);
    if (!c) {
      o.warnings.push_back(c.error().message);
      continue;
    }
    if (auto id = c->query(c->dialect->select_connection_id())) {
      o.own_sessions[i].insert(static_cast<uint64_t>(number(first_cell(*id))));
    }
    Result<mysql::ResultSet> pl = c->query(c->dialect->show_full_processlist());
    Result<std::vector<ProcessInfo>> sessions =
        pl ? mysql::parse_processlist(*pl) : Unexpected(std::move(pl).error());
    if (sessions) {
      o.processes[i] = std::move(*sessions);
    } else {
      o.warnings.push_back(sessions.error().message);
    }
    if (master && *master == i) {
      if (auto l = c->query(c->dialect->is_used_lock(kMonitorLockName))) {
        const std::string holder = first_cell(*l);
        if (!holder.empty()) o.monitor_lock_holder = static_cast<uint64_t>(number(holder));
      } else {
        o.warnings.push_back(l.error().message);
      }
    }
  }
  return o;
}

PlanInput plan_input(const Observed& observed, const config::AppConfig& config, int manager_pid) {
  PlanInput in;
  in.snapshot = &observed.snapshot;
  in.processes = observed.processes;
  in.own_sessions = observed.own_sessions;
  in.manager_pid = manager_pid;
  in.monitor_lock_holder = observed.monitor_lock_holder;
  in.repl_password_configured = !config.servers.empty();
  for (const config::ServerConfig& s : config.servers) {
    if (!s.repl_password) in.repl_password_configured = false;
  }
  return in;
}

Outcome execute(const config::AppConfig& config, const topology::ClusterSnapshot& snapshot,
                const SwitchPlan& plan, mysql::SqlConnector& connector,
                hooks::ProcessRunner& runner, const ExecOptions& options) {
  Run run(config, snapshot, plan, connector, runner, options);
  return run.go();
}

std::string report_json(const config::AppConfig& config, const topology::ClusterSnapshot& snapshot,
                        const SwitchPlan& plan, const Outcome& outcome) {
  nlohmann::json j;
  j["app"] = config.app_name;
  j["orig_master"] = snapshot.servers[plan.orig_master].id.display();
  j["new_master"] = snapshot.servers[plan.new_master].id.display();
  j["result"] = outcome.exit_code == 0    ? "succeeded"
                : outcome.exit_code == 10 ? "partially failed"
                : outcome.rolled_back     ? "rolled back"
                                          : "failed";
  j["exit_code"] = outcome.exit_code;
  j["switched"] = outcome.switched;
  j["write_block_ms"] =
      outcome.write_block_ms ? nlohmann::json(*outcome.write_block_ms) : nlohmann::json();
  j["service_gap_ms"] =
      outcome.service_gap_ms ? nlohmann::json(*outcome.service_gap_ms) : nlohmann::json();
  j["total_ms"] = outcome.total_ms;
  j["summary"] = outcome.summary;
  j["steps"] = outcome.steps;
  j["warnings"] = outcome.warnings;
  return j.dump();
}

}  // namespace mha::switchover
