// The small value helpers of config.h; loading lives in load.cc.

#include "mha/config/config.h"

#include <algorithm>

#include "parameters.h"

namespace mha::config {

std::chrono::seconds ping_timeout(const AppSettings& app) {
  return std::clamp(std::chrono::seconds(app.ping_interval), std::chrono::seconds(1),
                    std::chrono::seconds(2));
}

const char* ping_type_name(PingType t) {
  switch (t) {
    case PingType::kSelect:
      return "SELECT";
    case PingType::kConnect:
      return "CONNECT";
    case PingType::kInsert:
      return "INSERT";
  }
  return "SELECT";
}

std::string ServerConfig::display() const {
  return hostname + "(" + (ip.empty() ? hostname : ip) + ":" + std::to_string(port) + ")";
}

const std::vector<std::string>& parameter_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& spec : internal::parameter_specs()) names.emplace_back(spec.name);
    return names;
  }();
  return kNames;
}

}  // namespace mha::config
