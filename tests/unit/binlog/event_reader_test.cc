#include "mha/binlog/event_reader.h"

#include "mha/binlog/crc32.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "unit/binlog/binlog_test_util.h"

namespace mha::binlog {
namespace {

using testing::BinlogBuilder;
using testing::body_of;
using testing::fixture;
using testing::printed_events;
using testing::read_bytes;

// Reads every event; on error returns the events read so far and sets *error.
std::vector<Event> read_all(EventReader& reader, std::optional<Error>* error = nullptr) {
  std::vector<Event> out;
  while (true) {
    Result<std::optional<Event>> ev = reader.next();
    if (!ev) {
      if (error != nullptr) *error = ev.error();
      return out;
    }
    if (!*ev) return out;
    out.push_back(**ev);
  }
}

std::vector<Event> read_file_ok(const std::string& path) {
  Result<EventReader> reader = EventReader::open_file(path);
  EXPECT_TRUE(reader) << reader.error().message;
  if (!reader) return {};
  std::optional<Error> error;
  std::vector<Event> events = read_all(*reader, &error);
  EXPECT_FALSE(error) << error->message;
  return events;
}

std::vector<Event> read_buffer(const std::string& bytes, std::optional<Error>* error) {
  Result<EventReader> reader = EventReader::from_buffer("buf.000001", bytes);
  if (!reader) {
    *error = reader.error();
    return {};
  }
  return read_all(*reader, error);
}

TEST(Crc32, KnownValues) {
  const std::string check = "123456789";
  const auto* p = reinterpret_cast<const uint8_t*>(check.data());
  EXPECT_EQ(crc32_update(0, p, check.size()), 0xCBF43926U);
  EXPECT_EQ(crc32_update(crc32_update(0, p, 4), p + 4, 5), 0xCBF43926U);
  EXPECT_EQ(crc32_update(0, p, 0), 0U);
}

// The decoded header of every event equals what mariadb-binlog printed for the same file.
void expect_matches_mariadb_binlog(const std::string& name) {
  SCOPED_TRACE(name);
  std::vector<Event> events = read_file_ok(fixture(name));
  std::vector<testing::PrintedEvent> printed = printed_events(fixture(name + ".events.txt"));
  ASSERT_EQ(events.size(), printed.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    const testing::PrintedEvent& p = printed[i];
    SCOPED_TRACE("event " + std::to_string(i) + " at " + std::to_string(p.offset) + ": " +
                 p.description);
    EXPECT_EQ(e.offset, p.offset);
    EXPECT_EQ(e.header.server_id, p.server_id);
    EXPECT_EQ(e.header.end_log_pos, p.end_log_pos);
    if (i + 1 < events.size()) {
      EXPECT_EQ(e.end_offset(), printed[i + 1].offset);
    }
    const std::string& d = p.description;
    if (d.starts_with("Start: binlog v 4")) {
      ASSERT_NE(e.as<FormatDescription>(), nullptr);
      EXPECT_NE(d.find(body_of<FormatDescription>(e).server_version), std::string::npos);
    } else if (d.starts_with("GTID ")) {
      ASSERT_NE(e.as<GtidEvent>(), nullptr);
      const GtidEvent& g = body_of<GtidEvent>(e);
      EXPECT_TRUE(d.starts_with("GTID " + g.gtid.to_string()));
      EXPECT_EQ(d.ends_with(" ddl"), (g.flags & gtid_flag::kDdl) != 0);
      EXPECT_EQ(d.ends_with(" trans"), (g.flags & gtid_flag::kTransactional) != 0);
      EXPECT_EQ(d.ends_with(" ddl"), g.standalone());
    } else if (d.starts_with("Gtid list [")) {
      ASSERT_NE(e.as<GtidList>(), nullptr);
      const auto& list = body_of<GtidList>(e).gtids;
      if (d == "Gtid list []") {
        EXPECT_TRUE(list.empty());
      }
      // mariadb-binlog prints the list sorted by domain (and on several lines); the event holds
      // it in the server's hash order.
      bool printed_first_is_listed = list.empty();
      for (const auto& g : list) {
        if (d == "Gtid list [" + g.to_string() + "]" || d == "Gtid list [" + g.to_string() + ",") {
          printed_first_is_listed = true;
        }
      }
      EXPECT_TRUE(printed_first_is_listed);
    } else if (d.starts_with("Binlog checkpoint ")) {
      ASSERT_NE(e.as<BinlogCheckpoint>(), nullptr);
      EXPECT_EQ("Binlog checkpoint " + body_of<BinlogCheckpoint>(e).file, d);
    } else if (d.starts_with("Rotate to ")) {
      ASSERT_NE(e.as<Rotate>(), nullptr);
      const Rotate& r = body_of<Rotate>(e);
      EXPECT_EQ(d, "Rotate to " + r.next_file + "  pos: " + std::to_string(r.position));
      // In these files exactly the fake rotates carry end_log_pos 0 (their timestamps vary).
      EXPECT_EQ(r.artificial, e.header.end_log_pos == 0);
    } else if (d.starts_with("Xid = ")) {
      ASSERT_NE(e.as<Xid>(), nullptr);
      EXPECT_EQ(d, "Xid = " + std::to_string(body_of<Xid>(e).xid));
    } else if (d.starts_with("Query")) {
      ASSERT_NE(e.as<Query>(), nullptr);
    } else if (d == "Stop") {
      EXPECT_NE(e.as<Stop>(), nullptr);
    } else {
      // Opaque: the type name must agree ("Table_map:", "Write_rows:", "Annotate_rows:" ...).
      std::string word = d.substr(0, d.find(':'));
      EXPECT_TRUE(event_type_name(e.header.type).starts_with(word))
          << event_type_name(e.header.type);
    }
  }
}

TEST(EventReaderFixtures, EveryFileMatchesMariadbBinlog) {
  for (const char* name :
       {"crc32/master-bin.000001", "crc32/master-bin.000002", "crc32/master-bin.000003",
        "crc32/relay-bin.000001", "crc32/relay-bin.000002", "crc32/relay-bin.000003",
        "crc32/relay-bin.000004", "crc32/relay-bin.000005", "crc32/relay-bin.000006",
        "crc32/relay-bin.000007", "none/nocrc-bin.000001", "none/nocrc-bin.000002",
        "mixed/master-bin.000001", "mixed/master-bin.000002", "mixed/relay-bin.000001",
        "mixed/relay-bin.000002", "mixed/relay-bin.000003", "mixed/relay-bin.000004"}) {
    expect_matches_mariadb_binlog(name);
  }
}

TEST(EventReaderFixtures, FormatDescriptionAndKnownEvents) {
  std::vector<Event> events = read_file_ok(fixture("crc32/master-bin.000001"));
  ASSERT_GE(events.size(), 4u);
  const FormatDescription* fde = events[0].as<FormatDescription>();
  ASSERT_NE(fde, nullptr);
  EXPECT_EQ(fde->binlog_version, 4);
  EXPECT_EQ(fde->server_version, "10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_EQ(fde->header_length, 19);
  EXPECT_EQ(fde->checksum, ChecksumAlg::kCrc32);
  EXPECT_EQ(events[0].offset, 4u);
  EXPECT_EQ(events[0].size(), 252u);

  // README: 0-1-9 is statement format (GTID, INSERT query, Xid); 0-1-10 a MyISAM row ending with
  // a COMMIT query; 0-1-11 the ~100 KB row.
  auto at = [&](uint64_t offset) -> const Event& {
    for (const Event& e : events) {
      if (e.offset == offset) return e;
    }
    ADD_FAILURE() << "no event at " << offset;
    return events[0];
  };
  EXPECT_EQ(body_of<Query>(at(2312)).kind, QueryKind::kOther);
  EXPECT_EQ(body_of<Query>(at(2636)).kind, QueryKind::kCommit);
  EXPECT_EQ(at(2866).size(), 100042u);
  EXPECT_EQ(at(2866).header.type, 23);  // Write_rows_v1, opaque
  const GtidEvent* g = at(2705).as<GtidEvent>();
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->gtid.to_string(), "0-1-11");
  EXPECT_FALSE(g->standalone());
  EXPECT_FALSE(g->has_commit_id());
  const Rotate* r = events.back().as<Rotate>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->next_file, "master-bin.000002");
  EXPECT_EQ(r->position, 4u);
  EXPECT_FALSE(r->artificial);

