// save_binary_logs on the captured MariaDB 10.11 binlogs (tests/data/binlog, see its README.md):
// the files are copied into a scratch directory, the tool runs in-process through node_main, and
// the saved file is read back with the binlog reader. Expected transactions come from the
// fixture README (mariadb-binlog's view of the files), not from the code under test.

#include "mha/node/save_binlog.h"

#include "mha/binlog/event_reader.h"
#include "mha/binlog/log_sequence.h"
#include "mha/node/apply_diff.h"
#include "mha/node/node_main.h"
#include "mha/node/options.h"
#include "mha/node/text_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "unit/binlog/binlog_test_util.h"
#include <fcntl.h>
#include <unistd.h>

namespace mha::node {
namespace {

namespace fs = std::filesystem;
using binlog::testing::fixture;
using binlog::testing::read_bytes;
using binlog::testing::write_bytes;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "mha-save-binlog-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  // Copies fixture files (relative to tests/data/binlog) into the scratch dir, optionally
  // renamed.
  void copy(const std::string& relative, const std::string& as = "") const {
    const std::string name = as.empty() ? fs::path(relative).filename().string() : as;
    write_bytes(path_ + "/" + name, read_bytes(fixture(relative)));
  }

 private:
  std::string path_;
};

struct NodeRun {
  int code = -1;
  std::string out;
  std::string err;
  nlohmann::json json() const {
    EXPECT_FALSE(out.empty()) << err;
    return out.empty() ? nlohmann::json() : nlohmann::json::parse(out);
  }
};

std::ostream& operator<<(std::ostream& os, const NodeRun& r) {
  return os << "exit " << r.code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err;
}

NodeRun run(std::vector<std::string> args) {
  args.insert(args.begin(), "save_binary_logs");
  std::ostringstream out;
  std::ostringstream err;
  NodeRun r;
  r.code = node_main(args, out, err, -1);
  r.out = out.str();
  r.err = err.str();
  return r;
}

NodeRun save(const Scratch& dir, const std::string& file, uint64_t pos,
             const std::string& out = "out/saved.binlog") {
  return run({"--command=save", "--start_file=" + file, "--start_pos=" + std::to_string(pos),
              "--binlog_dir=" + dir.path(), "--output_file=" + (dir / out)});
}

struct SavedFile {
  std::vector<std::string> gtids;  // complete transactions, in order
  size_t incomplete = 0;           // transactions the reader found unfinished
  std::vector<uint8_t> types;      // every event after the FDE
  size_t fdes = 0;
  binlog::ChecksumAlg checksum = binlog::ChecksumAlg::kOff;
  uint16_t fde_flags = 0xFFFF;
};

// Reads a saved file: every event must parse (and verify); transactions are grouped by the
// reader (as a relay log: the copied events keep their original end_log_pos).
SavedFile read_saved(const std::string& path) {
  SavedFile s;
  auto reader = binlog::EventReader::open_file(path);
  EXPECT_TRUE(reader.has_value()) << (reader ? "" : reader.error().message);
  if (!reader) return s;
  while (true) {
    auto ev = reader->next();
    EXPECT_TRUE(ev.has_value()) << (ev ? "" : ev.error().message);
    if (!ev || !*ev) break;
    if ((*ev)->as<binlog::FormatDescription>() != nullptr) {
      ++s.fdes;
      s.checksum = (*ev)->as<binlog::FormatDescription>()->checksum;
      s.fde_flags = (*ev)->header.flags;
      continue;
    }
    s.types.push_back((*ev)->header.type);
  }
  binlog::TransactionReader tx({path}, binlog::LogKind::kRelayLog);
  while (true) {
    auto t = tx.next();
    EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
    if (!t || !*t) break;
    if (!(*t)->complete) {
      ++s.incomplete;
      continue;
    }
    s.gtids.push_back((*t)->gtid ? (*t)->gtid->to_string() : "(no gtid)");
  }
  return s;
}

bool contains_type(const SavedFile& s, uint8_t type) {
  return std::find(s.types.begin(), s.types.end(), type) != s.types.end();
}

// The crc32/ master binlogs, as transactions (fixture README).
const std::vector<std::string> kCrcAfter8 = {"0-1-9",  "0-1-10", "0-1-11", "1-1-1",
                                             "0-1-12", "0-1-13", "0-1-14"};

void copy_crc32_master(const Scratch& dir) {
  for (const char* f : {"master-bin.000001", "master-bin.000002", "master-bin.000003"}) {
    dir.copy(std::string("crc32/") + f);
  }
}

TEST(SaveBinlogTest, CrossesTwoRotationsWithCrc32) {
  Scratch dir;
  copy_crc32_master(dir);
  const NodeRun r = save(dir, "master-bin.000001", 2270);
  ASSERT_EQ(r.code, 0) << r;
  const SavedFile s = read_saved(dir / "out/saved.binlog");
  EXPECT_EQ(s.gtids, kCrcAfter8);
  EXPECT_EQ(s.incomplete, 0u);
  EXPECT_EQ(s.fdes, 1u);  // one FDE on top, the later files' are left out
  EXPECT_EQ(s.checksum, binlog::ChecksumAlg::kCrc32);
  EXPECT_EQ(s.fde_flags & binlog::kFlagBinlogInUse, 0);
  // mysqlbinlog's gtid strict mode stops at a second file's Gtid_list: none may be copied.
  EXPECT_FALSE(contains_type(s, binlog::event_type::kGtidList));
  EXPECT_FALSE(contains_type(s, binlog::event_type::kBinlogCheckpoint));

  const auto j = r.json();
  EXPECT_EQ(j["result"], "saved");
  EXPECT_EQ(j["checksum"], "crc32");
  EXPECT_EQ(j["files"],
            nlohmann::json::array({"master-bin.000001", "master-bin.000002", "master-bin.000003"}));
  EXPECT_EQ(j["start"], nlohmann::json({{"file", "master-bin.000001"}, {"pos", 2270}}));
  EXPECT_EQ(j["end"], nlohmann::json({{"file", "master-bin.000003"}, {"pos", 1322}}));
  EXPECT_EQ(j["transactions"], 7);
  EXPECT_EQ(j["first_gtid"], "0-1-9");
  EXPECT_EQ(j["last_gtid"], "0-1-14");
  EXPECT_EQ(j["starts_inside_transaction"], false);
  EXPECT_EQ(j["incomplete_tail"], nullptr);
  EXPECT_EQ(j["bytes"].get<uint64_t>(), fs::file_size(dir / "out/saved.binlog"));
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one JSON line";
  EXPECT_THAT(r.err, HasSubstr("succeeded"));
  // Nothing but the output is left in its directory (the temporary file was renamed).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "out"), fs::directory_iterator()), 1);
}

TEST(SaveBinlogTest, CopiedEventsAreByteIdenticalToTheSource) {
  Scratch dir;
  copy_crc32_master(dir);
  ASSERT_EQ(save(dir, "master-bin.000003", 4).code, 0);
  // master-bin.000003: the saved file is its magic and FDE, then the bytes of every event of
  // 0-1-12..0-1-14 (up to the Stop at 1322), without the Gtid_list and Binlog_checkpoint events.
  const std::string src = read_bytes(dir / "master-bin.000003");
  const std::string out = read_bytes(dir / "out/saved.binlog");
  auto reader = binlog::EventReader::open_file(dir / "master-bin.000003");
  ASSERT_TRUE(reader.has_value());
  std::string expected;
  uint64_t fde_end = 0;
  while (auto ev = reader->next()) {
    if (!*ev) break;
    const binlog::Event& e = **ev;
    if (e.as<binlog::FormatDescription>() != nullptr) {
      fde_end = e.end_offset();
    } else if (e.as<binlog::GtidList>() == nullptr && e.as<binlog::BinlogCheckpoint>() == nullptr &&
               e.end_offset() <= 1322) {
      expected += src.substr(e.offset, e.size());
    }
  }
  ASSERT_GT(fde_end, 4u);
  ASSERT_GT(expected.size(), 800u);  // three transactions
  EXPECT_TRUE(out.substr(fde_end) == expected) << "events differ from the source bytes";
  EXPECT_EQ(out.substr(0, 21), src.substr(0, 21));  // magic, FDE header up to the flags
  EXPECT_EQ(out.substr(23, fde_end - 23), src.substr(23, fde_end - 23));  // FDE body and CRC
}

TEST(SaveBinlogTest, ChecksumOffAndTheIndexFile) {
  Scratch dir;
  dir.copy("none/nocrc-bin.000001");
  dir.copy("none/nocrc-bin.000002");
  // A file the index does not list is not read (it would fail: it is not a binlog).
  write_bytes(dir / "nocrc-bin.000003", "garbage");
  write_bytes(dir / "nocrc-bin.index", "./nocrc-bin.000001\n./nocrc-bin.000002\n");
  const NodeRun r = save(dir, "nocrc-bin.000001", 4);
  ASSERT_EQ(r.code, 0) << r;
  const SavedFile s = read_saved(dir / "out/saved.binlog");
  EXPECT_THAT(s.gtids, ElementsAre("0-3-1", "0-3-2", "0-3-3", "0-3-4", "0-3-5", "0-3-6", "0-3-7",
                                   "0-3-8", "1-3-1", "0-3-9", "0-3-10", "0-3-11"));
  EXPECT_EQ(s.checksum, binlog::ChecksumAlg::kOff);
  EXPECT_EQ(r.json()["checksum"], "none");
  EXPECT_EQ(r.json()["files"], nlohmann::json::array({"nocrc-bin.000001", "nocrc-bin.000002"}));

  // Without the index the sorted names are used, and the garbage file is refused.
  fs::remove(dir / "nocrc-bin.index");
  const NodeRun bad = save(dir, "nocrc-bin.000001", 4, "out/second.binlog");
  EXPECT_EQ(bad.code, 1) << bad;
  EXPECT_THAT(bad.err, HasSubstr("nocrc-bin.000003"));
  EXPECT_FALSE(fs::exists(dir / "out/second.binlog"));
}

TEST(SaveBinlogTest, NoticesGapsByTheRotateEvent) {
  Scratch dir;
  dir.copy("crc32/master-bin.000001");
  dir.copy("crc32/master-bin.000003");
  const NodeRun r = save(dir, "master-bin.000001", 2270);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("ends with a Rotate to master-bin.000002, but the next binlog "
                               "found is master-bin.000003"));
  EXPECT_FALSE(fs::exists(dir / "out/saved.binlog"));
}

