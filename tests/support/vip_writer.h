// A writer through the VIP, shared by the integration tests (through test::Writer in harness.h)
// and the benchmarks (bench/): from the manager namespace, as the application user, it sends one
// autocommit INSERT per transaction on a fixed schedule and records every acknowledged COMMIT
// with its times, and every failed attempt (connect or statement) with when it started and ended.
// A failed statement's outcome is unknown, so it is not recorded as acknowledged; the connection
// is opened again. Client timeouts: connect 1 s, read/write 5 s, as an application with short
// timeouts would use. No gtest here: the benchmarks use it outside any test.
//
// Threading: the writer owns one thread; every accessor is safe from any thread.

#ifndef MHA_TESTS_SUPPORT_VIP_WRITER_H_
#define MHA_TESTS_SUPPORT_VIP_WRITER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mha::test {

struct WriterOptions {
  std::string vip;
  std::string user;
  std::string password;
  int rate = 200;  // transactions per second (a ceiling: one connection, synchronous)
  // Extra wait after a failed connect before the next slot (0: just the next slot).
  std::chrono::milliseconds reconnect_pause{0};
  // true: "INSERT INTO <table> (id) VALUES (<txn>)", the tests' acknowledged-id table.
  // false: one multi-row INSERT of `rows_per_txn` rows (txn, seq, pad) with `pad_bytes` each.
  bool id_only = false;
  std::string table = "test.bench";
  int rows_per_txn = 1;
  int pad_bytes = 100;
};

// One COMMIT the server acknowledged: transaction id, when it was sent and acknowledged.
struct Ack {
  int txn = 0;
  std::chrono::steady_clock::time_point sent;
  std::chrono::steady_clock::time_point acked;
};

// One attempt that failed (connect or statement): when it started and when it gave up.
struct Failure {
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point ended;
};

class VipWriter {
 public:
  explicit VipWriter(WriterOptions options) : options_(std::move(options)) {}
  ~VipWriter() { stop(); }
  VipWriter(const VipWriter&) = delete;
  VipWriter& operator=(const VipWriter&) = delete;

  bool start();  // false when the manager namespace cannot be entered
  void stop();
  std::vector<Ack> acks() const;
  std::vector<Failure> failures() const;
  std::size_t ack_count() const;
  std::size_t failure_count() const;
  // Waits until `n` more commits than now are acknowledged, at most `limit`.
  bool wait_more(std::size_t n, std::chrono::milliseconds limit) const;
  // The SQL of transaction `txn`.
  std::string statement(int txn) const;

 private:
  void loop();

  WriterOptions options_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Ack> acks_;
  std::vector<Failure> failures_;
  std::thread thread_;
};

}  // namespace mha::test

#endif  // MHA_TESTS_SUPPORT_VIP_WRITER_H_
