#include "command_output.h"

#include "mha/common/log.h"

#include <deque>

namespace mha::recovery::internal {

std::vector<std::string> loggable_lines(const std::string& text) {
  std::deque<std::string> kept;
  std::size_t dropped = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) {
      std::string line = text.substr(start, std::min(end - start, kMaxLoggedLineBytes));
      if (end - start > kMaxLoggedLineBytes) {
        line += "... (" + std::to_string(end - start) + " bytes)";
      }
      kept.push_back(std::move(line));
      if (kept.size() > kMaxLoggedLines) {
        kept.pop_front();
        ++dropped;
      }
    }
    start = end + 1;
  }
  std::vector<std::string> out;
  if (dropped > 0) out.push_back("(" + std::to_string(dropped) + " earlier line(s) not logged)");
  out.insert(out.end(), kept.begin(), kept.end());
  return out;
}

void log_command_output(const std::string& prefix, const std::string& text) {
  for (const std::string& line : loggable_lines(text)) {
    log::info("  {}: {}", prefix, log::redact(line));
  }
}

}  // namespace mha::recovery::internal
