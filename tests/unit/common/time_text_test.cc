// iso8601_utc_ms / iso8601_utc: the two record formats, including instants before 1970.

#include "mha/common/time_text.h"

#include <gtest/gtest.h>

#include <chrono>

namespace mha {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

system_clock::time_point at_ms(long long ms) { return system_clock::time_point(milliseconds(ms)); }

TEST(TimeText, MillisecondsAndSeconds) {
  // 2026-12-04T20:31:05.123Z
  const system_clock::time_point t = at_ms(1796416265123LL);
  EXPECT_EQ(iso8601_utc_ms(t), "2026-12-04T20:31:05.123Z");
  EXPECT_EQ(iso8601_utc(t), "2026-12-04T20:31:05Z");  // truncated, not rounded
  EXPECT_EQ(iso8601_utc_ms(at_ms(0)), "1970-01-01T00:00:00.000Z");
}

TEST(TimeText, BeforeTheEpochIsFlooredNotTruncatedTowardsZero) {
  EXPECT_EQ(iso8601_utc_ms(at_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(iso8601_utc(at_ms(-1)), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace mha
