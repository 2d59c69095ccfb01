#include "mha/binlog/log_sequence.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "unit/binlog/binlog_test_util.h"

namespace mha::binlog {
namespace {

using testing::BinlogBuilder;
using testing::body_of;
using testing::fixture;
using topology::BinlogPosition;
using topology::MariadbGtid;

std::vector<std::string> master_binlogs() {
  return {fixture("crc32/master-bin.000001"), fixture("crc32/master-bin.000002"),
          fixture("crc32/master-bin.000003")};
}

std::vector<std::string> relay_logs(int from = 1) {
  std::vector<std::string> out;
  for (int i = from; i <= 7; ++i)
    out.push_back(fixture("crc32/relay-bin.00000" + std::to_string(i)));
  return out;
}

std::vector<Transaction> all_transactions(const std::vector<std::string>& files, LogKind kind,
                                          SequenceOptions options = {}) {
  TransactionReader reader(files, kind, options);
  std::vector<Transaction> out;
  while (true) {
    Result<std::optional<Transaction>> t = reader.next();
    EXPECT_TRUE(t) << t.error().message;
    if (!t || !*t) return out;
    out.push_back(**t);
  }
}

std::string base(const std::string& path) { return std::filesystem::path(path).filename(); }

MariadbGtid gtid(const char* text) {
  Result<topology::GtidPosition> p = topology::GtidPosition::parse(text);
  EXPECT_TRUE(p && p->size() == 1) << text;
  return p->entries().front();
}

// "Field: value" lines of the replica's SHOW SLAVE STATUS, recorded by capture.sh.
std::map<std::string, std::string> replica_status() {
  std::ifstream in(fixture("crc32/replica-status.txt"));
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(": ");
    if (colon != std::string::npos) out[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mha-binlog-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

const char* const kAllGtids[] = {"0-1-1",  "0-1-2", "0-1-3",  "0-1-4",  "0-1-5",
                                 "0-1-6",  "0-1-7", "0-1-8",  "0-1-9",  "0-1-10",
                                 "0-1-11", "1-1-1", "0-1-12", "0-1-13", "0-1-14"};

TEST(BinlogTransactions, MasterBinlogsHoldEveryTransactionOnce) {
  std::vector<Transaction> txs = all_transactions(master_binlogs(), LogKind::kBinlog);
  ASSERT_EQ(txs.size(), std::size(kAllGtids));
  for (size_t i = 0; i < txs.size(); ++i) {
    ASSERT_TRUE(txs[i].gtid);
    EXPECT_EQ(txs[i].gtid->to_string(), kAllGtids[i]);
    EXPECT_TRUE(txs[i].complete) << kAllGtids[i];
    EXPECT_EQ(txs[i].start.file, txs[i].end.file);
  }
  // README: 0-1-1 (CREATE USER, standalone DDL) 329..500; 0-1-7 (single row) 1333..1564;
  // 0-1-8 (multi-statement) 1564..2270; 0-1-10 (MyISAM, ends with a COMMIT query) 2454..2705;
  // 0-1-11 (the ~100 KB row) 2705..102939; 1-1-1 in master-bin.000002 343..575.
  EXPECT_EQ(txs[0].start, (LogOffset{master_binlogs()[0], 329}));
  EXPECT_EQ(txs[0].end.offset, 500u);
  EXPECT_EQ(txs[0].events, 2u);
  EXPECT_EQ(txs[6].start.offset, 1333u);
  EXPECT_EQ(txs[6].end.offset, 1564u);
  EXPECT_EQ(txs[7].start.offset, 1564u);
  EXPECT_EQ(txs[7].end.offset, 2270u);
  EXPECT_EQ(txs[7].events, 14u);
  EXPECT_EQ(txs[9].end.offset, 2705u);
  EXPECT_EQ(txs[10].end.offset, 102939u);
  EXPECT_EQ(txs[11].start, (LogOffset{master_binlogs()[1], 343}));
  EXPECT_EQ(txs[11].end.offset, 575u);
  EXPECT_EQ(txs[11].source_end, (BinlogPosition{"master-bin.000002", 575}));
  EXPECT_EQ(txs[14].source_end, (BinlogPosition{"master-bin.000003", 1322}));
}

TEST(BinlogTransactions, NoChecksumBinlogs) {
  std::vector<Transaction> txs = all_transactions(
      {fixture("none/nocrc-bin.000001"), fixture("none/nocrc-bin.000002")}, LogKind::kBinlog);
  ASSERT_EQ(txs.size(), 12u);  // no replication user and no large row in this run: README
  EXPECT_EQ(txs.front().gtid->to_string(), "0-3-1");
  EXPECT_EQ(txs[8].gtid->to_string(), "1-3-1");
  EXPECT_EQ(txs.back().gtid->to_string(), "0-3-11");
  for (const Transaction& t : txs) EXPECT_TRUE(t.complete);
}

TEST(BinlogTransactions, RelayLogsHoldTheSameTransactionsAcrossFiles) {
  std::vector<Transaction> txs = all_transactions(relay_logs(), LogKind::kRelayLog);
  ASSERT_EQ(txs.size(), std::size(kAllGtids));
  for (size_t i = 0; i < txs.size(); ++i) {
    EXPECT_EQ(txs[i].gtid->to_string(), kAllGtids[i]);
    EXPECT_TRUE(txs[i].complete) << kAllGtids[i];
  }
  // 0-1-11 starts in relay-bin.000002 and ends in relay-bin.000003, after the copy of the
  // master's FDE the replica wrote there.
  const Transaction& big = txs[10];
  EXPECT_EQ(big.start, (LogOffset{relay_logs()[1], 2640}));
  EXPECT_EQ(big.end, (LogOffset{relay_logs()[2], 539}));
  EXPECT_EQ(big.source_end, (BinlogPosition{"master-bin.000001", 102939}));
  EXPECT_EQ(big.events, 4u);  // GTID, Table_map, Write_rows, Xid (no Annotate_rows in relay logs)
}

TEST(BinlogTransactions, RelayAndMasterAgreeOnEveryTransactionEnd) {
  std::vector<Transaction> master = all_transactions(master_binlogs(), LogKind::kBinlog);
  std::vector<Transaction> relay = all_transactions(relay_logs(), LogKind::kRelayLog);
  ASSERT_EQ(master.size(), relay.size());
  for (size_t i = 0; i < master.size(); ++i) {
    EXPECT_EQ(master[i].gtid, relay[i].gtid);
    EXPECT_EQ(master[i].source_end, relay[i].source_end) << kAllGtids[i];
  }
}

TEST(RelayOffset, MatchesTheReplicasOwnExecPosition) {
  // The replica itself reported Relay_Master_Log_File:Exec_Master_Log_Pos at
  // Relay_Log_File:Relay_Log_Pos (its SQL thread was stopped there).
  std::map<std::string, std::string> st = replica_status();
  ASSERT_EQ(st["Relay_Master_Log_File"], "master-bin.000001");
  ASSERT_EQ(st["Exec_Master_Log_Pos"], "2270");
  Result<MappedOffset> m = find_relay_offset(relay_logs(), st["Relay_Master_Log_File"],
                                             std::stoull(st["Exec_Master_Log_Pos"]));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(base(m->at.file), st["Relay_Log_File"]);
  EXPECT_EQ(std::to_string(m->at.offset), st["Relay_Log_Pos"]);
  EXPECT_GT(m->source_events_after, 0u);
}

TEST(RelayOffset, ReadPositionIsTheEndOfTheRelayLogs) {
  std::map<std::string, std::string> st = replica_status();
  ASSERT_EQ(st["Master_Log_File"], "master-bin.000003");
  ASSERT_EQ(st["Read_Master_Log_Pos"], "1322");
  Result<MappedOffset> m = find_relay_offset(relay_logs(), "master-bin.000003", 1322);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->at, (LogOffset{relay_logs()[6], 1338}));  // before the replica's own Stop event
  EXPECT_EQ(m->source_events_after, 0u);
}

TEST(RelayOffset, EveryMasterEventEndMapsToTheEventAfterIt) {
  LogSequenceReader reader(relay_logs(), LogKind::kRelayLog);
  std::vector<SequencedEvent> events;
  while (true) {
    Result<std::optional<SequencedEvent>> e = reader.next();
    ASSERT_TRUE(e) << e.error().message;
    if (!*e) break;
    events.push_back(**e);
  }
  int checked = 0;
  for (const SequencedEvent& se : events) {
    if (!se.source_end) continue;
    Result<MappedOffset> m =
        find_relay_offset(relay_logs(), se.source_end->file, se.source_end->pos);
    ASSERT_TRUE(m) << m.error().message;
    // A real master Rotate ends one binlog; the replica then starts a new relay log with a fake
    // rotate to the same place, which comes later and wins.
    if (se.event.as<Rotate>() != nullptr) continue;
    EXPECT_EQ(m->at, (LogOffset{se.file, se.event.end_offset()})) << se.source_end->to_string();
    ++checked;
  }
  EXPECT_GT(checked, 60);
}

TEST(RelayOffset, StartOfAMasterBinlogIsAfterTheLastRotateIntoIt) {
  // master-bin.000002:4 appears twice: the master's real Rotate (relay-bin.000004) and the fake
  // rotate at the top of relay-bin.000005. The later one wins.
  Result<MappedOffset> m = find_relay_offset(relay_logs(), "master-bin.000002", 4);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->at, (LogOffset{relay_logs()[4], 304}));
  m = find_relay_offset(relay_logs(), "master-bin.000001", 4);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->at, (LogOffset{relay_logs()[1], 304}));
}

TEST(RelayOffset, RefusesPositionsThatAreNotEventEnds) {
  for (auto [file, pos] : std::vector<std::pair<std::string, uint64_t>>{
           {"master-bin.000001", 1000},     // inside an event
           {"master-bin.000003", 5000},     // beyond what was received
           {"master-bin.000009", 4},        // a binlog the relay logs never saw
           {"master-bin.000001", 1439}}) {  // Annotate_rows end: not sent to the replica
    Result<MappedOffset> m = find_relay_offset(relay_logs(), file, pos);
    ASSERT_FALSE(m) << file << ":" << pos;
    EXPECT_EQ(m.error().code, ErrorCode::kNotFound);
    EXPECT_NE(m.error().message.find(file + ":" + std::to_string(pos)), std::string::npos);
    EXPECT_NE(m.error().message.find("master-bin.000001:4 .. master-bin.000003:1322"),
              std::string::npos)
        << m.error().message;
  }
}

TEST(RelayOffset, NeedsTheEarlierRelayLogToKnowTheMasterFile) {
  // relay-bin.000003 continues master-bin.000001 without saying so; alone it cannot be mapped.
  Result<MappedOffset> m = find_relay_offset(relay_logs(3), "master-bin.000001", 102939);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::kNotFound);
  m = find_relay_offset(relay_logs(2), "master-bin.000001", 102939);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->at, (LogOffset{relay_logs()[2], 539}));
}

