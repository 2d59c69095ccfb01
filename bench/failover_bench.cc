// failover_bench: how long masterha_manager takes to fail over on the real test bed, what a client
// writing through the VIP sees, whether an acknowledged commit is lost, and what the manager costs
// while it monitors (issue #6). docs/benchmarks.md explains every figure and records a run.
//
//   sudo build/bench/failover_bench [--faults=kill9,linkdown,sigstop,partition,switchover]
//       [--rounds=N]
//       [--mode=gtid|pos] [--writer=steady|large] [--rate=N] [--footprint=SECONDS]
//       [--partition-seconds=N] [--json=FILE] [--logs=DIR] [--smoke]
//
// Each round builds a fresh cluster (scripts/testbed/cluster.sh through tests/support), starts the
// manager with ping_interval=1 and the sample VIP and shutdown scripts, runs a writer through the
// VIP, injects the fault at db1 (the master) and measures. Timing is reported, never judged.
// "switchover" is not a fault: no manager runs, and masterha_master_switch --master_state=alive
// moves the master from db1 to db2 under the writer (issue #7's write-block window).
//
// Exit codes: 0 every round ran and nothing acknowledged was lost (and no false failover);
// 1 an acknowledged commit is missing on the new master, or the manager failed over although only
// it lost the master; 2 bad option; 3 a round could not run (cluster, manager start, failover
// failed or timed out).

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "bench_support.h"
#include "failover_harness.h"
#include <unistd.h>

namespace mha::bench {
namespace {

using test::Cluster;
using test::shell_quote;

constexpr int kExitLost = 1;

const std::vector<std::string> kAllFaults = {"kill9", "linkdown", "sigstop", "partition",
                                             "switchover"};

struct Options {
  std::vector<std::string> faults = {"kill9", "linkdown", "sigstop", "partition"};
  int rounds = 5;
  test::ReplMode mode = test::ReplMode::kGtid;
  bool large = false;
  int rate = 0;  // 0: the writer's default (500/s steady, 20/s large)
  int footprint_s = 20;
  int partition_s = 15;  // how long the manager alone is cut off from the master
  std::string json;
  std::string logs = "/tmp/failover_bench-logs";  // each round's manager log and report
  bool smoke = false;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

// Parses argv; on a bad option prints one line naming it and returns nullopt.
std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  bool rounds_set = false, faults_set = false, footprint_set = false;
  auto number = [](const std::string& name, const std::string& v, int min) -> std::optional<int> {
    try {
      std::size_t used = 0;
      const int n = std::stoi(v, &used);
      if (used == v.size() && n >= min) return n;
    } catch (const std::exception&) {
    }
    std::cerr << "failover_bench: option --" << name << "=" << v
              << ": expected an integer >= " << min << "\n";
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::size_t eq = arg.find('=');
    const std::string key = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (key == "--smoke" && eq == std::string::npos) {
      o.smoke = true;
    } else if (key == "--faults") {
      o.faults = split(value, ',');
      faults_set = true;
      for (const std::string& f : o.faults) {
        if (std::find(kAllFaults.begin(), kAllFaults.end(), f) == kAllFaults.end()) {
          std::cerr << "failover_bench: option --faults: unknown fault '" << f
                    << "' (use kill9, linkdown, sigstop, partition, switchover)\n";
          return std::nullopt;
        }
      }
      if (o.faults.empty()) {
        std::cerr << "failover_bench: option --faults: empty list\n";
        return std::nullopt;
      }
    } else if (key == "--rounds") {
      auto n = number("rounds", value, 1);
      if (!n) return std::nullopt;
      o.rounds = *n;
      rounds_set = true;
    } else if (key == "--mode" && (value == "gtid" || value == "pos")) {
      o.mode = value == "gtid" ? test::ReplMode::kGtid : test::ReplMode::kFilePos;
    } else if (key == "--writer" && (value == "steady" || value == "large")) {
      o.large = value == "large";
    } else if (key == "--rate") {
      auto n = number("rate", value, 1);
      if (!n) return std::nullopt;
      o.rate = *n;
    } else if (key == "--footprint") {
      auto n = number("footprint", value, 0);
      if (!n) return std::nullopt;
      o.footprint_s = *n;
      footprint_set = true;
    } else if (key == "--partition-seconds") {
      auto n = number("partition-seconds", value, 1);
      if (!n) return std::nullopt;
      o.partition_s = *n;
    } else if (key == "--logs" && !value.empty()) {
      o.logs = value;
    } else if (key == "--json" && !value.empty()) {
      o.json = value;
    } else {
      std::cerr << "failover_bench: unknown or malformed option '" << arg
                << "' (use --faults=kill9,linkdown,sigstop,partition,switchover --rounds=N "
                   "--mode=gtid|pos "
                   "--writer=steady|large --rate=N --footprint=SECONDS --partition-seconds=N "
                   "--json=FILE --logs=DIR --smoke)\n";
      return std::nullopt;
    }
  }
  if (o.smoke) {
    if (!faults_set) o.faults = {"kill9", "switchover"};
    if (!rounds_set) o.rounds = 1;
    if (!footprint_set) o.footprint_s = 10;
  }
  if (o.rate == 0) o.rate = o.large ? 20 : 500;
  return o;
}

// "2026-12-04T20:31:05.123Z" -> wall-clock time point.
std::optional<WallClock::time_point> parse_iso_ms(const std::string& s) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return WallClock::from_time_t(::timegm(&tm)) + milliseconds(ms);
}

struct RoundResult {
  std::string fault;
  int round = 0;
  bool completed = false;  // the round ran to the end (whatever the figures)
  std::string error;       // why it could not
  nlohmann::json figures = nlohmann::json::object();
  long lost = 0;  // acknowledged transactions missing on the new master
  bool false_failover = false;
};

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {}

