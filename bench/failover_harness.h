#pragma once

// Pieces of the failover benchmark that run against the real test bed (tests/support/cluster.h):
// a poller that sees the moment a replica becomes writable and re-pointed, and /proc sampling of
// the manager's footprint. The writer through the VIP and the manager process are the
// integration tests' own (tests/support/vip_writer.h, harness.h).
//
// Threading: Poller owns one thread; its accessors are safe from any thread.
// Everything else is for the bench's main thread only.

#include "mha/mysql/connection.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/cluster.h"
#include "support/harness.h"
#include "support/vip_writer.h"

namespace mha::bench {

using Clock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Milliseconds from `from` to `to` (negative when `to` is earlier).
inline double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// The writer and the manager process are the integration tests' own (tests/support).
using test::Ack;
using test::Failure;
using test::file_exists;
using test::ManagerProcess;
using test::read_file;
using Writer = test::VipWriter;
using test::WriterOptions;

// Watches the replicas (root over their unix sockets, every 50 ms) after a fault: the first moment
// one of them has read_only=0 (the new master is writable) and the first moment every other one
// replicates from it with both threads running (re-pointed).
class Poller {
 public:
  Poller(std::vector<test::Host> replicas) : replicas_(std::move(replicas)) {}
  ~Poller() { stop(); }
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void start();
  void stop();
  std::optional<Clock::time_point> writable_at() const;
  std::string writable_host() const;
  std::optional<Clock::time_point> repointed_at() const;

 private:
  void loop();
  std::vector<test::Host> replicas_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::optional<Clock::time_point> writable_at_, repointed_at_;
  std::string writable_host_;
  std::thread thread_;
};

// The manager's memory and CPU while it monitors, from /proc/<pid>/{status,stat} once a second.
struct Footprint {
  double seconds = 0;
  long rss_kb_max = 0;
  long rss_kb_last = 0;
  double cpu_percent_mean = 0;  // of one core, over the whole window
  double cpu_percent_max = 0;   // the busiest one-second sample
  double cpu_ms_total = 0;      // CPU time of all threads over the window (schedstat, ns precision)
  int samples = 0;
};
Result<Footprint> measure_footprint(int pid, seconds window);

// Polls `done` every 50 ms until it is true or `limit` passed.
inline bool eventually(const std::function<bool()>& done, milliseconds limit) {
  return test::eventually(done, limit, milliseconds(50));
}

}  // namespace mha::bench
