// load(): read the global and application files, run init_conf_load_script, layer the values and
// validate the result. Each value is checked where it is read, so an error names the file:line
// (or script output line) that wrote it.

#include "mha/config/config.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include "ini_reader.h"
#include "parameters.h"
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mha::config {
namespace {

using internal::IniDocument;
using internal::IniSection;
using internal::ParamSpec;
using internal::Scope;

// Where a value came from, for messages.
struct Origin {
  std::string where;    // "/etc/mha/app1.cnf:12" or "init_conf_load_script '/x', output line 3"
  std::string section;  // "[server default]", "[server1]" or "the init_conf_load_script output"
};

struct Setting {
  std::string value;  // normalised
  Origin origin;
};

// One layer of settings: canonical key -> value. Layers are overlaid in precedence order.
using Layer = std::map<std::string, Setting>;

enum class SectionKind { kDefault, kServer, kBinlog };

struct Block {
  const IniSection* section;
  Layer layer;
};

constexpr char kDefaultSection[] = "server default";

Error config_error(const std::string& where, const std::string& what, int detail = 0) {
  return make_error(ErrorCode::kConfig, where + ": " + what, detail);
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string file_line(const std::string& path, int line) {
  return path + ":" + std::to_string(line);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Checks that `key` exists and may be written in this kind of section, validates the value and
// adds it to `layer`.
Status add_setting(SectionKind kind, const std::string& key, std::string_view raw_value,
                   const Origin& origin, Layer* layer) {
  const std::string canonical = internal::canonical_key(key);
  const ParamSpec* spec = internal::find_param(canonical);
  const std::string in = " in " + origin.section;
  if (spec == nullptr) {
    std::string msg = "unknown parameter " + in_quotes(key) + in;
    const std::string hint = internal::suggest_param(key);
    if (!hint.empty()) msg += "; did you mean " + in_quotes(hint) + "?";
    return Unexpected(config_error(origin.where, msg));
  }
  if (kind == SectionKind::kDefault && spec->scope == Scope::kLocal) {
    return Unexpected(config_error(
        origin.where, in_quotes(key) + in +
                          " is a per-server setting and is never inherited; set it in each "
                          "[server...] block"));
  }
  if (kind != SectionKind::kDefault && spec->scope == Scope::kApp) {
    return Unexpected(config_error(
        origin.where,
        in_quotes(key) + in + " is an application setting; put it in [server default]"));
  }
  if (kind == SectionKind::kBinlog && !spec->binlog) {
    return Unexpected(config_error(
        origin.where, in_quotes(key) + in +
                          " does not apply to a binlog server; a [binlog...] block takes hostname, "
                          "ip, ssh_port, ssh_user, ssh_options, ssh_connection_timeout, "
                          "master_binlog_dir and remote_workdir"));
  }
  auto value = internal::normalize_value(*spec, raw_value);
  if (!value) {
    const char* what = spec->kind == internal::Kind::kSecret ? "invalid password value for "
                                                             : "invalid value for ";
    return Unexpected(
        config_error(origin.where, what + in_quotes(key) + in + ": " + value.error().message));
  }
  auto [it, inserted] = layer->try_emplace(canonical, Setting{std::move(*value), origin});
  if (!inserted) {
    return Unexpected(config_error(origin.where, in_quotes(key) + in + " is set twice (first at " +
                                                     it->second.origin.where + ")"));
  }
  return ok_status();
}

void overlay(Layer& base, const Layer& top) {
  for (const auto& [key, setting] : top) base.insert_or_assign(key, setting);
}

bool valid_block_name(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return false;
  return std::none_of(name.begin(), name.end(), is_space);
}

Result<SectionKind> classify(const IniSection& section, const std::string& path) {
  if (section.name == kDefaultSection) return SectionKind::kDefault;
  if (valid_block_name(section.name, "server")) return SectionKind::kServer;
  if (valid_block_name(section.name, "binlog")) return SectionKind::kBinlog;
  std::string msg = "section [" + section.name +
                    "] is invalid; expected [server default], [server<name>] or [binlog<name>]";
  if (std::any_of(section.name.begin(), section.name.end(), is_space)) {
    msg += " (block names cannot contain spaces)";
  }
  return Unexpected(config_error(file_line(path, section.line), msg));
}

Status check_unique_section(const IniSection& section, const std::string& path,
                            std::map<std::string, int>* seen) {
  auto [it, inserted] = seen->try_emplace(section.name, section.line);
  if (inserted) return ok_status();
  return Unexpected(config_error(file_line(path, section.line),
                                 "section [" + section.name + "] appears twice (first at line " +
                                     std::to_string(it->second) + ")"));
}

// Only [server default] of the global file is read, as in MHA. A missing file is a warning.
Status read_global(const std::string& path, AppConfig* cfg, Layer* layer) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
    cfg->warnings.push_back("Global configuration file " + path + " not found. Skipping.");
    return ok_status();
  }
  auto doc = internal::read_ini_file(path);
  if (!doc) return Unexpected(std::move(doc).error());
  cfg->global_conf_found = true;
  std::map<std::string, int> seen;
  for (const IniSection& section : doc->sections) {
    if (section.name != kDefaultSection) {
      cfg->warnings.push_back(file_line(path, section.line) + ": section [" + section.name +
                              "] ignored: only [server default] is read from the global "
                              "configuration file");
      continue;
    }
    MHA_TRY(check_unique_section(section, path, &seen));
    const Origin base{"", "[server default]"};
    for (const auto& entry : section.entries) {
      const Origin origin{file_line(path, entry.line), base.section};
      MHA_TRY(add_setting(SectionKind::kDefault, entry.key, entry.value, origin, layer));
    }
  }
  return ok_status();
}

// Runs init_conf_load_script and reads its "name=value" lines into `layer`. Values are taken
// literally (trimmed): they typically carry passwords, which may contain '#' or quotes.
Status run_init_script(const Setting& script, const ScriptRunner& runner, Layer* layer) {
  const std::string label = "init_conf_load_script " + in_quotes(script.value);
  if (!runner) {
    return Unexpected(config_error(script.origin.where,
                                   label + " is set, but this tool cannot run it (no runner)"));
  }
  auto output = runner(script.value);
  if (!output) {
    return Unexpected(config_error(
        script.origin.where, label + " failed: " + output.error().message, output.error().detail));
  }
  std::string_view text = *output;
  int line_no = 0;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const std::string_view line = trim(text.substr(0, eol));
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const Origin origin{label + ", output line " + std::to_string(line_no),
                        "the init_conf_load_script output"};
    const size_t eq = line.find('=');
    // The line is not echoed: it is likely to carry a password.
    if (eq == std::string_view::npos || trim(line.substr(0, eq)).empty()) {
      return Unexpected(config_error(origin.where, "expected 'name=value'"));
    }
    const std::string key(trim(line.substr(0, eq)));
    if (internal::canonical_key(key) == "init_conf_load_script") {
      return Unexpected(config_error(origin.where, "the script cannot set " + in_quotes(key)));
    }
    MHA_TRY(add_setting(SectionKind::kDefault, key, trim(line.substr(eq + 1)), origin, layer));
  }
  return ok_status();
}

std::string os_user() {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  const char* env = std::getenv("USER");
  return env != nullptr ? env : "";
}

// The number in a block name ("server10" -> "10", leading zeros dropped), if it has one.
std::optional<std::string> block_number(const std::string& name) {
  const size_t first = name.find_first_of("0123456789");
  if (first == std::string::npos) return std::nullopt;
  size_t last = name.find_first_not_of("0123456789", first);
  if (last == std::string::npos) last = name.size();
  std::string digits = name.substr(first, last - first);
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
  return digits;
}

// MHA's order: by the number in the block name when every name has one, else alphabetical.
// This order is the candidate tie-break order, so it must be deterministic.
template <typename T>
void order_blocks(std::vector<T>& blocks) {
  const bool numeric = std::all_of(blocks.begin(), blocks.end(),
                                   [](const T& b) { return block_number(b.block).has_value(); });
  std::sort(blocks.begin(), blocks.end(), [numeric](const T& a, const T& b) {
    if (numeric) {
      const std::string na = *block_number(a.block);
      const std::string nb = *block_number(b.block);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
    }
    return a.block < b.block;
  });
}

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

Status check_unique_addresses(const std::vector<ServerConfig>& servers, const std::string& path) {
  for (size_t j = 1; j < servers.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const ServerConfig& a = servers[i];
      const ServerConfig& b = servers[j];
      if (a.port != b.port || lower(a.ip) != lower(b.ip)) continue;
      return Unexpected(
          config_error(file_line(path, b.line),
                       "[" + b.block + "] and [" + a.block + "] (line " + std::to_string(a.line) +
                           ") have the same hostname/ip and port " + b.ip + ":" +
                           std::to_string(b.port) + "; each server needs a unique ip:port"));
    }
  }
  return ok_status();
}