  std::vector<Event> third = read_file_ok(fixture("crc32/master-bin.000003"));
  ASSERT_GE(third.size(), 2u);
  const GtidList* list = third[1].as<GtidList>();
  ASSERT_NE(list, nullptr);
  ASSERT_EQ(list->gtids.size(), 2u);
  EXPECT_EQ(list->gtids[0].to_string(), "1-1-1");  // file order, as the server wrote it
  EXPECT_EQ(list->gtids[1].to_string(), "0-1-11");

  std::vector<Event> none = read_file_ok(fixture("none/nocrc-bin.000001"));
  ASSERT_FALSE(none.empty());
  EXPECT_EQ(body_of<FormatDescription>(none[0]).checksum, ChecksumAlg::kOff);
}

TEST(EventReaderFixtures, RelayLogFakeRotateAndMasterFormat) {
  std::vector<Event> events = read_file_ok(fixture("crc32/relay-bin.000002"));
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0].header.server_id, 2u);  // the replica's own FDE
  const Rotate* fake = events[1].as<Rotate>();
  ASSERT_NE(fake, nullptr);
  EXPECT_TRUE(fake->artificial);
  EXPECT_EQ(fake->next_file, "master-bin.000001");
  EXPECT_EQ(events[1].header.end_log_pos, 0u);
  ASSERT_NE(events[2].as<FormatDescription>(), nullptr);  // the master's FDE
  EXPECT_EQ(events[2].header.server_id, 1u);
  EXPECT_EQ(body_of<FormatDescription>(events[2]).server_version, "10.11.19-MariaDB-0+deb12u1-log");
}

