#include "mysql_client.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <utility>

#include "output_file.h"
#include <unistd.h>

namespace mha::node::internal {

std::string client_program(const std::string& bindir, const std::string& name) {
  if (bindir.empty()) return name;
  return bindir.back() == '/' ? bindir + name : bindir + "/" + name;
}

Result<std::string> find_client(const std::string& bindir, const std::string& name) {
  if (!bindir.empty()) {
    const std::string path = client_program(bindir, name);
    if (::access(path.c_str(), X_OK) == 0) return path;
    return Unexpected(
        make_error(ErrorCode::kNotFound,
                   name + " not found (or not executable) in --client_bindir " + bindir, errno));
  }
  const char* env = std::getenv("PATH");
  std::istringstream dirs(env != nullptr ? env : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string path = dir + "/" + name;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return Unexpected(
      make_error(ErrorCode::kNotFound, name + " not found in PATH; give --client_bindir", ENOENT));
}

Result<OptionFile> OptionFile::create(const std::string& dir, const std::string& tag,
                                      const std::string& user, const std::string& password) {
  OptionFile f;
  f.path_ = dir + "/masterha_" + tag + ".XXXXXX";
  const int fd = ::mkstemp(f.path_.data());  // 0600
  if (fd < 0) return Unexpected(io_error(dir + ": cannot create a temporary file", errno));
  Fd guard(fd);
  f.live_ = true;
  const std::string text = client_option_file_text(user, password);
  MHA_TRY(write_all(fd, text.data(), text.size(), f.path_));
  return f;
}

OptionFile::OptionFile(OptionFile&& o) noexcept
    : path_(std::move(o.path_)), live_(std::exchange(o.live_, false)) {}

OptionFile::~OptionFile() {
  if (live_) ::unlink(path_.c_str());
}

std::string mysql_command(const ClientConnection& c) {
  std::string line = shell_quote(client_program(c.bindir, "mysql"));
  // --defaults-file must come first; our credentials then come from --defaults-extra-file.
  if (!c.defaults_file.empty()) line += " --defaults-file=" + shell_quote(c.defaults_file);
  line += " --defaults-extra-file=" + shell_quote(c.option_file);
  if (!c.socket.empty()) return line + " -S " + shell_quote(c.socket);
  return line + " -h " + shell_quote(c.host) + " -P " + std::to_string(c.port);
}

std::string last_line(const std::string& text) {
  std::string line;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.pop_back();
    if (!l.empty()) line = l;
  }
  return line;
}

Result<std::string> run_sql(hooks::ProcessRunner& runner, const ClientConnection& c,
                            const std::string& sql, std::chrono::milliseconds timeout) {
  hooks::ProcessSpec spec;
  spec.shell_command = mysql_command(c) + " --connect-timeout=10 -N -B";
  spec.stdin_data = sql;
  spec.timeout = timeout;
  Result<hooks::ProcessResult> r = runner.run(spec);
  if (!r) return Unexpected(std::move(r).error());
  if (!r->success()) {
    return Unexpected(
        make_error(ErrorCode::kQuery, "mysql " + r->describe() + ": " + last_line(r->err)));
  }
  return r->out;
}

}  // namespace mha::node::internal
