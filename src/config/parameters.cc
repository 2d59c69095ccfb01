#include "parameters.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <variant>

namespace mha::config::internal {
namespace {

// Order follows docs/configuration.md (and MHA's parameter list).
const std::vector<ParamSpec> kSpecs = {
    {"hostname", Scope::kLocal, Kind::kHost, true},
    {"ip", Scope::kLocal, Kind::kHost, true},
    {"port", Scope::kServer, Kind::kPort, false},
    {"ssh_host", Scope::kLocal, Kind::kHost, false},
    {"ssh_ip", Scope::kLocal, Kind::kHost, false},
    {"ssh_port", Scope::kServer, Kind::kPort, true},
    {"ssh_user", Scope::kServer, Kind::kString, true},
    {"ssh_connection_timeout", Scope::kServer, Kind::kPositive, true},
    {"ssh_options", Scope::kServer, Kind::kString, true},
    {"user", Scope::kServer, Kind::kString, false},
    {"password", Scope::kServer, Kind::kSecret, false},
    {"repl_user", Scope::kServer, Kind::kString, false},
    {"repl_password", Scope::kServer, Kind::kSecret, false},
    {"candidate_master", Scope::kLocal, Kind::kBool, false},
    {"no_master", Scope::kLocal, Kind::kBool, false},
    {"ignore_fail", Scope::kLocal, Kind::kBool, false},
    {"skip_init_ssh_check", Scope::kLocal, Kind::kBool, false},
    {"skip_reset_slave", Scope::kServer, Kind::kBool, false},
    {"node_label", Scope::kLocal, Kind::kString, false},
    {"master_binlog_dir", Scope::kServer, Kind::kDirList, true},
    {"remote_workdir", Scope::kServer, Kind::kString, true},
    {"manager_workdir", Scope::kApp, Kind::kString, false},
    {"manager_log", Scope::kApp, Kind::kString, false},
    {"log_level", Scope::kApp, Kind::kLogLevel, false},
    {"check_repl_delay", Scope::kApp, Kind::kBool, false},
    {"check_repl_filter", Scope::kApp, Kind::kBool, false},
    {"latest_priority", Scope::kApp, Kind::kBool, false},
    {"multi_tier_slave", Scope::kApp, Kind::kBool, false},
    {"ping_interval", Scope::kApp, Kind::kPositive, false},
    {"ping_type", Scope::kApp, Kind::kPingType, false},
    {"secondary_check_script", Scope::kApp, Kind::kString, false},
    {"master_ip_failover_script", Scope::kApp, Kind::kString, false},
    {"master_ip_online_change_script", Scope::kApp, Kind::kString, false},
    {"shutdown_script", Scope::kApp, Kind::kString, false},
    {"report_script", Scope::kApp, Kind::kString, false},
    {"init_conf_load_script", Scope::kApp, Kind::kString, false},
    {"master_pid_file", Scope::kServer, Kind::kString, false},
    {"disable_log_bin", Scope::kServer, Kind::kBool, false},
    {"handle_raw_binlog", Scope::kServer, Kind::kBool, false},
    {"use_gtid_auto_pos", Scope::kServer, Kind::kBool, false},
    {"client_bindir", Scope::kApp, Kind::kString, false},
    {"client_libdir", Scope::kApp, Kind::kString, false},
    // masterha's own: where the manager serves Prometheus metrics (docs/metrics.md).
    {"metrics_listen", Scope::kApp, Kind::kListen, false},
    // masterha's own: failure detection (docs/detection.md).
    {"ping_failures_threshold", Scope::kApp, Kind::kPositive, false},
    {"refused_pings_required", Scope::kApp, Kind::kCount, false},
    {"probe_confirmed_pings", Scope::kApp, Kind::kCount, false},
    {"replica_quorum", Scope::kApp, Kind::kQuorum, false},
    {"require_replica_confirmation", Scope::kApp, Kind::kBool, false},
};

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

Error bad(std::string message) { return make_error(ErrorCode::kConfig, std::move(message)); }

Result<std::int64_t> parse_integer(std::string_view v) {
  std::int64_t n = 0;
  const char* end = v.data() + v.size();
  auto [ptr, ec] = std::from_chars(v.data(), end, n);
  if (v.empty() || ec != std::errc() || ptr != end) {
    return Unexpected(bad("'" + std::string(v) + "' is not an integer"));
  }
  return n;
}

Result<std::string> normalize_host(std::string_view v) {
  if (v.empty()) return Unexpected(bad("the value is empty"));
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      return Unexpected(bad("'" + std::string(v) +
                            "' contains non-ASCII characters; it looks like a placeholder, not a "
                            "host name or IP address"));
    }
    if (is_space(c)) {
      return Unexpected(bad("'" + std::string(v) + "' contains whitespace"));
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
    if (!ok) {
      return Unexpected(bad("'" + std::string(v) + "' contains '" + std::string(1, c) +
                            "'; expected a host name or IP address"));
    }
  }
  return std::string(v);
}

// "host:port", "[v6]:port", ":port" or "*:port". The host part is checked like kHost.
Result<std::string> normalize_listen(std::string_view v) {
  const std::string text(v);
  std::string_view host;
  std::string_view port;
  if (v.starts_with('[')) {
    const size_t close = v.find(']');
    if (close == std::string_view::npos || close + 1 >= v.size() || v[close + 1] != ':' ||
        close == 1) {
      return Unexpected(bad("'" + text + "' is not [ipv6-address]:port"));
    }
    host = v.substr(1, close - 1);
    port = v.substr(close + 2);
  } else {
    const size_t colon = v.rfind(':');
    if (colon == std::string_view::npos) {
      return Unexpected(bad("'" + text + "' is not host:port (e.g. 127.0.0.1:9104 or :9104)"));
    }
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Unexpected(bad("'" + text + "': write an IPv6 address in brackets, [addr]:port"));
    }
    if (host == "*") host = {};
  }
  if (!host.empty()) {
    auto h = normalize_host(host);
    if (!h) return Unexpected(h.error());
  }
  int n = 0;
  const char* end = port.data() + port.size();
  auto [ptr, ec] = std::from_chars(port.data(), end, n);
  if (port.empty() || ec != std::errc() || ptr != end || n < 1 || n > 65535) {
    return Unexpected(bad("'" + text + "': the port must be a number in 1..65535"));
  }
  return text;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

int to_int(const std::string& v) {
  int n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n;
}

bool to_bool(const std::string& v) { return v == "1"; }

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    const size_t comma = std::min(v.find(',', start), v.size());
    if (comma > start) out.push_back(v.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

PingType to_ping_type(const std::string& v) {
  if (v == "CONNECT") return PingType::kConnect;
  if (v == "INSERT") return PingType::kInsert;
  return PingType::kSelect;
}

}  // namespace

const std::vector<ParamSpec>& parameter_specs() { return kSpecs; }

const ParamSpec* find_param(std::string_view canonical) {
  for (const ParamSpec& spec : kSpecs) {
    if (spec.name == canonical) return &spec;
  }
  return nullptr;
}

std::string canonical_key(std::string_view key) {
  std::string out(key);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::string suggest_param(std::string_view key) {
  const std::string wanted = lower(canonical_key(key));
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const ParamSpec& spec : kSpecs) {
    const size_t d = edit_distance(wanted, spec.name);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(spec.name);
    }
  }
  // Beyond a third of the word the "suggestion" is noise (e.g. 'foo' -> 'ip').
  const size_t limit = std::max<size_t>(2, wanted.size() / 3);
  return best_distance <= limit ? best : std::string();
}

