#include "mha/topology/sessions.h"

#include <cctype>
#include <string_view>

namespace mha::topology {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool is_application_session(const ProcessInfo& p) {
  const std::string user = lower(p.user);
  if (user == "system user" || user == "event_scheduler" || user == "unauthenticated user") {
    return false;
  }
  const std::string cmd = lower(p.command);
  return !(cmd == "connect" || cmd == "daemon" || cmd == "killed" ||
           cmd.rfind("binlog dump", 0) == 0 || cmd.rfind("slave_", 0) == 0 ||
           cmd == "register slave");
}

}  // namespace mha::topology
