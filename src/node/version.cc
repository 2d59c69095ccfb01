#include "mha/node/version.h"

#include <nlohmann/json.hpp>

#include <string>

namespace mha::node {

std::string_view release_version() { return MHA_VERSION; }

std::string version_line(std::string_view program) {
  return std::string(program) + " version " + std::string(release_version()) + ".";
}

std::string version_json() {
  nlohmann::ordered_json doc;
  doc["name"] = kNodeProgram;
  doc["version"] = release_version();
  doc["protocol"] = kProtocolVersion;
  return doc.dump();
}

}  // namespace mha::node
