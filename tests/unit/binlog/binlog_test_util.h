#pragma once

// Helpers for the binlog tests: paths of the captured fixtures (tests/data/binlog, see its
// README.md), the event list mariadb-binlog printed for each fixture, and a builder for hand-made
// binlogs with correct sizes, end_log_pos and CRC32 checksums.

#include "mha/binlog/crc32.h"
#include "mha/binlog/event.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace mha::binlog::testing {

inline std::string fixture(const std::string& relative) {
  const char* dir = std::getenv("MHA_TESTDATA_DIR");
  return std::string(dir != nullptr ? dir : "tests/data") + "/binlog/" + relative;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// One event as mariadb-binlog printed it: "# at N" and the "#YYMMDD hh:mm:ss server id S
// end_log_pos E [CRC32 0x..] \t<description>" line.
struct PrintedEvent {
  uint64_t offset = 0;
  uint32_t server_id = 0;
  uint32_t end_log_pos = 0;
  std::string description;  // "GTID 0-1-7 trans", "Xid = 21", "Rotate to master-bin.000002  pos: 4"
};

// Parses an *.events.txt file. mariadb-binlog prints the "# at" lines of an Annotate_rows event
// and the event after it together, so offsets and header lines are paired in order.
inline std::vector<PrintedEvent> printed_events(const std::string& events_txt) {
  std::ifstream in(events_txt);
  EXPECT_TRUE(in.good()) << "cannot read " << events_txt;
  std::vector<uint64_t> offsets;
  std::vector<PrintedEvent> events;
  const std::regex at(R"(^# at (\d+)$)");
  const std::regex head(R"(^#\d{6} +\d+:\d\d:\d\d server id (\d+) +end_log_pos (\d+) .*?\t(.*)$)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, at)) {
      offsets.push_back(std::stoull(m[1]));
    } else if (std::regex_match(line, m, head)) {
      PrintedEvent e;
      e.server_id = static_cast<uint32_t>(std::stoul(m[1]));
      e.end_log_pos = static_cast<uint32_t>(std::stoul(m[2]));
      e.description = m[3];
      events.push_back(e);
    }
  }
  EXPECT_EQ(offsets.size(), events.size()) << events_txt;
  for (size_t i = 0; i < events.size() && i < offsets.size(); ++i) events[i].offset = offsets[i];
  return events;
}

// The decoded body of an event, or a failed expectation and an empty body (keeps the tests free
// of pointer dereferences the compiler cannot prove non-null).
template <typename T>
const T& body_of(const Event& e) {
  static const T kEmpty{};
  const T* p = e.as<T>();
  if (p == nullptr) {
    ADD_FAILURE() << "event at " << e.offset << " is " << event_type_name(e.header.type);
    return kEmpty;
  }
  return *p;
}

inline void put16(std::string& s, uint16_t v) {
  for (int i = 0; i < 2; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}
inline void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}
inline void put64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// Builds a binlog in memory. Every append() writes a complete event at the current offset with
// end_log_pos = offset + size unless told otherwise, and a CRC32 when the builder's current
// checksum setting (from the last Format_description) is on.
class BinlogBuilder {
 public:
  BinlogBuilder()
      : bytes_(
            "\xfe"
            "bin",
            4) {}

  uint64_t offset() const { return bytes_.size(); }
  const std::string& bytes() const { return bytes_; }

  // A MariaDB 10.11 Format_description. `crc32` sets the algorithm for the events after it.
  uint64_t fde(uint32_t server_id, bool crc32, uint32_t end_log_pos = kAuto, uint16_t flags = 0,
               uint16_t binlog_version = 4, uint8_t alg_override = 0xFF) {
    std::string body;
    put16(body, binlog_version);
    std::string version = "10.11.19-MariaDB-log";
    version.resize(50, '\0');
    body += version;
    put32(body, 1700000000);
    body += static_cast<char>(19);
    for (int t = 1; t <= 171; ++t) body += static_cast<char>(t == 2 ? 13 : (t == 4 ? 8 : 0));
    body += static_cast<char>(alg_override != 0xFF ? alg_override : (crc32 ? 1 : 0));
    crc32_ = crc32;
    // The FDE always carries a checksum slot; it holds a real CRC32 only when the alg is CRC32.
    return append_raw(event_type::kFormatDescription, server_id, body, end_log_pos, flags,
                      /*force_checksum=*/true, /*real_checksum=*/crc32);
  }

