#include "mha/mysql/connection.h"

#include "mha/mysql/errors.h"
#include "mha/mysql/sql_text.h"

#include <mysql.h>

#include <algorithm>

#include <poll.h>

namespace mha::mysql {
namespace {

unsigned int whole_seconds(std::chrono::seconds s) {
  return static_cast<unsigned int>(std::max<std::chrono::seconds::rep>(1, s.count()));
}

// Statement text for messages: redacted and shortened.
std::string statement_for_message(std::string_view sql) {
  constexpr size_t kMax = 200;
  std::string text = redact_sql(sql);
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

}  // namespace

void MysqlConnection::CloseDeleter::operator()(st_mysql* handle) const { mysql_close(handle); }

MysqlConnection::MysqlConnection(std::unique_ptr<st_mysql, CloseDeleter> handle, Endpoint endpoint)
    : handle_(std::move(handle)), endpoint_(std::move(endpoint)) {}

Result<MysqlConnection> MysqlConnection::connect(const Endpoint& endpoint,
                                                 const Credentials& credentials,
                                                 const Timeouts& timeouts) {
  const std::string server = endpoint.display();
  std::unique_ptr<st_mysql, CloseDeleter> handle(mysql_init(nullptr));
  if (!handle) {
    return Unexpected(make_error(
        ErrorCode::kInternal, "connecting to " + server + ": mysql_init failed (out of memory)"));
  }
  MYSQL* h = handle.get();
  const unsigned int connect_s = whole_seconds(timeouts.connect);
  const unsigned int read_s = whole_seconds(timeouts.read);
  const unsigned int write_s = whole_seconds(timeouts.write);
  const unsigned int protocol =
      endpoint.unix_socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
  const my_bool no = 0;
  const unsigned int no_local_infile = 0;
  // Each option is required: a connection without its timeouts could hang the manager.
  if (mysql_options(h, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s) != 0 ||
      mysql_options(h, MYSQL_OPT_READ_TIMEOUT, &read_s) != 0 ||
      mysql_options(h, MYSQL_OPT_WRITE_TIMEOUT, &write_s) != 0 ||
      mysql_options(h, MYSQL_OPT_PROTOCOL, &protocol) != 0 ||
      mysql_options(h, MYSQL_OPT_RECONNECT, &no) != 0 ||
      mysql_options(h, MYSQL_OPT_LOCAL_INFILE, &no_local_infile) != 0 ||
      mysql_options(h, MYSQL_SET_CHARSET_NAME, "utf8mb4") != 0) {
    return Unexpected(make_error(ErrorCode::kInternal,
                                 "connecting to " + server + ": cannot set client options"));
  }

  const char* socket = endpoint.unix_socket.empty() ? nullptr : endpoint.unix_socket.c_str();
  const char* host = endpoint.unix_socket.empty() ? endpoint.host.c_str() : "localhost";
  if (mysql_real_connect(h, host, credentials.user.c_str(), credentials.password.c_str(),
                         /*db=*/nullptr, static_cast<unsigned int>(endpoint.port), socket,
                         /*clientflag=*/0) == nullptr) {
    return Unexpected(make_mysql_error(mysql_errno(h),
                                       "connecting as '" + credentials.user + "' to", server,
                                       mysql_error(h), {credentials.password}));
  }
  return MysqlConnection(std::move(handle), endpoint);
}

Result<ResultSet> MysqlConnection::run(std::string_view sql, bool keep_rows) {
  MYSQL* h = handle_.get();
  if (h == nullptr) {
    return Unexpected(make_error(ErrorCode::kInternal, "query on a moved-from connection"));
  }
  const std::vector<std::string> secrets = secret_literals(sql);
  auto fail = [&](std::string_view action) {
    return Unexpected(make_mysql_error(
        mysql_errno(h), action, endpoint_.display(),
        std::string(mysql_error(h)) + " [" + statement_for_message(sql) + "]", secrets));
  };
  if (mysql_real_query(h, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    return fail("query on");
  }

  ResultSet out;
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> res(mysql_store_result(h),
                                                               &mysql_free_result);
  if (!res) {
    if (mysql_field_count(h) != 0) return fail("reading result from");
    out.affected_rows = mysql_affected_rows(h);
  } else if (keep_rows) {
    const unsigned int ncols = mysql_num_fields(res.get());
    MYSQL_FIELD* fields = mysql_fetch_fields(res.get());
    out.columns.reserve(ncols);
    for (unsigned int i = 0; i < ncols; ++i) out.columns.emplace_back(fields[i].name);
    while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
      unsigned long* lengths = mysql_fetch_lengths(res.get());
      Row cells;
      cells.reserve(ncols);
      for (unsigned int i = 0; i < ncols; ++i) {
        if (row[i] == nullptr) {
          cells.emplace_back(std::nullopt);
        } else {
          cells.emplace_back(std::string(row[i], lengths[i]));
        }
      }
      out.rows.push_back(std::move(cells));
    }
  }
  res.reset();
  // Stored procedures may return more than one result; drain them so the connection stays usable.
  while (mysql_more_results(h)) {
    if (mysql_next_result(h) > 0) return fail("reading further results from");
    MYSQL_RES* extra = mysql_store_result(h);
    if (extra != nullptr) mysql_free_result(extra);
  }
  return out;
}

Result<ResultSet> MysqlConnection::query(std::string_view sql) { return run(sql, true); }

Status MysqlConnection::execute(std::string_view sql) {
  Result<ResultSet> r = run(sql, false);
  if (!r) return Unexpected(std::move(r).error());
  return ok_status();
}

Status MysqlConnection::ping() {
  MYSQL* h = handle_.get();
  if (h == nullptr) {
    return Unexpected(make_error(ErrorCode::kInternal, "ping on a moved-from connection"));
  }
  if (mysql_ping(h) != 0) {
    return Unexpected(
        make_mysql_error(mysql_errno(h), "ping to", endpoint_.display(), mysql_error(h)));
  }
  return ok_status();
}

std::string MysqlConnection::server_version_string() const {
  const char* info = handle_ ? mysql_get_server_info(handle_.get()) : nullptr;
  return info == nullptr ? std::string() : std::string(info);
}

Result<topology::ServerVersion> MysqlConnection::server_version() const {
  return topology::parse_server_version(server_version_string());
}

bool MysqlConnection::peer_signalled() const {
  if (!handle_) return false;
  const my_socket fd = mysql_get_socket(handle_.get());
  if (fd < 0) return false;
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  // EOF, a reset and unsolicited bytes all wake the poll; none of them is normal on an idle
  // MySQL connection, and the next statement reads (and reports) whatever it was.
  return ::poll(&p, 1, 0) > 0 && p.revents != 0;
}

unsigned long MysqlConnection::thread_id() const {
  return handle_ ? mysql_thread_id(handle_.get()) : 0;
}

Result<std::unique_ptr<SqlSession>> MysqlConnector::connect(const Endpoint& endpoint,
                                                            const Credentials& credentials,
                                                            const Timeouts& timeouts) {
  Result<MysqlConnection> c = MysqlConnection::connect(endpoint, credentials, timeouts);
  if (!c) return Unexpected(std::move(c).error());
  return std::unique_ptr<SqlSession>(std::make_unique<MysqlConnection>(std::move(*c)));
}

}  // namespace mha::mysql
