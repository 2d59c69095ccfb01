#pragma once

// Pieces of the failover benchmark that run against the real test bed (tests/support/cluster.h):
// a writer through the VIP that timestamps every acknowledged commit, the manager process started
// in the manager namespace, a poller that sees the moment a replica becomes writable and
// re-pointed, and /proc sampling of the manager's footprint.
//
// Threading: Writer and Poller each own one thread; their accessors are safe from any thread.
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

namespace mha::bench {

using Clock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Milliseconds from `from` to `to` (negative when `to` is earlier).
inline double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// One attempt that failed (connect or statement): when it started and when it gave up.
struct Failure {
  Clock::time_point started;
  Clock::time_point ended;
};

// One COMMIT the server acknowledged: transaction id, rows in it, when it was sent and acked.
struct Ack {
  int txn = 0;
  Clock::time_point sent;
  Clock::time_point acked;
};

struct WriterOptions {
  std::string vip;
  std::string user;
  std::string password;
  int rate = 500;        // transactions per second (a ceiling: one connection, synchronous)
  int rows_per_txn = 1;  // 1 = steady single-row mode; more = the large-transaction mode
  int pad_bytes = 100;   // payload per row
  std::string table = "test.bench";
};

// Writes transactions through the VIP as the application user, from the manager namespace. Each
// transaction is one multi-row INSERT (autocommit) of `rows_per_txn` rows (txn, seq, pad). An
// acknowledged COMMIT is recorded with its times; a failed statement's outcome is unknown, so it
// is not recorded (its time is), and the connection is opened again. Client timeouts: connect 1 s,
// read/write 5 s, as an application with short timeouts would use.
class Writer {
 public:
  explicit Writer(WriterOptions options) : options_(std::move(options)) {}
  ~Writer() { stop(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  bool start();  // false when the manager namespace cannot be entered
  void stop();
  std::vector<Ack> acks() const;
  std::vector<Failure> failures() const;
  std::size_t ack_count() const;
  // Waits until `n` more commits than now are acknowledged, at most `limit`.
  bool wait_more(std::size_t n, milliseconds limit) const;

 private:
  void loop();
  std::string statement(int txn) const;

  WriterOptions options_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Ack> acks_;
  std::vector<Failure> failures_;
  std::thread thread_;
};

// masterha_manager started in the manager namespace in the background, its pid and exit status in
// files under `dir`. The destructor SIGKILLs it if it still runs.
class ManagerProcess {
 public:
  ManagerProcess(test::Cluster& c, std::string conf, std::string args, std::string dir)
      : c_(c), conf_(std::move(conf)), args_(std::move(args)), dir_(std::move(dir)) {}
  ~ManagerProcess();
  ManagerProcess(const ManagerProcess&) = delete;
  ManagerProcess& operator=(const ManagerProcess&) = delete;

  Status start();
  int pid() const { return pid_; }
  bool running() const;
  // The exit status once it ended within `limit`, else -1.
  int wait_exit(milliseconds limit) const;
  std::string out_file() const { return dir_ + "/manager.out"; }

 private:
  std::string rc_file() const { return dir_ + "/manager.rc"; }
  std::string pid_file() const { return dir_ + "/manager.pid"; }
  test::Cluster& c_;
  std::string conf_, args_, dir_;
  int pid_ = -1;
};

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
bool eventually(const std::function<bool()>& done, milliseconds limit);

std::string read_file(const std::string& path);
bool file_exists(const std::string& path);

}  // namespace mha::bench
