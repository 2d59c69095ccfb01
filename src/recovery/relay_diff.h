#pragma once

// The ApplyRelayDiff step (file/position mode, mha.md §3.7-§3.9), kept out of executor.cc: on the
// latest replica's host the node helper writes the relay-log events the target lacks
// (apply_diff_relay_logs --command=generate); the manager brings the file to itself and on to
// the target's host (no host-to-host SSH) and applies it there with mysqlbinlog | mysql, both
// stages checked (salvage.h), max_allowed_packet raised and read_only lifted around the apply
// and restored after; then the target must hold the diff's last transaction. With `check_only`
// the step only asks the helper whether the latest replica's relay logs still hold what the
// target lacks (--command=find), so a plan can refuse before anything is changed. Internal to
// the recovery module.

#include "mha/common/result.h"
#include "mha/mysql/dialect.h"
#include "mha/mysql/endpoint.h"
#include "mha/mysql/sql_session.h"
#include "mha/recovery/executor.h"
#include "mha/topology/binlog_position.h"
#include "mha/topology/mariadb_gtid.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mha::recovery::internal {

// What apply_diff_relay_logs printed on its JSON line.
struct RelayDiffReport {
  bool has_diff = false;
  uint64_t transactions = 0;
  uint64_t bytes = 0;
  std::optional<topology::MariadbGtid> last_gtid;
  std::optional<topology::BinlogPosition> end;  // master position after the last transaction
  std::string incomplete_tail;                  // "" when none
};

// `masterha_node apply_diff_relay_logs --command=<find|generate> ...`, every word quoted.
std::string relay_diff_command(const std::string& command, const std::string& relay_dir,
                               const std::string& relay_log, uint32_t server_id,
                               const topology::BinlogPosition& target,
                               const topology::BinlogPosition& latest,
                               const std::string& output_file);

// The last JSON object line of the helper's stdout. kIo when there is none.
Result<RelayDiffReport> parse_relay_diff_output(const std::string& out);

// One side of the step: a connected server and its host.
struct RelayDiffServer {
  std::string name;
  std::size_t host = 0;  // config index, for HostAccess
  std::string address;   // how the target's mysql client reaches the server
  int port = 3306;
  std::string remote_workdir;
  mysql::SqlSession* sql = nullptr;
  const mysql::Dialect* dialect = nullptr;
};

struct RelayDiffJob {
  RelayDiffServer target;
  RelayDiffServer source;  // the latest replica, whose relay logs hold the diff
  HostAccess* hosts = nullptr;
  mysql::Credentials admin;  // written to a 0600 option file on the target's host, never argv
  std::string app;
  std::string local_workdir;
  topology::BinlogPosition from;  // master position the target received (planned)
  topology::BinlogPosition to;    // master position the source received (planned)
  std::chrono::seconds timeout{};
  bool check_only = false;
};

struct RelayDiffOutcome {
  bool ok = false;
  bool target_changed = false;  // events were (maybe partly) applied on the target
  std::string detail;           // what was done, or why not
  std::optional<Error> error;   // set iff !ok
};

RelayDiffOutcome run_relay_diff(const RelayDiffJob& job);

}  // namespace mha::recovery::internal
