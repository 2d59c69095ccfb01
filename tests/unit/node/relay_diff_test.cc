// apply_diff_relay_logs --command=find|generate on the captured MariaDB 10.11 relay logs
// (tests/data/binlog, see its README.md), run in-process through node_main. The diff is checked
// against the MASTER's own binlog: every event it holds must be byte for byte the master's event
// with the same position (the relay logs are copies of them, without Annotate_rows), so the
// expected bytes do not come from the code under test.

#include "mha/node/relay_diff.h"

#include "mha/binlog/event_reader.h"
#include "mha/binlog/log_sequence.h"
#include "mha/node/node_main.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "unit/binlog/binlog_test_util.h"

namespace mha::node {
namespace {

namespace fs = std::filesystem;
using binlog::testing::fixture;
using binlog::testing::read_bytes;
using binlog::testing::write_bytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "mha-relay-diff-XXXXXX").string();
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
  // The relay logs `first`..`last` of a fixture set, with an index listing them.
  void relay_logs(const std::string& set, int first, int last) const {
    std::string index;
    for (int i = first; i <= last; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "relay-bin.%06d", i);
      write_bytes(path_ + "/" + name, read_bytes(fixture(set + "/" + name)));
      index += std::string("./") + name + "\n";
    }
    write_bytes(path_ + "/relay-bin.index", index);
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

NodeRun diff(const Scratch& dir, const std::string& command, const std::string& target_file,
             uint64_t target_pos, const std::string& latest_file, uint64_t latest_pos) {
  std::vector<std::string> args{"apply_diff_relay_logs",
                                "--command=" + command,
                                "--relay_dir=" + dir.path(),
                                "--current_relay_log=relay-bin.000001",
                                "--server_id=2",
                                "--target_mlf=" + target_file,
                                "--target_rmlp=" + std::to_string(target_pos),
                                "--latest_mlf=" + latest_file,
                                "--latest_rmlp=" + std::to_string(latest_pos),
                                "--diff_file_readtolatest=" + (dir / "out/diff.binlog")};
  std::ostringstream out;
  std::ostringstream err;
  NodeRun r;
  r.code = node_main(args, out, err, -1);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// Raw bytes of every data event of `files` (binlogs) that ends after `from_pos` in `from_file`:
// what a replica must receive, without the header events and Annotate_rows (never relayed).
std::vector<std::string> master_events_after(const std::vector<std::string>& files,
                                             const std::string& from_file, uint64_t from_pos) {
  std::vector<std::string> out;
  binlog::LogSequenceReader seq(files, binlog::LogKind::kBinlog);
  bool started = false;
  while (true) {
    auto r = seq.next();
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    if (!r || !*r) break;
    const binlog::SequencedEvent& se = **r;
    const binlog::Event& ev = se.event;
    if (fs::path(se.file).filename() == from_file && ev.end_offset() == from_pos) {
      started = true;
      continue;
    }
    if (!started) continue;
    const uint8_t t = ev.header.type;
    if (t == binlog::event_type::kFormatDescription || t == binlog::event_type::kRotate ||
        t == binlog::event_type::kGtidList || t == binlog::event_type::kBinlogCheckpoint ||
        t == binlog::event_type::kStop || t == binlog::event_type::kAnnotateRows) {
      continue;
    }
    out.push_back(read_bytes(se.file).substr(ev.offset, ev.size()));
  }
  return out;
}

struct DiffFile {
  std::string fde;                  // the leading FDE's bytes
  std::vector<std::string> events;  // every event after it, raw
};

DiffFile read_diff(const std::string& path) {
  DiffFile d;
  const std::string bytes = read_bytes(path);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\xfe"
                                            "bin",
                                            4));
  auto reader = binlog::EventReader::open_file(path);
  EXPECT_TRUE(reader.has_value()) << (reader ? "" : reader.error().message);
  if (!reader) return d;
  bool first = true;
  while (true) {
    auto ev = reader->next();
    EXPECT_TRUE(ev.has_value()) << (ev ? "" : ev.error().message);
    if (!ev || !*ev) break;
    const std::string raw = bytes.substr((*ev)->offset, (*ev)->size());
    if (first) {
      EXPECT_NE((*ev)->as<binlog::FormatDescription>(), nullptr);
      EXPECT_EQ((*ev)->header.flags & binlog::kFlagBinlogInUse, 0);
      d.fde = raw;
      first = false;
      continue;
    }
    d.events.push_back(raw);
  }
  return d;
}