Result<std::string> normalize_value(const ParamSpec& spec, std::string_view value) {
  switch (spec.kind) {
    case Kind::kString:
    case Kind::kSecret:
      return std::string(value);
    case Kind::kHost:
      return normalize_host(value);
    case Kind::kPort:
    case Kind::kCount:
    case Kind::kPositive: {
      auto n = parse_integer(value);
      if (!n) return Unexpected(n.error());
      if (spec.kind == Kind::kPort && (*n < 1 || *n > 65535)) {
        return Unexpected(bad("'" + std::string(value) + "' is out of range 1..65535"));
      }
      if (spec.kind == Kind::kPositive && (*n < 1 || *n > INT32_MAX)) {
        return Unexpected(bad("'" + std::string(value) + "' is not a positive integer"));
      }
      if (spec.kind == Kind::kCount && (*n < 0 || *n > INT32_MAX)) {
        return Unexpected(bad("'" + std::string(value) + "' is not 0 or a positive integer"));
      }
      return std::to_string(*n);
    }
    case Kind::kBool: {
      const std::string v = lower(value);
      if (v == "1" || v == "true" || v == "yes" || v == "on") return std::string("1");
      if (v == "0" || v == "false" || v == "no" || v == "off") return std::string("0");
      return Unexpected(bad("'" + std::string(value) + "' is not a boolean; use 0 or 1"));
    }
    case Kind::kPingType: {
      const std::string v = upper(value);
      if (v == "CONNECT" || v == "SELECT" || v == "INSERT") return v;
      return Unexpected(
          bad("'" + std::string(value) + "' is not a ping type; use CONNECT, SELECT or INSERT"));
    }
    case Kind::kLogLevel: {
      // MHA hands log_level to Log::Dispatch, which also knows these short spellings.
      static const std::array<std::pair<std::string_view, std::string_view>, 12> kLevels = {{
          {"debug", "debug"},
          {"info", "info"},
          {"notice", "notice"},
          {"warning", "warning"},
          {"warn", "warning"},
          {"error", "error"},
          {"err", "error"},
          {"critical", "critical"},
          {"crit", "critical"},
          {"alert", "alert"},
          {"emergency", "emergency"},
          {"emerg", "emergency"},
      }};
      const std::string v = lower(value);
      for (const auto& [alias, level] : kLevels) {
        if (v == alias) return std::string(level);
      }
      return Unexpected(bad("'" + std::string(value) +
                            "' is not a log level; use debug, info, notice, warning, error, "
                            "critical, alert or emergency"));
    }
    case Kind::kQuorum: {
      const std::string v = lower(value);
      if (v == "any" || v == "majority" || v == "all") return v;
      return Unexpected(
          bad("'" + std::string(value) + "' is not a replica quorum; use any, majority or all"));
    }
    case Kind::kListen:
      return normalize_listen(value);
    case Kind::kDirList: {
      std::string compact;
      for (const char c : value) {
        if (!is_space(c)) compact += c;
      }
      std::string joined;
      for (const std::string& item : split_list(compact)) {
        if (!joined.empty()) joined += ',';
        joined += item;
      }
      if (joined.empty()) return Unexpected(bad("the directory list is empty"));
      return joined;
    }
  }
  return std::string(value);
}