Result<ServerConfig> build_server(const Block& block, const Layer& defaults,
                                  const std::string& ssh_user, const std::string& path) {
  ServerConfig s;
  s.block = block.section->name;
  s.line = block.section->line;
  s.ssh_user = ssh_user;
  for (const auto& [key, setting] : defaults) {
    if (internal::find_param(key)->scope == Scope::kServer) {
      internal::apply_server(s, key, setting.value);
    }
  }
  for (const auto& [key, setting] : block.layer) internal::apply_server(s, key, setting.value);
  if (s.hostname.empty()) {
    return Unexpected(config_error(file_line(path, s.line),
                                   "[" + s.block + "] has no 'hostname'; every server needs one"));
  }
  if (s.ip.empty()) s.ip = s.hostname;
  if (s.ssh_host.empty()) s.ssh_host = s.hostname;
  if (s.ssh_ip.empty()) s.ssh_ip = s.ssh_host;
  return s;
}

Result<BinlogServerConfig> build_binlog(const Block& block, const Layer& defaults,
                                        const std::string& ssh_user, const std::string& path) {
  BinlogServerConfig b;
  b.block = block.section->name;
  b.line = block.section->line;
  b.ssh_user = ssh_user;
  for (const auto& [key, setting] : defaults) {
    const ParamSpec* spec = internal::find_param(key);
    // A binlog server keeps its copies somewhere of its own: the directory is never inherited.
    if (spec->binlog && spec->scope == Scope::kServer && key != "master_binlog_dir") {
      internal::apply_binlog(b, key, setting.value);
    }
  }
  for (const auto& [key, setting] : block.layer) internal::apply_binlog(b, key, setting.value);
  if (b.hostname.empty()) {
    return Unexpected(
        config_error(file_line(path, b.line), "[" + b.block +
                                                  "] has no 'hostname'; every binlog server "
                                                  "needs one"));
  }
  if (b.master_binlog_dir.empty()) {
    return Unexpected(
        config_error(file_line(path, b.line), "[" + b.block +
                                                  "] has no 'master_binlog_dir'; a binlog server "
                                                  "block must say where its binlogs are"));
  }
  if (b.ip.empty()) b.ip = b.hostname;
  return b;
}

}  // namespace

