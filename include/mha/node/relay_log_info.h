#pragma once

// apply_diff_relay_logs --relay_log_info=FILE (MHA's way for a FILE relay-log repository): the
// replica's relay-log.info names the relay log its SQL thread is in. Both layouts are read: the
// newer one starts with the number of lines (MySQL 5.6+, MariaDB), the older one with the relay
// log name. A relative name ("./relay-bin.000007") is relative to `datadir` (MHA's --relay_dir in
// this mode), which defaults to the file's own directory. Nothing but reading; refused with one
// line naming the file: unreadable, empty, or no relay-log name where one must be.

#include "mha/common/result.h"

#include <string>

namespace mha::node {

struct RelayLogLocation {
  std::string relay_dir;  // directory of the relay logs and their .index
  std::string relay_log;  // base name, e.g. "relay-bin.000007"
};

// Parses relay-log.info text; `source` names the file in errors.
Result<RelayLogLocation> parse_relay_log_info(const std::string& text, const std::string& source,
                                              const std::string& datadir);

// Reads and parses `path`; `datadir` "" means the file's directory.
Result<RelayLogLocation> read_relay_log_info(const std::string& path, const std::string& datadir);

}  // namespace mha::node
