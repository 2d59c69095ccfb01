#include "mha/manager/replica_poller.h"

#include "mha/mysql/dialect.h"
#include "mha/mysql/library.h"
#include "mha/mysql/status_parsers.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace mha::manager {

double lag_metric_value(const ReplicaSample& sample) {
  if (!sample.lag_seconds) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(*sample.lag_seconds);
}

ReplicaSample sample_from_status(std::string host,
                                 const std::vector<topology::ReplicaStatus>& rows) {
  ReplicaSample s;
  s.host = std::move(host);
  s.up = true;
  for (const topology::ReplicaStatus& st : rows) {
    // Other channels (multi-source) replicate from somewhere else; the master is on "".
    if (!st.channel.empty()) continue;
    s.replicating = true;
    s.io_running = st.io_running == topology::IoThreadState::kYes;
    s.sql_running = st.sql_running;
    s.lag_seconds = st.seconds_behind_master;
  }
  return s;
}

std::chrono::milliseconds replica_poll_interval(std::chrono::milliseconds ping_interval) {
  return std::max<std::chrono::milliseconds>(ping_interval, std::chrono::seconds(5));
}

Result<std::vector<topology::ReplicaStatus>> read_replica_status(mysql::SqlSession& session,
                                                                 std::size_t* first) {
  const std::vector<std::string> statements = mysql::Dialect::show_replica_status_any_version();
  const std::size_t start = first != nullptr && *first < statements.size() ? *first : 0;
  std::optional<Error> last;
  for (std::size_t n = 0; n < statements.size(); ++n) {
    const std::size_t i = (start + n) % statements.size();
    Result<mysql::ResultSet> rs = session.query(statements[i]);
    if (!rs) {
      last = rs.error();
      continue;
    }
    if (first != nullptr) *first = i;
    return mysql::parse_replica_status(*rs);
  }
  return Unexpected(std::move(*last));
}

ReplicaSample poll_replica(mysql::SqlConnector& sql, const ReplicaPollTarget& target,
                           const mysql::Timeouts& timeouts, std::size_t* first_statement) {
  mysql::MysqlThreadToken token;
  ReplicaSample failed;
  failed.host = target.host;
  Result<std::unique_ptr<mysql::SqlSession>> s =
      sql.connect(target.sql, target.credentials, timeouts);
  if (!s) {
    failed.error = s.error().message;
    return failed;
  }
  Result<std::vector<topology::ReplicaStatus>> rows = read_replica_status(**s, first_statement);
  if (!rows) {
    failed.error = rows.error().message;
    return failed;
  }
  return sample_from_status(target.host, *rows);
}

ReplicaPoller::ReplicaPoller(std::vector<ReplicaPollTarget> targets, mysql::SqlConnector& sql,
                             ReplicaPollSettings settings)
    : sql_(sql), settings_(settings) {
  slots_.reserve(targets.size());
  for (ReplicaPollTarget& t : targets) slots_.push_back(Slot{std::move(t), 0, {}});
}

ReplicaPoller::~ReplicaPoller() {
  for (Slot& s : slots_) {
    if (s.result.valid()) s.result.wait();
  }
}

void ReplicaPoller::tick(health::TimePoint now) {
  if (next_round_ && now < *next_round_) return;
  next_round_ = now + settings_.interval;
  for (Slot& s : slots_) {
    if (s.result.valid()) continue;  // the previous poll of this replica has not finished
    s.result = std::async(std::launch::async, [this, &s] {
      return poll_replica(sql_, s.target, settings_.timeouts, &s.statement);
    });
  }
}

std::vector<ReplicaSample> ReplicaPoller::take_finished() {
  std::vector<ReplicaSample> done;
  for (Slot& s : slots_) {
    if (s.result.valid() &&
        s.result.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      done.push_back(s.result.get());  // get() leaves the future invalid: the slot is free
    }
  }
  return done;
}

std::size_t ReplicaPoller::running() const {
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.result.valid(); }));
}

}  // namespace mha::manager
