#include "relay_diff.h"

#include "mha/common/log.h"
#include "mha/common/quoting.h"
#include "mha/mysql/sql_text.h"
#include "mha/mysql/status_parsers.h"

#include <nlohmann/json.hpp>

#include <compare>
#include <fstream>
#include <sstream>
#include <utility>

#include "apply_settings.h"
#include "command_output.h"
#include "relay_tail.h"
#include "salvage.h"
#include "script_args.h"
#include <sys/stat.h>
#include <unistd.h>

namespace mha::recovery::internal {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr milliseconds kCleanupTimeout{10000};

Error named(Error e, const std::string& who) {
  e.message = who + ": " + e.message;
  return e;
}

Status exec(const RelayDiffServer& s, const std::string& sql) {
  log::debug("{}: {}", s.name, mysql::redact_sql(sql));
  Status st = s.sql->execute(sql);
  if (!st) return Unexpected(named(std::move(st).error(), s.name + ": " + mysql::redact_sql(sql)));
  return ok_status();
}

Result<mysql::ResultSet> query(const RelayDiffServer& s, const std::string& sql) {
  log::debug("{}: {}", s.name, mysql::redact_sql(sql));
  Result<mysql::ResultSet> r = s.sql->query(sql);
  if (!r) return Unexpected(named(std::move(r).error(), s.name + ": " + mysql::redact_sql(sql)));
  return r;
}

std::string cell(const mysql::ResultSet& r, const std::string& column) {
  const mysql::Cell* c = r.get(0, column);
  return c && *c ? **c : std::string();
}

Result<topology::ReplicaStatus> replica_status(const RelayDiffServer& s) {
  Result<mysql::ResultSet> rs = query(s, s.dialect->show_replica_status());
  if (!rs) return Unexpected(std::move(rs).error());
  Result<std::vector<topology::ReplicaStatus>> parsed = mysql::parse_replica_status(*rs);
  if (!parsed) return Unexpected(std::move(parsed).error());
  for (topology::ReplicaStatus& st : *parsed) {
    if (st.channel.empty()) return std::move(st);
  }
  return Unexpected(make_error(ErrorCode::kPrecondition, s.name + " is not a replica"));
}

// The helper's last stderr line: its one-line reason.
std::string last_line(const std::string& text) {
  std::string line;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) line = l;
  }
  return line;
}

RelayDiffOutcome fail(Error e, bool changed = false) {
  RelayDiffOutcome o;
  o.detail = e.message;
  o.error = std::move(e);
  o.target_changed = changed;
  return o;
}

RelayDiffOutcome done(std::string detail, bool changed) {
  RelayDiffOutcome o;
  o.ok = true;
  o.detail = std::move(detail);
  o.target_changed = changed;
  return o;
}

// Runs the helper on the source's host; exit 0 (diff) and 10 (nothing) are answers.
Result<std::pair<int, RelayDiffReport>> run_helper(const RelayDiffJob& job,
                                                   const std::string& command,
                                                   const std::string& output_file) {
  const RelayDiffServer& src = job.source;
  Result<topology::ReplicaStatus> st = replica_status(src);
  if (!st) return Unexpected(std::move(st).error());
  Result<mysql::ResultSet> vars = query(src, src.dialect->select_relay_log_basename());
  if (!vars) return Unexpected(std::move(vars).error());
  const std::string base = cell(*vars, "base");
  const std::size_t slash = base.rfind('/');
  if (base.empty() || slash == std::string::npos) {
    return Unexpected(make_error(ErrorCode::kPrecondition,
                                 src.name + ": @@relay_log_basename is '" + base +
                                     "', not a path: cannot tell where its relay logs are"));
  }
  std::string relay_log = st->relay_log.file;
  if (const std::size_t s = relay_log.rfind('/'); s != std::string::npos) {
    relay_log = relay_log.substr(s + 1);
  }
  if (relay_log.empty()) relay_log = base.substr(slash + 1) + ".000001";
  const uint32_t server_id = static_cast<uint32_t>(std::stoul("0" + cell(*vars, "id")));
  const std::string line = relay_diff_command(command, base.substr(0, slash), relay_log, server_id,
                                              job.from, job.to, output_file);
  Result<ssh::ExecResult> r =
      job.hosts->run(src.host, line, "", duration_cast<milliseconds>(job.timeout));
  if (!r) return Unexpected(named(std::move(r).error(), "apply_diff_relay_logs on " + src.name));
  log_command_output("apply_diff_relay_logs", r->err);
  if (r->exit_code != 0 && r->exit_code != 10) {
    return Unexpected(make_error(ErrorCode::kPrecondition,
                                 "apply_diff_relay_logs --command=" + command + " on " + src.name +
                                     " exited " + std::to_string(r->exit_code) + ": " +
                                     last_line(r->err)));
  }
  Result<RelayDiffReport> report = parse_relay_diff_output(r->out);
  if (!report) return Unexpected(named(std::move(report).error(), src.name));
  return std::make_pair(r->exit_code, std::move(*report));
}