TEST(EventReader, OpenMissingFileNamesItWithErrno) {
  Result<EventReader> r = EventReader::open_file("/nonexistent/dir/master-bin.000001");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_EQ(r.error().detail, ENOENT);
  EXPECT_NE(r.error().message.find("/nonexistent/dir/master-bin.000001"), std::string::npos);
}

// Every prefix of a real file either ends at an event boundary (clean end, the events that fit)
// or fails as truncated at the offset where the partial event starts. Never anything else.
void check_every_prefix(const std::string& name) {
  SCOPED_TRACE(name);
  const std::string bytes = read_bytes(fixture(name));
  std::optional<Error> none;
  std::vector<Event> all = read_buffer(bytes, &none);
  ASSERT_FALSE(none);
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::optional<Error> error;
    std::vector<Event> got = read_buffer(bytes.substr(0, len), &error);
    size_t fit = 0;
    while (fit < all.size() && all[fit].end_offset() <= len) ++fit;
    ASSERT_EQ(got.size(), fit) << "prefix " << len;
    const bool boundary = len == 4 || (fit > 0 && all[fit - 1].end_offset() == len);
    if (boundary) {
      EXPECT_FALSE(error) << "prefix " << len << ": " << error->message;
    } else {
      ASSERT_TRUE(error) << "prefix " << len;
      EXPECT_EQ(error->code, ErrorCode::kIo);
      EXPECT_EQ(error->detail, kDetailTruncated) << error->message;
      const uint64_t at = len < 4 ? 0 : (fit == 0 ? 4 : all[fit - 1].end_offset());
      EXPECT_NE(error->message.find("buf.000001: "), std::string::npos) << error->message;
      EXPECT_TRUE(error->message.ends_with("at offset " + std::to_string(at))) << error->message;
    }
  }
}

TEST(EventReaderCorruption, EveryTruncationIsReportedWithItsOffset) {
  check_every_prefix("crc32/master-bin.000003");
  check_every_prefix("crc32/relay-bin.000005");
  check_every_prefix("none/nocrc-bin.000002");
}

// With CRC32 on, flipping any single byte of the file is detected (as a checksum error, or as
// an impossible size or structure), and never crashes.
TEST(EventReaderCorruption, EveryFlippedByteOfAChecksummedFileIsDetected) {
  for (const char* name : {"crc32/master-bin.000003", "crc32/relay-bin.000007"}) {
    SCOPED_TRACE(name);
    const std::string bytes = read_bytes(fixture(name));
    for (size_t i = 0; i < bytes.size(); ++i) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ 0x5A);
      std::optional<Error> error;
      read_buffer(bad, &error);
      ASSERT_TRUE(error) << "flip at " << i << " not detected";
      EXPECT_EQ(error->code, ErrorCode::kIo);
      EXPECT_TRUE(error->detail == kDetailChecksum || error->detail == kDetailMalformed ||
                  error->detail == kDetailTruncated || error->detail == kDetailUnsupported)
          << error->message;
    }
  }
}

// Without checksums flips may go unnoticed, but reading must stay defined (run under ASan).
TEST(EventReaderCorruption, FlippedBytesWithoutChecksumNeverCrash) {
  const std::string bytes = read_bytes(fixture("none/nocrc-bin.000002"));
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      std::optional<Error> error;
      std::vector<Event> got = read_buffer(bad, &error);
      for (const Event& e : got) EXPECT_LE(e.end_offset(), bad.size());
    }
  }
}

