#pragma once

// Wall-clock times as text for records and reports, UTC ISO-8601. Pure and thread-safe.

#include <chrono>
#include <string>

namespace mha {

// "2026-12-04T20:31:05.123Z": journals and reports, compared across hosts and log files.
std::string iso8601_utc_ms(std::chrono::system_clock::time_point time);

// "2026-12-04T20:31:05Z" (truncated to the second): decision records and their text.
std::string iso8601_utc(std::chrono::system_clock::time_point time);

}  // namespace mha