TEST(GtidOffset, FindsTheEndOfTheTransaction) {
  Result<LogOffset> o = find_gtid_offset(master_binlogs(), LogKind::kBinlog, gtid("0-1-7"));
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(*o, (LogOffset{master_binlogs()[0], 1564}));
  o = find_gtid_offset(relay_logs(), LogKind::kRelayLog, gtid("0-1-11"));
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(*o, (LogOffset{relay_logs()[2], 539}));
  o = find_gtid_offset(relay_logs(), LogKind::kRelayLog, gtid("1-1-1"));
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(*o, (LogOffset{relay_logs()[4], 810}));
  // The replica's Gtid_Slave_Pos (from the recorded status) ends where its exec position is.
  std::map<std::string, std::string> st = replica_status();
  ASSERT_EQ(st["Gtid_Slave_Pos"], "0-1-8");
  o = find_gtid_offset(relay_logs(), LogKind::kRelayLog, gtid("0-1-8"));
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(base(o->file), st["Relay_Log_File"]);
  EXPECT_EQ(std::to_string(o->offset), st["Relay_Log_Pos"]);
}

TEST(GtidOffset, UnknownOrOtherServerGtidIsNotFound) {
  for (const char* g : {"0-1-99", "0-2-7", "5-1-1"}) {
    Result<LogOffset> o = find_gtid_offset(relay_logs(), LogKind::kRelayLog, gtid(g));
    ASSERT_FALSE(o) << g;
    EXPECT_EQ(o.error().code, ErrorCode::kNotFound);
    EXPECT_NE(o.error().message.find(std::string("GTID ") + g + " is not in relay logs"),
              std::string::npos)
        << o.error().message;
  }
}