std::vector<std::string> fixture_paths(const std::string& set, const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 1; i <= n; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "%s.%06d", prefix.c_str(), i);
    out.push_back(fixture(set + "/" + name));
  }
  return out;
}

TEST(RelayDiff, GeneratesEverythingAfterTheTargetAcrossRelayAndMasterRotations) {
  Scratch dir;
  dir.relay_logs("crc32", 1, 7);
  // The captured replica executed up to master-bin.000001:2270 (end of 0-1-8); its relay logs
  // go on through three master binlogs and six relay-log rotations to master-bin.000003:1322.
  const NodeRun r = diff(dir, "generate", "master-bin.000001", 2270, "master-bin.000003", 1322);
  ASSERT_EQ(r.code, 0) << r;
  const nlohmann::json j = r.json();
  EXPECT_EQ(j["result"], "generated");
  EXPECT_EQ(j["start"]["file"], "relay-bin.000002");
  EXPECT_EQ(j["start"]["pos"], 2259);  // the replica's own Relay_Log_Pos for that position
  EXPECT_EQ(j["end"]["file"], "master-bin.000003");
  EXPECT_EQ(j["end"]["pos"], 1322);
  EXPECT_EQ(j["transactions"], 7);  // 0-1-9 .. 0-1-11, 1-1-1, 0-1-12 .. 0-1-14
  EXPECT_EQ(j["first_gtid"], "0-1-9");
  EXPECT_EQ(j["last_gtid"], "0-1-14");
  EXPECT_EQ(j["checksum"], "crc32");
  EXPECT_TRUE(j["incomplete_tail"].is_null());

  const DiffFile d = read_diff(dir / "out/diff.binlog");
  const std::vector<std::string> want =
      master_events_after(fixture_paths("crc32", "master-bin", 3), "master-bin.000001", 2270);
  ASSERT_EQ(d.events.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(d.events[i], want[i]) << "event " << i;
  EXPECT_EQ(j["events"], want.size());
  EXPECT_EQ(j["bytes"], fs::file_size(dir / "out/diff.binlog"));
  // Nothing else is left beside the output (the temporary file was renamed).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "out"), fs::directory_iterator()), 1);
}

TEST(RelayDiff, MysqlbinlogReadsTheWholeDiffInStrictMode) {
  // The reason Gtid_list events are left out (mha.md §9.2 point 3): MariaDB's mysqlbinlog stops
  // at a second file's Gtid_list in its default GTID strict mode. Needs the client installed.
  if (std::system("command -v mysqlbinlog >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "mysqlbinlog not installed";
  }
  Scratch dir;
  dir.relay_logs("crc32", 1, 7);
  ASSERT_EQ(diff(dir, "generate", "master-bin.000001", 2270, "master-bin.000003", 1322).code, 0);
  const std::string cmd = "mysqlbinlog " + (dir / "out/diff.binlog") + " > " + (dir / "out.sql") +
                          " 2> " + (dir / "err.txt");
  EXPECT_EQ(std::system(cmd.c_str()), 0) << read_bytes(dir / "err.txt");
  const std::string sql = read_bytes(dir / "out.sql");
  for (const char* g : {"0-1-9", "0-1-10", "0-1-11", "1-1-1", "0-1-12", "0-1-13", "0-1-14"}) {
    EXPECT_THAT(sql, HasSubstr(std::string("GTID ") + g)) << g;
  }
}

TEST(RelayDiff, TargetInTheMiddleOfAMasterBinlogAndEarlierTransactions) {
  Scratch dir;
  dir.relay_logs("crc32", 1, 7);
  // After 0-1-6 (master-bin.000001:1333): 0-1-7 and 0-1-8 come first.
  const NodeRun r = diff(dir, "generate", "master-bin.000001", 1333, "master-bin.000003", 1322);
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.json()["transactions"], 9);
  EXPECT_EQ(r.json()["first_gtid"], "0-1-7");
  const DiffFile d = read_diff(dir / "out/diff.binlog");
  const std::vector<std::string> want =
      master_events_after(fixture_paths("crc32", "master-bin", 3), "master-bin.000001", 1333);
  ASSERT_EQ(d.events.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(d.events[i], want[i]) << "event " << i;
}

TEST(RelayDiff, FindReportsWithoutWriting) {
  Scratch dir;
  dir.relay_logs("crc32", 1, 7);
  const NodeRun r = diff(dir, "find", "master-bin.000002", 667, "master-bin.000003", 1322);
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.json()["result"], "found");
  EXPECT_EQ(r.json()["transactions"], 3);  // 0-1-12 .. 0-1-14
  EXPECT_TRUE(r.json()["output_file"].is_null());
  EXPECT_FALSE(fs::exists(dir / "out"));
}

// MHA's other way to name the relay logs: --relay_log_info (relay-log.info, newer layout with a
// relative name), --relay_dir then being the data directory. Same answer as --relay_dir +
// --current_relay_log.
TEST(RelayDiff, FindThroughRelayLogInfo) {
  Scratch dir;
  dir.relay_logs("crc32", 1, 7);
  write_bytes(dir / "relay-log.info", "5\n./relay-bin.000004\n4\nmaster-bin.000002\n4\n");
  std::vector<std::string> args{"apply_diff_relay_logs",
                                "--command=find",
                                "--relay_log_info=" + (dir / "relay-log.info"),
                                "--server_id=2",
                                "--target_mlf=master-bin.000002",
                                "--target_rmlp=667",
                                "--latest_mlf=master-bin.000003",
                                "--latest_rmlp=1322"};
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(node_main(args, out, err, -1), 0) << err.str();
  const nlohmann::json j = nlohmann::json::parse(out.str());
  const nlohmann::json via_dir =
      diff(dir, "find", "master-bin.000002", 667, "master-bin.000003", 1322).json();
  EXPECT_EQ(j.at("result"), "found");
  EXPECT_EQ(j.at("transactions"), 3);
  EXPECT_EQ(j.at("start"), via_dir.at("start"));
  EXPECT_EQ(j.at("end"), via_dir.at("end"));
  EXPECT_EQ(j.at("relay_files"), via_dir.at("relay_files"));
}

TEST(RelayDiff, TargetThatHasEverythingExits10) {
  Scratch dir;
  dir.relay_logs("crc32", 1, 7);
  const NodeRun r = diff(dir, "generate", "master-bin.000003", 1322, "master-bin.000003", 1322);
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_EQ(r.json()["result"], "nothing_to_apply");
  EXPECT_FALSE(fs::exists(dir / "out/diff.binlog"));
}

TEST(RelayDiff, PositionInsideATransactionIsRefused) {
  Scratch dir;
  dir.relay_logs("crc32", 1, 7);
  // 1758 is the end of a Write_rows event inside 0-1-8 (1564..2270).
  const NodeRun r = diff(dir, "generate", "master-bin.000001", 1758, "master-bin.000003", 1322);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("inside a transaction"));
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(fs::exists(dir / "out/diff.binlog"));
}

