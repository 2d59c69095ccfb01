#pragma once

// Wall-clock times as text for records and reports: UTC ISO-8601 with milliseconds,
// "2026-12-04T20:31:05.123Z". Pure and thread-safe.

#include <chrono>
#include <string>

namespace mha {

std::string iso8601_utc_ms(std::chrono::system_clock::time_point time);

}  // namespace mha