TEST(SaveBinlogTest, RefusesFilesThatDisagreeOnTheChecksum) {
  Scratch dir;
  dir.copy("none/nocrc-bin.000001");
  dir.copy("none/nocrc-bin.000002");
  dir.copy("crc32/master-bin.000003", "nocrc-bin.000003");  // nocrc-bin.000002 ends with Stop
  const NodeRun r = save(dir, "nocrc-bin.000001", 4);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("nocrc-bin.000003 uses binlog_checksum=crc32 but"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 2) << "progress line + one error line";
  EXPECT_FALSE(fs::exists(dir / "out/saved.binlog"));
  EXPECT_TRUE(fs::is_empty(dir / "out")) << "the temporary file is removed";
}

TEST(SaveBinlogTest, ACorruptEventInAnEarlierFileFailsWithoutOutput) {
  Scratch dir;
  copy_crc32_master(dir);
  std::string bytes = read_bytes(dir / "master-bin.000002");
  bytes[400] = static_cast<char>(bytes[400] ^ 0x40);  // inside 1-1-1 (343..575)
  write_bytes(dir / "master-bin.000002", bytes);
  const NodeRun r = save(dir, "master-bin.000001", 2270);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("master-bin.000002"));
  EXPECT_FALSE(fs::exists(dir / "out/saved.binlog"));
}

