#pragma once

// Binlog salvage pieces that need no server: the remote command lines and the reading of the
// node helper's answer. Internal to the recovery module; the step itself is in executor.cc.

#include "mha/common/result.h"
#include "mha/mysql/endpoint.h"
#include "mha/topology/mariadb_gtid.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mha::recovery::internal {

// What save_binary_logs reported on its JSON line.
struct SavedBinlog {
  bool saved = false;
  std::optional<topology::MariadbGtid> last_gtid;
  uint64_t transactions = 0;
  uint64_t bytes = 0;
  std::string incomplete_tail;  // "" when none
};

// `masterha_node save_binary_logs --command=save ...` with every word quoted. `start` holds the
// start options ("--start_gtid=..", "--binlog_prefix=.." or "--start_file=..", "--start_pos=..").
std::string save_command(const std::vector<std::string>& binlog_dirs,
                         const std::vector<std::string>& start, const std::string& output_file);

// The last line of stdout that parses as the helper's JSON object. kIo when there is none.
Result<SavedBinlog> parse_save_output(const std::string& out);

// Applies `binlog_file` through mysqlbinlog | mysql on the target host, against address:port
// with the option file, and prints "pipestatus=<a> <b>" last so that both stages are checked.
std::string apply_command(const std::string& binlog_file, const std::string& option_file,
                          const std::string& address, int port);

// Both stages of apply_command's pipeline exited 0 (read from its output).
bool apply_succeeded(const std::string& out);

// The binlog base name of a "mysql-bin.000042" file name ("mysql-bin"); "" when it has no
// numeric extension.
std::string binlog_prefix(const std::string& file);

}  // namespace mha::recovery::internal