// mixed/: a checksum-NONE master (server_id 4) and a CRC32 replica whose IO thread was restarted
// while its SQL thread was stopped, so MariaDB purged the relay logs and fetched again from
// gtid_slave_pos 0-4-8: the relay logs start with the master's header events and then an
// artificial Gtid_list whose end_log_pos (2138) is where 0-4-8 ends in master-bin.000001.
std::vector<std::string> mixed(const char* kind, int first, int last) {
  std::vector<std::string> out;
  for (int i = first; i <= last; ++i) {
    out.push_back(fixture(std::string("mixed/") + kind + ".00000" + std::to_string(i)));
  }
  return out;
}

TEST(MixedFixture, RelayLogsHoldTheMastersTransactionsAfterTheRefetchPoint) {
  std::vector<Transaction> master = all_transactions(mixed("master-bin", 1, 2), LogKind::kBinlog);
  std::vector<Transaction> relay = all_transactions(mixed("relay-bin", 1, 4), LogKind::kRelayLog);
  ASSERT_EQ(master.size(), 15u);
  EXPECT_EQ(master[7].gtid->to_string(), "0-4-8");
  EXPECT_EQ(master[7].source_end, (BinlogPosition{"master-bin.000001", 2138}));
  ASSERT_EQ(relay.size(), master.size() - 8);
  for (size_t i = 0; i < relay.size(); ++i) {
    EXPECT_EQ(relay[i].gtid, master[i + 8].gtid);
    EXPECT_EQ(relay[i].source_end, master[i + 8].source_end) << master[i + 8].gtid->to_string();
    EXPECT_TRUE(relay[i].complete);
  }
  // The relay logs follow the master's checksum setting, not the replica's CRC32.
  Result<EventReader> r = EventReader::open_file(mixed("relay-bin", 2, 2)[0]);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->next());
  ASSERT_TRUE(r->format());
  EXPECT_EQ(r->format()->checksum, ChecksumAlg::kOff);
}