TEST(SaveBinlogTest, StopsBeforeAnIncompleteLastTransaction) {
  // 0-1-14 spans master-bin.000003 879..1322 and ends with an Xid at 1291 (31 bytes).
  for (const uint64_t cut : {1000, 1291, 1300}) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    Scratch dir;
    copy_crc32_master(dir);
    std::string bytes = read_bytes(dir / "master-bin.000003");
    bytes.resize(cut);
    write_bytes(dir / "master-bin.000003", bytes);
    const NodeRun r = save(dir, "master-bin.000002", 4);
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_THAT(read_saved(dir / "out/saved.binlog").gtids,
                ElementsAre("1-1-1", "0-1-12", "0-1-13"));
    const auto j = r.json();
    EXPECT_EQ(j["incomplete_tail"], "master-bin.000003:879");
    EXPECT_EQ(j["end"], nlohmann::json({{"file", "master-bin.000003"}, {"pos", 879}}));
    EXPECT_THAT(r.err, HasSubstr("incomplete"));
  }
}

TEST(SaveBinlogTest, NothingToSaveExits10) {
  Scratch dir;
  copy_crc32_master(dir);
  for (const uint64_t pos : {1322, 1345}) {  // before the Stop event, at the end of the file
    const NodeRun r = save(dir, "master-bin.000003", pos);
    EXPECT_EQ(r.code, 10) << r;
    EXPECT_EQ(r.json()["result"], "nothing_to_save");
    EXPECT_EQ(r.json()["transactions"], 0);
    EXPECT_FALSE(fs::exists(dir / "out/saved.binlog"));
  }
  // Only an unfinished transaction after the start: nothing whole to save.
  std::string bytes = read_bytes(dir / "master-bin.000003");
  bytes.resize(1000);
  write_bytes(dir / "master-bin.000003", bytes);
  const NodeRun r = save(dir, "master-bin.000003", 879);
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_EQ(r.json()["incomplete_tail"], "master-bin.000003:879");
}

