// scan_transactions_after on the captured MariaDB 10.11 binlogs and relay logs (tests/data/binlog,
// offsets from its README and *.events.txt): whole transactions after a place, the one around it,
// and the unfinished tail of a file cut by a crash.

#include "mha/binlog/transaction_scan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "binlog_test_util.h"

namespace mha::binlog {
namespace {

using testing::fixture;
using testing::read_bytes;
using testing::write_bytes;

std::vector<std::string> master_binlogs() {
  return {fixture("crc32/master-bin.000001"), fixture("crc32/master-bin.000002"),
          fixture("crc32/master-bin.000003")};
}

TEST(TransactionScanTest, FromTheTopEveryTransactionIsWhole) {
  auto s = scan_transactions_after(master_binlogs(), LogKind::kBinlog, ScanPos{0, 4});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->transactions, 15u);
  EXPECT_EQ(s->cut, (ScanPos{2, 1322}));
  EXPECT_EQ(s->first_gtid->to_string(), "0-1-1");
  EXPECT_EQ(s->last_gtid->to_string(), "0-1-14");
  EXPECT_FALSE(s->straddling);
  EXPECT_FALSE(s->incomplete_tail);
  EXPECT_TRUE(s->skipped.empty());
  EXPECT_EQ(s->source_end->to_string(), "master-bin.000003:1322");
}

TEST(TransactionScanTest, ATransactionAroundTheStartStraddlesAndIsNotCounted) {
  // 0-1-7 is 1333..1564 in master-bin.000001.
  auto s = scan_transactions_after(master_binlogs(), LogKind::kBinlog, ScanPos{0, 1400});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE(s->straddling);
  EXPECT_EQ(s->straddling->gtid->to_string(), "0-1-7");
  EXPECT_EQ(s->transactions, 8u);  // 0-1-8 .. 0-1-14, 1-1-1
  EXPECT_EQ(s->first_gtid->to_string(), "0-1-8");

  auto none = scan_transactions_after(master_binlogs(), LogKind::kBinlog, ScanPos{2, 1322});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->cut);
  EXPECT_EQ(none->transactions, 0u);
}

TEST(TransactionScanTest, RelayLogsFromTheReplicasExecPosition) {
  std::vector<std::string> relay;
  for (int i = 1; i <= 7; ++i)
    relay.push_back(fixture("crc32/relay-bin.00000" + std::to_string(i)));
  // Relay_Log_File:Relay_Log_Pos relay-bin.000002:2259, just after 0-1-8 (replica-status.txt).
  auto s = scan_transactions_after(relay, LogKind::kRelayLog, ScanPos{1, 2259});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->transactions, 7u);  // 0-1-9 .. 0-1-14, 1-1-1
  EXPECT_EQ(s->first_gtid->to_string(), "0-1-9");
  EXPECT_EQ(s->source_end->to_string(), "master-bin.000003:1322");
  EXPECT_EQ(s->cut, (ScanPos{6, 1338}));
}

TEST(TransactionScanTest, AFileCutByACrashEndsWithAnUnfinishedTail) {
  const std::string dir = ::testing::TempDir();
  const std::string bytes = read_bytes(fixture("crc32/master-bin.000003"));
  // Inside 0-1-14's Write_rows event (879..1322): an unfinished transaction, and a partial event.
  const std::string mid = dir + "/mha-scan-mid.000003";
  write_bytes(mid, bytes.substr(0, 1100));
  auto s = scan_transactions_after({mid}, LogKind::kBinlog, ScanPos{0, 4}, SequenceOptions{true});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->cut, (ScanPos{0, 879}));
  EXPECT_EQ(s->incomplete_tail, (ScanPos{0, 879}));
  EXPECT_FALSE(s->tail_is_partial_event);
  EXPECT_TRUE(s->ends_inside_event);
  EXPECT_EQ(s->last_gtid->to_string(), "0-1-13");

  // Inside 0-1-14's GTID event itself: only a partly written event.
  const std::string gtid = dir + "/mha-scan-gtid.000003";
  write_bytes(gtid, bytes.substr(0, 890));
  auto g = scan_transactions_after({gtid}, LogKind::kBinlog, ScanPos{0, 4}, SequenceOptions{true});
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->incomplete_tail, (ScanPos{0, 879}));
  EXPECT_TRUE(g->tail_is_partial_event);
  std::filesystem::remove(mid);
  std::filesystem::remove(gtid);
}

}  // namespace
}  // namespace mha::binlog
