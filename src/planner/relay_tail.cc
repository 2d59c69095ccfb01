// unfinished_relay_tail() (position.h): kept apart from the received-position code.

#include "mha/planner/position.h"

#include <compare>
#include <string>

namespace mha::planner {

std::optional<topology::BinlogPosition> unfinished_relay_tail(const topology::ReplicaStatus& st) {
  if (st.io_running == topology::IoThreadState::kYes) return std::nullopt;
  if (!st.sql_running || st.last_sql_errno != 0) return std::nullopt;
  if (st.exec_master.file.empty() || st.read_master.file.empty()) return std::nullopt;
  if ((st.exec_master <=> st.read_master) != std::partial_ordering::less) return std::nullopt;
  // MariaDB/MySQL < 8.0.26 "Slave has read all relay log; waiting for more updates", MySQL 8
  // "Replica has read all relay log; ...": the SQL thread is idle, not merely behind.
  if (st.sql_state.find("read all relay log") == std::string::npos) return std::nullopt;
  return st.exec_master;
}

}  // namespace mha::planner