TEST(MixedFixture, RefetchPointMapsAfterTheArtificialGtidList) {
  std::map<std::string, std::string> st;
  {
    std::ifstream in(fixture("mixed/replica-status.txt"));
    std::string line;
    while (std::getline(in, line)) {
      size_t colon = line.find(": ");
      if (colon != std::string::npos) st[line.substr(0, colon)] = line.substr(colon + 2);
    }
  }
  ASSERT_EQ(st["Exec_Master_Log_Pos"], "2138");
  ASSERT_EQ(st["Gtid_Slave_Pos"], "0-4-8");
  std::vector<std::string> relay = mixed("relay-bin", 1, 4);
  // The server restarts its SQL thread at relay-bin.000001:4 and skips by GTID; by position the
  // first event after 0-4-8 is the GTID event after the artificial Gtid_list (617..656).
  Result<MappedOffset> m = find_relay_offset(relay, "master-bin.000001", 2138);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->at, (LogOffset{relay[1], 656}));
  // Positions the relay logs skipped over are not in them, although inside the range they hold.
  Result<MappedOffset> skipped = find_relay_offset(relay, "master-bin.000001", 1488);
  ASSERT_FALSE(skipped);
  EXPECT_EQ(skipped.error().code, ErrorCode::kNotFound);
  Result<LogOffset> gone = find_gtid_offset(relay, LogKind::kRelayLog, gtid("0-4-8"));
  ASSERT_FALSE(gone);
  // Read_Master_Log_Pos is the end of the received events, just before the replica's Stop.
  ASSERT_EQ(st["Master_Log_File"], "master-bin.000002");
  m = find_relay_offset(relay, st["Master_Log_File"], std::stoull(st["Read_Master_Log_Pos"]));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->at, (LogOffset{relay[3], 1266}));
  EXPECT_EQ(m->source_events_after, 0u);
}