TEST(RelayDiff, PurgedRelayLogsAreReportedNotGuessed) {
  Scratch dir;
  // relay_log_purge=1 removed relay-bin.000001..000004 after they were applied: the events
  // after master-bin.000001:2270 are gone.
  dir.relay_logs("crc32", 5, 7);
  const NodeRun r = diff(dir, "generate", "master-bin.000001", 2270, "master-bin.000003", 1322);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("do not hold the events after master-bin.000001:2270"));
  EXPECT_THAT(r.err, HasSubstr("relay_log_purge"));
  EXPECT_FALSE(fs::exists(dir / "out/diff.binlog"));
  // What they still hold can be diffed.
  EXPECT_EQ(diff(dir, "generate", "master-bin.000002", 667, "master-bin.000003", 1322).code, 0);
}

TEST(RelayDiff, ChecksumNoneRelayLogs) {
  Scratch dir;
  dir.relay_logs("mixed", 1, 4);
  // The captured replica: executed master-bin.000001:2138 (0-4-8), received master-bin.000002:1238.
  const NodeRun r = diff(dir, "generate", "master-bin.000001", 2138, "master-bin.000002", 1238);
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.json()["checksum"], "none");
  EXPECT_EQ(r.json()["end"]["pos"], 1238);
  EXPECT_EQ(r.json()["first_gtid"], "0-4-9");
  const DiffFile d = read_diff(dir / "out/diff.binlog");
  const std::vector<std::string> want =
      master_events_after(fixture_paths("mixed", "master-bin", 2), "master-bin.000001", 2138);
  ASSERT_EQ(d.events.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(d.events[i], want[i]) << "event " << i;
}

TEST(RelayDiff, MissingRelayLogsAndBadNames) {
  Scratch dir;
  const NodeRun r = diff(dir, "find", "master-bin.000001", 2270, "master-bin.000003", 1322);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("no relay log relay-bin.* in " + dir.path()));
  RelayDiffRequest req;
  req.relay_dir = dir.path();
  req.relay_log = "relaybin";
  std::ostringstream log;
  auto bad = find_relay_diff(req, log);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kConfig);
}

}  // namespace
}  // namespace mha::node
