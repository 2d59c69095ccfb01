#include "mha/node/purge_relay_logs.h"

#include "mha/node/relay_diff.h"

#include <chrono>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "mysql_client.h"
#include "output_file.h"
#include <fcntl.h>
#include <unistd.h>

namespace mha::node {
namespace {

constexpr std::chrono::milliseconds kClientTimeout{240'000};  // the lock wait is 200 s

// One client session per call, through the 0600 option file (mysql_client.h).
class Client {
 public:
  Client(hooks::ProcessRunner& runner, const PurgeRelayLogsOptions& o, std::string option_file)
      : runner_(runner) {
    c_.defaults_file = o.defaults_file;
    c_.option_file = std::move(option_file);
    c_.socket = o.socket;
    c_.host = o.host;
    c_.port = o.port;
  }

  // Runs `sql` in one session; stdout with -N -B (tab-separated, no header).
  Result<std::string> run(const std::string& sql) {
    return internal::run_sql(runner_, c_, sql, kClientTimeout);
  }

 private:
  hooks::ProcessRunner& runner_;
  internal::ClientConnection c_;
};

}  // namespace

std::string purge_session_sql() {
  return "DELIMITER //\n"
         "BEGIN NOT ATOMIC\n"
         "  IF GET_LOCK('MHA_Master_High_Availability_Failover', 200) IS NOT TRUE THEN\n"
         "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the failover lock "
         "MHA_Master_High_Availability_Failover is held (a failover is running?)';\n"
         "  END IF;\n"
         "END//\n"
         "DELIMITER ;\n"
         "SET GLOBAL relay_log_purge = 1;\n"
         "FLUSH NO_WRITE_TO_BINLOG RELAY LOGS;\n"
         "DO SLEEP(3);\n"
         "SET GLOBAL relay_log_purge = 0;\n"
         "DO RELEASE_LOCK('MHA_Master_High_Availability_Failover');\n";
}

Result<PurgeSummary> purge_relay_logs(const PurgeRelayLogsOptions& o, const Credentials& creds,
                                      hooks::ProcessRunner& runner, std::ostream& log) {
  auto option_file = internal::OptionFile::create(o.workdir, "purge_relay_logs",
                                                  creds.user.value_or(o.user), creds.password);
  if (!option_file) return Unexpected(std::move(option_file).error());
  Client client(runner, o, option_file->path());
  auto vars = client.run("SELECT @@global.relay_log_purge, @@global.relay_log_basename;\n");
  if (!vars) return Unexpected(std::move(vars).error());
  std::istringstream in(*vars);
  std::string purge;
  std::string base;
  std::getline(in, purge, '\t');
  std::getline(in, base);
  const std::size_t slash = base.rfind('/');
  PurgeSummary s;
  if (slash == std::string::npos) {
    return Unexpected(make_error(ErrorCode::kPrecondition, "@@relay_log_basename is '" + base +
                                                               "': is this server a replica?"));
  }
  s.relay_dir = base.substr(0, slash);
  if (purge == "1") {
    if (!o.disable_relay_log_purge) {
      log << "relay_log_purge=1 is set: the server purges its relay logs itself; nothing to do "
             "(--disable_relay_log_purge turns it off and purges here instead).\n";
      return s;
    }
    auto off = client.run("SET GLOBAL relay_log_purge = 0;\n");
    if (!off) return Unexpected(std::move(off).error());
    s.disabled_purge = true;
    log << "relay_log_purge was 1; set to 0 (--disable_relay_log_purge).\n";
  }
  const std::string relay_log = base.substr(slash + 1) + ".000001";
  std::vector<internal::Fd> handles;
  if (auto files = locate_relay_logs(s.relay_dir, relay_log)) {
    s.files_before = files->size();
    if (o.use_hardlink) {
      for (const std::string& f : *files)
        handles.emplace_back(::open(f.c_str(), O_RDONLY | O_CLOEXEC));
    }
  }
  auto purged = client.run(purge_session_sql());
  if (!purged) {
    // Never leave the server purging by itself (MHA needs the relay logs for recovery).
    auto restore = client.run("SET GLOBAL relay_log_purge = 0;\n");
    Error e = std::move(purged).error();
    if (!restore)
      e.message += "; and restoring relay_log_purge=0 failed: " + restore.error().message;
    return Unexpected(std::move(e));
  }
  handles.clear();  // the unlinked files' space is freed now
  if (auto files = locate_relay_logs(s.relay_dir, relay_log)) s.files_after = files->size();
  s.purged = true;
  log << "Purged relay logs in " << s.relay_dir << ": " << s.files_before << " file(s) before, "
      << s.files_after << " after.\n";
  return s;
}

}  // namespace mha::node
