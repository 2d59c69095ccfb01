#pragma once

// save_binary_logs, raw mode: copy a server's binlog events from a (file, position) or from just
// after a MariaDB GTID to the end of its newest binlog into ONE file that `mysqlbinlog FILE |
// mysql` applies (mha.md §1.2, §3.5; docs/node.md).
//
// The output is a binlog: the magic, the Format_description event (FDE) of the first file read
// (its "in use" flag cleared: the output is a closed file; the flag is not covered by the FDE's
// checksum, so the checksum stays valid), then the events after the start, copied byte for byte so
// their own CRC32s still verify. What is left out, and why:
//   - every later FDE, Gtid_list and Binlog_checkpoint event: they carry no data, and mysqlbinlog
//     (MariaDB >= 10.8, gtid strict mode on by default) stops half way with exit 1 when it meets
//     a second file's Gtid_list in a concatenated file (mha.md §9.2 point 3);
//   - an incomplete transaction at the end of the newest file (crash in the middle of a write, or
//     a transaction without its commit event): the output ends at the last whole transaction;
//   - an incomplete transaction interrupted by a later one (a crash, then a restart that opened a
//     new binlog): the server did not commit it either.
// The start may be inside a transaction (a replica's Read_Master_Log_Pos when the master died in
// the middle of sending one); its remaining events are copied so that the caller can join them to
// the replica's own relay-log tail, as MHA does.
//
// Refused, with one line naming the file: files whose FDEs disagree on the checksum algorithm or
// on the event header layout (the single FDE at the top must describe every copied event), a
// start position that is not an event boundary, a position beyond the end of its file, a file
// that is not a plain binlog (relay logs are refused: their positions are the master's), a gap in
// the file sequence (a Rotate naming a file that is not the next one found).
//
// Files are found in the first of `binlog_dirs` that holds the start file (or, with only a
// prefix, a file of that prefix), through `<prefix>.index` when it exists and lists the start
// file, otherwise by the numerically sorted names `<prefix>.<digits>` in that directory.
//
// The output is written to a temporary file beside `output_file`, read back (every event parsed
// and, with CRC32, verified), fsync'ed and renamed over `output_file`: a failure leaves no partial
// output behind. The output's parent directory is created when missing (as MHA does).

#include "mha/common/result.h"
#include "mha/node/text_output.h"
#include "mha/topology/mariadb_gtid.h"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mha::node {

struct SaveBinlogRequest {
  std::vector<std::string> binlog_dirs;
  std::string start_file;                           // a file name, no directory
  std::optional<uint64_t> start_pos;                // with start_file
  std::optional<topology::MariadbGtid> start_gtid;  // exclusive: save what follows it
  std::string binlog_prefix;  // with start_gtid and no start_file: search all files
  std::string output_file;
};

// The binlog files to read, oldest first (full paths), and the directory they are in.
struct BinlogFiles {
  std::string dir;
  std::vector<std::string> paths;
};

// Finds the start file (or the prefix's files) in `dirs`. kNotFound when no directory holds it;
// kConfig when the name is unusable (a '/' in it, no ".<digits>" suffix).
Result<BinlogFiles> locate_binlogs(const std::vector<std::string>& dirs,
                                   const std::string& start_file, const std::string& prefix);

struct SaveBinlogSummary {
  bool saved = false;  // false: nothing after the start (exit 10); no output file was written
  std::string output_file;
  std::string checksum;            // "crc32" or "none"
  std::vector<std::string> files;  // base names of the files read, oldest first
  std::string start_file;          // where copying started (after the prelude)
  uint64_t start_pos = 0;
  std::string end_file;  // just after the last copied event
  uint64_t end_pos = 0;
  std::optional<topology::MariadbGtid> start_gtid;  // as requested
  std::optional<topology::MariadbGtid> first_gtid;  // of the first whole transaction saved
  std::optional<topology::MariadbGtid> last_gtid;
  uint64_t transactions = 0;               // whole transactions saved
  bool starts_inside_transaction = false;  // the first events finish a transaction begun earlier
  uint64_t events = 0;                     // events copied after the FDE
  uint64_t bytes = 0;                      // size of the output file
  uint64_t skipped_incomplete = 0;         // interrupted transactions left out (before the tail)
  std::optional<std::string> incomplete_tail;  // "file:pos" where an unfinished tail was cut off
  // Relay logs only: the output ends inside a transaction that the next file of an apply (the
  // diff, the saved master binlog) completes; kept, not cut (see save_relay_logs).
  bool ends_inside_transaction = false;
  std::string format = "raw";  // "raw" | "text" (set by the caller that converts it)
  // Where each source file's events begin in the raw output (for the text conversion).
  std::vector<SourceSection> sections;
};

// Saves the events. Human-readable progress goes to `log` (MHA's wording where it has one).
// Errors: kNotFound (file or GTID not in the logs), kIo (unreadable or malformed logs, output not
// writable), kPrecondition (checksum or header layout mismatch, start not on an event boundary).
Result<SaveBinlogSummary> save_binlogs(const SaveBinlogRequest& request, std::ostream& log);

// The summary as one JSON object on one line (no newline): what the manager logs and checks.
std::string summary_json(const SaveBinlogSummary& summary);

// save_binary_logs --relay_log_info: a replica's OWN relay logs from a relay-log (file, offset),
// normally its Relay_Log_File:Relay_Log_Pos, to their end: the exec->read tail MHA applies before
// the diff and the saved master binlog (mha.md §3.9). The output is a binlog as above: the
// master's Format_description in force at the first copied event, then the master's events
// byte for byte; the replica's own bookkeeping (its Format_descriptions, fake and real Rotates,
// Stop) and every Gtid_list / Binlog_checkpoint are left out, and so are transactions a
// reconnect interrupted (the IO thread fetched them again). Unlike a binlog save, an unfinished
// transaction at the very end is KEPT (ends_inside_transaction): the master died while sending
// it and the rest is in its saved binlog, which an apply joins to it as one stream; alone it
// cannot be applied (the apply refuses a stream that ends inside a transaction). Only a partly
// written last event is cut (incomplete_tail). Refused like a binlog save: a start that is not an
// event boundary or is beyond the start file's end, master Format_descriptions that disagree on
// the checksum or header layout, unreadable or corrupt logs.
struct SaveRelayRequest {
  std::string relay_dir;   // where the relay logs and their .index are
  std::string start_file;  // relay-log file name, no directory
  uint64_t start_pos = 0;
  std::string output_file;
};
Result<SaveBinlogSummary> save_relay_logs(const SaveRelayRequest& request, std::ostream& log);

struct TestBinlogSummary {
  std::string dir;
  std::vector<std::string> files;  // base names, oldest first
};

// --command=test: the files exist and each starts with the magic and a readable FDE; the output's
// directory exists and is writable, or can be created.
Result<TestBinlogSummary> test_binlogs(const SaveBinlogRequest& request);

}  // namespace mha::node