  int run() {
    for (const std::string& fault : o_.faults) {
      for (int r = 1; r <= o_.rounds; ++r) {
        RoundResult res = run_round(fault, r);
        keep_logs(fault, r);
        print_round(res);
        results_.push_back(std::move(res));
      }
    }
    Status down = cluster_.down();
    if (!down) std::cerr << "failover_bench: cluster down: " << down.error().message << "\n";
    print_summary();
    if (!o_.json.empty()) write_json();
    int rc = kExitOk;
    for (const RoundResult& r : results_) {
      if (!r.completed) rc = std::max(rc, kExitCouldNotRun);
    }
    for (const RoundResult& r : results_) {
      if (r.lost > 0 || r.false_failover) rc = kExitLost;  // correctness beats "could not run"
    }
    return rc;
  }

 private:
  std::string dir() const { return cluster_.state_dir() + "/bench"; }
  std::string workdir() const { return dir() + "/work"; }
  std::string log_file() const { return workdir() + "/manager.log"; }

  // The test bed's app1.cnf with our work dir and log, the sample VIP and shutdown scripts.
  Result<std::string> write_conf() {
    const std::string vip_script = "MHA_VIP=" + cluster_.vip() + "/24 " +
                                   shell_quote(test::source_dir() + "/scripts/master_ip_failover");
    return write_bench_conf(
        cluster_, {dir() + "/app.cnf", workdir(), log_file(),
                   "master_ip_failover_script=" + vip_script + "\n" + "shutdown_script=" +
                       shell_quote(test::source_dir() + "/scripts/master_shutdown") + "\n" +
                       "master_ip_online_change_script=" + vip_script + "\n",
                   ""});
  }

  // The next round's `up` deletes the state directory: keep what explains this round's figures.
  void keep_logs(const std::string& fault, int round) const {
    const std::string prefix = o_.logs + "/" + fault + "-" + std::to_string(round);
    keep_files({{log_file(), prefix + ".manager.log"},
                {workdir() + "/app.failover.report.json", prefix + ".report.json"},
                {workdir() + "/app.switch.report.json", prefix + ".switch.json"},
                {dir() + "/switch.out", prefix + ".switch.out"}});
  }

  // Transaction id -> rows present, on `host`.
  Result<std::map<int, int>> rows_on(const std::string& host) {
    auto out = cluster_.sql(host, "SELECT txn, COUNT(*) FROM test.bench GROUP BY txn");
    if (!out) return Unexpected(out.error());
    std::map<int, int> rows;
    std::istringstream in(*out);
    std::string line;
    while (std::getline(in, line)) {
      const std::size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      rows[std::stoi(line.substr(0, tab))] = std::stoi(line.substr(tab + 1));
    }
    return rows;
  }

