#pragma once

// The table of the 42 MHA parameters plus masterha's own (metrics_listen): scope, value kind, and
// how each lands in the typed structs of config.h. Values are validated and normalised once, where
// they are read, so every bad value is reported at the file:line that wrote it (even when a higher
// layer overrides it).

#include "mha/common/result.h"
#include "mha/config/config.h"

#include <string>
#include <string_view>
#include <vector>

namespace mha::config::internal {

enum class Scope {
  kLocal,   // [serverN] only, never inherited (hostname, candidate_master, ...)
  kServer,  // per server, inheritable from [server default] (port, user, ...)
  kApp,     // application-wide, [server default] only (manager_workdir, ping_interval, ...)
};

enum class Kind {
  kString,
  kSecret,    // password-like: never echoed in a message
  kHost,      // host name or IP literal: ASCII, no whitespace
  kPort,      // 1..65535
  kPositive,  // integer > 0
  kCount,     // integer >= 0 (0 usually means "off")
  kQuorum,    // any/majority/all, any case; normalised to lower case
  kBool,      // 0/1 (also true/false, yes/no, on/off); normalised to "0"/"1"
  kPingType,  // CONNECT/SELECT/INSERT, any case; normalised to upper case
  kLogLevel,  // debug..emergency, any case; normalised to lower case
  kDirList,   // comma list; all whitespace removed, empty items dropped
  kListen,    // host:port, [ipv6]:port, :port or *:port (every address); port 1..65535
};

struct ParamSpec {
  std::string_view name;  // canonical (underscore) spelling
  Scope scope;
  Kind kind;
  bool binlog;  // may appear in a [binlogN] block
};

const std::vector<ParamSpec>& parameter_specs();

// nullptr when `canonical` is not a parameter.
const ParamSpec* find_param(std::string_view canonical);

// "ssh-user" -> "ssh_user" (MySQL option-file convention).
std::string canonical_key(std::string_view key);

// The parameter nearest to `key` by edit distance, or "" when nothing is reasonably close.
std::string suggest_param(std::string_view key);

// Validates `value` for `spec` and returns its normalised form. The error message is a fragment
// without location (the caller adds file:line and section) and never contains a kSecret value.
Result<std::string> normalize_value(const ParamSpec& spec, std::string_view value);

// Store a normalised value. `key` must be canonical and valid for the target struct.
void apply_server(ServerConfig& server, std::string_view key, const std::string& value);
void apply_app(AppSettings& app, std::string_view key, const std::string& value);
void apply_binlog(BinlogServerConfig& binlog, std::string_view key, const std::string& value);

}  // namespace mha::config::internal
