#include "relay_tail.h"

#include "mha/common/log.h"
#include "mha/mysql/status_parsers.h"
#include "mha/planner/position.h"

#include <algorithm>
#include <compare>
#include <optional>
#include <utility>
#include <vector>

namespace mha::recovery::internal {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

// One MASTER_POS_WAIT lasts at most this long before the replica's status is looked at again:
// two looks this far apart with Exec unchanged and the SQL thread idle tell a relay log that ends
// inside a transaction from one that is still being worked through.
constexpr seconds kWaitSlice{2};

Error named(Error e, const std::string& who) {
  e.message = who + ": " + e.message;
  return e;
}

bool reached(const topology::BinlogPosition& exec, const topology::BinlogPosition& until) {
  const std::partial_ordering o = exec <=> until;
  return o == std::partial_ordering::equivalent || o == std::partial_ordering::greater;
}

}  // namespace

Result<topology::ReplicaStatus> default_replica_status(mysql::SqlSession& sql,
                                                       const mysql::Dialect& dialect,
                                                       const std::string& name) {
  Result<mysql::ResultSet> rs = sql.query(dialect.show_replica_status());
  if (!rs) return Unexpected(named(std::move(rs).error(), name));
  Result<std::vector<topology::ReplicaStatus>> parsed = mysql::parse_replica_status(*rs);
  if (!parsed) return Unexpected(named(std::move(parsed).error(), name));
  for (topology::ReplicaStatus& st : *parsed) {
    if (st.channel.empty()) return std::move(st);
  }
  return Unexpected(make_error(ErrorCode::kPrecondition, name + " is not a replica"));
}

Result<std::string> wait_relay_position(const RelayWaitJob& job) {
  const Clock::time_point deadline = Clock::now() + job.timeout;
  std::optional<topology::BinlogPosition> last_exec;
  while (true) {
    Result<topology::ReplicaStatus> st = default_replica_status(*job.sql, *job.dialect, job.name);
    if (!st) return Unexpected(std::move(st).error());
    if (st->sql_failed()) {
      return Unexpected(
          make_error(ErrorCode::kPrecondition, job.name + ": SQL thread stopped on error " +
                                                   std::to_string(st->last_sql_errno) + ": " +
                                                   st->last_sql_error));
    }
    if (reached(st->exec_master, job.until)) break;
    if (!job.unfinished_tail) {
      const std::optional<topology::BinlogPosition> tail = planner::unfinished_relay_tail(*st);
      if (tail && last_exec && (*tail <=> *last_exec) == std::partial_ordering::equivalent) {
        return Unexpected(make_error(
            ErrorCode::kConflict,
            job.name + "'s relay log ends inside a transaction: it executed up to " +
                tail->to_string() + " and received up to " + st->read_master.to_string() +
                ", and nothing more will come; the plan did not expect it (the SQL thread was "
                "still busy when the cluster was observed). Run the failover again: the new "
                "plan stops at " +
                tail->to_string()));
      }
    }
    last_exec = st->exec_master;
    if (!st->sql_running) {
      Status started =
          job.sql->execute(job.dialect->start_replica(mysql::ReplicaThreads::kSqlThread));
      if (!started) return Unexpected(named(std::move(started).error(), job.name));
    }
    const Clock::duration left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) {
      return Unexpected(
          make_error(ErrorCode::kTimeout, job.name + " did not apply its relay log up to " +
                                              job.until.to_string() + " within " +
                                              std::to_string(job.timeout.count()) +
                                              " s (it is at " + st->exec_master.to_string() + ")"));
    }
    const seconds slice =
        std::clamp(std::chrono::duration_cast<seconds>(left), seconds(1), kWaitSlice);
    Result<mysql::ResultSet> w = job.sql->query(job.dialect->wait_for_position(job.until, slice));
    if (!w) return Unexpected(named(std::move(w).error(), job.name));
    // The outcome itself does not matter: the next look at the status decides.
    (void)job.dialect->position_wait_outcome(*w);
  }
  if (!job.unfinished_tail) return job.name + " applied up to " + job.until.to_string();

  // Stopping the SQL thread rolls back the part of the unfinished transaction it executed.
  Status stopped = job.sql->execute(job.dialect->stop_replica(mysql::ReplicaThreads::kSqlThread));
  if (!stopped) return Unexpected(named(std::move(stopped).error(), job.name));
  Result<topology::ReplicaStatus> after = default_replica_status(*job.sql, *job.dialect, job.name);
  if (!after) return Unexpected(std::move(after).error());
  if ((after->exec_master <=> job.until) != std::partial_ordering::equivalent) {
    return Unexpected(make_error(ErrorCode::kConflict,
                                 job.name + " executed up to " + after->exec_master.to_string() +
                                     ", not " + job.until.to_string() +
                                     " where the plan saw its last whole transaction end"));
  }
  log::info(
      "{}: relay log applied up to {}; the unfinished transaction after it (received up to "
      "{}) is not applied from it and was rolled back",
      job.name, job.until.to_string(), after->read_master.to_string());
  return job.name + " applied up to " + job.until.to_string() +
         ", its last whole transaction; SQL thread stopped before the unfinished one (received "
         "up to " +
         after->read_master.to_string() + ")";
}

}  // namespace mha::recovery::internal
