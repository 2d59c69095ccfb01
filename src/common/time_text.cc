#include "mha/common/time_text.h"

#include <cstdio>
#include <ctime>

namespace mha {

std::string iso8601_utc_ms(std::chrono::system_clock::time_point time) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const auto floor_div = [](long long a, long long b) { return a / b - ((a % b) < 0 ? 1 : 0); };
  const long long secs = floor_div(ms, 1000);
  const std::time_t seconds = static_cast<std::time_t>(secs);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms - secs * 1000));
  return std::string(buf, n) + frac;
}

}  // namespace mha