TEST(EventReader, ChecksumMismatchNamesFileEventAndOffset) {
  std::string bytes = read_bytes(fixture("crc32/master-bin.000002"));
  bytes[343 + 25] = static_cast<char>(bytes[343 + 25] ^ 1);  // inside GTID 1-1-1
  std::optional<Error> error;
  std::vector<Event> got = read_buffer(bytes, &error);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->detail, kDetailChecksum);
  EXPECT_EQ(got.size(), 3u);
  EXPECT_NE(error->message.find("buf.000001: CRC32 mismatch in Gtid event"), std::string::npos)
      << error->message;
  EXPECT_TRUE(error->message.ends_with("at offset 343")) << error->message;
}

TEST(EventReader, FormatDescriptionChecksumIgnoresTheInUseFlag) {
  // A binlog still open (or left by a crash) has the in-use flag set in its FDE; the checksum
  // was computed with it clear.
  std::string bytes = read_bytes(fixture("crc32/master-bin.000003"));
  bytes[4 + 17] = static_cast<char>(bytes[4 + 17] | kFlagBinlogInUse);
  std::optional<Error> error;
  std::vector<Event> got = read_buffer(bytes, &error);
  EXPECT_FALSE(error) << error->message;
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0].header.flags & kFlagBinlogInUse, kFlagBinlogInUse);
}

TEST(EventReaderBuilt, DecodesHandBuiltEvents) {
  for (bool crc : {true, false}) {
    SCOPED_TRACE(crc ? "CRC32" : "NONE");
    BinlogBuilder b;
    b.fde(7, crc);
    b.gtid_list(7, {{0, 7, 100}, {3, 9, 5}});
    b.append(event_type::kBinlogCheckpoint, 7, std::string("\x0b\0\0\0", 4) + "db7-bin.000");
    b.gtid(7, 0, 101, gtid_flag::kGroupCommitId | gtid_flag::kTransactional, 0x1122334455667788);
    b.opaque(event_type::kTableMap, 7, 30);
    b.xid(7, 99);
    b.gtid(7, 3, 6, gtid_flag::kStandalone | gtid_flag::kDdl);
    b.query(7, "CREATE TABLE t (a INT)");
    b.gtid(7, 0, 102, 0);
    b.query(7, "begin");
    b.query(7, "ROLLBACK");
    b.query(7, "XA COMMIT X'31',X'',1");
    b.append(event_type::kStop, 7, "");
    std::optional<Error> error;
    std::vector<Event> ev = read_buffer(b.bytes(), &error);
    ASSERT_FALSE(error) << error->message;
    ASSERT_EQ(ev.size(), 13u);
    EXPECT_EQ(body_of<FormatDescription>(ev[0]).checksum,
              crc ? ChecksumAlg::kCrc32 : ChecksumAlg::kOff);
    ASSERT_EQ(body_of<GtidList>(ev[1]).gtids.size(), 2u);
    EXPECT_EQ(body_of<GtidList>(ev[1]).gtids[1].to_string(), "3-9-5");
    EXPECT_EQ(body_of<BinlogCheckpoint>(ev[2]).file, "db7-bin.000");
    const GtidEvent* g = ev[3].as<GtidEvent>();
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->gtid.to_string(), "0-7-101");
    EXPECT_TRUE(g->has_commit_id());
    EXPECT_EQ(g->commit_id, 0x1122334455667788U);
    EXPECT_EQ(ev[4].header.type, event_type::kTableMap);
    EXPECT_EQ(body_of<Xid>(ev[5]).xid, 99u);
    EXPECT_TRUE(body_of<GtidEvent>(ev[6]).standalone());
    EXPECT_EQ(body_of<GtidEvent>(ev[6]).gtid.to_string(), "3-7-6");
    EXPECT_EQ(body_of<Query>(ev[7]).kind, QueryKind::kOther);
    EXPECT_EQ(body_of<Query>(ev[9]).kind, QueryKind::kBegin);
    EXPECT_EQ(body_of<Query>(ev[10]).kind, QueryKind::kRollback);
    EXPECT_EQ(body_of<Query>(ev[11]).kind, QueryKind::kXaCommitOrRollback);
    EXPECT_NE(ev[12].as<Stop>(), nullptr);
  }
}

TEST(EventReaderBuilt, LaterFormatDescriptionSwitchesChecksum) {
  // A relay log: the replica's FDE without checksums, then the master's with CRC32.
  BinlogBuilder b;
  b.fde(2, false);
  b.rotate(1, "master-bin.000001", 4, true, 0);
  b.fde(1, true, 0);
  b.xid(1, 5, 500);
  std::string bytes = b.bytes();
  std::optional<Error> error;
  EXPECT_EQ(read_buffer(bytes, &error).size(), 4u);
  EXPECT_FALSE(error);
  bytes[bytes.size() - 5] ^= 1;  // the Xid body: now covered by CRC32
  EXPECT_EQ(read_buffer(bytes, &error).size(), 3u);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->detail, kDetailChecksum);
}