// Waits (bounded) until the target executed every whole transaction it received; stops its SQL
// thread. `job.from` is its Read position, or, when its relay log ends inside a transaction,
// its Exec position before that transaction (relay_tail.cc): the diff starts there.
Status settle_target(const RelayDiffJob& job) {
  const RelayDiffServer& t = job.target;
  Result<topology::ReplicaStatus> st = replica_status(t);
  if (!st) return Unexpected(std::move(st).error());
  if (st->io_running != topology::IoThreadState::kNo) {
    return Unexpected(make_error(ErrorCode::kPrecondition,
                                 t.name + ": the IO thread is running; it must be stopped"));
  }
  const std::partial_ordering read = st->read_master <=> job.from;
  // Received more than `from` but executed less than received: the planned unfinished tail.
  const bool tail = read == std::partial_ordering::greater &&
                    (st->exec_master <=> st->read_master) == std::partial_ordering::less;
  if (read != std::partial_ordering::equivalent && !tail) {
    return Unexpected(make_error(ErrorCode::kConflict, t.name + " has received " +
                                                           st->read_master.to_string() + ", not " +
                                                           job.from.to_string() + " as planned"));
  }
  if (tail || (st->exec_master <=> st->read_master) != std::partial_ordering::equivalent) {
    Result<std::string> waited =
        wait_relay_position({t.name, t.sql, t.dialect, job.from, tail, job.timeout});
    if (!waited) return Unexpected(std::move(waited).error());
    log::info("{}", *waited);
    if (tail) return ok_status();  // the SQL thread is stopped
  }
  return exec(t, t.dialect->stop_replica(mysql::ReplicaThreads::kSqlThread));
}

}  // namespace

std::string relay_diff_command(const std::string& command, const std::string& relay_dir,
                               const std::string& relay_log, uint32_t server_id,
                               const topology::BinlogPosition& target,
                               const topology::BinlogPosition& latest,
                               const std::string& output_file) {
  std::vector<std::string> args{"--command=" + command,
                                "--relay_dir=" + relay_dir,
                                "--current_relay_log=" + relay_log,
                                "--server_id=" + std::to_string(server_id),
                                "--target_mlf=" + target.file,
                                "--target_rmlp=" + std::to_string(target.pos),
                                "--latest_mlf=" + latest.file,
                                "--latest_rmlp=" + std::to_string(latest.pos)};
  if (!output_file.empty()) args.push_back("--diff_file_readtolatest=" + output_file);
  return script_line("masterha_node apply_diff_relay_logs", args);
}

