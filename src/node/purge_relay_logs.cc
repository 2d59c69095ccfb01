#include "mha/node/purge_relay_logs.h"

#include "mha/node/relay_diff.h"

#include <chrono>
#include <cstdlib>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "output_file.h"
#include <fcntl.h>
#include <unistd.h>

namespace mha::node {
namespace {

constexpr std::chrono::milliseconds kClientTimeout{240'000};  // the lock wait is 200 s

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A 0600 client option file in `dir`, removed when it goes out of scope.
class OptionFile {
 public:
  static Result<OptionFile> create(const std::string& dir, const Credentials& c,
                                   const PurgeRelayLogsOptions& o) {
    OptionFile f;
    f.path_ = dir + "/masterha_purge_relay_logs.XXXXXX";
    const int fd = ::mkstemp(f.path_.data());
    if (fd < 0)
      return Unexpected(internal::io_error(dir + ": cannot create a temporary file", errno));
    internal::Fd guard(fd);
    f.live_ = true;
    std::string pw;
    for (char ch : c.password) {
      if (ch == '"' || ch == '\\') pw += '\\';
      pw += ch;
    }
    const std::string text =
        "[client]\nuser=\"" + c.user.value_or(o.user) + "\"\npassword=\"" + pw + "\"\n";
    MHA_TRY(internal::write_all(fd, text.data(), text.size(), f.path_));
    return f;
  }
  OptionFile() = default;
  OptionFile(OptionFile&& o) noexcept
      : path_(std::move(o.path_)), live_(std::exchange(o.live_, false)) {}
  OptionFile& operator=(OptionFile&&) = delete;
  ~OptionFile() {
    if (live_) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool live_ = false;
};

class Client {
 public:
  Client(hooks::ProcessRunner& runner, const PurgeRelayLogsOptions& o, std::string option_file)
      : runner_(runner), o_(o), option_file_(std::move(option_file)) {}

  // Runs `sql` in one session; stdout with -N -B (tab-separated, no header).
  Result<std::string> run(const std::string& sql) {
    hooks::ProcessSpec spec;
    std::string line = "mysql --defaults-extra-file=" + quote(option_file_);
    if (!o_.defaults_file.empty()) {
      // --defaults-file must come first; our credentials then come from --defaults-extra-file.
      line = "mysql --defaults-file=" + quote(o_.defaults_file) +
             " --defaults-extra-file=" + quote(option_file_);
    }
    if (!o_.socket.empty()) {
      line += " -S " + quote(o_.socket);
    } else {
      line += " -h " + quote(o_.host) + " -P " + std::to_string(o_.port);
    }
    spec.shell_command = line + " -N -B";
    spec.stdin_data = sql;
    spec.timeout = kClientTimeout;
    Result<hooks::ProcessResult> r = runner_.run(spec);
    if (!r) return Unexpected(std::move(r).error());
    if (!r->success()) {
      std::string why = r->err;
      while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
      return Unexpected(make_error(ErrorCode::kQuery, "mysql " + r->describe() + ": " + why));
    }
    return r->out;
  }

 private:
  hooks::ProcessRunner& runner_;
  const PurgeRelayLogsOptions& o_;
  std::string option_file_;
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
  auto option_file = OptionFile::create(o.workdir, creds, o);
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