TEST(Sequence, RelayLogsAreNotPlainBinlogs) {
  TransactionReader reader(relay_logs(), LogKind::kBinlog);
  Result<std::optional<Transaction>> t = reader.next();
  while (t && *t) t = reader.next();
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().detail, kDetailMalformed);
  EXPECT_NE(t.error().message.find("relay-bin.000002: Rotate event at offset 256"),
            std::string::npos)
      << t.error().message;
}

TEST(Sequence, TruncatedTailOfTheLastRelayLog) {
  TempDir dir;
  std::vector<std::string> files;
  for (const std::string& f : relay_logs()) {
    files.push_back(dir.file(base(f)));
    std::string bytes = testing::read_bytes(f);
    if (base(f) == "relay-bin.000007") bytes.resize(1210);  // inside the Table_map at 1182
    testing::write_bytes(files.back(), bytes);
  }
  // Without the option the partial event is an error naming file and offset.
  Result<LogOffset> o = find_gtid_offset(files, LogKind::kRelayLog, gtid("0-1-13"));
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().detail, kDetailTruncated);
  EXPECT_NE(o.error().message.find("relay-bin.000007: truncated Table_map event"),
            std::string::npos)
      << o.error().message;
  EXPECT_TRUE(o.error().message.ends_with("at offset 1182")) << o.error().message;

  SequenceOptions tolerant;
  tolerant.allow_truncated_tail = true;
  std::vector<Transaction> txs = all_transactions(files, LogKind::kRelayLog, tolerant);
  ASSERT_EQ(txs.size(), std::size(kAllGtids));
  EXPECT_EQ(txs.back().gtid->to_string(), "0-1-14");
  EXPECT_FALSE(txs.back().complete);
  EXPECT_EQ(txs.back().end, (LogOffset{files.back(), 1182}));
  o = find_gtid_offset(files, LogKind::kRelayLog, gtid("0-1-13"), tolerant);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(*o, (LogOffset{files.back(), 1043}));
  o = find_gtid_offset(files, LogKind::kRelayLog, gtid("0-1-14"), tolerant);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().message.find("GTID 0-1-14 is only partly in relay logs"), std::string::npos)
      << o.error().message;

  TransactionReader reader(files, LogKind::kRelayLog, tolerant);
  while (true) {
    Result<std::optional<Transaction>> t = reader.next();
    ASSERT_TRUE(t);
    if (!*t) break;
  }
  EXPECT_EQ(reader.events().truncated_tail(), (LogOffset{files.back(), 1182}));
}

// A relay log where the IO thread reconnected in the middle of 0-1-5: the master re-sent it
// after a fake rotate and its FDE. The partial copy is reported incomplete and both mappings
// point after the complete copy.
TEST(Sequence, RefetchedTransactionAfterReconnect) {
  TempDir dir;
  BinlogBuilder b;
  b.fde(2, true);                        // replica's own FDE
  b.rotate(1, "mb.000001", 4, true, 0);  // fake rotate
  b.fde(1, true, 256);                   // master FDE
  b.gtid(1, 0, 4, gtid_flag::kTransactional, 0, 400);
  b.xid(1, 1, 431);  // 0-1-4 ends at mb.000001:431
  b.gtid(1, 0, 5, gtid_flag::kTransactional, 0, 473);
  b.opaque(event_type::kTableMap, 1, 20, 516);  // partial 0-1-5
  b.rotate(1, "mb.000001", 431, true, 0);       // reconnect: fake rotate to 431
  b.fde(1, true, 0);
  const uint64_t refetch = b.gtid(1, 0, 5, gtid_flag::kTransactional, 0, 473);
  b.opaque(event_type::kTableMap, 1, 20, 516);
  b.opaque(23, 1, 40, 579);
  const uint64_t after = b.xid(1, 2, 610) + 31;
  b.rotate(2, "relay.000002", 4, false);  // the replica's own rotate
  const std::string path = dir.file("relay.000001");
  testing::write_bytes(path, b.bytes());

  std::vector<Transaction> txs = all_transactions({path}, LogKind::kRelayLog);
  ASSERT_EQ(txs.size(), 3u);
  EXPECT_TRUE(txs[0].complete);
  EXPECT_EQ(txs[1].gtid->to_string(), "0-1-5");
  EXPECT_FALSE(txs[1].complete);
  EXPECT_EQ(txs[1].events, 2u);
  EXPECT_TRUE(txs[2].complete);
  EXPECT_EQ(txs[2].start.offset, refetch);
  EXPECT_EQ(txs[2].end.offset, after);
  EXPECT_EQ(txs[2].source_end, (BinlogPosition{"mb.000001", 610}));

  Result<MappedOffset> m = find_relay_offset({path}, "mb.000001", 431);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_LT(m->at.offset, refetch);  // after the reconnect rotate, before the re-fetched copy
  EXPECT_GT(m->at.offset, txs[1].end.offset);
  EXPECT_EQ(m->source_events_after, 4u);
  Result<LogOffset> o = find_gtid_offset({path}, LogKind::kRelayLog, gtid("0-1-5"));
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->offset, after);
}

