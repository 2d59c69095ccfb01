#pragma once

// Process-wide logging in MHA's line format:
//
//   Tue Nov 24 20:46:26 2026 - [info] message
//
// (local time as Perl's scalar localtime prints it, then MHA's level name: debug, info, warning,
// error). Output goes to a file (manager_log / --log_output; opened for appending, created 0640)
// or to stderr when no file is set. Backed by spdlog.
//
// Every message passes through redact() before it is written, so a command line or statement that
// carries a password never reaches the log; callers should still redact() anything they echo
// elsewhere (errors, stdout).
//
// Thread safety: the logging functions may be called from any thread. init()/init_stream() swap
// the logger atomically; lines being written concurrently go to the old or the new destination.
// reopen() is async-signal-safe; reopen_now() is not.
//
// Log rotation (logrotate's default "create" mode: rename, then signal): after the file was
// renamed, reopen_now() from the main loop opens the configured path again at once (appending to
// the file logrotate created, or creating it 0640) and reports failure; reopen() only raises a flag
// so that the next line does the same, which is what a signal handler can do (see
// install_sighup_reopen()). No line is lost: lines written before the reopen go to the renamed
// file. copytruncate also works, since every line is appended with O_APPEND.

#include "mha/common/result.h"

#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace mha::log {

enum class Level { kDebug, kInfo, kWarning, kError };

// MHA's name of a level: "debug", "info", "warning", "error".
const char* level_name(Level level);

// Parses a log_level value. Accepts MHA's (Log::Dispatch) names: debug, info, notice, warning
// (warn), error (err), critical (crit), alert, emergency (emerg), case-insensitively. Levels we
// do not have map to the next stricter one we do: notice -> warning, critical/alert/emergency ->
// error. Anything else is ErrorCode::kConfig.
Result<Level> parse_level(std::string_view name);

struct Options {
  std::string file;  // empty: stderr
  Level level = Level::kInfo;
};

// Makes `options` the process-wide logger. Opens the file now, so a bad path is reported here
// (ErrorCode::kIo, detail = errno) and the previous logger stays in place. Until the first init()
// the logger writes info and above to stderr.
Status init(const Options& options);

// Makes a logger writing to `stream` the process-wide logger. The stream must outlive its use
// (until the next init()/init_stream()). For tests and tools that capture their output.
void init_stream(std::ostream& stream, Level level);

void set_level(Level level);
Level level();

// Asks the file logger to reopen its path before writing the next line. Only sets an atomic
// flag, so it is safe in a signal handler. No effect when logging to stderr or a stream.
void reopen() noexcept;

// Reopens the log file now, from the calling thread: what masterha_manager's loop does after
// SIGHUP (the handler itself only sets a flag). Waits for a line being written to finish, then
// opens the configured path again. ErrorCode::kIo naming the path if it cannot be opened (e.g.
// the directory is gone); the old file then stays in use, and a later reopen tries again. No
// effect when logging to stderr or a stream. Not async-signal-safe.
Status reopen_now();

// Installs a SIGHUP handler that calls reopen() (SA_RESTART, no other effect). ErrorCode::kIo on
// failure. For tools that have no other use for SIGHUP; masterha_manager handles SIGHUP itself
// (configuration reload and reopen_now()) and must not install this one.
Status install_sighup_reopen();

// Writes one line if `level` passes the threshold. Newlines inside `message` are kept as they are.
void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::kDebug)
    write(Level::kDebug, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::kInfo)
    write(Level::kInfo, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::kWarning) {
    write(Level::kWarning, fmt::format(format, std::forward<Args>(args)...));
  }
}
template <typename... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  write(Level::kError, fmt::format(format, std::forward<Args>(args)...));
}

// One formatted line without the trailing newline, in the local time zone. Exposed for tests and
// for tools that print log-style lines to the terminal.
std::string format_line(std::chrono::system_clock::time_point time, Level level,
                        std::string_view message);

// Masks password-looking fragments, keeping everything else:
//   --password=s3cret  --new_master_password s3cret  (any --*password / --*pass option)
//   repl_password=s3cret  MASTER_PASSWORD='s3cret'  MASTER_PASSWORD = "s3cret"
//   IDENTIFIED BY 's3cret'  IDENTIFIED WITH mysql_native_password BY 's3cret'
//   IDENTIFIED BY PASSWORD '*hash'  PASSWORD('s3cret')
// become the same text with the value replaced by "xxx" (quotes kept). Keys match
// case-insensitively; quoted values may contain escaped or doubled quotes.
std::string redact(std::string_view text);

}  // namespace mha::log
