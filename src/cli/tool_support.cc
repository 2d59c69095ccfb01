#include "tool_support.h"

#include "mha/cli/conf_edit.h"
#include "mha/common/atomic_file.h"
#include "mha/common/log.h"
#include "mha/config/config.h"

#include <cerrno>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

#include <sys/stat.h>

namespace mha::cli::internal {

int finish(const EarlyExit& done, const Context& ctx) {
  ctx.out << done.out;
  ctx.err << done.err;
  ctx.out.flush();
  return done.code;
}

int config_error(const Error& error, const Context& ctx) {
  ctx.err << log::redact(error.message) << '\n';
  return config::kExitConfigError;
}

int fail(std::string_view tool, std::string_view message, const Context& ctx) {
  ctx.err << tool << ": " << log::redact(message) << '\n';
  return 1;
}

int not_implemented(std::string_view tool, std::string_view what, int issue, const Context& ctx) {
  ctx.err << tool << ": " << what << " (issue #" << issue << ")\n";
  return 1;
}

// --remove_dead_master_conf: the dead master's block leaves the file, every other line stays.
Status remove_server_block(const std::string& path, const std::string& block) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected(make_error(ErrorCode::kIo, "cannot read " + path, errno));
  std::ostringstream text;
  text << in.rdbuf();
  std::optional<std::string> edited = delete_conf_block(text.str(), block);
  if (!edited) {
    return Unexpected(make_error(ErrorCode::kNotFound, path + ": no [" + block + "] block"));
  }
  return replace_file_atomically(path, *edited, ReplaceOptions{.keep_existing = true});
}

manager::FailoverSwitches failover_switches(const FailoverOptions& f) {
  manager::FailoverSwitches s;
  s.last_failover_minute = f.last_failover_minute;
  s.ignore_last_failover = f.ignore_last_failover;
  s.remove_dead_master_conf = f.remove_dead_master_conf;
  s.skip_change_master = f.skip_change_master;
  s.skip_disable_read_only = f.skip_disable_read_only;
  s.skip_save_master_binlog = f.skip_save_master_binlog;
  s.new_master_host = f.new_master_host;
  s.new_master_port = f.new_master_host.empty() ? 0 : f.new_master_port;
  s.dry_run = f.dry_run;
  return s;
}

Status ensure_workdir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0750) == 0 || errno == EEXIST) return ok_status();
  return Unexpected(make_error(ErrorCode::kIo, "cannot create manager_workdir " + dir, errno));
}

}  // namespace mha::cli::internal