namespace {

// Typed members of the config structs; a normalised value converts to any of them.
template <typename T>
using Member = std::variant<std::string T::*, std::optional<std::string> T::*, int T::*, bool T::*,
                            std::vector<std::string> T::*, PingType T::*>;

template <typename T>
struct Field {
  std::string_view name;
  Member<T> member;
};

void assign(std::string& field, const std::string& v) { field = v; }
void assign(std::optional<std::string>& field, const std::string& v) { field = v; }
void assign(int& field, const std::string& v) { field = to_int(v); }
void assign(bool& field, const std::string& v) { field = to_bool(v); }
void assign(std::vector<std::string>& field, const std::string& v) { field = split_list(v); }
void assign(PingType& field, const std::string& v) { field = to_ping_type(v); }

template <typename T, size_t N>
void apply_field(T& target, const Field<T> (&fields)[N], std::string_view key,
                 const std::string& value) {
  for (const Field<T>& f : fields) {
    if (f.name == key) {
      std::visit([&](auto member) { assign(target.*member, value); }, f.member);
      return;
    }
  }
}

using S = ServerConfig;
const Field<S> kServerFields[] = {
    {"hostname", &S::hostname},
    {"ip", &S::ip},
    {"port", &S::port},
    {"ssh_host", &S::ssh_host},
    {"ssh_ip", &S::ssh_ip},
    {"ssh_port", &S::ssh_port},
    {"ssh_user", &S::ssh_user},
    {"ssh_connection_timeout", &S::ssh_connection_timeout},
    {"ssh_options", &S::ssh_options},
    {"user", &S::user},
    {"password", &S::password},
    {"repl_user", &S::repl_user},
    {"repl_password", &S::repl_password},
    {"candidate_master", &S::candidate_master},
    {"no_master", &S::no_master},
    {"ignore_fail", &S::ignore_fail},
    {"skip_init_ssh_check", &S::skip_init_ssh_check},
    {"skip_reset_slave", &S::skip_reset_slave},
    {"node_label", &S::node_label},
    {"master_binlog_dir", &S::master_binlog_dir},
    {"remote_workdir", &S::remote_workdir},
    {"master_pid_file", &S::master_pid_file},
    {"disable_log_bin", &S::disable_log_bin},
    {"handle_raw_binlog", &S::handle_raw_binlog},
    {"use_gtid_auto_pos", &S::use_gtid_auto_pos},
};

using A = AppSettings;
const Field<A> kAppFields[] = {
    {"manager_workdir", &A::manager_workdir},
    {"manager_log", &A::manager_log},
    {"log_level", &A::log_level},
    {"check_repl_delay", &A::check_repl_delay},
    {"check_repl_filter", &A::check_repl_filter},
    {"latest_priority", &A::latest_priority},
    {"multi_tier_slave", &A::multi_tier_slave},
    {"ping_interval", &A::ping_interval},
    {"ping_type", &A::ping_type},
    {"secondary_check_script", &A::secondary_check_script},
    {"master_ip_failover_script", &A::master_ip_failover_script},
    {"master_ip_online_change_script", &A::master_ip_online_change_script},
    {"shutdown_script", &A::shutdown_script},
    {"report_script", &A::report_script},
    {"init_conf_load_script", &A::init_conf_load_script},
    {"client_bindir", &A::client_bindir},
    {"client_libdir", &A::client_libdir},
    {"metrics_listen", &A::metrics_listen},
    {"ping_failures_threshold", &A::ping_failures_threshold},
    {"refused_pings_required", &A::refused_pings_required},
    {"probe_confirmed_pings", &A::probe_confirmed_pings},
    {"replica_quorum", &A::replica_quorum},
    {"require_replica_confirmation", &A::require_replica_confirmation},
};

using B = BinlogServerConfig;
const Field<B> kBinlogFields[] = {
    {"hostname", &B::hostname},
    {"ip", &B::ip},
    {"ssh_port", &B::ssh_port},
    {"ssh_user", &B::ssh_user},
    {"ssh_options", &B::ssh_options},
    {"ssh_connection_timeout", &B::ssh_connection_timeout},
    {"master_binlog_dir", &B::master_binlog_dir},
    {"remote_workdir", &B::remote_workdir},
};

}  // namespace

void apply_server(ServerConfig& server, std::string_view key, const std::string& value) {
  apply_field(server, kServerFields, key, value);
}

void apply_app(AppSettings& app, std::string_view key, const std::string& value) {
  apply_field(app, kAppFields, key, value);
}

void apply_binlog(BinlogServerConfig& binlog, std::string_view key, const std::string& value) {
  apply_field(binlog, kBinlogFields, key, value);
}

}  // namespace mha::config::internal