Result<RelayDiffReport> parse_relay_diff_output(const std::string& out) {
  std::istringstream in(out);
  std::optional<nlohmann::json> last;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() != '{') continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) last = std::move(j);
  }
  if (!last) {
    return Unexpected(make_error(ErrorCode::kIo, "apply_diff_relay_logs printed no summary line"));
  }
  const nlohmann::json& j = *last;
  RelayDiffReport r;
  const std::string result = j.value("result", std::string());
  r.has_diff = result == "generated" || result == "found";
  r.transactions = j.value("transactions", uint64_t{0});
  r.bytes = j.value("bytes", uint64_t{0});
  if (j.contains("last_gtid") && j["last_gtid"].is_string()) {
    Result<topology::GtidPosition> g =
        topology::GtidPosition::parse(j["last_gtid"].get<std::string>());
    if (!g) return Unexpected(std::move(g).error());
    if (g->size() == 1) r.last_gtid = g->entries().front();
  }
  if (j.contains("end") && j["end"].is_object() && j["end"].contains("file")) {
    r.end = topology::BinlogPosition{j["end"].value("file", std::string()),
                                     j["end"].value("pos", uint64_t{0})};
  }
  if (j.contains("incomplete_tail") && j["incomplete_tail"].is_string()) {
    r.incomplete_tail = j["incomplete_tail"].get<std::string>();
  }
  return r;
}

