#pragma once

// apply_diff_relay_logs --command=find|generate, on the host of the replica that received the
// most ("latest"): find where, in its relay logs, the events another replica (the "target") lacks
// begin, and write them to ONE file that `mysqlbinlog FILE | mysql` applies on the target (mha.md
// §3.9; docs/node.md).
//
// The target is named by the master position it has received (Master_Log_File,
// Read_Master_Log_Pos, which must equal what it executed: the caller waits for its SQL thread
// first). binlog::find_relay_offset maps it to a relay-log (file, offset); the last occurrence
// wins when the latest replica re-fetched after a reconnect.
//
// The output is a binlog: the magic, the master's Format_description event (FDE) in force at the
// start (its "in use" flag cleared; the flag is not covered by its checksum), then the master's
// events from the start to the end of the last whole transaction, copied byte for byte (their
// CRC32s still verify), across relay-log rotations and master binlog rotations. Left out: the
// replica's own bookkeeping (its FDEs, Rotates to the next relay log, Stop), every later FDE,
// Rotate, Gtid_list and Binlog_checkpoint (no data; MariaDB >= 10.8's mysqlbinlog stops at a second
// Gtid_list in GTID strict mode, mha.md §9.2 point 3), transactions a reconnect interrupted, and an
// unfinished transaction at the end (the master died while sending it: nobody can apply it).
//
// Refused, with one line naming the file or position: a target position the relay logs do not
// hold (purged by relay_log_purge=1, or never received: kNotFound naming the range they hold), a
// position inside a transaction (kPrecondition: the target must be at a transaction boundary),
// master FDEs that disagree on the checksum algorithm (kPrecondition), unreadable or corrupt logs
// (kIo). The output is written beside `output_file`, read back and verified, fsync'ed and renamed
// into place: a failure leaves no partial output.

#include "mha/common/result.h"
#include "mha/node/text_output.h"
#include "mha/topology/binlog_position.h"
#include "mha/topology/mariadb_gtid.h"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mha::node {

struct RelayDiffRequest {
  std::string relay_dir;            // where the relay logs and their .index are
  std::string relay_log;            // a relay-log file name ("relay-bin.000007"): gives the prefix
  topology::BinlogPosition target;  // master position the target has received
  // Master position the latest replica has received (its Read_Master_Log_Pos): the diff must end
  // there unless the relay logs end inside a transaction (then at the last whole one).
  std::optional<topology::BinlogPosition> latest;
  std::string output_file;  // generate only
};

struct RelayDiffSummary {
  std::string command;    // "find" | "generate"
  bool has_diff = false;  // false: the target has every whole transaction (exit 10)
  bool written = false;   // generate: the output file was written
  std::string output_file;
  std::string checksum;                  // "crc32" or "none"
  std::vector<std::string> relay_files;  // base names, oldest first
  topology::BinlogPosition target;       // as requested
  std::string start_file;                // relay log and offset where the diff starts
  uint64_t start_pos = 0;
  std::optional<topology::BinlogPosition> end;  // master position after the last whole transaction
  std::optional<topology::MariadbGtid> first_gtid;
  std::optional<topology::MariadbGtid> last_gtid;
  uint64_t transactions = 0;
  uint64_t events = 0;  // events copied after the FDE
  uint64_t bytes = 0;   // output file size
  uint64_t skipped_incomplete = 0;
  std::optional<std::string> incomplete_tail;  // "relay-file:offset" of an unfinished tail
  std::string format = "raw";                  // "raw" | "text" (set by the caller)
  // Where each relay log's events begin in the raw output (for the text conversion).
  std::vector<SourceSection> sections;
};

// The relay logs of `relay_dir` with the prefix of `relay_log`, oldest first (through
// <prefix>.index when present, else by numbered names). kConfig for an unusable name, kNotFound
// when there is none.
Result<std::vector<std::string>> locate_relay_logs(const std::string& relay_dir,
                                                   const std::string& relay_log);

// --command=find: maps the target position and counts the whole transactions after it.
Result<RelayDiffSummary> find_relay_diff(const RelayDiffRequest& request, std::ostream& log);

// --command=generate: as find, then writes the diff to request.output_file (nothing is written
// when there is no whole transaction after the target position).
Result<RelayDiffSummary> generate_relay_diff(const RelayDiffRequest& request, std::ostream& log);

// The summary as one JSON object on one line (no newline).
std::string relay_diff_json(const RelayDiffSummary& summary);

}  // namespace mha::node