TEST(SaveBinlogTest, StartInsideATransactionCopiesItsRest) {
  Scratch dir;
  copy_crc32_master(dir);
  // An event boundary inside 0-1-8 (1564..2270): a replica that received only its first events.
  auto reader = binlog::EventReader::open_file(dir / "master-bin.000001");
  ASSERT_TRUE(reader.has_value());
  uint64_t inside = 0;
  while (auto ev = reader->next()) {
    if (!*ev) break;
    if ((*ev)->offset > 1564 && (*ev)->offset < 2270) {
      inside = (*ev)->offset;
      break;
    }
  }
  ASSERT_NE(inside, 0u);
  const NodeRun r = save(dir, "master-bin.000001", inside);
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.json()["starts_inside_transaction"], true);
  EXPECT_EQ(r.json()["transactions"], 7);
  EXPECT_EQ(read_saved(dir / "out/saved.binlog").gtids, kCrcAfter8);

  const NodeRun mid = save(dir, "master-bin.000001", inside + 1);
  EXPECT_EQ(mid.code, 1) << mid;
  EXPECT_THAT(mid.err, HasSubstr("is not at an event boundary"));
  const NodeRun beyond = save(dir, "master-bin.000001", 200000);
  EXPECT_EQ(beyond.code, 1) << beyond;
  EXPECT_THAT(beyond.err, HasSubstr("beyond the end of"));
}

