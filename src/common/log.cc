#include "mha/common/log.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

namespace mha::log {
namespace {

// Bumped by reopen(); each file sink reopens when it sees a generation newer than its own. A plain
// counter (rather than a pointer to "the" sink) keeps the signal handler free of ownership.
std::atomic<std::uint64_t> g_reopen_generation{0};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

std::atomic<Level> g_level{Level::kInfo};

Level from_spdlog(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return Level::kDebug;
    case spdlog::level::info:
      return Level::kInfo;
    case spdlog::level::warn:
      return Level::kWarning;
    default:
      return Level::kError;
  }
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarning:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::err;
}

class MhaFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string line =
        format_line(msg.time, from_spdlog(msg.level),
                    redact(std::string_view(msg.payload.data(), msg.payload.size())));
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<MhaFormatter>();
  }
};

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

Result<int> open_append(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    const int err = errno;
    return Unexpected(make_error(ErrorCode::kIo,
                                 "cannot open log file " + path + ": " + std::strerror(err), err));
  }
  return fd;
}

// Appends whole lines with one write(2) on an O_APPEND descriptor, so lines from several
// processes sharing the file (manager and a tool run by hand) never interleave mid-line.
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static Result<std::shared_ptr<ReopenableFileSink>> open(const std::string& path) {
    const std::uint64_t generation = g_reopen_generation.load();
    auto fd = open_append(path);
    if (!fd) return Unexpected(std::move(fd).error());
    return std::shared_ptr<ReopenableFileSink>(new ReopenableFileSink(path, *fd, generation));
  }

  // Reopens the path at once, under the sink's lock, so no line is being written meanwhile. On
  // failure the old descriptor stays in use and the caller gets the reason.
  Status reopen_now() {
    std::lock_guard<std::mutex> lock(mutex_);
    generation_ = g_reopen_generation.load();
    auto fd = open_append(path_);
    if (!fd) return Unexpected(std::move(fd).error());
    fd_.reset(*fd);
    return ok_status();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    reopen_if_requested();
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    const char* p = buf.data();
    std::size_t left = buf.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_.get(), p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere left to report a logging failure
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  void flush_() override {}

 private:
  ReopenableFileSink(std::string path, int fd, std::uint64_t generation)
      : path_(std::move(path)), fd_(fd), generation_(generation) {}

  void reopen_if_requested() {
    const std::uint64_t wanted = g_reopen_generation.load();
    if (wanted == generation_) return;
    generation_ = wanted;
    auto fd = open_append(path_);
    // Keep writing to the old descriptor if the path cannot be opened: a renamed log still
    // collects the lines, and the next reopen() tries again.
    if (fd) fd_.reset(*fd);
  }

  const std::string path_;
  Fd fd_;
  std::uint64_t generation_;
};

std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>("mha", std::move(sink));
  logger->set_formatter(std::make_unique<MhaFormatter>());
  logger->set_level(spdlog::level::trace);  // filtering happens in write() against g_level
  logger->flush_on(spdlog::level::trace);
  return logger;
}

std::atomic<std::shared_ptr<spdlog::logger>>& current_logger() {
  static std::atomic<std::shared_ptr<spdlog::logger>> logger{
      make_logger(std::make_shared<spdlog::sinks::stderr_sink_mt>())};
  return logger;
}

void handle_sighup(int /*signo*/) { reopen(); }

// ---- redaction -----------------------------------------------------------------------------

constexpr std::string_view kMask = "xxx";

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_secret_key(std::string_view name) {
  return ends_with(name, "password") || ends_with(name, "passwd") || ends_with(name, "_pass") ||
         name == "pass" || ends_with(name, "pwd");
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

// Appends the masked form of the value starting at s[i] and returns the index after it. Quoted
// values keep their quotes; an unterminated quote masks the rest of the text. An unquoted value
// of a command-line option runs to the next blank; elsewhere (SQL, key=value lists) it also ends
// at ';', ',' or ')'.
std::size_t mask_value(std::string_view s, std::size_t i, bool option_style, std::string& out) {
  if (i >= s.size()) return i;
  const char q = s[i];
  if (q == '\'' || q == '"' || q == '`') {
    std::size_t j = i + 1;
    while (j < s.size()) {
      if (s[j] == '\\' && j + 1 < s.size()) {
        j += 2;
      } else if (s[j] == q && j + 1 < s.size() && s[j + 1] == q) {
        j += 2;
      } else if (s[j] == q) {
        break;
      } else {
        ++j;
      }
    }
    out += q;
    out += kMask;
    if (j < s.size()) {
      out += q;
      return j + 1;
    }
    return j;
  }
  std::size_t j = i;
  while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j])) == 0 &&
         (option_style || (s[j] != ';' && s[j] != ',' && s[j] != ')'))) {
    ++j;
  }
  if (j > i) out += kMask;
  return j;
}

// Reads the word token at i (i must start one); returns its end.
std::size_t word_end(std::string_view s, std::size_t i) {
  while (i < s.size() && is_word_char(s[i])) ++i;
  return i;
}