struct Refusal {
  const char* what;
  std::string bytes;
  int detail;
  const char* message_part;
};

TEST(EventReaderBuilt, RefusesWhatItCannotRead) {
  std::vector<Refusal> cases;
  cases.push_back({"empty", "", kDetailTruncated, "shorter than the binlog magic"});
  cases.push_back({"bad magic",
                   std::string("\xfe"
                               "bim",
                               4) +
                       std::string(40, '\0'),
                   kDetailMalformed, "no \\xfebin magic"});
  {
    BinlogBuilder b;
    b.xid(1, 1);
    cases.push_back({"no FDE first", b.bytes(), kDetailMalformed, "not Format_description"});
  }
  {
    BinlogBuilder b;
    b.fde(1, true, BinlogBuilder::kAuto, 0, 3);
    cases.push_back({"binlog v3", b.bytes(), kDetailUnsupported, "binlog version 3"});
  }
  {
    BinlogBuilder b;
    b.fde(1, true, BinlogBuilder::kAuto, 0, 4, 2);
    cases.push_back({"unknown alg", b.bytes(), kDetailUnsupported, "checksum algorithm 2"});
  }
  {
    BinlogBuilder b;
    b.fde(1, true);
    b.opaque(event_type::kStartEncryption, 1, 17);
    cases.push_back({"encrypted", b.bytes(), kDetailUnsupported, "encrypted"});
  }
  {
    BinlogBuilder b;
    b.fde(1, true);
    b.rotate(1, "../../etc/passwd", 4, false);
    cases.push_back({"path in rotate", b.bytes(), kDetailMalformed, "bad file name"});
  }
  {
    BinlogBuilder b;
    b.fde(1, false);
    b.append(event_type::kGtid, 1, "short");
    cases.push_back({"short GTID", b.bytes(), kDetailMalformed, "Gtid event: shorter"});
  }
  {
    BinlogBuilder b;
    b.fde(1, false);
    std::string body;
    testing::put32(body, 3);  // claims 3 entries, has 1
    body += std::string(16, '\0');
    b.append(event_type::kGtidList, 1, body);
    cases.push_back({"short list", b.bytes(), kDetailMalformed, "fewer entries than its count"});
  }
  {
    BinlogBuilder b;
    b.fde(1, false);
    std::string body(13, '\0');
    body[11] = static_cast<char>(0xFF);  // 255 bytes of status variables that are not there
    b.append(event_type::kQuery, 1, body);
    cases.push_back({"query vars", b.bytes(), kDetailMalformed, "exceed the event"});
  }
  {
    BinlogBuilder b;
    b.fde(1, true);
    std::string bytes = b.bytes();
    std::string ev;
    testing::put32(ev, 0);
    ev += static_cast<char>(event_type::kXid);
    testing::put32(ev, 1);
    testing::put32(ev, 10);  // event_size 10 < 19
    testing::put32(ev, 0);
    testing::put16(ev, 0);
    cases.push_back({"tiny size", bytes + ev, kDetailMalformed, "impossible size 10"});
    std::string huge = ev;
    huge[9] = huge[10] = huge[11] = huge[12] = static_cast<char>(0xFF);
    cases.push_back({"huge size", bytes + huge, kDetailMalformed, "impossible size 4294967295"});
  }
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.what);
    std::optional<Error> error;
    read_buffer(c.bytes, &error);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, ErrorCode::kIo);
    EXPECT_EQ(error->detail, c.detail) << error->message;
    EXPECT_NE(error->message.find(c.message_part), std::string::npos) << error->message;
    EXPECT_TRUE(error->message.starts_with("buf.000001: ")) << error->message;
  }
}

TEST(EventReaderBuilt, StaysFailedAfterAnError) {
  BinlogBuilder b;
  b.fde(1, true);
  b.xid(1, 1);
  std::string bytes = b.bytes();
  bytes.back() ^= 1;
  Result<EventReader> reader = EventReader::from_buffer("x", bytes);
  ASSERT_TRUE(reader);
  ASSERT_TRUE(reader->next());
  Result<std::optional<Event>> bad = reader->next();
  ASSERT_FALSE(bad);
  EXPECT_EQ(reader->valid_end(), 256u);
  Result<std::optional<Event>> again = reader->next();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, bad.error().message);
}

}  // namespace
}  // namespace mha::binlog