TEST(SaveBinlogTest, StartGtidIsExclusive) {
  Scratch dir;
  copy_crc32_master(dir);
  const NodeRun r = run({"--command=save", "--start_gtid=0-1-8", "--binlog_prefix=master-bin",
                         "--binlog_dir=" + dir.path(), "--output_file=" + (dir / "g.binlog")});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(read_saved(dir / "g.binlog").gtids, kCrcAfter8);
  EXPECT_EQ(r.json()["start_gtid"], "0-1-8");
  EXPECT_EQ(r.json()["start"], nlohmann::json({{"file", "master-bin.000001"}, {"pos", 2270}}));

  // From the second file: 0-1-11 is the last transaction of master-bin.000001.
  const NodeRun second =
      run({"--command=save", "--start_gtid=0-1-11", "--start_file=master-bin.000001",
           "--binlog_dir=" + dir.path(), "--output_file=" + (dir / "g2.binlog")});
  ASSERT_EQ(second.code, 0) << second;
  EXPECT_THAT(read_saved(dir / "g2.binlog").gtids,
              ElementsAre("1-1-1", "0-1-12", "0-1-13", "0-1-14"));

  const NodeRun last = run({"--command=save", "--start_gtid=0-1-14", "--binlog_prefix=master-bin",
                            "--binlog_dir=" + dir.path(), "--output_file=" + (dir / "g3.binlog")});
  EXPECT_EQ(last.code, 10) << last;
  EXPECT_FALSE(fs::exists(dir / "g3.binlog"));

  const NodeRun missing =
      run({"--command=save", "--start_gtid=0-1-99", "--binlog_prefix=master-bin",
           "--binlog_dir=" + dir.path(), "--output_file=" + (dir / "g4.binlog")});
  EXPECT_EQ(missing.code, 1) << missing;
  EXPECT_EQ(missing.out, "");
  EXPECT_THAT(missing.err, StartsWith("save_binary_logs: Failed to save binary log: GTID 0-1-99 "
                                      "is not in binlogs"));
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1);

  // A GTID in files before --start_file (purged, as far as the search knows) is not found.
  const NodeRun purged =
      run({"--command=save", "--start_gtid=0-1-8", "--start_file=master-bin.000002",
           "--binlog_dir=" + dir.path(), "--output_file=" + (dir / "g5.binlog")});
  EXPECT_EQ(purged.code, 1) << purged;
}

TEST(SaveBinlogTest, TestCommandChecksTheFiles) {
  Scratch dir;
  copy_crc32_master(dir);
  const NodeRun ok = run({"--command=test", "--start_file=master-bin.000002", "--start_pos=4",
                          "--binlog_dir=/nonexistent-mha-dir," + dir.path(),
                          "--output_file=" + (dir / "new/dir/x.binlog")});
  ASSERT_EQ(ok.code, 0) << ok;
  EXPECT_EQ(ok.json()["files"], nlohmann::json::array({"master-bin.000002", "master-bin.000003"}));
  EXPECT_EQ(ok.json()["dir"], dir.path());
  EXPECT_THAT(ok.err, HasSubstr("Binlog found at " + dir.path() + ", up to master-bin.000003"));

  const NodeRun by_prefix = run({"--command=test", "--binlog_prefix=master-bin", "--start_pos=4",
                                 "--binlog_dir=" + dir.path(), "--output_file=" + (dir / "x")});
  ASSERT_EQ(by_prefix.code, 0) << by_prefix;
  EXPECT_EQ(by_prefix.json()["files"].size(), 3u);

  write_bytes(dir / "master-bin.000004",
              "\xfe"
              "bin-not-really");
  const NodeRun bad = run({"--command=test", "--start_file=master-bin.000003", "--start_pos=4",
                           "--binlog_dir=" + dir.path(), "--output_file=" + (dir / "x")});
  EXPECT_EQ(bad.code, 1) << bad;
  EXPECT_THAT(bad.err, HasSubstr("master-bin.000004"));
}

// A relay log read as a binlog is refused (its positions are the master's): relay logs are
// saved through --relay_log_info.
TEST(SaveBinlogTest, RelayLogReadAsABinlogIsRefused) {
  Scratch dir;
  dir.copy("crc32/relay-bin.000002");
  const NodeRun as_binlog = save(dir, "relay-bin.000002", 4);
  EXPECT_EQ(as_binlog.code, 1) << as_binlog;
  EXPECT_THAT(as_binlog.err, HasSubstr("not a plain binlog"));
}

// --- save_binary_logs --relay_log_info: a replica's exec->read tail (fixture README: the
// replica's SQL thread stopped at relay-bin.000002:2259, the end of 0-1-8).

void copy_relay_logs(const Scratch& dir, int from, int to) {
  for (int i = from; i <= to; ++i) dir.copy("crc32/relay-bin.00000" + std::to_string(i));
  write_bytes(dir / "relay-log.info",
              "5\n./relay-bin.00000" + std::to_string(to) + "\n4\nmaster-bin.000003\n1322\n");
}

