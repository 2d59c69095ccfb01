#include "failover_harness.h"

#include "mha/mysql/library.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace mha::bench {

// --- Poller ----------------------------------------------------------------------------------

void Poller::start() {
  thread_ = std::thread([this] { loop(); });
}

void Poller::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

std::optional<Clock::time_point> Poller::writable_at() const {
  std::lock_guard lock(mu_);
  return writable_at_;
}

std::string Poller::writable_host() const {
  std::lock_guard lock(mu_);
  return writable_host_;
}

std::optional<Clock::time_point> Poller::repointed_at() const {
  std::lock_guard lock(mu_);
  return repointed_at_;
}

namespace {

std::string cell(const mysql::ResultSet& rs, std::string_view column) {
  const mysql::Cell* c = rs.get(0, column);
  return c && *c ? **c : std::string();
}

}  // namespace

void Poller::loop() {
  mysql::MysqlThreadToken token;
  std::map<std::string, std::optional<mysql::MysqlConnection>> conns;
  while (!stop_.load()) {
    const auto now = Clock::now();
    std::map<std::string, mysql::ResultSet> slave;  // host name -> SHOW SLAVE STATUS
    std::string writable;
    for (const test::Host& h : replicas_) {
      auto& conn = conns[h.name];
      if (!conn) {
        auto c = mysql::MysqlConnection::connect(
            mysql::Endpoint{"localhost", 3306, h.socket}, mysql::Credentials{"root", ""},
            mysql::Timeouts{seconds(1), seconds(2), seconds(2)});
        if (!c) continue;
        conn.emplace(std::move(*c));
      }
      auto ro = conn->query("SELECT @@read_only AS ro");
      auto ss = conn->query("SHOW SLAVE STATUS");
      if (!ro || !ss) {
        conn.reset();
        continue;
      }
      if (cell(*ro, "ro") == "0" && writable.empty()) writable = h.name;
      slave[h.name] = std::move(*ss);
    }
    {
      std::lock_guard lock(mu_);
      if (!writable_at_ && !writable.empty()) {
        writable_at_ = now;
        writable_host_ = writable;
      }
      if (writable_at_ && !repointed_at_) {
        std::string new_ip;
        for (const test::Host& h : replicas_) {
          if (h.name == writable_host_) new_ip = h.ip;
        }
        bool all = true;
        for (const test::Host& h : replicas_) {
          if (h.name == writable_host_) continue;
          auto it = slave.find(h.name);
          if (it == slave.end() || it->second.empty() ||
              cell(it->second, "Master_Host") != new_ip ||
              cell(it->second, "Slave_IO_Running") != "Yes" ||
              cell(it->second, "Slave_SQL_Running") != "Yes") {
            all = false;
          }
        }
        if (all) repointed_at_ = now;
      }
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
}

// --- Footprint -------------------------------------------------------------------------------

namespace {

// utime + stime in clock ticks, from /proc/<pid>/stat (fields 14 and 15; the command name in
// parentheses may contain spaces, so count from the last ')').
std::optional<long long> cpu_ticks(int pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  // After ')': state is field 3; utime is field 14, stime 15.
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  if (!in) return std::nullopt;
  return utime + stime;
}

// CPU time of every thread in nanoseconds: the first field of /proc/<pid>/task/<tid>/schedstat.
// Clock ticks (10 ms) are too coarse for a process that is busy well under 1% of the time.
std::optional<long long> cpu_ns(int pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  long long total = 0;
  bool any = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::istringstream in(read_file(entry.path().string() + "/schedstat"));
    long long ns = 0;
    if (in >> ns) {
      total += ns;
      any = true;
    }
  }
  if (ec || !any) return std::nullopt;
  return total;
}

std::optional<long> rss_kb(int pid) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return std::nullopt;
}

}  // namespace

Result<Footprint> measure_footprint(int pid, seconds window) {
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  Footprint f;
  const auto t0 = Clock::now();
  auto first = cpu_ticks(pid);
  if (!first) return Unexpected(make_error(ErrorCode::kIo, "cannot read /proc/<pid>/stat"));
  long long prev = *first;
  const auto first_ns = cpu_ns(pid);
  std::optional<long long> last_ns;
  auto prev_t = t0;
  for (auto next = t0 + seconds(1); next <= t0 + window; next += seconds(1)) {
    std::this_thread::sleep_until(next);
    auto ticks = cpu_ticks(pid);
    auto rss = rss_kb(pid);
    last_ns = cpu_ns(pid);
    if (!ticks || !rss) {
      return Unexpected(make_error(ErrorCode::kIo, "the manager ended while being measured"));
    }
    const auto now = Clock::now();
    const double pct = 100.0 * static_cast<double>(*ticks - prev) / tick /
                       std::chrono::duration<double>(now - prev_t).count();
    f.cpu_percent_max = std::max(f.cpu_percent_max, pct);
    f.rss_kb_max = std::max(f.rss_kb_max, *rss);
    f.rss_kb_last = *rss;
    ++f.samples;
    prev = *ticks;
    prev_t = now;
  }
  f.seconds = std::chrono::duration<double>(prev_t - t0).count();
  if (f.seconds <= 0) return f;
  if (first_ns && last_ns) {
    f.cpu_ms_total = static_cast<double>(*last_ns - *first_ns) / 1e6;
    f.cpu_percent_mean = f.cpu_ms_total / (f.seconds * 1000.0) * 100.0;
  } else {
    f.cpu_percent_mean = 100.0 * static_cast<double>(prev - *first) / tick / f.seconds;
  }
  return f;
}

}  // namespace mha::bench
