#include "mha/common/time_text.h"

#include <cstdio>
#include <ctime>

namespace mha {

namespace {

// Whole seconds (floored, also before 1970) as "YYYY-MM-DDTHH:MM:SS".
std::string date_time(long long secs) {
  const std::time_t seconds = static_cast<std::time_t>(secs);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf, n);
}

long long floor_div(long long a, long long b) { return a / b - ((a % b) < 0 ? 1 : 0); }

long long epoch_ms(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace

std::string iso8601_utc_ms(std::chrono::system_clock::time_point time) {
  const long long ms = epoch_ms(time);
  const long long secs = floor_div(ms, 1000);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms - secs * 1000));
  return date_time(secs) + frac;
}

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
  return date_time(floor_div(epoch_ms(time), 1000)) + "Z";
}

}  // namespace mha
