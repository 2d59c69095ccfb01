#include "server_reader.h"

#include "mha/common/log.h"
#include "mha/mysql/errors.h"
#include "mha/mysql/status_parsers.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "queries.h"

namespace mha::observe::internal {
namespace {

using Variables = std::map<std::string, std::string>;

// How a failure reflects on the server: dead, refused, or nullopt for a statement that failed on
// a server that is still there (only that statement's facts stay unknown).
std::optional<topology::SqlReach> reach_after(const Error& e, bool connecting) {
  if (e.detail > 0) {
    switch (mysql::classify_errno(static_cast<unsigned int>(e.detail))) {
      case mysql::ErrnoClass::kUnreachable:
      case mysql::ErrnoClass::kLost:
        return topology::SqlReach::kDead;
      case mysql::ErrnoClass::kAlive:
        return topology::SqlReach::kRefused;
      case mysql::ErrnoClass::kTimeout:
      case mysql::ErrnoClass::kOther:
        // A server that answered a connection attempt with an error is up.
        if (connecting) return topology::SqlReach::kRefused;
        return std::nullopt;
    }
  }
  if (!connecting) return std::nullopt;
  return e.code == ErrorCode::kAuth ? topology::SqlReach::kRefused : topology::SqlReach::kDead;
}

std::optional<bool> to_bool(std::string_view v) {
  std::string s(v);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  if (s == "ON" || s == "1" || s == "YES" || s == "TRUE") return true;
  if (s == "OFF" || s == "0" || s == "NO" || s == "FALSE") return false;
  return std::nullopt;
}

std::optional<long long> to_int(std::string_view v) {
  long long out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

std::optional<double> to_double(std::string_view v) {
  if (v.empty()) return std::nullopt;
  const std::string s(v);
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

// The first of `names` the server reported (newer spellings first).
const std::string* find_var(const Variables& vars, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (auto it = vars.find(std::string(n)); it != vars.end()) return &it->second;
  }
  return nullptr;
}

std::optional<bool> bool_var(const Variables& vars, std::initializer_list<std::string_view> names) {
  const std::string* v = find_var(vars, names);
  return v ? to_bool(*v) : std::nullopt;
}

std::optional<long long> int_var(const Variables& vars,
                                 std::initializer_list<std::string_view> names) {
  const std::string* v = find_var(vars, names);
  return v ? to_int(*v) : std::nullopt;
}

// Runs statements for one ServerRead, turning failures into reachability or warnings.
class Reader {
 public:
  explicit Reader(ServerRead& read) : read_(read) {}

  bool usable() const { return read_.session != nullptr; }

  std::optional<mysql::ResultSet> query(const std::string& sql, std::string_view what) {
    if (!usable()) return std::nullopt;
    Result<mysql::ResultSet> r = read_.session->query(sql);
    if (r) return std::move(*r);
    fail(r.error(), what);
    return std::nullopt;
  }

  // A result that could not be parsed: the server is fine, the fact stays unknown.
  void unreadable(const Error& e, std::string_view what) const {
    log::warning("Could not read {} on {}: {}", what, read_.obs.id.display(), e.message);
  }

 private:
  void fail(const Error& e, std::string_view what) {
    if (std::optional<topology::SqlReach> reach = reach_after(e, false)) {
      read_.obs.sql = *reach;
      read_.obs.sql_error = e;
      read_.session.reset();
      return;
    }
    unreadable(e, what);
  }

  ServerRead& read_;
};

std::optional<Variables> read_variables(Reader& reader, const std::string& sql,
                                        std::string_view what) {
  std::optional<mysql::ResultSet> rs = reader.query(sql, what);
  if (!rs) return std::nullopt;
  Result<Variables> vars = mysql::parse_variables(*rs);
  if (!vars) {
    reader.unreadable(vars.error(), what);
    return std::nullopt;
  }
  return std::move(*vars);
}

void apply_variables(const Variables& vars, topology::ServerObservation& obs) {
  if (std::optional<long long> id = int_var(vars, {"server_id"}); id && *id >= 0) {
    obs.server_id = static_cast<uint32_t>(*id);
  }
  obs.read_only = bool_var(vars, {"read_only"});
  obs.super_read_only = bool_var(vars, {"super_read_only"});
  obs.log_bin = bool_var(vars, {"log_bin"});
  obs.log_slave_updates = bool_var(vars, {"log_replica_updates", "log_slave_updates"});
  if (const std::string* f = find_var(vars, {"binlog_format"})) obs.binlog_format = *f;
  obs.relay_log_purge = bool_var(vars, {"relay_log_purge"});
  obs.mariadb_gtid.strict_mode = bool_var(vars, {"gtid_strict_mode"});
  if (std::optional<long long> t = int_var(vars, {"replica_net_timeout", "slave_net_timeout"})) {
    obs.slave_net_timeout = static_cast<int>(*t);
  }
}

void read_gtid_state(Reader& reader, const mysql::Dialect& dialect,
                     topology::ServerObservation& obs) {
  std::optional<mysql::ResultSet> rs = reader.query(dialect.select_gtid_state(), "GTID state");
  if (!rs || rs->rows.size() != 1) return;
  const mysql::GtidVariables names = dialect.gtid_variables();
  auto cell = [&](const std::string& column) -> const std::string* {
    if (column.empty()) return nullptr;
    const mysql::Cell* c = rs->get(0, column);
    return c && *c ? &**c : nullptr;
  };
  auto position = [&](const std::string& column) -> std::optional<topology::GtidPosition> {
    const std::string* text = cell(column);
    if (!text) return std::nullopt;
    Result<topology::GtidPosition> p = topology::GtidPosition::parse(*text);
    if (!p) {
      reader.unreadable(p.error(), "@@" + column);
      return std::nullopt;
    }
    return std::move(*p);
  };
  if (dialect.is_mariadb()) {
    obs.mariadb_gtid.binlog_pos = position(names.binlog_pos);
    obs.mariadb_gtid.slave_pos = position(names.slave_pos);
    obs.mariadb_gtid.current_pos = position(names.current_pos);
    return;
  }
  if (const std::string* mode = cell(names.mode)) obs.mysql_gtid.gtid_mode = *mode;
  if (const std::string* executed = cell(names.executed)) {
    Result<topology::GtidSet> set = topology::GtidSet::parse(*executed);
    if (set) {
      obs.mysql_gtid.executed = std::move(*set);
    } else {
      reader.unreadable(set.error(), "@@" + names.executed);
    }
  }
}

void read_master_status(Reader& reader, const mysql::Dialect& dialect,
                        topology::ServerObservation& obs) {
  if (obs.log_bin != true) return;
  std::optional<mysql::ResultSet> rs =
      reader.query(dialect.show_master_status(), "binary log status");
  if (!rs) return;
  Result<std::optional<topology::MasterStatus>> status = mysql::parse_master_status(*rs);
  if (!status) {
    reader.unreadable(status.error(), "binary log status");
    return;
  }
  obs.master_status = std::move(*status);
}

void read_replica_status(Reader& reader, const mysql::Dialect& dialect,
                         topology::ServerObservation& obs) {
  std::optional<mysql::ResultSet> rs =
      reader.query(dialect.show_all_replicas_status(), "replica status");
  if (!rs) return;
  Result<std::vector<topology::ReplicaStatus>> channels = mysql::parse_replica_status(*rs);
  if (!channels) {
    reader.unreadable(channels.error(), "replica status");
    return;
  }
  for (std::size_t row = 0; row < channels->size(); ++row) {
    if (!(*channels)[row].channel.empty()) continue;  // only the default channel is judged
    obs.replica = std::move((*channels)[row]);
    obs.connect_retry = obs.replica->connect_retry;
    // MariaDB 10.11 reports the heartbeat period per connection as a column of SHOW ALL SLAVES
    // STATUS (SHOW SLAVE STATUS has none); the global status variable Slave_heartbeat_period
    // also exists but describes the default connection only, so the column is used.
    if (const mysql::Cell* hb = rs->get(row, "Slave_heartbeat_period"); hb && *hb) {
      obs.heartbeat_period = to_double(**hb);
    }
    break;
  }
  if (!obs.replica || obs.heartbeat_period) return;
  const std::string sql = select_heartbeat_period(dialect);
  if (sql.empty()) return;
  std::optional<mysql::ResultSet> hb = reader.query(sql, "heartbeat period");
  if (hb && hb->rows.size() == 1 && hb->rows[0].size() == 1 && hb->rows[0][0]) {
    obs.heartbeat_period = to_double(*hb->rows[0][0]);
  }
}

void read_semi_sync(Reader& reader, const mysql::Dialect& dialect, const Variables& vars,
                    topology::ServerObservation& obs) {
  const mysql::SemiSyncNames names = dialect.semi_sync();
  obs.semi_sync.master_enabled = bool_var(vars, {names.source_enabled});
  obs.semi_sync.slave_enabled = bool_var(vars, {names.replica_enabled});
  if (!obs.semi_sync.master_enabled) return;  // MySQL without the plugin: nothing to count
  std::optional<Variables> status =
      read_variables(reader, show_semi_sync_status(dialect), "semi-sync status");
  if (!status) return;
  obs.semi_sync.master_status = bool_var(*status, {names.source_status});
  if (std::optional<long long> n = int_var(*status, {names.source_clients})) {
    obs.semi_sync.master_clients = static_cast<int>(*n);
  }
}

void read_repl_user(Reader& reader, const std::string& configured,
                    topology::ServerObservation& obs) {
  std::string user = configured;
  if (user.empty() && obs.replica) user = obs.replica->master_user;
  if (user.empty()) return;  // a master without repl_user: nothing names the account
  std::optional<mysql::ResultSet> rs =
      reader.query(select_repl_privilege(user), "the replication user's privileges");
  if (!rs) return;
  topology::ReplUserGrant grant;
  grant.user = user;
  grant.exists = !rs->rows.empty();
  for (std::size_t row = 0; row < rs->rows.size(); ++row) {
    const mysql::Cell* priv = rs->get(row, "Repl_slave_priv");
    // enum('N','Y'); any of the account's hosts having it is enough for the check.
    if (priv && *priv && (**priv == "Y" || **priv == "y")) grant.has_replication_slave = true;
  }
  obs.repl_user = std::move(grant);
}

}  // namespace

ServerRead read_server(const config::ServerConfig& server, topology::ServerIdentity id,
                       mysql::SqlConnector& connector, const mysql::Timeouts& timeouts) {
  ServerRead read;
  read.obs.id = std::move(id);
  topology::ServerObservation& obs = read.obs;
  const mysql::Endpoint endpoint{obs.id.ip, obs.id.port, ""};
  Result<std::unique_ptr<mysql::SqlSession>> session =
      connector.connect(endpoint, mysql::Credentials{server.user, server.password}, timeouts);
  if (!session) {
    obs.sql = reach_after(session.error(), true).value_or(topology::SqlReach::kDead);
    obs.sql_error = session.error();
    return read;
  }
  read.session = std::move(*session);
  Reader reader(read);

  std::optional<Variables> vars =
      read_variables(reader, show_variables_of_interest(), "server variables");
  if (!vars) return read;
  apply_variables(*vars, obs);
  const std::string* version_text = find_var(*vars, {"version"});
  if (!version_text) {
    reader.unreadable(make_error(ErrorCode::kQuery, "@@version is missing"), "the version");
    return read;
  }
  Result<topology::ServerVersion> version = topology::parse_server_version(*version_text);
  if (!version) {
    reader.unreadable(version.error(), "the version");
    return read;
  }
  obs.version = *version;
  Result<mysql::Dialect> dialect = mysql::Dialect::for_version(*version);
  if (!dialect) {
    reader.unreadable(dialect.error(), "the server state");
    return read;
  }
  read.dialect = *dialect;
  if (!dialect->has_super_read_only()) obs.super_read_only.reset();

  read_replica_status(reader, *dialect, obs);
  read_master_status(reader, *dialect, obs);
  read_gtid_state(reader, *dialect, obs);
  read_semi_sync(reader, *dialect, *vars, obs);
  read_repl_user(reader, server.repl_user, obs);
  return read;
}

void reread_binlog_state(ServerRead& read) {
  if (!read.session || !read.dialect) return;
  // Nothing from the first read may survive a failed re-read: it would break the ordering
  // guarantee the errant-transaction check relies on.
  topology::ServerObservation& obs = read.obs;
  obs.mariadb_gtid.binlog_pos.reset();
  obs.mariadb_gtid.slave_pos.reset();
  obs.mariadb_gtid.current_pos.reset();
  obs.mysql_gtid.executed.reset();
  obs.master_status.reset();
  Reader reader(read);
  read_gtid_state(reader, *read.dialect, read.obs);
  read_master_status(reader, *read.dialect, read.obs);
}

}  // namespace mha::observe::internal