TEST(Sequence, GroupCommitAndStandaloneAndBeginTransactions) {
  TempDir dir;
  BinlogBuilder b;
  b.fde(9, true);
  b.gtid_list(9, {});
  b.gtid(9, 0, 1, gtid_flag::kStandalone | gtid_flag::kDdl);
  b.query(9, "CREATE TABLE t (a INT)");
  b.gtid(9, 0, 2, gtid_flag::kGroupCommitId | gtid_flag::kTransactional, 77);
  b.opaque(event_type::kAnnotateRows, 9, 10);
  b.opaque(event_type::kTableMap, 9, 20);
  b.xid(9, 3);
  b.gtid(9, 0, 3, gtid_flag::kGroupCommitId | gtid_flag::kTransactional, 77);
  b.query(9, "ROLLBACK");
  b.query(9, "BEGIN");  // a GTID-less transaction (older binlogs)
  b.opaque(event_type::kTableMap, 9, 20);
  b.query(9, "COMMIT");
  b.gtid(9, 0, 4, 0);  // open at the end of the file
  b.opaque(event_type::kTableMap, 9, 20);
  const std::string path = dir.file("b-bin.000001");
  testing::write_bytes(path, b.bytes());
  std::vector<Transaction> txs = all_transactions({path}, LogKind::kBinlog);
  ASSERT_EQ(txs.size(), 5u);
  EXPECT_EQ(txs[0].gtid->to_string(), "0-9-1");
  EXPECT_EQ(txs[0].events, 2u);
  EXPECT_TRUE(txs[0].complete);
  EXPECT_EQ(txs[1].events, 4u);
  EXPECT_TRUE(txs[1].complete);
  EXPECT_TRUE(txs[2].complete);  // ended by ROLLBACK
  EXPECT_FALSE(txs[3].gtid);
  EXPECT_EQ(txs[3].events, 3u);
  EXPECT_TRUE(txs[3].complete);
  EXPECT_EQ(txs[4].gtid->to_string(), "0-9-4");
  EXPECT_FALSE(txs[4].complete);
}

TEST(IndexFile, ResolvesEntriesBesideTheIndex) {
  TempDir dir;
  std::ofstream(dir.file("relay-bin.index"))
      << "./relay-bin.000001\n/var/lib/mysql/relay-bin.000002\r\n\nrelay-bin.000003\n";
  Result<std::vector<std::string>> files = read_index_file(dir.file("relay-bin.index"));
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(*files,
            (std::vector<std::string>{dir.file("relay-bin.000001"), dir.file("relay-bin.000002"),
                                      dir.file("relay-bin.000003")}));
  Result<std::vector<std::string>> missing = read_index_file(dir.file("nope.index"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_NE(missing.error().message.find("nope.index"), std::string::npos);
}

}  // namespace
}  // namespace mha::binlog