// After IDENTIFIED: copies up to the literal that follows BY [PASSWORD] and masks it. Returns
// the index to continue from (unchanged text already copied), or npos if the pattern is absent.
std::size_t redact_identified(std::string_view s, std::size_t i, std::string& out) {
  std::size_t j = i;
  while (j < s.size() && s[j] != ';') {
    if (is_word_char(s[j])) {
      const std::size_t end = word_end(s, j);
      if (lower(s.substr(j, end - j)) == "by") {
        std::size_t k = skip_spaces(s, end);
        const std::size_t pw_end = word_end(s, k);
        if (pw_end > k && lower(s.substr(k, pw_end - k)) == "password") k = skip_spaces(s, pw_end);
        if (k < s.size() && (s[k] == '\'' || s[k] == '"')) {
          out.append(s.substr(i, k - i));
          return mask_value(s, k, /*option_style=*/false, out);
        }
        return std::string_view::npos;
      }
      j = end;
    } else {
      ++j;
    }
  }
  return std::string_view::npos;
}

bool may_hold_secret(std::string_view text) {
  const std::string l = lower(text);
  return l.find("pass") != std::string::npos || l.find("pwd") != std::string::npos ||
         l.find("identified") != std::string::npos;
}

}  // namespace

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "error";
}

Result<Level> parse_level(std::string_view name) {
  const std::string l = lower(name);
  if (l == "debug") return Level::kDebug;
  if (l == "info") return Level::kInfo;
  if (l == "notice" || l == "warning" || l == "warn") return Level::kWarning;
  if (l == "error" || l == "err" || l == "critical" || l == "crit" || l == "alert" ||
      l == "emergency" || l == "emerg") {
    return Level::kError;
  }
  return Unexpected(
      make_error(ErrorCode::kConfig, "unknown log level '" + std::string(name) +
                                         "' (expected debug, info, notice, warning or error)"));
}

Status init(const Options& options) {
  spdlog::sink_ptr sink;
  if (options.file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    auto file = ReopenableFileSink::open(options.file);
    if (!file) return Unexpected(std::move(file).error());
    sink = std::move(*file);
  }
  g_level.store(options.level);
  current_logger().store(make_logger(std::move(sink)));
  return ok_status();
}

void init_stream(std::ostream& stream, Level level) {
  g_level.store(level);
  current_logger().store(
      make_logger(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream, /*force_flush=*/true)));
}

void set_level(Level level) { g_level.store(level); }

Level level() { return g_level.load(std::memory_order_relaxed); }

void reopen() noexcept { g_reopen_generation.fetch_add(1); }

Status reopen_now() {
  const std::shared_ptr<spdlog::logger> logger = current_logger().load();
  for (const spdlog::sink_ptr& sink : logger->sinks()) {
    if (auto file = std::dynamic_pointer_cast<ReopenableFileSink>(sink)) {
      MHA_TRY(file->reopen_now());
    }
  }
  return ok_status();
}

Status install_sighup_reopen() {
  struct sigaction action {};
  action.sa_handler = handle_sighup;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (::sigaction(SIGHUP, &action, nullptr) != 0) {
    const int err = errno;
    return Unexpected(make_error(
        ErrorCode::kIo, std::string("cannot install SIGHUP handler: ") + std::strerror(err), err));
  }
  return ok_status();
}

void write(Level level, std::string_view message) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  const std::shared_ptr<spdlog::logger> logger = current_logger().load();
  logger->log(to_spdlog(level), spdlog::string_view_t(message.data(), message.size()));
}

std::string format_line(std::chrono::system_clock::time_point time, Level level,
                        std::string_view message) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  // Perl's scalar localtime: "Tue Nov  4 20:46:26 2026" (day of month space-padded).
  char stamp[64];
  const std::size_t n = std::strftime(stamp, sizeof stamp, "%a %b %e %H:%M:%S %Y", &tm);
  std::string line(stamp, n);
  line += " - [";
  line += level_name(level);
  line += "] ";
  line.append(message);
  return line;
}

std::string redact(std::string_view s) {
  if (!may_hold_secret(s)) return std::string(s);
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const bool word_start = is_word_char(s[i]) && (i == 0 || !is_word_char(s[i - 1]));
    if (!word_start) {
      out += s[i++];
      continue;
    }
    const std::size_t end = word_end(s, i);
    const std::string_view token = s.substr(i, end - i);
    const std::string lowered = lower(token);
    const std::size_t first = lowered.find_first_not_of('-');
    const std::string name = first == std::string::npos ? "" : lowered.substr(first);
    out.append(token);
    i = end;

    if (name == "identified") {
      const std::size_t next = redact_identified(s, i, out);
      if (next != std::string_view::npos) i = next;
      continue;
    }
    if (!is_secret_key(name)) continue;
    const bool option_style = token.substr(0, 2) == "--";

    std::size_t k = skip_spaces(s, i);
    if (k < s.size() && s[k] == '=') {
      const std::size_t v = skip_spaces(s, k + 1);
      out.append(s.substr(i, v - i));
      const std::size_t fn_end = word_end(s, v);
      const bool password_function = lower(s.substr(v, fn_end - v)) == "password" &&
                                     skip_spaces(s, fn_end) < s.size() &&
                                     s[skip_spaces(s, fn_end)] == '(';
      // "= PASSWORD('x')": leave the function name to the next round, which masks its argument.
      i = password_function ? v : mask_value(s, v, option_style, out);
    } else if (name == "password" && k < s.size() && s[k] == '(') {
      const std::size_t v = skip_spaces(s, k + 1);
      out.append(s.substr(i, v - i));
      i = mask_value(s, v, /*option_style=*/false, out);
    } else if (option_style && k > i && k < s.size() && s[k] != '-') {
      out.append(s.substr(i, k - i));
      i = mask_value(s, k, option_style, out);
    }
  }
  return out;
}

}  // namespace mha::log