RelayDiffOutcome run_relay_diff(const RelayDiffJob& job) {
  const RelayDiffServer& t = job.target;
  const RelayDiffServer& src = job.source;
  if (job.hosts == nullptr) {
    return fail(make_error(ErrorCode::kPrecondition,
                           "no SSH access configured: the relay-log diff " + job.from.to_string() +
                               " .. " + job.to.to_string() + " from " + src.name +
                               " cannot be made"));
  }
  if (job.check_only) {
    auto found = run_helper(job, "find", "");
    if (!found) return fail(std::move(found).error());
    if (!found->second.has_diff) {
      return done(src.name + "'s relay logs hold no whole transaction after " +
                      job.from.to_string() + ": " + t.name + " needs no diff",
                  false);
    }
    return done(src.name + "'s relay logs hold the " + std::to_string(found->second.transactions) +
                    " transaction(s) " + t.name + " lacks after " + job.from.to_string(),
                false);
  }

  if (Status st = settle_target(job); !st) return fail(std::move(st).error());

  const std::string tag = job.app + "_" + std::to_string(t.host);
  const std::string remote_src = src.remote_workdir + "/masterha_relay_diff_" + tag + ".binlog";
  const std::string remote_target = t.remote_workdir + "/masterha_relay_diff_" + tag + ".binlog";
  const std::string remote_cnf = t.remote_workdir + "/masterha_apply_" + tag + ".cnf";
  const std::string local = job.local_workdir + "/" + tag + ".relay_diff.binlog";
  const std::string local_cnf = job.local_workdir + "/" + tag + ".relay_diff.cnf";
  const auto timeout = duration_cast<milliseconds>(job.timeout);
  auto kept = [&](std::vector<std::string> files) {
    std::string s;
    for (const std::string& f : files) s += (s.empty() ? "" : ", ") + f;
    return " (files kept: " + s + ")";
  };

  auto generated = run_helper(job, "generate", remote_src);
  if (!generated) return fail(std::move(generated).error());
  const RelayDiffReport& diff = generated->second;
  if (generated->first == 10 || !diff.has_diff) {
    return done(t.name + " needs nothing from " + src.name + "'s relay logs", false);
  }
  if (diff.incomplete_tail.empty() && diff.end &&
      (*diff.end <=> job.to) != std::partial_ordering::equivalent) {
    return fail(make_error(ErrorCode::kConflict, src.name + "'s relay logs end at " +
                                                     diff.end->to_string() + ", not at " +
                                                     job.to.to_string() + " as planned" +
                                                     kept({src.name + ":" + remote_src})));
  }
  if (Status st = job.hosts->download(src.host, remote_src, local); !st) {
    return fail(named(std::move(st).error(),
                      "copying the diff from " + src.name + kept({src.name + ":" + remote_src})));
  }
  {
    const mode_t old = ::umask(077);
    std::ofstream(local_cnf) << client_option_file_text(job.admin.user, job.admin.password);
    ::umask(old);
  }
  Status up = job.hosts->upload(t.host, local, remote_target, 0600);
  if (up) up = job.hosts->upload(t.host, local_cnf, remote_cnf, 0600);
  ::unlink(local_cnf.c_str());
  if (!up) {
    return fail(named(std::move(up).error(), "copying the diff to " + t.name + kept({local})));
  }

  // Server side: the largest event must fit, read_only lifted; restored after, whatever happened.
  Result<ApplySettings> settings = ApplySettings::prepare(*t.sql, *t.dialect, t.name);
  if (!settings) {
    (void)job.hosts->run(t.host, "rm -f " + shell_quote(remote_cnf), "", kCleanupTimeout);
    return fail(std::move(settings).error());
  }
  Result<ssh::ExecResult> applied = job.hosts->run(
      t.host, apply_command(remote_target, remote_cnf, t.address, t.port), "", timeout);
  (void)job.hosts->run(t.host, "rm -f " + shell_quote(remote_cnf), "", kCleanupTimeout);
  for (const std::string& e : settings->restore()) log::warning("{}", e);
  const std::string files =
      kept({local, t.name + ":" + remote_target, src.name + ":" + remote_src});
  if (!applied || !apply_succeeded(applied->out)) {
    std::string why = applied ? "mysqlbinlog | mysql did not succeed" : applied.error().message;
    if (applied) {
      log_command_output("apply stderr", applied->err);
      const std::size_t at = applied->out.rfind("pipestatus=");
      if (at != std::string::npos) why += " (" + applied->out.substr(at) + ")";
      const std::string reason = last_line(applied->err);
      if (!reason.empty()) why += ": " + log::redact(reason);
    }
    return fail(make_error(ErrorCode::kPrecondition,
                           "applying the relay-log diff on " + t.name + ": " + why + files),
                true);
  }
  // The target must now hold the diff's last transaction (MariaDB logs the applied GTIDs).
  if (diff.last_gtid && t.dialect->is_mariadb()) {
    Result<mysql::ResultSet> g = query(t, t.dialect->select_logged_gtids());
    if (!g) return fail(std::move(g).error(), true);
    const bool log_bin = cell(*g, "b") == "1" || cell(*g, "b") == "ON";
    if (log_bin) {
      Result<topology::GtidPosition> have = topology::GtidPosition::parse(cell(*g, "g"));
      topology::GtidPosition want;
      want.set(*diff.last_gtid);
      if (!have || !have->contains(want)) {
        return fail(make_error(ErrorCode::kConflict,
                               t.name + " does not have " + diff.last_gtid->to_string() +
                                   " after applying the diff (gtid_binlog_pos " + cell(*g, "g") +
                                   ")" + files),
                    true);
      }
    } else {
      log::warning("{}: log_bin is off, the applied diff cannot be checked by GTID", t.name);
    }
  }
  (void)job.hosts->run(src.host, "rm -f " + shell_quote(remote_src), "", kCleanupTimeout);
  (void)job.hosts->run(t.host, "rm -f " + shell_quote(remote_target), "", kCleanupTimeout);
  ::unlink(local.c_str());
  std::string detail = "applied " + std::to_string(diff.transactions) + " transaction(s), " +
                       std::to_string(diff.bytes) + " bytes of " + src.name + "'s relay logs on " +
                       t.name + " (" + job.from.to_string() + " .. " +
                       (diff.end ? diff.end->to_string() : job.to.to_string()) + ")";
  if (diff.last_gtid) detail += ", last " + diff.last_gtid->to_string();
  if (!diff.incomplete_tail.empty()) {
    detail += "; an unfinished transaction at " + diff.incomplete_tail + " was left out";
  }
  return done(detail, true);
}

}  // namespace mha::recovery::internal
