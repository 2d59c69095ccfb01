// masterha_check_repl: observe every server (SQL, and SSH unless --skip_ssh_check), run the
// status scripts against the current master, judge with mha::checks and print the report.
//
// Output: the text report (MHA-style log lines, the topology, the verdict last) on stdout,
// progress lines before it; with --json only the JSON report is on stdout and progress goes to
// stderr. Exit 0 when the report has no error, else 1.

#include "mha/checks/render.h"
#include "mha/checks/replication_checks.h"
#include "mha/cli/load_config.h"
#include "mha/cli/parse.h"
#include "mha/cli/tools.h"
#include "mha/common/log.h"
#include "mha/hooks/process.h"
#include "mha/mysql/connection.h"
#include "mha/mysql/library.h"
#include "mha/observe/observe_cluster.h"
#include "mha/observe/ssh_probe.h"
#include "mha/ssh/library.h"
#include "mha/ssh/shell_quote.h"

#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "repl_check_run.h"
#include "tool_support.h"

namespace mha::cli {
namespace {

log::Level level_of(checks::Severity s) {
  switch (s) {
    case checks::Severity::kOk:
      return log::Level::kInfo;
    case checks::Severity::kWarning:
      return log::Level::kWarning;
    case checks::Severity::kError:
      return log::Level::kError;
  }
  return log::Level::kError;
}

// render_text() with MHA's timestamps on the check lines; the topology and the verdict follow
// unchanged (render_text puts one line per check first).
void print_text(const checks::CheckReport& report, std::ostream& out) {
  const auto now = std::chrono::system_clock::now();
  for (const checks::Check& c : report.checks) {
    out << log::format_line(now, level_of(c.severity), log::redact(c.name + ": " + c.message))
        << '\n';
  }
  const std::string text = checks::render_text(report);
  std::size_t pos = 0;
  for (std::size_t i = 0; i < report.checks.size() && pos != std::string::npos; ++i) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  if (pos != std::string::npos) out << text.substr(pos);
}

}  // namespace

int check_repl_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_check_repl_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  const auto& options = std::get<CheckReplOptions>(parsed);
  auto config = load_app_config(options.conf, PathOverrides{}, ctx.script_runner);
  if (!config) return internal::config_error(config.error(), ctx);

  log::Level level = log::Level::kInfo;
  if (Result<log::Level> l = log::parse_level(config->app.log_level)) level = *l;
  internal::LogTo logging(options.json ? ctx.err : ctx.out, level);
  for (const std::string& w : config->warnings) log::warning("{}", w);

  mysql::MysqlLibrary mysql_library;
  if (!mysql_library.ok())
    return internal::fail(kCheckReplTool, "cannot initialise libmariadb", ctx);

  log::info("Checking replication health of {} server(s) ({}).", config->servers.size(),
            options.conf.conf);
  std::optional<ssh::Libssh2Library> ssh_library;
  std::optional<observe::SessionPools> pools;
  if (!options.monitor.skip_ssh_check) {
    Result<ssh::Libssh2Library> library = ssh::Libssh2Library::init();
    if (library) {
      ssh_library.emplace(std::move(*library));
      pools.emplace();
    } else {
      log::error("Cannot initialise libssh2: {}", library.error().message);
    }
  }
  mysql::MysqlConnector connector;
  const internal::ReplCheckRun run =
      internal::run_repl_checks(*config, options.monitor, connector, pools ? &*pools : nullptr);
  const checks::CheckReport& report = run.report;
  if (options.json) {
    ctx.out << checks::render_json(report);
  } else {
    print_text(report, ctx.out);
  }
  ctx.out.flush();
  return report.ok() ? 0 : 1;
}

}  // namespace mha::cli
