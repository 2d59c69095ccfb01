#include "mha/cli/parse.h"

#include "arg_parser.h"

namespace mha::cli {
namespace {

using internal::ArgParser;

// "k=v;k=v" -> pairs, in order. Empty items are skipped; keys and values are trimmed.
std::optional<std::string> split_params(const std::string& text,
                                        std::vector<std::pair<std::string, std::string>>& out) {
  auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return std::string();
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
  };
  std::size_t start = 0;
  int index = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = trim(text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    ++index;
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || trim(item.substr(0, eq)).empty()) {
      // Named by position: the item may be a value, and values are never echoed.
      return "--params item " + std::to_string(index) + " is not name=value";
    }
    out.emplace_back(trim(item.substr(0, eq)), trim(item.substr(eq + 1)));
  }
  return std::nullopt;
}

}  // namespace

Parsed<ConfHostOptions> parse_conf_host_args(std::span<const std::string> args) {
  ConfHostOptions o;
  std::string command;
  std::string params;
  ArgParser parser(kConfHostTool, "Add or delete a server block of an application config.");
  parser.add_value("--command", command, "add, delete or remove (= delete); required")
      ->type_name("CMD")
      ->check(internal::one_of({"add", "delete", "remove"}));
  parser.add_value("--conf", o.conf, "Application configuration file (must exist)")
      ->type_name("FILE");
  parser.add_value("--hostname", o.hostname, "Server host name")->type_name("HOST");
  parser.add_value("--block", o.block, "Section name (default server_<hostname>)")
      ->type_name("NAME");
  parser.add_value("--params", params, "add: \"name=value;name=value\"")->type_name("LIST");
  if (auto done = parser.parse(args)) return *done;
  if (command.empty()) return parser.usage_error("--command=add|delete must be set.");
  if (o.conf.empty()) return EarlyExit{1, "", std::string(kConfNotSetMessage) + "\n"};
  o.command = command == "add" ? ConfHostCommand::kAdd : ConfHostCommand::kDelete;
  if (o.block.empty()) {
    if (o.hostname.empty()) return parser.usage_error("--hostname or --block must be set.");
    o.block = "server_" + o.hostname;
  } else if (o.block.rfind("server", 0) != 0) {
    o.block = "server" + o.block;
  }
  if (o.command == ConfHostCommand::kAdd && o.hostname.empty()) {
    return parser.usage_error("--command=add needs --hostname.");
  }
  if (o.command == ConfHostCommand::kDelete && !params.empty()) {
    return parser.usage_error("--params only applies to --command=add.");
  }
  if (auto bad = split_params(params, o.params)) return parser.usage_error(*bad);
  return o;
}

}  // namespace mha::cli
