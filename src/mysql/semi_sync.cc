#include "mha/mysql/semi_sync.h"

#include <charconv>
#include <optional>
#include <thread>

namespace mha::mysql {

std::string set_semi_sync_master(const Dialect& dialect, bool on) {
  return "SET GLOBAL " + dialect.semi_sync().source_enabled + (on ? "=1" : "=0");
}

std::string set_semi_sync_replica(const Dialect& dialect, bool on) {
  return "SET GLOBAL " + dialect.semi_sync().replica_enabled + (on ? "=1" : "=0");
}

std::string show_semi_sync_clients(const Dialect& dialect) {
  return "SHOW GLOBAL STATUS LIKE '" + dialect.semi_sync().source_clients + "'";
}

std::string show_semi_sync_status(const Dialect& dialect) {
  return "SHOW GLOBAL STATUS LIKE '" + dialect.semi_sync().source_status + "'";
}

Result<int> wait_semi_sync_clients(SqlSession& session, const Dialect& dialect, int at_least,
                                   std::chrono::milliseconds timeout) {
  const std::string sql = show_semi_sync_clients(dialect);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<int> seen;
  std::optional<Error> last_error;
  while (true) {
    Result<ResultSet> r = session.query(sql);
    if (r) {
      const Cell* c = r->get(0, "Value");
      int n = 0;
      if (c && *c) std::from_chars((*c)->data(), (*c)->data() + (*c)->size(), n);
      seen = n;
      if (n >= at_least) return n;
    } else {
      last_error = std::move(r).error();
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!seen && last_error) return Unexpected(std::move(*last_error));
  return seen.value_or(0);
}

}  // namespace mha::mysql
