#pragma once

// Reading a sequence of binlog or relay-log files (oldest first, as listed in their .index file)
// as one stream of events, transactions, and the two position mappings failover recovery needs
// (MHA §3.9): master (file, position) -> relay-log (file, offset), and GTID -> (file, offset).
//
// Relay logs. A MariaDB relay log file holds, in order: the replica's own Format_description
// (server_id = the replica), possibly a fake Rotate naming the master binlog and position that
// follow (artificial flag, end_log_pos 0), the master's Format_description (end_log_pos 0 when it
// is a copy the replica re-wrote at a relay-log rotation), the master's events, and at the end the
// replica's own Rotate to the next relay log (or its Stop). Every master event's end_log_pos is a
// position in the MASTER's binlog; a relay log that does not start with a fake Rotate continues
// the master binlog of the file before it, so files must be given complete and in order.
// A master Rotate (not artificial, end_log_pos != 0) ends one master binlog; its target starts
// the next.
//
// Transactions. A transaction starts at a MariaDB GTID event (or, without GTIDs, at a "BEGIN"
// query) and ends with Xid, a COMMIT/ROLLBACK query or XA_prepare; a standalone GTID (DDL) ends
// with the next event that is not Annotate_rows. A GTID, a fake Rotate or a fresh master
// Format_description before the end interrupts it (the IO thread reconnected and the master
// re-sent); so does a file boundary in a plain binlog, or the end of the data. Interrupted
// transactions are reported with complete = false. In relay logs a transaction may span files.
//
// Everything here is pure file reading; errors as EventReader's (kIo, naming file and offset),
// plus kNotFound from the find_* functions.

#include "mha/binlog/event.h"
#include "mha/binlog/event_reader.h"
#include "mha/common/result.h"
#include "mha/topology/binlog_position.h"
#include "mha/topology/mariadb_gtid.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mha::binlog {

enum class LogKind {
  kBinlog,    // a server's own binary logs: end_log_pos == offset + size in the same file
  kRelayLog,  // a replica's relay logs: end_log_pos are the master's positions
};

struct SequenceOptions {
  // A last file that ends inside an event (a binlog still being written, or cut by a crash) ends
  // the sequence cleanly at its last complete event instead of failing; truncated_tail() says
  // where. Truncation in an earlier file, and checksum errors anywhere, still fail.
  bool allow_truncated_tail = false;
};

// A place in one of the files: the path as given, and a byte offset in it.
struct LogOffset {
  std::string file;
  uint64_t offset = 0;
  friend bool operator==(const LogOffset&, const LogOffset&) = default;
};

struct SequencedEvent {
  Event event;
  std::string file;  // path as given
  size_t file_index = 0;
  // Relay-log bookkeeping written by the replica itself: its own Format_description, its Rotate
  // to the next relay log, its Stop. Always false for binlogs.
  bool relay_local = false;
  // Binlog position after this event in the binlog it came from (for relay logs: the master's
  // file and end_log_pos). nullopt when the event carries none (end_log_pos 0, bookkeeping) or
  // when the master file is not known yet.
  std::optional<topology::BinlogPosition> source_end;
  // For a Rotate from the master (real or fake): where the master continues, (next_file,
  // position). Reading from this event's end continues at that master position.
  std::optional<topology::BinlogPosition> source_next;
};

class LogSequenceReader {
 public:
  LogSequenceReader(std::vector<std::string> files, LogKind kind, SequenceOptions options = {});

  // The next event of the sequence, nullopt after the last event of the last file.
  Result<std::optional<SequencedEvent>> next();

  // Set when allow_truncated_tail ended the sequence early: where the partial event starts.
  const std::optional<LogOffset>& truncated_tail() const { return truncated_tail_; }
  const std::vector<std::string>& files() const { return files_; }
  LogKind kind() const { return kind_; }

 private:
  Status open_next_file();

  std::vector<std::string> files_;
  LogKind kind_;
  SequenceOptions options_;
  size_t index_ = 0;  // file being read is files_[index_ - 1]
  std::optional<EventReader> reader_;
  bool first_in_file_ = true;
  uint32_t own_server_id_ = 0;              // relay: server_id of the file's own Format_description
  std::optional<std::string> source_file_;  // relay: master binlog the next events belong to
  std::optional<LogOffset> truncated_tail_;
  bool done_ = false;
};

struct Transaction {
  std::optional<topology::MariadbGtid> gtid;  // nullopt for a BEGIN-started (GTID-less) one
  uint8_t gtid_flags = 0;
  LogOffset start;  // the GTID (or BEGIN) event
  LogOffset end;    // just past the last event that belongs to it
  // Master binlog position after its last event (relay logs), own position (binlogs).
  std::optional<topology::BinlogPosition> source_end;
  bool complete = false;
  uint64_t events = 0;  // events that belong to it, bookkeeping excluded
};

class TransactionReader {
 public:
  TransactionReader(std::vector<std::string> files, LogKind kind, SequenceOptions options = {});

  // The next transaction, complete or interrupted; nullopt at the end of the sequence (an open
  // transaction at the end is returned first, with complete = false).
  Result<std::optional<Transaction>> next();

  const LogSequenceReader& events() const { return events_; }

 private:
  LogSequenceReader events_;
  std::optional<Transaction> open_;
  std::optional<SequencedEvent> pending_;  // an event that interrupted open_, to start the next
  size_t open_file_index_ = 0;
  bool eof_ = false;
};

struct MappedOffset {
  LogOffset at;  // start reading here to get every master event after the given position
  // Master events (with a position) after `at` in the files given: 0 means the replica's relay
  // logs end exactly at the given position.
  uint64_t source_events_after = 0;
};

// MHA's position mapping: the relay-log place that corresponds to the master position
// (master_file, master_pos), i.e. just after the last event whose master end position is exactly
// that (or after the Rotate that starts master_file at master_pos). When the same position occurs
// twice (the IO thread reconnected and re-fetched a transaction), the LAST occurrence wins, so
// the re-fetched copy is not applied twice. kNotFound when no event ends there (not an event
// boundary, or outside what the relay logs hold); the message names the range they do hold.
Result<MappedOffset> find_relay_offset(const std::vector<std::string>& relay_files,
                                       const std::string& master_file, uint64_t master_pos,
                                       SequenceOptions options = {});

// The place just after the last COMPLETE transaction with exactly this GTID (domain, server_id,
// seq_no). kNotFound when there is none, saying so if only an interrupted copy exists.
Result<LogOffset> find_gtid_offset(const std::vector<std::string>& files, LogKind kind,
                                   const topology::MariadbGtid& gtid, SequenceOptions options = {});

// Reads a binlog/relay-log .index file (one path per line, "./relay-bin.000001" style) and returns
// the files as paths in the index file's own directory: the server writes entries relative to its
// datadir or absolute, and the logs normally sit beside their index, so only each entry's base
// name is kept (as MHA does with --relay_dir). Empty lines are skipped. kIo when unreadable.
Result<std::vector<std::string>> read_index_file(const std::string& index_path);

}  // namespace mha::binlog