  long missing(const std::map<int, int>& have, const std::vector<Ack>& acks) const {
    long n = 0;
    for (const Ack& a : acks) {
      auto it = have.find(a.txn);
      if (it == have.end() || it->second < rows_per_txn()) ++n;
    }
    return n;
  }

  int rows_per_txn() const { return o_.large ? 500 : 1; }

  RoundResult run_round(const std::string& fault, int round) {
    RoundResult res;
    res.fault = fault;
    res.round = round;
    auto fail = [&](const std::string& why) {
      res.error = why;
      std::string tail = read_file(log_file());
      if (tail.size() > 3000) tail = tail.substr(tail.size() - 3000);
      std::cerr << "failover_bench: " << fault << " round " << round << ": " << why
                << "\n--- manager log (tail)\n"
                << tail << "\n";
      return res;
    };
    std::cerr << "failover_bench: " << fault << " round " << round << ": building the cluster\n";
    const auto up_started = Clock::now();
    if (Status s = cluster_.up({3, o_.mode, true}); !s) {
      return fail("cluster up failed: " + s.error().message);
    }
    res.figures["cluster_up_ms"] = ms_between(up_started, Clock::now());
    if (cluster_
            .exec_in("mgr",
                     "rm -rf " + shell_quote(dir()) + " && mkdir -p " + shell_quote(workdir()))
            .exit_code != 0) {
      return fail("cannot create " + dir());
    }
    if (auto r = cluster_.sql("db1",
                              "CREATE TABLE test.bench (txn INT NOT NULL, seq INT NOT NULL, "
                              "pad VARCHAR(255), PRIMARY KEY (txn, seq))");
        !r) {
      return fail("create table: " + r.error().message);
    }
    auto conf = write_conf();
    if (!conf) return fail(conf.error().message);

    // An online switch refuses while a manager monitors the master: none runs for it.
    const bool switchover = fault == "switchover";
    std::optional<ManagerProcess> manager;
    if (!switchover) {
      manager.emplace(cluster_, *conf, "", dir());
      if (Status s = manager->launch(); !s) return fail(s.error().message);
      if (!eventually([&] { return check_status(cluster_, *conf) == 0; }, seconds(30))) {
        return fail("the manager did not reach PING_OK within 30 s");
      }
    }

    Writer writer(WriterOptions{.vip = cluster_.vip(),
                                .user = cluster_.env("APP_USER"),
                                .password = cluster_.env("APP_PASSWORD"),
                                .rate = o_.rate,
                                .table = "test.bench",
                                .rows_per_txn = rows_per_txn(),
                                .pad_bytes = o_.large ? 200 : 100});
    if (!writer.start()) return fail("cannot enter the manager namespace");
    const auto writer_started = Clock::now();
    if (!writer.wait_more(o_.large ? 20 : 200, seconds(20))) {
      return fail("the writer got no commits through the VIP");
    }

    // The footprint once per run, in its first round, while the writer runs and the manager pings.
    if (o_.footprint_s > 0 && !footprint_ && manager) {
      auto f = measure_footprint(manager->pid(), seconds(o_.footprint_s));
      if (!f) return fail("footprint: " + f.error().message);
      footprint_ = *f;
    }

    std::vector<test::Host> replicas;
    for (const test::Host& h : cluster_.hosts()) {
      if (h.name != "db1") replicas.push_back(h);
    }
    Poller poller(replicas);
    poller.start();
    const std::size_t acked_before = writer.ack_count();
    if (switchover) return switchover_round(res, *conf, writer, poller, replicas, fail);

    const auto fault_wall = WallClock::now();
    const auto fault_at = Clock::now();
    Status injected = fault == "kill9"      ? cluster_.kill9("db1")
                      : fault == "linkdown" ? cluster_.link_down("db1")
                      : fault == "sigstop"  ? cluster_.stop("db1")
                                            : cluster_.cut("mgr", "db1");
    res.figures["fault_call_ms"] = ms_between(fault_at, Clock::now());
    if (!injected) return fail("fault injection: " + injected.error().message);

    if (fault == "partition")
      return partition_round(res, *manager, *conf, writer, poller, fault_at);

    const int rc = manager->wait_exit(seconds(90));
    const auto exited_at = Clock::now();
    if (rc != 0) {
      return fail(rc < 0 ? "the manager did not finish a failover within 90 s"
                         : "the manager exited " + std::to_string(rc) + " (failover failed)");
    }
    res.figures["manager_exit_ms"] = ms_between(fault_at, exited_at);
    const bool more = writer.wait_more(o_.large ? 10 : 100, seconds(20));
    eventually([&] { return poller.repointed_at().has_value(); }, seconds(20));
    writer.stop();
    poller.stop();
    if (!more) return fail("no commits through the VIP within 20 s after the failover");

    // Figures measured from outside, relative to the fault.
    const std::vector<Ack> acks = writer.acks();
    const std::vector<Failure> failures = writer.failures();
    std::optional<Clock::time_point> first_failure;
    for (const Failure& f : failures) {
      if (f.ended >= fault_at) {
        first_failure = f.ended;
        break;
      }
    }
    std::optional<Clock::time_point> first_ack_after;
    if (first_failure) {
      for (const Ack& a : acks) {
        if (a.acked > *first_failure) {
          first_ack_after = a.acked;
          break;
        }
      }
    }
    if (first_failure) res.figures["first_refused_write_ms"] = ms_between(fault_at, *first_failure);
    if (first_ack_after) {
      res.figures["outage_ms"] = ms_between(fault_at, *first_ack_after);
      // The last attempt that failed before the first write got through: a connect that started
      // while the VIP was nowhere waits out the client's 1 s connect timeout.
      for (auto it = failures.rbegin(); it != failures.rend(); ++it) {
        if (it->ended <= *first_ack_after) {
          res.figures["last_failed_attempt_started_ms"] = ms_between(fault_at, it->started);
          res.figures["last_failed_attempt_took_ms"] = ms_between(it->started, it->ended);
          break;
        }
      }
    }
    if (auto w = poller.writable_at()) res.figures["writable_ms"] = ms_between(fault_at, *w);
    if (auto p = poller.repointed_at()) res.figures["repointed_ms"] = ms_between(fault_at, *p);
    const double writer_s = std::chrono::duration<double>(fault_at - writer_started).count();
    res.figures["writer_tps_before_fault"] = static_cast<double>(acked_before) / writer_s;
    res.figures["acked"] = acks.size();
    res.figures["failed_attempts"] = failures.size();

    // The manager's own report: declared dead = its started_at (written the moment the failover
    // begins, right after the "is dead:" log line), and its per-phase timings.
    try {
      const nlohmann::json report =
          nlohmann::json::parse(read_file(workdir() + "/app.failover.report.json"));
      res.figures["phases_ms"] = report.at("phases_ms");
      res.figures["new_master_reported"] = report.value("new_master", "");
      if (auto started = parse_iso_ms(report.value("started_at", ""))) {
        const double dead =
            std::chrono::duration<double, std::milli>(*started - fault_wall).count();
        res.figures["declared_dead_ms"] = dead;
        // The VIP script is the last step: the failover's end is when the VIP moved.
        res.figures["failover_done_ms"] = dead + report.at("phases_ms").value("total", 0.0);
      }
      std::map<std::string, double> steps;
      for (const auto& s : report.at("steps")) {
        steps[s.value("step", "?")] += s.value("ms", 0.0);
      }
      res.figures["steps_ms"] = steps;
    } catch (const std::exception& e) {
      return fail(std::string("cannot read the failover report: ") + e.what());
    }

    // Data: every acknowledged transaction complete on the new master and, once they caught up,
    // on the other replica.
    const std::string new_master = poller.writable_host();
    if (new_master.empty()) return fail("no replica became writable");
    res.figures["new_master"] = new_master;
    auto have = rows_on(new_master);
    if (!have) return fail("reading the new master: " + have.error().message);
    res.lost = missing(*have, acks);
    res.figures["lost"] = res.lost;
    long follower_missing = 0;
    for (const test::Host& h : replicas) {
      if (h.name == new_master) continue;
      long m = 0;
      eventually(
          [&] {
            auto f = rows_on(h.name);
            m = f ? missing(*f, acks) : static_cast<long>(acks.size());
            return m == 0;
          },
          seconds(30));
      follower_missing += m;
    }
    res.figures["missing_on_followers"] = follower_missing;
    res.completed = true;
    return res;
  }

