#pragma once

// The server settings an apply of binlog events (mysqlbinlog | mysql) needs, shared by the binlog
// salvage (executor.cc) and the relay-log diff (relay_diff.cc) so both prepare and restore a
// target the same way (issue #5, "Apply safely"):
//  - max_allowed_packet raised to the server's maximum, because the client's
//    --max-allowed-packet alone does not help: the server refuses a row event larger than ITS
//    limit, and a transaction written under a larger limit on the old master may hold one;
//  - read_only (and super_read_only where the dialect has it) lifted when it was on.
// restore() puts back exactly what prepare() found, and must be called whatever the apply did.
// Internal to the recovery module.

#include "mha/common/result.h"
#include "mha/mysql/dialect.h"
#include "mha/mysql/sql_session.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mha::recovery::internal {

inline constexpr uint64_t kApplyMaxAllowedPacket = 1073741824;  // the server's maximum (1 GiB)

class ApplySettings {
 public:
  // Reads the current values, then raises the packet limit and lifts read_only. `name` prefixes
  // every error. On failure whatever was already changed has been restored.
  static Result<ApplySettings> prepare(mysql::SqlSession& sql, const mysql::Dialect& dialect,
                                       const std::string& name);

  // Puts the values found by prepare() back; returns one message per statement that failed
  // (the caller logs them: the apply's own outcome decides the step). Idempotent.
  std::vector<std::string> restore();

  bool was_read_only() const { return was_read_only_; }

 private:
  ApplySettings(mysql::SqlSession& sql, const mysql::Dialect& dialect, std::string name)
      : sql_(&sql), dialect_(&dialect), name_(std::move(name)) {}

  Status exec(const std::string& statement);

  mysql::SqlSession* sql_;
  const mysql::Dialect* dialect_;
  std::string name_;
  std::string old_packet_;  // digits only, or "" when it could not be read safely
  bool was_read_only_ = false;
  bool raised_packet_ = false;
  bool lifted_read_only_ = false;
};

}  // namespace mha::recovery::internal
