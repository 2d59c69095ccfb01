#include <chrono>
#include <cstdio>

#include "text_internal.h"

namespace mha::health::internal {

std::string seconds_text(Duration d) {
  if (d < std::chrono::seconds(1)) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
  }
  const double s = std::chrono::duration<double>(d).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

std::string failure_text(const PingFailure& f) {
  std::string text = ping_failure_kind_name(f.kind);
  if (f.mysql_errno != 0) text += ", errno " + std::to_string(f.mysql_errno);
  text += " after " + seconds_text(f.elapsed);
  return text;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace mha::health::internal
