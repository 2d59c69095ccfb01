// Shared helpers for the integration tests that run masterha_manager against the real test bed
// (failover, recovery, relay_diff, switchover, metrics): a writer through the VIP that records
// acknowledged commits, the manager process in the manager namespace, polling with a deadline,
// and a fixture base with the cluster queries those tests check with.
//
// Contract: every wait is bounded by the caller's limit; nothing here sleeps to hide a race.
// A ManagerProcess never outlives its object; Undo runs its action however the scope ends.

#ifndef MHA_TESTS_SUPPORT_HARNESS_H_
#define MHA_TESTS_SUPPORT_HARNESS_H_

#include "mha/mysql/connection.h"
#include "mha/mysql/library.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/cluster.h"
#include "support/vip_writer.h"

namespace mha::test {

// Runs `undo` when the scope ends, so a failed assertion never leaves a fault behind.
class Undo {
 public:
  explicit Undo(std::function<void()> undo) : undo_(std::move(undo)) {}
  ~Undo() { undo_(); }
  Undo(const Undo&) = delete;
  Undo& operator=(const Undo&) = delete;

 private:
  std::function<void()> undo_;
};

// The whole file, or "" if it cannot be read.
std::string read_file(const std::string& path);
bool file_exists(const std::string& path);
// The last `n` bytes of `s` (all of it if shorter).
std::string tail(const std::string& s, std::size_t n);

// Polls `done` every `poll` until it is true or `limit` passed; true if it became true.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit,
                std::chrono::milliseconds poll = std::chrono::milliseconds(100));

// Writes single-row transactions (INSERT INTO test.acked (id)) through the VIP as the application
// user, from the manager namespace, about 200 a second, and records the ids whose COMMIT was
// acknowledged (support/vip_writer.h does the writing). After a failed connect it waits
// `reconnect_pause` before the next one.
class Writer {
 public:
  Writer(std::string vip, std::string user, std::string password,
         std::chrono::milliseconds reconnect_pause = std::chrono::milliseconds(50))
      : writer_(WriterOptions{.vip = std::move(vip),
                              .user = std::move(user),
                              .password = std::move(password),
                              .rate = 200,
                              .reconnect_pause = reconnect_pause,
                              .id_only = true,
                              .table = "test.acked"}) {}

  // Starts the writing thread in the manager namespace (a fatal gtest failure if it cannot).
  void start() { ASSERT_TRUE(writer_.start()) << "cannot enter the manager namespace"; }
  void stop() { writer_.stop(); }
  std::set<int> acked() const;
  // Failed connects and statements so far.
  int failures() const { return static_cast<int>(writer_.failure_count()); }
  // The longest time between two acknowledged commits: the outage the application saw.
  std::chrono::milliseconds max_gap() const;
  // Waits until at least `n` more commits are acknowledged than now.
  bool wait_more(int n, std::chrono::milliseconds limit) {
    return writer_.wait_more(static_cast<std::size_t>(n), limit);
  }

 private:
  VipWriter writer_;
};

// masterha_manager started in the manager namespace in the background, with --conf=`conf`,
// --global_conf=/dev/null and `args`. Its output, pid and exit status land in files in `dir`.
// The destructor kills it (and its process group: the manager leads its own) if it still runs,
// so no manager outlives its test.
class ManagerProcess {
 public:
  ManagerProcess(Cluster& c, std::string conf, std::string dir)
      : ManagerProcess(c, std::move(conf), "", std::move(dir)) {}
  ManagerProcess(Cluster& c, std::string conf, std::string args, std::string dir)
      : c_(c), conf_(std::move(conf)), args_(std::move(args)), dir_(std::move(dir)) {}
  ~ManagerProcess();
  ManagerProcess(const ManagerProcess&) = delete;
  ManagerProcess& operator=(const ManagerProcess&) = delete;

  // Starts it and waits (bounded) for its pid. launch() reports a failure as a value (for the
  // benchmarks); start() makes it a fatal gtest failure.
  Status launch();
  void start() {
    Status st = launch();
    ASSERT_TRUE(st) << st.error().message;
  }
  bool running() const { return !file_exists(rc_file()); }
  int pid() const { return pid_; }
  // The exit status once it ended within `limit`, else -1.
  int wait_exit(std::chrono::milliseconds limit) const;
  std::string out_file() const { return dir_ + "/manager.out"; }
  std::string rc_file() const { return dir_ + "/manager.rc"; }
  std::string pid_file() const { return dir_ + "/manager.pid"; }

 private:
  Cluster& c_;
  std::string conf_, args_, dir_;
  int pid_ = -1;
};

// Base fixture for tests that run the manager or a switch against a fresh cluster: owns the
// cluster, the client library and the work directory (dir_), and the checks they share.
class ManagerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { library_ = new mysql::MysqlLibrary(); }
  static void TearDownTestSuite() {
    delete library_;
    library_ = nullptr;
  }

  Cluster& c() { return cluster_; }
  std::string ip(const std::string& host) { return c().host(host).ip; }
  std::string log_file() const { return dir_ + "/work/manager.log"; }
  std::string workdir() const { return dir_ + "/work"; }

  // dir_ = <state dir>/<name>, emptied, with a work/ subdirectory; kills any manager of an
  // earlier, crashed run that still writes into it. Fatal gtest failure if it cannot.
  void fresh_dir(const std::string& name);

  // The test bed's app1.cnf with this test's work dir, log, the VIP failover and shutdown
  // scripts, `default_extra` lines in [server default] and `server_extra` lines added to the
  // [serverN] blocks (N = host number). Written to dir_/app.cnf; returns that path.
  std::string write_conf(const std::string& default_extra = "",
                         const std::map<int, std::string>& server_extra = {});

  // Every listed replica has executed everything `master` has logged (GTID wait, 30 s each).
  bool wait_replicas_have(const std::string& master, const std::vector<std::string>& replicas);
  // The ids in `table` on `host` (an expectation failure if the query fails).
  std::set<int> ids_on(const std::string& host, const std::string& table = "test.acked");
  // Every acknowledged id is on `host` now.
  void expect_all_acked_on(const std::string& host, const std::set<int>& acked);
  // "schema.table" -> CHECKSUM TABLE value for every user table on `host`.
  std::map<std::string, std::string> checksums(const std::string& host);
  // SHOW SLAVE STATUS of `host` as column -> value; empty if it is no replica.
  std::map<std::string, std::string> slave_status(const std::string& host);
  // The hosts that carry the VIP.
  std::vector<std::string> vip_holders();
  // masterha_check_status --conf=<conf>: {exit code, stdout}.
  std::pair<int, std::string> check_status(const std::string& conf);
  bool wait_status(const std::string& conf, int code, std::chrono::milliseconds limit);
  // The manager's output and the tail of its log, for failure messages.
  std::string diagnostics(const ManagerProcess& m);

  static inline mysql::MysqlLibrary* library_ = nullptr;
  Cluster cluster_;
  std::string dir_;
};

}  // namespace mha::test

#endif  // MHA_TESTS_SUPPORT_HARNESS_H_