NodeRun save_relay(const Scratch& dir, const std::string& file, uint64_t pos,
                   const std::string& out = "out/tail.binlog",
                   std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "--command=save", "--start_file=" + file, "--start_pos=" + std::to_string(pos),
      "--relay_log_info=" + (dir / "relay-log.info"), "--output_file=" + (dir / out)};
  args.insert(args.end(), extra.begin(), extra.end());
  return run(args);
}

uint32_t le32(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[at + i]);
  return v;
}

TEST(SaveRelayLogTest, TailFromTheExecutedPositionAcrossRelayLogs) {
  Scratch dir;
  copy_relay_logs(dir, 1, 7);
  const NodeRun r = save_relay(dir, "relay-bin.000002", 2259);
  ASSERT_EQ(r.code, 0) << r;
  const auto j = r.json();
  EXPECT_EQ(j["transactions"], 7);
  EXPECT_EQ(j["first_gtid"], "0-1-9");
  EXPECT_EQ(j["last_gtid"], "0-1-14");
  EXPECT_EQ(j["files"].size(), 6u);
  EXPECT_EQ(j["end"]["file"], "relay-bin.000007");
  EXPECT_EQ(j["end"]["pos"], 1338);  // the Xid of 0-1-14; the replica's Stop is left out
  EXPECT_EQ(j["ends_inside_transaction"], false);
  EXPECT_EQ(j["format"], "raw");
  EXPECT_THAT(r.err, HasSubstr("Relay logs found at " + dir.path()));

  const SavedFile s = read_saved(dir / "out/tail.binlog");
  EXPECT_THAT(s.gtids,
              ElementsAre("0-1-9", "0-1-10", "0-1-11", "1-1-1", "0-1-12", "0-1-13", "0-1-14"));
  EXPECT_EQ(s.incomplete, 0u);
  EXPECT_EQ(s.fdes, 1u) << "only the master's Format_description, at the top";
  EXPECT_FALSE(contains_type(s, binlog::event_type::kRotate));
  EXPECT_FALSE(contains_type(s, binlog::event_type::kStop));
  EXPECT_FALSE(contains_type(s, binlog::event_type::kGtidList));
  EXPECT_EQ(s.fde_flags & binlog::kFlagBinlogInUse, 0);
  // Byte for byte: everything of relay-bin.000002 from 2259 to its last master event (the
  // 100 KB Write_rows of 0-1-11 ending at 102770) follows the top Format_description.
  const std::string out = read_bytes(dir / "out/tail.binlog");
  const std::string relay = read_bytes(fixture("crc32/relay-bin.000002"));
  const size_t fde_size = le32(out, 4 + 9);
  EXPECT_EQ(out.substr(4 + fde_size, 102770 - 2259), relay.substr(2259, 102770 - 2259));
  EXPECT_EQ(j["bytes"], out.size());
}