  // masterha_master_switch --master_state=alive from db1 to db2 (db1 becomes db2's replica) while
  // the writer runs. The client-side window: from the first write refused after the switch
  // started to the first write accepted after it, and the longest gap between two acknowledged
  // commits; the switch's own report gives the database-side window (read_only on db1 until db2
  // writable) and the service gap (until the VIP moved).
  template <typename Fail>
  RoundResult switchover_round(RoundResult& res, const std::string& conf, Writer& writer,
                               Poller& poller, const std::vector<test::Host>& replicas,
                               Fail& fail) {
    const auto started = Clock::now();
    const test::CommandResult r = cluster_.exec_in(
        "mgr",
        shell_quote(test::binary("masterha_master_switch")) +
            " --master_state=alive --interactive=0 --global_conf=/dev/null --conf=" +
            shell_quote(conf) + " --new_master_host=" + cluster_.host("db2").ip +
            " --orig_master_is_new_slave > " + shell_quote(dir() + "/switch.out") + " 2>&1",
        180);
    const auto ended = Clock::now();
    res.figures["switch_call_ms"] = ms_between(started, ended);
    if (r.exit_code != 0) {
      return fail("masterha_master_switch exited " + std::to_string(r.exit_code) + ": " +
                  read_file(dir() + "/switch.out"));
    }
    const bool more = writer.wait_more(100, seconds(20));
    eventually([&] { return poller.writable_at().has_value(); }, seconds(20));
    writer.stop();
    poller.stop();
    if (!more) return fail("no commits through the VIP within 20 s after the switch");

    const std::vector<Ack> acks = writer.acks();
    const std::vector<Failure> failures = writer.failures();
    std::optional<Clock::time_point> first_failure;
    for (const Failure& f : failures) {
      if (f.ended >= started) {
        first_failure = f.ended;
        break;
      }
    }
    if (first_failure) {
      res.figures["first_refused_write_ms"] = ms_between(started, *first_failure);
      for (const Ack& a : acks) {
        if (a.acked > *first_failure) {
          res.figures["write_block_ms"] = ms_between(*first_failure, a.acked);
          break;
        }
      }
    } else {
      res.figures["write_block_ms"] = 0;  // no write was refused; the gap below still counts
    }
    std::vector<Clock::time_point> acked;
    for (const Ack& a : acks) acked.push_back(a.acked);
    std::sort(acked.begin(), acked.end());
    double gap = 0;
    for (std::size_t i = 1; i < acked.size(); ++i) {
      if (acked[i] < started || acked[i - 1] > ended) continue;
      gap = std::max(gap, ms_between(acked[i - 1], acked[i]));
    }
    res.figures["max_ack_gap_ms"] = gap;
    res.figures["acked"] = acks.size();
    res.figures["failed_attempts"] = failures.size();
    if (auto w = poller.writable_at()) res.figures["writable_ms"] = ms_between(started, *w);
    try {
      const nlohmann::json report =
          nlohmann::json::parse(read_file(workdir() + "/app.switch.report.json"));
      if (report.contains("write_block_ms") && report.at("write_block_ms").is_number()) {
        res.figures["db_write_block_ms"] = report.at("write_block_ms");
      }
      if (report.contains("service_gap_ms") && report.at("service_gap_ms").is_number()) {
        res.figures["service_gap_ms"] = report.at("service_gap_ms");
      }
    } catch (const std::exception& e) {
      return fail(std::string("cannot read the switch report: ") + e.what());
    }

    // Data: every acknowledged transaction on the new master, then on db3 and on the old master
    // (now db2's replica) once they caught up.
    auto have = rows_on("db2");
    if (!have) return fail("reading the new master: " + have.error().message);
    res.lost = missing(*have, acks);
    res.figures["lost"] = res.lost;
    long follower_missing = 0;
    std::vector<std::string> followers{"db1"};
    for (const test::Host& h : replicas) {
      if (h.name != "db2") followers.push_back(h.name);
    }
    for (const std::string& h : followers) {
      long m = 0;
      eventually(
          [&] {
            auto f = rows_on(h);
            m = f ? missing(*f, acks) : static_cast<long>(acks.size());
            return m == 0;
          },
          seconds(30));
      follower_missing += m;
    }
    res.figures["missing_on_followers"] = follower_missing;
    res.completed = true;
    return res;
  }

