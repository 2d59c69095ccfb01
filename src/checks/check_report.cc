#include "mha/checks/check_report.h"

namespace mha::checks {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kOk:
      return "ok";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

const char* replication_mode_name(ReplicationMode m) {
  switch (m) {
    case ReplicationMode::kUnknown:
      return "unknown";
    case ReplicationMode::kFilePosition:
      return "file_position";
    case ReplicationMode::kMariadbGtid:
      return "mariadb_gtid";
    case ReplicationMode::kMysqlGtid:
      return "mysql_gtid";
  }
  return "unknown";
}

bool CheckReport::ok() const {
  for (const Check& c : checks) {
    if (c.severity == Severity::kError) return false;
  }
  return true;
}

std::vector<Check> CheckReport::named(const std::string& name) const {
  std::vector<Check> out;
  for (const Check& c : checks) {
    if (c.name == name) out.push_back(c);
  }
  return out;
}

std::vector<Check> CheckReport::problems() const {
  std::vector<Check> out;
  for (const Check& c : checks) {
    if (c.severity != Severity::kOk) out.push_back(c);
  }
  return out;
}

}  // namespace mha::checks
