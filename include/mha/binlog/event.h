#pragma once

// Binary-log events as the reader returns them: the v4 common header, the file offset and size of
// every event, and decoded bodies for the few event types failover needs (format description,
// rotate, MariaDB GTID / Gtid_list / Binlog_checkpoint, Xid, the transaction-boundary queries,
// stop). Every other event is kept as an opaque header. Pure value types.
//
// On-disk format facts used here (MariaDB 10.x / MySQL 5.6+, binlog version 4): a file starts with
// the magic "\xfebin" and a Format_description event at offset 4; every event begins with a
// 19-byte little-endian header (timestamp 4, type 1, server_id 4, event_size 4, end_log_pos 4,
// flags 2); when the governing Format_description says CRC32, each event ends with a 4-byte CRC32
// of everything before it.

#include "mha/topology/mariadb_gtid.h"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace mha::binlog {

// The 4 bytes every binlog and relay log starts with.
inline constexpr char kBinlogMagic[] =
    "\xfe"
    "bin";
inline constexpr uint64_t kMagicSize = 4;
inline constexpr uint32_t kCommonHeaderSize = 19;
inline constexpr uint32_t kChecksumSize = 4;

// Event type codes (the byte at header offset 4). Only the ones this module names; any other value
// is valid and read as an opaque event.
namespace event_type {
inline constexpr uint8_t kQuery = 2;
inline constexpr uint8_t kStop = 3;
inline constexpr uint8_t kRotate = 4;
inline constexpr uint8_t kFormatDescription = 15;
inline constexpr uint8_t kXid = 16;
inline constexpr uint8_t kTableMap = 19;
inline constexpr uint8_t kXaPrepare = 38;
inline constexpr uint8_t kAnnotateRows = 160;      // MariaDB
inline constexpr uint8_t kBinlogCheckpoint = 161;  // MariaDB
inline constexpr uint8_t kGtid = 162;              // MariaDB
inline constexpr uint8_t kGtidList = 163;          // MariaDB
inline constexpr uint8_t kStartEncryption = 164;   // MariaDB; refused (encrypted binlog)
inline constexpr uint8_t kQueryCompressed = 165;   // MariaDB
}  // namespace event_type

// Human-readable name of a type code ("Query", "Gtid", "Write_rows_v1", ...; "Unknown(200)").
std::string event_type_name(uint8_t type);

// Header flags.
inline constexpr uint16_t kFlagBinlogInUse = 0x0001;  // FDE of a file still open (or crashed)
inline constexpr uint16_t kFlagArtificial = 0x0020;   // event made up by a server (fake rotate)

enum class ChecksumAlg : uint8_t { kOff = 0, kCrc32 = 1 };

struct EventHeader {
  uint32_t timestamp = 0;
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;   // header + body (+ checksum)
  uint32_t end_log_pos = 0;  // in a relay log: the position in the MASTER's binlog
  uint16_t flags = 0;
};

struct FormatDescription {
  uint16_t binlog_version = 0;  // always 4 (older versions are refused)
  std::string server_version;   // "10.11.19-MariaDB-0+deb12u1-log"
  uint32_t create_timestamp = 0;
  uint8_t header_length = 0;  // common header length for the events it governs (>= 19)
  std::vector<uint8_t> post_header_lengths;
  ChecksumAlg checksum = ChecksumAlg::kOff;  // governs the events after it
};

struct Rotate {
  std::string next_file;    // "master-bin.000002" (no directory)
  uint64_t position = 0;    // where reading continues in next_file (4 = its start)
  bool artificial = false;  // kFlagArtificial: a "fake" rotate a server made up, not in any binlog
};

// MariaDB GTID event flags (byte after the domain id).
namespace gtid_flag {
inline constexpr uint8_t kStandalone = 0x01;     // one statement, no terminating XID/COMMIT
inline constexpr uint8_t kGroupCommitId = 0x02;  // an 8-byte commit id follows
inline constexpr uint8_t kTransactional = 0x04;
inline constexpr uint8_t kAllowParallel = 0x08;
inline constexpr uint8_t kWaited = 0x10;
inline constexpr uint8_t kDdl = 0x20;
inline constexpr uint8_t kPreparedXa = 0x40;
inline constexpr uint8_t kCompletedXa = 0x80;
}  // namespace gtid_flag

struct GtidEvent {
  topology::MariadbGtid gtid;  // server_id comes from the event header
  uint8_t flags = 0;
  uint64_t commit_id = 0;  // group commit id, 0 unless kGroupCommitId
  bool standalone() const { return (flags & gtid_flag::kStandalone) != 0; }
  bool has_commit_id() const { return (flags & gtid_flag::kGroupCommitId) != 0; }
};

struct GtidList {
  std::vector<topology::MariadbGtid> gtids;  // in file order
  uint8_t flags = 0;                         // the top 4 bits of the count word
};

struct BinlogCheckpoint {
  std::string file;  // oldest binlog still needed for crash recovery
};

struct Xid {
  uint64_t xid = 0;
};

// Only what marks a transaction boundary is kept: the statement text itself is not (it can hold
// anything, passwords included, and may be megabytes long).
enum class QueryKind { kBegin, kCommit, kRollback, kXaCommitOrRollback, kOther };

struct Query {
  QueryKind kind = QueryKind::kOther;
  uint16_t error_code = 0;
};

struct Stop {};

// An event of any other type (rows, table map, annotate, user var, ...): header, offset, size only.
struct Opaque {};

using EventBody = std::variant<Opaque, FormatDescription, Rotate, GtidEvent, GtidList,
                               BinlogCheckpoint, Xid, Query, Stop>;

struct Event {
  uint64_t offset = 0;  // file offset of the first header byte
  EventHeader header;
  EventBody body;

  uint64_t size() const { return header.event_size; }
  uint64_t end_offset() const { return offset + header.event_size; }
  template <typename T>
  const T* as() const {
    return std::get_if<T>(&body);
  }
};

}  // namespace mha::binlog