  uint64_t rotate(uint32_t server_id, const std::string& next, uint64_t pos, bool artificial,
                  uint32_t end_log_pos = kAuto) {
    std::string body;
    put64(body, pos);
    body += next;
    return append(event_type::kRotate, server_id, body, end_log_pos,
                  artificial ? kFlagArtificial : 0);
  }

  uint64_t gtid(uint32_t server_id, uint32_t domain, uint64_t seq, uint8_t flags,
                uint64_t commit_id = 0, uint32_t end_log_pos = kAuto) {
    std::string body;
    put64(body, seq);
    put32(body, domain);
    body += static_cast<char>(flags);
    if ((flags & gtid_flag::kGroupCommitId) != 0) {
      put64(body, commit_id);
    } else {
      body.append(6, '\0');
    }
    return append(event_type::kGtid, server_id, body, end_log_pos);
  }

  uint64_t gtid_list(uint32_t server_id, const std::vector<topology::MariadbGtid>& list,
                     uint32_t end_log_pos = kAuto) {
    std::string body;
    put32(body, static_cast<uint32_t>(list.size()));
    for (const auto& g : list) {
      put32(body, g.domain_id);
      put32(body, g.server_id);
      put64(body, g.seq_no);
    }
    return append(event_type::kGtidList, server_id, body, end_log_pos);
  }

  uint64_t query(uint32_t server_id, const std::string& sql, uint32_t end_log_pos = kAuto) {
    std::string body;
    put32(body, 7);                // thread id
    put32(body, 0);                // exec time
    body += static_cast<char>(2);  // db length
    put16(body, 0);                // error code
    put16(body, 3);                // status vars length
    body += std::string("\x00\x00\x00", 3);
    body += std::string("db\0", 3);
    body += sql;
    return append(event_type::kQuery, server_id, body, end_log_pos);
  }

  uint64_t xid(uint32_t server_id, uint64_t xid, uint32_t end_log_pos = kAuto) {
    std::string body;
    put64(body, xid);
    return append(event_type::kXid, server_id, body, end_log_pos);
  }

  uint64_t opaque(uint8_t type, uint32_t server_id, size_t body_size,
                  uint32_t end_log_pos = kAuto) {
    return append(type, server_id, std::string(body_size, 'r'), end_log_pos);
  }

  uint64_t append(uint8_t type, uint32_t server_id, const std::string& body,
                  uint32_t end_log_pos = kAuto, uint16_t flags = 0) {
    return append_raw(type, server_id, body, end_log_pos, flags, crc32_, crc32_);
  }

  static constexpr uint32_t kAuto = 0xFFFFFFFF;

 private:
  uint64_t append_raw(uint8_t type, uint32_t server_id, const std::string& body,
                      uint32_t end_log_pos, uint16_t flags, bool checksum_slot,
                      bool real_checksum) {
    const uint64_t at = bytes_.size();
    const uint32_t size =
        static_cast<uint32_t>(kCommonHeaderSize + body.size() + (checksum_slot ? 4 : 0));
    std::string ev;
    put32(ev, 1700000001);
    ev += static_cast<char>(type);
    put32(ev, server_id);
    put32(ev, size);
    put32(ev, end_log_pos == kAuto ? static_cast<uint32_t>(at + size) : end_log_pos);
    put16(ev, flags);
    ev += body;
    if (checksum_slot) {
      std::string for_crc = ev;
      if (type == event_type::kFormatDescription) for_crc[17] = static_cast<char>(for_crc[17] & ~1);
      put32(ev, real_checksum ? crc32_update(0, reinterpret_cast<const uint8_t*>(for_crc.data()),
                                             for_crc.size())
                              : 0);
    }
    bytes_ += ev;
    return at;
  }

  std::string bytes_;
  bool crc32_ = false;
};

}  // namespace mha::binlog::testing