  // The manager alone loses the master: it must keep monitoring (no failover), and see the master
  // again once the cut heals.
  RoundResult partition_round(RoundResult& res, ManagerProcess& manager, const std::string& conf,
                              Writer& writer, Poller& poller, Clock::time_point cut_at) {
    eventually([&] { return !manager.running() || poller.writable_at().has_value(); },
               seconds(o_.partition_s));
    const bool still_monitoring = manager.running();
    res.figures["status_during_cut"] = check_status(cluster_, conf);
    (void)cluster_.heal("mgr", "db1");
    res.figures["cut_ms"] = ms_between(cut_at, Clock::now());
    const bool ok_again =
        eventually([&] { return check_status(cluster_, conf) == 0; }, seconds(30));
    writer.stop();
    poller.stop();
    res.false_failover = !still_monitoring || poller.writable_at().has_value() ||
                         file_exists(workdir() + "/app.failover.complete");
    res.figures["false_failover"] = res.false_failover;
    res.figures["ping_ok_after_heal"] = ok_again;
    res.figures["not_dead_logged"] = read_file(log_file()).find("not_dead") != std::string::npos;
    if (manager.running()) {
      (void)cluster_.exec_in("mgr", shell_quote(test::binary("masterha_stop")) + " --conf=" +
                                        shell_quote(conf) + " --global_conf=/dev/null");
      manager.wait_exit(seconds(20));
    }
    res.completed = ok_again || res.false_failover;
    if (!res.completed) res.error = "the manager did not return to PING_OK after the cut healed";
    if (res.false_failover) std::cerr << "failover_bench: FALSE FAILOVER in partition round\n";
    return res;
  }

