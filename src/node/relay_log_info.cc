#include "mha/node/relay_log_info.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace mha::node {
namespace {

// The directory part of `path` ("." for a bare name), and the last component.
std::string dir_of(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

std::string base_of(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Result<RelayLogLocation> parse_relay_log_info(const std::string& text, const std::string& source,
                                              const std::string& datadir) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(l);
  }
  if (lines.empty() || lines.front().empty()) {
    return Unexpected(make_error(ErrorCode::kIo, source + ": empty, no relay log named"));
  }
  // Newer layout: line 1 is the number of lines, the relay log name follows.
  const std::size_t at = all_digits(lines.front()) ? 1 : 0;
  if (at >= lines.size() || lines[at].empty()) {
    return Unexpected(make_error(ErrorCode::kIo, source + ": line " + std::to_string(at + 1) +
                                                     " should name the relay log, but is empty"));
  }
  const std::string& name = lines[at];
  RelayLogLocation loc;
  loc.relay_log = base_of(name);
  if (loc.relay_log.empty()) {
    return Unexpected(make_error(ErrorCode::kIo, source + ": line " + std::to_string(at + 1) +
                                                     " names a directory, not a relay log"));
  }
  if (name.front() == '/') {
    loc.relay_dir = dir_of(name);
  } else {
    const std::string base = datadir.empty() ? dir_of(source) : datadir;
    const std::size_t slash = name.rfind('/');
    std::string rel = slash == std::string::npos ? "" : name.substr(0, slash);
    if (rel == ".") rel.clear();
    if (rel.rfind("./", 0) == 0) rel = rel.substr(2);
    loc.relay_dir = rel.empty() ? base : base + "/" + rel;
  }
  return loc;
}

Result<RelayLogLocation> read_relay_log_info(const std::string& path, const std::string& datadir) {
  std::ifstream in(path);
  if (!in) {
    return Unexpected(make_error(ErrorCode::kIo, path + ": cannot read the relay log info file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_relay_log_info(text.str(), path, datadir);
}

}  // namespace mha::node
