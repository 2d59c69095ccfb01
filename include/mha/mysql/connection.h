#pragma once

// MysqlConnection: one live client connection (libmariadb), move-only, owning its MYSQL handle.
//
// Every connection is opened with connect, read and write timeouts (Timeouts), TCP unless a unix
// socket is given, auto-reconnect off, LOCAL INFILE off, utf8mb4, and no option files read, so a
// frozen server fails a call instead of hanging it and nothing outside the arguments changes how
// we connect. Errors name the server and the action, carry the errno in Error::detail, and never
// contain the password or a secret literal of the statement (see errors.h, sql_text.h).
//
// Thread safety: one thread at a time per connection. Threads other than main must hold a
// MysqlThreadToken, and main a MysqlLibrary (library.h).

#include "mha/common/result.h"
#include "mha/mysql/endpoint.h"
#include "mha/mysql/sql_session.h"
#include "mha/topology/server_version.h"

#include <memory>
#include <string>

struct st_mysql;  // MYSQL from <mysql.h>; kept out of this header

namespace mha::mysql {

class MysqlConnection final : public SqlSession {
 public:
  static Result<MysqlConnection> connect(const Endpoint& endpoint, const Credentials& credentials,
                                         const Timeouts& timeouts);

  MysqlConnection(MysqlConnection&&) noexcept = default;
  MysqlConnection& operator=(MysqlConnection&&) noexcept = default;
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;
  ~MysqlConnection() override = default;

  Result<ResultSet> query(std::string_view sql) override;
  Status execute(std::string_view sql) override;

  // mysql_ping without reconnecting: a cheap liveness probe bounded by the read timeout.
  Status ping();

  // VERSION() as sent in the handshake, raw and parsed.
  std::string server_version_string() const;
  Result<topology::ServerVersion> server_version() const;

  unsigned long thread_id() const;  // the server's connection id (for KILL)

  // poll(2) on the socket with a zero timeout (SqlSession's contract).
  bool peer_signalled() const override;
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct CloseDeleter {
    void operator()(st_mysql* handle) const;
  };

  MysqlConnection(std::unique_ptr<st_mysql, CloseDeleter> handle, Endpoint endpoint);
  Result<ResultSet> run(std::string_view sql, bool keep_rows);

  std::unique_ptr<st_mysql, CloseDeleter> handle_;
  Endpoint endpoint_;
};

// The live SqlConnector: MysqlConnection::connect behind the interface.
class MysqlConnector final : public SqlConnector {
 public:
  Result<std::unique_ptr<SqlSession>> connect(const Endpoint& endpoint,
                                              const Credentials& credentials,
                                              const Timeouts& timeouts) override;
};

}  // namespace mha::mysql
