#include "mha/mysql/status_parsers.h"

#include <charconv>
#include <initializer_list>

namespace mha::mysql {
namespace {

using Names = std::initializer_list<std::string_view>;

// Reads one row by column name, trying each spelling in turn. The first problem is recorded and
// reported by error(); later reads return defaults, so a parser reads every field and checks once.
class RowReader {
 public:
  RowReader(const ResultSet& r, size_t row, std::string_view statement)
      : r_(r), row_(row), statement_(statement) {}

  const std::optional<Error>& error() const { return error_; }

  // The first spelling present; nullptr if none is. `found` receives the spelling.
  const Cell* find(Names names, std::string_view* found = nullptr) const {
    for (std::string_view n : names) {
      if (const Cell* c = r_.get(row_, n)) {
        if (found != nullptr) *found = n;
        return c;
      }
    }
    return nullptr;
  }

  // NULL and a missing optional column read as "".
  std::string text(Names names, bool required) {
    const Cell* c = find(names);
    if (c == nullptr) {
      if (required) fail(*names.begin(), "missing");
      return {};
    }
    return c->value_or(std::string());
  }

  // NULL, "" and a missing optional column read as nullopt.
  template <typename T>
  std::optional<T> optional_number(Names names, bool required) {
    std::string_view name = *names.begin();
    const Cell* c = find(names, &name);
    if (c == nullptr) {
      if (required) fail(name, "missing");
      return std::nullopt;
    }
    if (!*c || (*c)->empty()) return std::nullopt;
    T v{};
    const std::string& s = **c;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
      fail(name, "'" + s + "' is not a number");
      return std::nullopt;
    }
    return v;
  }

  template <typename T>
  T number(Names names, bool required) {
    return optional_number<T>(names, required).value_or(T{});
  }

  topology::GtidPosition mariadb_gtid(std::string_view name) {
    Result<topology::GtidPosition> p = topology::GtidPosition::parse(text({name}, false));
    if (!p) fail(name, p.error().message);
    return p ? *p : topology::GtidPosition{};
  }

  topology::GtidSet mysql_gtid(std::string_view name) {
    Result<topology::GtidSet> s = topology::GtidSet::parse(text({name}, false));
    if (!s) fail(name, s.error().message);
    return s ? *s : topology::GtidSet{};
  }

  void fail(std::string_view column, const std::string& why) {
    if (error_) return;
    error_ =
        make_error(ErrorCode::kQuery, std::string(statement_) + " row " + std::to_string(row_ + 1) +
                                          ", column " + std::string(column) + ": " + why);
  }

 private:
  const ResultSet& r_;
  size_t row_;
  std::string_view statement_;
  std::optional<Error> error_;
};

Result<topology::ReplicaStatus> parse_row(const ResultSet& r, size_t row) {
  RowReader in(r, row, "SHOW SLAVE STATUS");
  topology::ReplicaStatus s;
  s.channel = in.text({"Channel_Name", "Connection_name"}, false);
  s.master_host = in.text({"Master_Host", "Source_Host"}, true);
  s.master_user = in.text({"Master_User", "Source_User"}, false);
  s.master_port = in.number<int>({"Master_Port", "Source_Port"}, true);
  s.master_server_id = in.number<uint32_t>({"Master_Server_Id", "Source_Server_Id"}, false);
  s.connect_retry = in.number<int>({"Connect_Retry"}, false);

  const std::string io = in.text({"Slave_IO_Running", "Replica_IO_Running"}, true);
  if (std::optional<topology::IoThreadState> st = topology::parse_io_thread_state(io)) {
    s.io_running = *st;
  } else {
    in.fail("Slave_IO_Running", "unexpected value '" + io + "'");
  }
  const std::string sql = in.text({"Slave_SQL_Running", "Replica_SQL_Running"}, true);
  if (sql != "Yes" && sql != "No") in.fail("Slave_SQL_Running", "unexpected value '" + sql + "'");
  s.sql_running = sql == "Yes";
  s.io_state = in.text({"Slave_IO_State", "Replica_IO_State"}, false);
  s.sql_state = in.text({"Slave_SQL_Running_State", "Replica_SQL_Running_State"}, false);

  // File names are kept as reported (empty before the IO thread ever connected).
  s.read_master.file = in.text({"Master_Log_File", "Source_Log_File"}, true);
  s.read_master.pos = in.number<uint64_t>({"Read_Master_Log_Pos", "Read_Source_Log_Pos"}, true);
  s.exec_master.file = in.text({"Relay_Master_Log_File", "Relay_Source_Log_File"}, true);
  s.exec_master.pos = in.number<uint64_t>({"Exec_Master_Log_Pos", "Exec_Source_Log_Pos"}, true);
  s.relay_log.file = in.text({"Relay_Log_File"}, true);
  s.relay_log.pos = in.number<uint64_t>({"Relay_Log_Pos"}, true);
  s.relay_log_space = in.number<uint64_t>({"Relay_Log_Space"}, false);

  s.last_errno = in.number<int>({"Last_Errno"}, false);
  s.last_error = in.text({"Last_Error"}, false);
  s.last_io_errno = in.number<int>({"Last_IO_Errno"}, false);
  s.last_io_error = in.text({"Last_IO_Error"}, false);
  s.last_sql_errno = in.number<int>({"Last_SQL_Errno"}, false);
  s.last_sql_error = in.text({"Last_SQL_Error"}, false);
  s.seconds_behind_master =
      in.optional_number<int64_t>({"Seconds_Behind_Master", "Seconds_Behind_Source"}, false);
  s.sql_delay = in.number<int64_t>({"SQL_Delay"}, false);

  const std::string using_gtid = in.text({"Using_Gtid"}, false);
  if (!using_gtid.empty()) {
    if (std::optional<topology::UsingGtid> g = topology::parse_using_gtid(using_gtid)) {
      s.using_gtid = *g;
    } else {
      in.fail("Using_Gtid", "unexpected value '" + using_gtid + "'");
    }
  }
  s.gtid_io_pos = in.mariadb_gtid("Gtid_IO_Pos");
  s.auto_position = in.number<int>({"Auto_Position"}, false) != 0;
  s.retrieved_gtid_set = in.mysql_gtid("Retrieved_Gtid_Set");
  s.executed_gtid_set = in.mysql_gtid("Executed_Gtid_Set");

  s.filters.do_db = in.text({"Replicate_Do_DB"}, false);
  s.filters.ignore_db = in.text({"Replicate_Ignore_DB"}, false);
  s.filters.do_table = in.text({"Replicate_Do_Table"}, false);
  s.filters.ignore_table = in.text({"Replicate_Ignore_Table"}, false);
  s.filters.wild_do_table = in.text({"Replicate_Wild_Do_Table"}, false);
  s.filters.wild_ignore_table = in.text({"Replicate_Wild_Ignore_Table"}, false);
  s.replicate_ignore_server_ids = in.text({"Replicate_Ignore_Server_Ids"}, false);

  if (in.error()) return Unexpected(*in.error());
  return s;
}

}  // namespace