  static std::string ms_text(const nlohmann::json& f, const std::string& key) {
    if (!f.contains(key)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", f.at(key).get<double>());
    return buf;
  }

  void print_round(const RoundResult& r) const {
    if (!r.completed) {
      std::cout << r.fault << " round " << r.round << ": NOT COMPLETED: " << r.error << "\n";
      return;
    }
    if (r.fault == "switchover") {
      std::cout << "switchover round " << r.round << ": writes refused for "
                << ms_text(r.figures, "write_block_ms")
                << " ms (first refused to first accepted through the VIP), longest gap between "
                   "acknowledged commits "
                << ms_text(r.figures, "max_ack_gap_ms") << " ms, database write block "
                << ms_text(r.figures, "db_write_block_ms") << " ms, service gap "
                << ms_text(r.figures, "service_gap_ms") << " ms, switch took "
                << ms_text(r.figures, "switch_call_ms") << " ms, lost " << r.lost << " of "
                << r.figures.value("acked", 0) << "\n";
      return;
    }
    if (r.fault == "partition") {
      std::cout << "partition round " << r.round
                << ": false_failover=" << (r.false_failover ? "YES" : "no")
                << " status_during_cut=" << r.figures.value("status_during_cut", -1) << "\n";
      return;
    }
    std::cout << r.fault << " round " << r.round << ": dead "
              << ms_text(r.figures, "declared_dead_ms") << " ms, writable "
              << ms_text(r.figures, "writable_ms") << " ms, VIP write "
              << ms_text(r.figures, "outage_ms") << " ms, manager exit "
              << ms_text(r.figures, "manager_exit_ms") << " ms, re-pointed "
              << ms_text(r.figures, "repointed_ms") << " ms, lost " << r.lost << " of "
              << r.figures.value("acked", 0) << "; phases "
              << r.figures.value("phases_ms", nlohmann::json()).dump() << "\n";
  }

  nlohmann::json summary() const {
    nlohmann::json out = nlohmann::json::object();
    const std::vector<std::string> keys = {
        "declared_dead_ms",       "writable_ms",     "failover_done_ms",  "outage_ms",
        "first_refused_write_ms", "manager_exit_ms", "repointed_ms",      "lost",
        "write_block_ms",         "max_ack_gap_ms",  "db_write_block_ms", "service_gap_ms",
        "switch_call_ms"};
    const std::vector<std::string> phases = {"detect",  "confirm", "fence", "catch_up",
                                             "promote", "repoint", "vip",   "total"};
    for (const std::string& fault : o_.faults) {
      nlohmann::json f = nlohmann::json::object();
      int completed = 0, false_failovers = 0;
      std::map<std::string, std::vector<double>> values;
      for (const RoundResult& r : results_) {
        if (r.fault != fault) continue;
        if (r.false_failover) ++false_failovers;
        if (!r.completed) continue;
        ++completed;
        for (const std::string& k : keys) {
          if (r.figures.contains(k)) values[k].push_back(r.figures.at(k).get<double>());
        }
        if (r.figures.contains("phases_ms")) {
          for (const std::string& p : phases) {
            const auto& ph = r.figures.at("phases_ms");
            if (ph.contains(p)) values["phase." + p].push_back(ph.at(p).get<double>());
          }
        }
      }
      f["rounds"] = o_.rounds;
      f["completed"] = completed;
      if (fault == "partition") f["false_failovers"] = false_failovers;
      for (const auto& [k, v] : values) f[k] = stats(v);
      out[fault] = f;
    }
    return out;
  }

  void print_summary() const {
    const nlohmann::json s = summary();
    std::printf("\n%-10s %-24s %4s %9s %9s %9s\n", "fault", "figure (ms from fault)", "n", "min",
                "median", "max");
    for (const std::string& fault : o_.faults) {
      const nlohmann::json& f = s.at(fault);
      std::printf("%-10s %-24s %4d\n", fault.c_str(), "rounds completed",
                  f.at("completed").get<int>());
      if (fault == "partition") {
        std::printf("%-10s %-24s %4d\n", fault.c_str(), "false failovers",
                    f.at("false_failovers").get<int>());
        continue;
      }
      for (const auto& [k, v] : f.items()) {
        if (!v.is_object()) continue;
        std::printf("%-10s %-24s %4d %9.0f %9.0f %9.0f\n", fault.c_str(), k.c_str(),
                    v.at("n").get<int>(), v.at("min").get<double>(), v.at("median").get<double>(),
                    v.at("max").get<double>());
      }
    }
    if (footprint_) {
      std::printf(
          "\nmanager footprint over %.0f s of monitoring (ping_interval=1, writer running): "
          "RSS max %ld kB (last %ld kB), CPU %.1f ms = %.3f%% of a core, busiest second "
          "%.2f%% (10 ms ticks)\n",
          footprint_->seconds, footprint_->rss_kb_max, footprint_->rss_kb_last,
          footprint_->cpu_ms_total, footprint_->cpu_percent_mean, footprint_->cpu_percent_max);
    }
  }

  void write_json() const {
    nlohmann::json j;
    j["machine"] = machine_facts();
    j["options"] = {{"faults", o_.faults},
                    {"rounds", o_.rounds},
                    {"mode", o_.mode == test::ReplMode::kGtid ? "gtid" : "pos"},
                    {"writer", o_.large ? "large" : "steady"},
                    {"rate", o_.rate},
                    {"rows_per_txn", rows_per_txn()},
                    {"smoke", o_.smoke}};
    nlohmann::json rounds = nlohmann::json::array();
    for (const RoundResult& r : results_) {
      nlohmann::json x = round_json(r.round, r.completed, r.error, r.figures);
      x["fault"] = r.fault;
      rounds.push_back(x);
    }
    j["rounds"] = rounds;
    j["summary"] = summary();
    if (footprint_) {
      j["footprint"] = {{"seconds", footprint_->seconds},
                        {"rss_kb_max", footprint_->rss_kb_max},
                        {"rss_kb_last", footprint_->rss_kb_last},
                        {"cpu_ms_total", footprint_->cpu_ms_total},
                        {"cpu_percent_mean", footprint_->cpu_percent_mean},
                        {"cpu_percent_max_1s", footprint_->cpu_percent_max}};
    }
    write_json_file("failover_bench", o_.json, j);
  }

  Options o_;
  Cluster cluster_;
  std::vector<RoundResult> results_;
  std::optional<Footprint> footprint_;
};

}  // namespace
}  // namespace mha::bench

int main(int argc, char** argv) {
  auto options = mha::bench::parse_options(argc, argv);
  if (!options) return mha::bench::kExitUsage;
  return mha::bench::bench_main("failover_bench",
                                [&] { return mha::bench::Bench(std::move(*options)).run(); });
}
