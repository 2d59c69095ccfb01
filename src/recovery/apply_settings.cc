#include "apply_settings.h"

#include "mha/common/log.h"
#include "mha/mysql/sql_text.h"

#include <utility>

namespace mha::recovery::internal {

namespace {

std::string cell(const mysql::ResultSet& r, const std::string& column) {
  const mysql::Cell* c = r.get(0, column);
  return c && *c ? **c : std::string();
}

bool is_count(const std::string& s) {
  return !s.empty() && s.size() < 20 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Status ApplySettings::exec(const std::string& statement) {
  log::debug("{}: {}", name_, mysql::redact_sql(statement));
  Status st = sql_->execute(statement);
  if (!st) {
    Error e = std::move(st).error();
    e.message = name_ + ": " + mysql::redact_sql(statement) + ": " + e.message;
    return Unexpected(std::move(e));
  }
  return ok_status();
}

Result<ApplySettings> ApplySettings::prepare(mysql::SqlSession& sql, const mysql::Dialect& dialect,
                                             const std::string& name) {
  ApplySettings s(sql, dialect, name);
  const std::string select = dialect.select_packet_and_read_only();
  log::debug("{}: {}", name, select);
  Result<mysql::ResultSet> before = sql.query(select);
  if (!before) {
    Error e = std::move(before).error();
    e.message = name + ": " + select + ": " + e.message;
    return Unexpected(std::move(e));
  }
  const std::string packet = cell(*before, "p");
  const std::string ro = cell(*before, "r");
  if (!is_count(packet)) {
    return Unexpected(make_error(
        ErrorCode::kQuery, name + ": max_allowed_packet reads '" + packet + "', not a byte count"));
  }
  s.old_packet_ = packet;
  s.was_read_only_ = ro == "1" || ro == "ON";

  Status st = s.exec(dialect.set_max_allowed_packet(kApplyMaxAllowedPacket));
  if (st) s.raised_packet_ = true;
  if (st && s.was_read_only_) {
    s.lifted_read_only_ = true;  // a partial lift is restored too
    for (const std::string& statement : dialect.set_read_only(false)) {
      st = s.exec(statement);
      if (!st) break;
    }
  }
  if (!st) {
    for (const std::string& e : s.restore()) log::warning("{}", e);
    return Unexpected(std::move(st).error());
  }
  return s;
}

std::vector<std::string> ApplySettings::restore() {
  std::vector<std::string> errors;
  if (lifted_read_only_) {
    for (const std::string& statement : dialect_->set_read_only(true)) {
      if (Status st = exec(statement); !st) errors.push_back(st.error().message);
    }
    lifted_read_only_ = false;
  }
  if (raised_packet_) {
    if (Status st = exec(dialect_->set_max_allowed_packet(std::stoull(old_packet_))); !st) {
      errors.push_back(st.error().message);
    }
    raised_packet_ = false;
  }
  return errors;
}

}  // namespace mha::recovery::internal