// A tail that ends inside a transaction (the master died while sending it) keeps it; joined with
// a file that holds the rest, the apply stream is whole. Alone it is refused by the apply.
TEST(SaveRelayLogTest, TailEndingInsideATransactionIsKeptForTheNextFile) {
  Scratch first;
  copy_relay_logs(first, 1, 2);
  const NodeRun head = save_relay(first, "relay-bin.000002", 2259);
  ASSERT_EQ(head.code, 0) << head;
  const auto hj = head.json();
  EXPECT_EQ(hj["transactions"], 2);  // 0-1-9, 0-1-10; 0-1-11 is unfinished
  EXPECT_EQ(hj["ends_inside_transaction"], true);
  EXPECT_THAT(head.err, HasSubstr("end inside a transaction"));

  Scratch rest;
  copy_relay_logs(rest, 3, 7);
  const NodeRun tail = save_relay(rest, "relay-bin.000003", 4);
  ASSERT_EQ(tail.code, 0) << tail;
  EXPECT_EQ(tail.json()["starts_inside_transaction"], true);
  EXPECT_EQ(tail.json()["transactions"], 4);

  auto alone = scan_apply_stream({first / "out/tail.binlog"});
  ASSERT_FALSE(alone);
  EXPECT_THAT(alone.error().message, HasSubstr("end inside the transaction 0-1-11"));
  auto joined = scan_apply_stream({first / "out/tail.binlog", rest / "out/tail.binlog"});
  ASSERT_TRUE(joined) << joined.error().message;
  EXPECT_EQ(joined->transactions, 7u);
  EXPECT_EQ(joined->last_gtid->to_string(), "0-1-14");

  // SQL text cannot carry half a transaction: refused, no file.
  const NodeRun text =
      save_relay(first, "relay-bin.000002", 2259, "out/tail.sql", {"--handle_raw_binlog=0"});
  EXPECT_EQ(text.code, 1) << text;
  EXPECT_THAT(text.err, HasSubstr("cannot carry half a transaction"));
  EXPECT_FALSE(fs::exists(first / "out/tail.sql"));
}

TEST(SaveRelayLogTest, NothingAfterTheEndAndBadStarts) {
  Scratch dir;
  copy_relay_logs(dir, 1, 7);
  const NodeRun nothing = save_relay(dir, "relay-bin.000007", 1338);
  EXPECT_EQ(nothing.code, 10) << nothing;
  EXPECT_EQ(nothing.json()["result"], "nothing_to_save");
  EXPECT_FALSE(fs::exists(dir / "out/tail.binlog"));

  const NodeRun inside = save_relay(dir, "relay-bin.000002", 2260);
  EXPECT_EQ(inside.code, 1);
  EXPECT_THAT(inside.err, HasSubstr("not at an event boundary"));
  const NodeRun beyond = save_relay(dir, "relay-bin.000004", 5000);
  EXPECT_EQ(beyond.code, 1);
  EXPECT_THAT(beyond.err, HasSubstr("beyond the end of relay-bin.000004"));
  const NodeRun missing = save_relay(dir, "relay-bin.000009", 4);
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("relay log relay-bin.000009 not found in " + dir.path()));
  const NodeRun gtid =
      run({"--command=save", "--start_gtid=0-1-9", "--start_file=relay-bin.000002",
           "--relay_log_info=" + (dir / "relay-log.info"), "--output_file=" + (dir / "x")});
  EXPECT_EQ(gtid.code, 1);
  EXPECT_THAT(gtid.err, HasSubstr("--start_gtid searches binlogs"));
  const NodeRun no_info =
      save_relay(dir, "relay-bin.000002", 4, "x", {"--relay_log_info=" + (dir / "nope.info")});
  EXPECT_EQ(no_info.code, 1);
  EXPECT_EQ(no_info.err,
            "save_binary_logs: " + (dir / "nope.info") + ": cannot read the relay log info file\n");

  const NodeRun test =
      run({"--command=test", "--start_pos=4", "--relay_log_info=" + (dir / "relay-log.info"),
           "--output_file=" + (dir / "out/x")});
  EXPECT_EQ(test.code, 0) << test;
  EXPECT_THAT(test.err, HasSubstr("Relay log found at " + dir.path() + ", up to relay-bin.000007"));
}

// --- --handle_raw_binlog=0: mysqlbinlog text, one section per source file.

bool have_mysqlbinlog() { return std::system("mysqlbinlog --version >/dev/null 2>&1") == 0; }

std::vector<std::string> section_comments(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# Binary/Relay log file ")) out.push_back(line);
  }
  return out;
}

