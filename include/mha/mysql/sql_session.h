#pragma once

// The narrow interface every module uses to talk SQL to one server, so logic can be tested
// against FakeSqlSession (include/mha/mysql/testing/fake_sql_session.h) instead of a live server.
//
// Implementations: MysqlConnection (live, connection.h) and FakeSqlSession (scripted).
// A session is used by one thread at a time. Errors carry ErrorCode from classify_errno() and the
// MySQL errno in Error::detail (see errors.h).

#include "mha/common/result.h"
#include "mha/mysql/endpoint.h"
#include "mha/mysql/result_set.h"

#include <memory>
#include <string_view>

namespace mha::mysql {

class SqlSession {
 public:
  virtual ~SqlSession() = default;

  // Runs a statement that returns rows (SELECT, SHOW). A statement without a result set yields
  // an empty ResultSet with no columns.
  virtual Result<ResultSet> query(std::string_view sql) = 0;

  // Runs a statement and discards any result.
  virtual Status execute(std::string_view sql) = 0;

  // Between statements only: true when the server has closed the connection or sent something
  // unasked (MariaDB sends an error packet before it closes a killed connection). An idle
  // connection has nothing to read, so either means the server went away or is going; the
  // caller should use the connection now to find out. Never blocks. Sessions that cannot tell
  // return false.
  virtual bool peer_signalled() const { return false; }
};

// Opens sessions; passed into constructors of components that connect to servers, so tests can
// hand out fakes.
class SqlConnector {
 public:
  virtual ~SqlConnector() = default;
  virtual Result<std::unique_ptr<SqlSession>> connect(const Endpoint& endpoint,
                                                      const Credentials& credentials,
                                                      const Timeouts& timeouts) = 0;
};

}  // namespace mha::mysql
