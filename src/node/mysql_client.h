#pragma once

// The local `mysql` command-line client as the node tools use it (purge_relay_logs,
// apply_diff_relay_logs): the helper does not link libmariadb, so SQL goes through the client,
// with the credentials in a 0600 option file (never argv, never a log line) that is removed when
// the OptionFile goes out of scope. Internal to the node module.

#include "mha/common/quoting.h"  // shell_quote, for this module's command lines
#include "mha/common/result.h"
#include "mha/hooks/process.h"

#include <chrono>
#include <string>
#include <vector>

namespace mha::node::internal {

// A client's path: `bindir`/`name`, or `name` alone (found in PATH) when bindir is empty.
std::string client_program(const std::string& bindir, const std::string& name);

// Where the program client_program(bindir, name) is, checked now: with a bindir the file must be
// executable there; without, the first executable `name` in $PATH. kNotFound names the place
// searched.
Result<std::string> find_client(const std::string& bindir, const std::string& name);

// A [client] option file with user and password, mode 0600, created with mkstemp in `dir`
// ("<dir>/masterha_<tag>.XXXXXX") and unlinked by the destructor.
class OptionFile {
 public:
  static Result<OptionFile> create(const std::string& dir, const std::string& tag,
                                   const std::string& user, const std::string& password);
  OptionFile() = default;
  OptionFile(OptionFile&& o) noexcept;
  OptionFile& operator=(OptionFile&&) = delete;
  ~OptionFile();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool live_ = false;
};

// How the client reaches the server. With a socket, host/port are not used.
struct ClientConnection {
  std::string bindir;         // --client_bindir ("" = PATH)
  std::string defaults_file;  // --defaults-file (must come first), optional
  std::string option_file;    // our credentials (--defaults-extra-file)
  std::string socket;
  std::string host = "127.0.0.1";
  int port = 3306;
};

// "mysql --defaults-extra-file='F' -h 'H' -P N" (every path quoted): the start of every
// command line that runs the client. Options of our own are appended after it.
std::string mysql_command(const ClientConnection& c);

// Runs `sql` (on stdin) in one client session with -N -B; returns stdout. kQuery when the client
// fails, naming its exit status and its last stderr line (the server's error, never a password).
Result<std::string> run_sql(hooks::ProcessRunner& runner, const ClientConnection& c,
                            const std::string& sql, std::chrono::milliseconds timeout);

// The last non-empty line of `text` ("" when none).
std::string last_line(const std::string& text);

}  // namespace mha::node::internal