Result<std::vector<topology::ReplicaStatus>> parse_replica_status(const ResultSet& result) {
  std::vector<topology::ReplicaStatus> out;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    Result<topology::ReplicaStatus> s = parse_row(result, i);
    if (!s) return Unexpected(std::move(s).error());
    out.push_back(std::move(*s));
  }
  return out;
}

Result<std::optional<topology::MasterStatus>> parse_master_status(const ResultSet& result) {
  if (result.rows.empty()) return std::optional<topology::MasterStatus>();
  if (result.rows.size() != 1) {
    return Unexpected(make_error(ErrorCode::kQuery, "SHOW MASTER STATUS: expected one row, got " +
                                                        std::to_string(result.rows.size())));
  }
  RowReader in(result, 0, "SHOW MASTER STATUS");
  topology::MasterStatus m;
  m.position.file = in.text({"File"}, true);
  m.position.pos = in.number<uint64_t>({"Position"}, true);
  m.binlog_do_db = in.text({"Binlog_Do_DB"}, false);
  m.binlog_ignore_db = in.text({"Binlog_Ignore_DB"}, false);
  m.executed_gtid_set = in.mysql_gtid("Executed_Gtid_Set");
  if (in.error()) return Unexpected(*in.error());
  return std::optional<topology::MasterStatus>(std::move(m));
}

Result<std::vector<topology::ProcessInfo>> parse_processlist(const ResultSet& result) {
  std::vector<topology::ProcessInfo> out;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    RowReader row(result, i, "SHOW FULL PROCESSLIST");
    topology::ProcessInfo p;
    p.id = row.number<uint64_t>({"Id"}, true);
    p.user = row.text({"User"}, true);
    p.host = row.text({"Host"}, false);
    p.command = row.text({"Command"}, true);
    p.time_s = row.number<int64_t>({"Time"}, false);
    p.state = row.text({"State"}, false);
    p.info = row.text({"Info"}, false);
    if (row.error()) return Unexpected(*row.error());
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::map<std::string, std::string>> parse_variables(const ResultSet& result) {
  std::optional<size_t> name = result.find_column("Variable_name");
  std::optional<size_t> value = result.find_column("Value");
  if (!name || !value) {
    return Unexpected(
        make_error(ErrorCode::kQuery, "SHOW VARIABLES: expected columns Variable_name and Value"));
  }
  std::map<std::string, std::string> out;
  for (const Row& row : result.rows) {
    if (*name >= row.size() || *value >= row.size() || !row[*name]) continue;
    out[*row[*name]] = row[*value].value_or(std::string());
  }
  return out;
}

}  // namespace mha::mysql