TEST(SaveTextTest, BinlogsAsTextOneSectionPerFile) {
  if (!have_mysqlbinlog()) GTEST_SKIP() << "mysqlbinlog not installed";
  Scratch dir;
  copy_crc32_master(dir);
  const NodeRun r = run({"--command=save", "--start_file=master-bin.000001", "--start_pos=1333",
                         "--binlog_dir=" + dir.path(), "--output_file=" + (dir / "out/saved.sql"),
                         "--handle_raw_binlog=0", "--disable_log_bin=1"});
  ASSERT_EQ(r.code, 0) << r;
  const auto j = r.json();
  EXPECT_EQ(j["format"], "text");
  EXPECT_EQ(j["transactions"], 9);
  const std::string text = read_bytes(dir / "out/saved.sql");
  EXPECT_EQ(j["bytes"], text.size());
  EXPECT_THAT(section_comments(text),
              ElementsAre("# Binary/Relay log file master-bin.000001 started",
                          "# Binary/Relay log file master-bin.000002 started",
                          "# Binary/Relay log file master-bin.000003 started"));
  EXPECT_THAT(text, StartsWith("# Binary/Relay log file master-bin.000001 started\n"));
  EXPECT_THAT(text, HasSubstr("SQL_LOG_BIN=0"));  // --disable-log-bin
  auto scan = scan_mysqlbinlog_text(text, "saved.sql");
  ASSERT_TRUE(scan) << scan.error().message;
  EXPECT_EQ(scan->transactions, 9u);
  EXPECT_EQ(scan->last_per_domain.to_string(), "0-1-14,1-1-1");
  // Only the text is left: the raw scratch file is gone.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "out"), fs::directory_iterator()), 1);
}

// Relay logs as text: a transaction continuing into the next relay log stays in the section of
// the file it started in (0-1-11: relay-bin.000002 -> 000003), files without a transaction start
// get no section.
TEST(SaveTextTest, RelayTailAsTextKeepsTransactionsWhole) {
  if (!have_mysqlbinlog()) GTEST_SKIP() << "mysqlbinlog not installed";
  Scratch dir;
  copy_relay_logs(dir, 1, 7);
  const NodeRun r =
      save_relay(dir, "relay-bin.000002", 2259, "out/tail.sql", {"--handle_raw_binlog=0"});
  ASSERT_EQ(r.code, 0) << r;
  const std::string text = read_bytes(dir / "out/tail.sql");
  EXPECT_THAT(section_comments(text),
              ElementsAre("# Binary/Relay log file relay-bin.000002 started",
                          "# Binary/Relay log file relay-bin.000005 started",
                          "# Binary/Relay log file relay-bin.000007 started"));
  auto scan = scan_mysqlbinlog_text(text, "tail.sql");
  ASSERT_TRUE(scan) << scan.error().message;
  EXPECT_EQ(scan->transactions, 7u);
  EXPECT_EQ(scan->last_gtid->to_string(), "0-1-14");
}

TEST(SaveBinlogOptionsTest, StartGtid) {
  auto ok = parse_save_binary_logs(
      {"--command=save", "--start_gtid=1-2-33", "--binlog_prefix=b", "--output_file=/o"});
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  ASSERT_TRUE(ok->options.start_gtid.has_value());
  EXPECT_EQ(ok->options.start_gtid->to_string(), "1-2-33");
  EXPECT_FALSE(ok->options.start_pos.has_value());

  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"--command=save", "--start_gtid=0-1-5,1-1-2", "--binlog_prefix=b", "--output_file=/o"},
           {"--command=save", "--start_gtid=0-1", "--binlog_prefix=b", "--output_file=/o"},
           {"--command=save", "--start_gtid=", "--binlog_prefix=b", "--output_file=/o"}}) {
    auto r = parse_save_binary_logs(bad);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "--start_gtid must be one MariaDB GTID, domain-server_id-seq_no");
  }
  auto both = parse_save_binary_logs({"--command=save", "--start_gtid=0-1-5", "--start_pos=4",
                                      "--start_file=f.000001", "--output_file=/o"});
  ASSERT_FALSE(both.has_value());
  EXPECT_THAT(both.error().message, HasSubstr("exclude each other"));
  auto neither =
      parse_save_binary_logs({"--command=save", "--start_gtid=0-1-5", "--output_file=/o"});
  ASSERT_FALSE(neither.has_value());
  EXPECT_THAT(neither.error().message, HasSubstr("--binlog_prefix"));
}

}  // namespace
}  // namespace mha::node
