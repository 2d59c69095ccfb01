#include "salvage.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <sstream>

#include "script_args.h"

namespace mha::recovery::internal {

std::string save_command(const std::vector<std::string>& binlog_dirs,
                         const std::vector<std::string>& start, const std::string& output_file) {
  std::string dirs;
  for (const std::string& d : binlog_dirs) dirs += (dirs.empty() ? "" : ",") + d;
  std::vector<std::string> args{"--command=save", "--binlog_dir=" + dirs};
  for (const std::string& s : start) args.push_back(s);
  args.push_back("--output_file=" + output_file);
  return script_line("masterha_node save_binary_logs", args);
}

Result<SavedBinlog> parse_save_output(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  std::optional<nlohmann::json> last;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() != '{') continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) last = std::move(j);
  }
  if (!last) {
    return Unexpected(make_error(ErrorCode::kIo, "save_binary_logs printed no summary line"));
  }
  SavedBinlog s;
  const nlohmann::json& j = *last;
  s.saved = j.value("result", std::string()) == "saved";
  s.transactions = j.value("transactions", uint64_t{0});
  s.bytes = j.value("bytes", uint64_t{0});
  if (j.contains("last_gtid") && j["last_gtid"].is_string()) {
    Result<topology::GtidPosition> g =
        topology::GtidPosition::parse(j["last_gtid"].get<std::string>());
    if (!g) return Unexpected(std::move(g).error());
    if (g->size() == 1) s.last_gtid = g->entries().front();
  }
  if (j.contains("incomplete_tail") && j["incomplete_tail"].is_string()) {
    s.incomplete_tail = j["incomplete_tail"].get<std::string>();
  }
  return s;
}

std::string apply_command(const std::string& binlog_file, const std::string& option_file,
                          const std::string& address, int port) {
  const std::string pipeline = "mysqlbinlog " + shell_quote(binlog_file) +
                               " | mysql --defaults-extra-file=" + shell_quote(option_file) +
                               " --max-allowed-packet=1073741824 -h " + shell_quote(address) +
                               " -P " + std::to_string(port) +
                               "; echo \"pipestatus=${PIPESTATUS[0]} ${PIPESTATUS[1]}\"";
  return "bash -c " + shell_quote(pipeline);
}

bool apply_succeeded(const std::string& out) {
  const std::size_t at = out.rfind("pipestatus=");
  if (at == std::string::npos) return false;
  return out.compare(at, 14, "pipestatus=0 0") == 0;
}

std::string binlog_prefix(const std::string& file) {
  const std::size_t dot = file.rfind('.');
  if (dot == std::string::npos || dot + 1 >= file.size()) return "";
  for (std::size_t i = dot + 1; i < file.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(file[i]))) return "";
  }
  return file.substr(0, dot);
}

}  // namespace mha::recovery::internal