Result<AppConfig> load(const LoadOptions& options) {
  if (options.conf_path.empty()) {
    return Unexpected(make_error(ErrorCode::kConfig,
                                 "no application configuration file given (--conf is required)"));
  }
  AppConfig cfg;
  cfg.conf_path = options.conf_path;
  cfg.global_conf_path = options.global_conf_path;
  cfg.app_name = std::filesystem::path(options.conf_path).stem().string();

  Layer global_defaults;
  if (!options.global_conf_path.empty()) {
    MHA_TRY(read_global(options.global_conf_path, &cfg, &global_defaults));
  }

  auto doc = internal::read_ini_file(options.conf_path);
  if (!doc) return Unexpected(std::move(doc).error());
  const std::string& path = options.conf_path;

  Layer app_defaults;
  std::vector<Block> server_blocks;
  std::vector<Block> binlog_blocks;
  std::map<std::string, int> seen;
  for (const IniSection& section : doc->sections) {
    MHA_TRY(check_unique_section(section, path, &seen));
    auto kind = classify(section, path);
    if (!kind) return Unexpected(kind.error());
    Layer* target = &app_defaults;
    if (*kind == SectionKind::kServer)
      target = &server_blocks.emplace_back(Block{&section, {}}).layer;
    if (*kind == SectionKind::kBinlog)
      target = &binlog_blocks.emplace_back(Block{&section, {}}).layer;
    for (const auto& entry : section.entries) {
      const Origin origin{file_line(path, entry.line), "[" + section.name + "]"};
      MHA_TRY(add_setting(*kind, entry.key, entry.value, origin, target));
    }
  }

  // Precedence, lowest first: built-in < global [server default] < app [server default] <
  // init_conf_load_script output < [serverN].
  Layer defaults = global_defaults;
  overlay(defaults, app_defaults);
  if (auto it = defaults.find("init_conf_load_script");
      it != defaults.end() && !it->second.value.empty()) {
    Layer script_defaults;
    MHA_TRY(run_init_script(it->second, options.script_runner, &script_defaults));
    overlay(defaults, script_defaults);
  }
  for (const auto& [key, setting] : defaults) {
    if (internal::find_param(key)->scope == Scope::kApp) {
      internal::apply_app(cfg.app, key, setting.value);
    }
  }

  const std::string ssh_user =
      options.default_ssh_user.empty() ? os_user() : options.default_ssh_user;
  for (const Block& block : server_blocks) {
    auto server = build_server(block, defaults, ssh_user, path);
    if (!server) return Unexpected(server.error());
    cfg.servers.push_back(std::move(*server));
  }
  for (const Block& block : binlog_blocks) {
    auto binlog = build_binlog(block, defaults, ssh_user, path);
    if (!binlog) return Unexpected(binlog.error());
    cfg.binlog_servers.push_back(std::move(*binlog));
  }
  if (cfg.servers.empty()) {
    return Unexpected(
        make_error(ErrorCode::kConfig,
                   path + ": no [server...] block; at least one MySQL server must be configured"));
  }
  order_blocks(cfg.servers);
  order_blocks(cfg.binlog_servers);
  MHA_TRY(check_unique_addresses(cfg.servers, path));
  return cfg;
}

}  // namespace mha::config
