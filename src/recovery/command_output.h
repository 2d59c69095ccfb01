#pragma once

// Logging what a script or a remote command printed, shared by the executor and the relay-diff
// step. Internal to the recovery module.

#include <cstddef>
#include <string>
#include <vector>

namespace mha::recovery::internal {

inline constexpr std::size_t kMaxLoggedLines = 40;
inline constexpr std::size_t kMaxLoggedLineBytes = 400;

// The lines of `text` worth logging: empty lines dropped, only the last kMaxLoggedLines kept
// (preceded by one line saying how many were left out) and each cut to kMaxLoggedLineBytes with
// its full length noted. Bounded because a failed `mysqlbinlog | mysql` makes the client echo the
// failing statement, which for one row event is megabytes of base64; the error that matters is
// its last line.
std::vector<std::string> loggable_lines(const std::string& text);

// Logs loggable_lines(text) at info level as "  <prefix>: <line>", passwords redacted.
void log_command_output(const std::string& prefix, const std::string& text);

}  // namespace mha::recovery::internal
