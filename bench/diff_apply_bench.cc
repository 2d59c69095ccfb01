// diff_apply_bench: how fast a failover applies a relay-log diff in file/position mode, against
// `mysqlbinlog FILE | mysql` of the same events on an identical host (issue #6, "diff-apply
// speed"). docs/benchmarks.md explains the figures and records a run.
//
//   sudo build/bench/diff_apply_bench [--mb=N] [--rounds=N] [--json=FILE] [--logs=DIR] [--smoke]
//
// A round, on a fresh 4-host file/position cluster with semi-sync:
//  1. masterha_manager monitors db1..db3 (db4 is left out of its configuration);
//  2. db2 and db4 stop their IO threads at the same master position; the master writes ~N MB
//     (single-row commits and 1000-row transactions) that only db3 receives;
//  3. baseline: the node helper writes db3's relay-log events after that position to a file
//     (apply_diff_relay_logs --command=generate, timed: the generate cost), and
//     `mysqlbinlog FILE | mysql` applies it on db4, timed there with the pipeline the manager uses;
//     db4 then stops being a replica;
//  4. ours: kill -9 of db1; the failover brings db2 level with db3 through its apply_relay_diff
//     step (helper on db3 over SSH, the file to the manager and on to db2, mysqlbinlog | mysql
//     there), whose duration the failover report gives;
//  5. both sides must have applied the same number of transactions, and CHECKSUM TABLE of every
//     workload table must be equal on db2, db3 and db4, or the round does not count.
//
// Exit codes: 0 every round ran and the data matched; 1 a round's data or transaction count
// differed (the figures are meaningless); 2 bad option or not root; 3 a round could not run.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>

#include "bench_support.h"
#include "failover_harness.h"
#include <unistd.h>

namespace mha::bench {
namespace {

using test::Cluster;
using test::shell_quote;

constexpr int kExitMismatch = 1;

// Workload shape: this share of the bytes in single-row commits, the rest in 1000-row
// transactions; every row carries kPad bytes.
constexpr double kSingleShare = 0.3;
constexpr int kPad = 1000;
constexpr int kRowsPerLarge = 1000;
constexpr int kSingleBatch = 1000;  // single-row commits per client call (each autocommits)

struct Options {
  int mb = 100;
  int rounds = 3;
  std::string json;
  std::string logs = "/tmp/diff_apply_bench-logs";
  bool smoke = false;
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  bool mb_set = false, rounds_set = false;
  auto number = [](const std::string& name, const std::string& v) -> std::optional<int> {
    try {
      std::size_t used = 0;
      const int n = std::stoi(v, &used);
      if (used == v.size() && n >= 1) return n;
    } catch (const std::exception&) {
    }
    std::cerr << "diff_apply_bench: option --" << name << "=" << v
              << ": expected an integer >= 1\n";
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::size_t eq = arg.find('=');
    const std::string key = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (key == "--smoke" && eq == std::string::npos) {
      o.smoke = true;
    } else if (key == "--mb" && eq != std::string::npos) {
      auto n = number("mb", value);
      if (!n) return std::nullopt;
      o.mb = *n;
      mb_set = true;
    } else if (key == "--rounds" && eq != std::string::npos) {
      auto n = number("rounds", value);
      if (!n) return std::nullopt;
      o.rounds = *n;
      rounds_set = true;
    } else if (key == "--json" && !value.empty()) {
      o.json = value;
    } else if (key == "--logs" && !value.empty()) {
      o.logs = value;
    } else {
      std::cerr << "diff_apply_bench: unknown or malformed option '" << arg
                << "' (use --mb=N --rounds=N --json=FILE --logs=DIR --smoke)\n";
      return std::nullopt;
    }
  }
  if (o.smoke) {
    if (!mb_set) o.mb = 4;
    if (!rounds_set) o.rounds = 1;
  }
  return o;
}

struct RoundResult {
  int round = 0;
  bool completed = false;
  bool mismatch = false;  // the two sides did not apply the same thing
  std::string error;
  nlohmann::json figures = nlohmann::json::object();
};

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {}

  int run() {
    for (int r = 1; r <= o_.rounds; ++r) {
      RoundResult res = run_round(r);
      keep_logs(r);
      print_round(res);
      results_.push_back(std::move(res));
    }
    Status down = cluster_.down();
    if (!down) std::cerr << "diff_apply_bench: cluster down: " << down.error().message << "\n";
    print_summary();
    if (!o_.json.empty()) write_json();
    int rc = kExitOk;
    for (const RoundResult& r : results_) {
      if (!r.completed) rc = std::max(rc, kExitCouldNotRun);
    }
    for (const RoundResult& r : results_) {
      if (r.mismatch) rc = kExitMismatch;
    }
    return rc;
  }

 private:
  std::string dir() const { return cluster_.state_dir() + "/diffbench"; }
  std::string workdir() const { return dir() + "/work"; }
  std::string log_file() const { return workdir() + "/manager.log"; }
  std::string baseline_file() const { return dir() + "/baseline.binlog"; }

  // The test bed's app1.cnf without [server4] (db4 is the baseline's host, not the manager's),
  // with our work dir and log.
  Result<std::string> write_conf() {
    return write_bench_conf(cluster_, {dir() + "/app.cnf", workdir(), log_file(), "", "server4"});
  }

  void keep_logs(int round) const {
    const std::string prefix = o_.logs + "/round-" + std::to_string(round);
    keep_files({{log_file(), prefix + ".manager.log"},
                {workdir() + "/app.failover.report.json", prefix + ".report.json"}});
  }

  Result<std::map<std::string, std::string>> row(const std::string& host,
                                                 const std::string& statement) {
    return cluster_.sql_row(host, statement);
  }

  // Waits until `replica` has received and executed everything `master` has logged.
  bool caught_up(const std::string& master, const std::string& replica, seconds limit) {
    return eventually(
        [&] {
          auto ms = row(master, "SHOW MASTER STATUS");
          auto st = row(replica, "SHOW SLAVE STATUS");
          return ms && st && !ms->empty() && (*st)["Relay_Master_Log_File"] == (*ms)["File"] &&
                 (*st)["Read_Master_Log_Pos"] == (*ms)["Position"] &&
                 (*st)["Exec_Master_Log_Pos"] == (*ms)["Position"];
        },
        limit);
  }

  // The workload: ~mb MB on db1, single-row commits interleaved with 1000-row transactions.
  Status write_workload(nlohmann::json& figures) {
    const double bytes = o_.mb * 1048576.0;
    const long singles = std::max(1L, static_cast<long>(bytes * kSingleShare / (kPad + 120)));
    const long larges = std::max(
        1L, static_cast<long>(bytes * (1 - kSingleShare) / (kRowsPerLarge * (kPad + 30.0))));
    const std::string pad = "REPEAT('x', " + std::to_string(kPad) + ")";
    long singles_done = 0;
    const auto started = Clock::now();
    for (long k = 1; k <= larges; ++k) {
      const long until = singles * k / larges;
      while (singles_done < until) {
        const long n = std::min<long>(kSingleBatch, until - singles_done);
        std::string batch;
        for (long i = 0; i < n; ++i)
          batch += "INSERT INTO test.small (pad) VALUES (" + pad + ");\n";
        if (auto r = cluster_.sql("db1", batch); !r) return Unexpected(r.error());
        singles_done += n;
      }
      // One statement, one transaction of kRowsPerLarge rows (row-based binlog: one row event
      // each; the Sequence engine's seq_1_to_N table supplies the rows).
      if (auto r = cluster_.sql("db1", "INSERT INTO test.big (txn, seq, pad) SELECT " +
                                           std::to_string(k) + ", seq, " + pad +
                                           " FROM test.seq_1_to_" + std::to_string(kRowsPerLarge));
          !r) {
        return Unexpected(r.error());
      }
    }
    figures["write_ms"] = ms_between(started, Clock::now());
    figures["single_row_commits"] = singles_done;
    figures["large_transactions"] = larges;
    return ok_status();
  }

  // "schema.table" -> "rows checksum" for the workload tables on `host`.
  Result<std::string> data_of(const std::string& host) {
    std::string out;
    for (const std::string t : {"test.small", "test.big"}) {
      auto n = cluster_.sql(host, "SELECT COUNT(*) FROM " + t);
      if (!n) return Unexpected(n.error());
      auto sum = cluster_.sql(host, "CHECKSUM TABLE " + t);
      if (!sum) return Unexpected(sum.error());
      out += *n + " " + *sum + "\n";
    }
    return out;
  }

  RoundResult run_round(int round) {
    RoundResult res;
    res.round = round;
    nlohmann::json& f = res.figures;
    auto fail = [&](const std::string& why) {
      res.error = why;
      std::string tail = read_file(log_file());
      if (tail.size() > 3000) tail = tail.substr(tail.size() - 3000);
      std::cerr << "diff_apply_bench: round " << round << ": " << why;
      if (!tail.empty()) std::cerr << "\n--- manager log (tail)\n" << tail;
      std::cerr << "\n";
      return res;
    };
    std::cerr << "diff_apply_bench: round " << round << ": building the cluster\n";
    if (Status s = cluster_.up({4, test::ReplMode::kFilePos, true}); !s) {
      return fail("cluster up failed: " + s.error().message);
    }
    if (cluster_
            .exec_in("mgr",
                     "rm -rf " + shell_quote(dir()) + " && mkdir -p " + shell_quote(workdir()))
            .exit_code != 0) {
      return fail("cannot create " + dir());
    }
    if (auto r = cluster_.sql("db1",
                              "CREATE TABLE test.small (id INT AUTO_INCREMENT PRIMARY KEY, "
                              "pad VARCHAR(1000)); CREATE TABLE test.big (txn INT NOT NULL, "
                              "seq INT NOT NULL, pad VARCHAR(1000), PRIMARY KEY (txn, seq))");
        !r) {
      return fail("create tables: " + r.error().message);
    }
    for (const std::string h : {"db2", "db3", "db4"}) {
      if (!caught_up("db1", h, seconds(30))) return fail(h + " did not catch up with db1");
    }
    auto conf = write_conf();
    if (!conf) return fail(conf.error().message);
    ManagerProcess manager(cluster_, *conf, "", dir());
    if (Status s = manager.launch(); !s) return fail(s.error().message);
    if (!eventually([&] { return check_status(cluster_, *conf) == 0; }, seconds(30))) {
      return fail("the manager did not reach PING_OK within 30 s");
    }

    // db2 (the failover's target) and db4 (the baseline's) stop at the same master position.
    for (const std::string h : {"db2", "db4"}) {
      if (auto r = cluster_.sql(h, "STOP SLAVE IO_THREAD"); !r) {
        return fail(h + ": " + r.error().message);
      }
    }
    auto p2 = row("db2", "SHOW SLAVE STATUS");
    auto p4 = row("db4", "SHOW SLAVE STATUS");
    if (!p2 || !p4 || (*p2)["Master_Log_File"] != (*p4)["Master_Log_File"] ||
        (*p2)["Read_Master_Log_Pos"] != (*p4)["Read_Master_Log_Pos"]) {
      return fail("db2 and db4 did not stop at the same master position");
    }
    const std::string from_file = (*p2)["Master_Log_File"];
    const std::string from_pos = (*p2)["Read_Master_Log_Pos"];

    if (Status s = write_workload(f); !s) return fail("workload: " + s.error().message);
    if (!caught_up("db1", "db3", seconds(600))) return fail("db3 did not receive the workload");
    auto p3 = row("db3", "SHOW SLAVE STATUS");
    auto v3 = row("db3", "SELECT @@relay_log_basename AS base, @@server_id AS id");
    if (!p3 || !v3) return fail("cannot read db3's replica status");
    const std::string base = (*v3)["base"];
    const std::string relay_dir = base.substr(0, base.rfind('/'));
    std::string relay_log = (*p3)["Relay_Log_File"];
    relay_log = relay_log.substr(relay_log.rfind('/') + 1);

    // Baseline 1: the helper writes the diff on db3's host (what the failover's helper call does).
    const std::string helper =
        shell_quote(test::binary("masterha_node")) +
        " apply_diff_relay_logs --command=generate --relay_dir=" + shell_quote(relay_dir) +
        " --current_relay_log=" + shell_quote(relay_log) + " --server_id=" + (*v3)["id"] +
        " --target_mlf=" + shell_quote(from_file) + " --target_rmlp=" + from_pos +
        " --latest_mlf=" + shell_quote((*p3)["Master_Log_File"]) +
        " --latest_rmlp=" + (*p3)["Read_Master_Log_Pos"] +
        " --diff_file_readtolatest=" + shell_quote(baseline_file());
    auto gen_started = Clock::now();
    test::CommandResult gen = cluster_.exec_in("db3", helper, 600);
    f["generate_ms"] = ms_between(gen_started, Clock::now());
    if (gen.exit_code != 0) return fail("apply_diff_relay_logs --command=generate: " + gen.err);
    nlohmann::json summary;
    {
      std::istringstream in(gen.out);
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.front() == '{') {
          summary = nlohmann::json::parse(line, nullptr, false);
        }
      }
    }
    if (!summary.is_object()) return fail("the helper printed no summary line: " + gen.out);
    f["diff_transactions"] = summary.value("transactions", 0L);
    f["diff_bytes"] = summary.value("bytes", 0L);

    // Baseline 2: mysqlbinlog | mysql on db4, the manager's pipeline and client options, with
    // read_only lifted and max_allowed_packet raised as the manager does (not timed).
    if (auto r =
            cluster_.sql("db4", "SET GLOBAL max_allowed_packet=1073741824; SET GLOBAL read_only=0");
        !r) {
      return fail("db4: " + r.error().message);
    }
    const std::string pipeline =
        "mysqlbinlog " + shell_quote(baseline_file()) +
        " | mysql --defaults-extra-file=" + shell_quote(cluster_.env("ADMIN_MY_CNF")) +
        " --max-allowed-packet=1073741824 -h " + shell_quote(cluster_.host("db4").ip) +
        " -P 3306; echo \"pipestatus=${PIPESTATUS[0]} ${PIPESTATUS[1]}\"";
    const auto base_started = Clock::now();
    test::CommandResult applied = cluster_.exec_in("db4", pipeline, 900);
    f["baseline_apply_ms"] = ms_between(base_started, Clock::now());
    if (applied.out.find("pipestatus=0 0") == std::string::npos) {
      return fail("baseline mysqlbinlog | mysql on db4: " + applied.out + applied.err);
    }
    if (auto r = cluster_.sql("db4", "SET GLOBAL read_only=1; STOP SLAVE; RESET SLAVE ALL"); !r) {
      return fail("db4: " + r.error().message);
    }

    // Copy probe: the same file from db3 to the manager host and on to db2 with OpenSSH, each
    // side hashing it as the manager's transfers do (SHA-256). The manager uses libssh2, so this
    // estimates the copy share of its step rather than measuring it.
    const std::string ssh = "ssh -i " + shell_quote(cluster_.env("SSH_KEY")) +
                            " -o UserKnownHostsFile=" + shell_quote(cluster_.env("KNOWN_HOSTS")) +
                            " -o BatchMode=yes root@";
    const std::string local = dir() + "/copy_probe.binlog";
    const std::string remote = dir() + "/copy_probe_on_db2.binlog";
    const std::string probe =
        "set -e; " + ssh + cluster_.host("db3").ip + " " +
        shell_quote("cat < " + shell_quote(baseline_file()) + " && sha256sum < " +
                    shell_quote(baseline_file()) + " >&2") +
        " > " + shell_quote(local) + "; sha256sum < " + shell_quote(local) + "; " + ssh +
        cluster_.host("db2").ip + " " +
        shell_quote("cat > " + shell_quote(remote) + " && sha256sum < " + shell_quote(remote)) +
        " < " + shell_quote(local) + "; rm -f " + shell_quote(local) + " " + shell_quote(remote);
    const auto copy_started = Clock::now();
    test::CommandResult copied = cluster_.exec_in("mgr", probe, 600);
    f["copy_probe_ms"] = ms_between(copy_started, Clock::now());
    if (copied.exit_code != 0) return fail("copy probe: " + copied.err);

    // Ours: the failover.
    if (!cluster_.kill9("db1")) return fail("kill -9 of db1 failed");
    const int rc = manager.wait_exit(seconds(900));
    if (rc != 0) {
      return fail(rc < 0 ? "the manager did not finish within 900 s"
                         : "the manager exited " + std::to_string(rc));
    }
    nlohmann::json report =
        nlohmann::json::parse(read_file(workdir() + "/app.failover.report.json"), nullptr, false);
    if (!report.is_object()) return fail("no failover report");
    std::optional<nlohmann::json> step;
    for (const nlohmann::json& s : report.value("steps", nlohmann::json::array())) {
      if (s.value("step", "") == "apply_relay_diff" &&
          s.value("detail", "").find(" on " + cluster_.host("db2").ip) != std::string::npos) {
        step = s;
      }
    }
    if (!step) return fail("the failover report has no apply_relay_diff step for db2");
    f["ours_ms"] = step->value("ms", 0.0);
    f["ours_detail"] = step->value("detail", "");
    f["phases_ms"] = report.value("phases_ms", nlohmann::json::object());
    std::smatch m;
    const std::string detail = step->value("detail", "");
    if (!std::regex_search(detail, m, std::regex("applied ([0-9]+) transaction"))) {
      return fail("cannot read the transaction count from: " + detail);
    }
    f["ours_transactions"] = std::stol(m[1]);
    f["ratio"] = f["ours_ms"].get<double>() / f["baseline_apply_ms"].get<double>();

    // The same events on both sides, and the same data on every survivor.
    std::string new_master = report.value("new_master", "");
    new_master = new_master.substr(0, new_master.find('('));
    std::string nm_name, follower;
    for (const test::Host& h : cluster_.hosts()) {
      if (h.ip == new_master) nm_name = h.name;
    }
    if (nm_name != "db2" && nm_name != "db3") return fail("unexpected new master " + new_master);
    follower = nm_name == "db2" ? "db3" : "db2";
    f["new_master"] = nm_name;
    if (!caught_up(nm_name, follower, seconds(300))) {
      return fail(follower + " did not catch up with the new master " + nm_name);
    }
    std::map<std::string, std::string> data;
    for (const std::string h : {"db2", "db3", "db4"}) {
      auto d = data_of(h);
      if (!d) return fail(h + ": " + d.error().message);
      data[h] = *d;
    }
    res.completed = true;
    if (f["ours_transactions"] != f["diff_transactions"]) {
      res.mismatch = true;
      res.error = "the failover applied " + f["ours_transactions"].dump() +
                  " transactions, the baseline " + f["diff_transactions"].dump();
    } else if (data["db2"] != data["db3"] || data["db4"] != data["db3"]) {
      res.mismatch = true;
      res.error = "data differs: db2 {" + data["db2"] + "} db3 {" + data["db3"] + "} db4 {" +
                  data["db4"] + "}";
    }
    f["data_equal"] = !res.mismatch;
    return res;
  }

  static std::string num(const nlohmann::json& f, const std::string& key, const char* fmt) {
    if (!f.contains(key) || !f.at(key).is_number()) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, fmt, f.at(key).get<double>());
    return buf;
  }

  void print_round(const RoundResult& r) const {
    if (!r.completed) {
      std::cout << "round " << r.round << ": NOT COMPLETED: " << r.error << "\n";
      return;
    }
    const nlohmann::json& f = r.figures;
    std::cout << "round " << r.round << ": diff " << num(f, "diff_bytes", "%.0f") << " bytes, "
              << num(f, "diff_transactions", "%.0f") << " transactions; ours "
              << num(f, "ours_ms", "%.0f") << " ms, baseline mysqlbinlog|mysql "
              << num(f, "baseline_apply_ms", "%.0f") << " ms, ratio " << num(f, "ratio", "%.2f")
              << " (helper generate alone " << num(f, "generate_ms", "%.0f")
              << " ms, OpenSSH copy probe " << num(f, "copy_probe_ms", "%.0f")
              << " ms); data equal on db2, db3, db4: " << (r.mismatch ? "NO: " + r.error : "yes")
              << "\n";
  }

  static const std::vector<std::string>& summary_keys() {
    static const std::vector<std::string> keys = {"ours_ms",     "baseline_apply_ms", "ratio",
                                                  "generate_ms", "copy_probe_ms",     "write_ms",
                                                  "diff_bytes",  "diff_transactions"};
    return keys;
  }

  nlohmann::json summary() const {
    nlohmann::json out = nlohmann::json::object();
    int completed = 0, mismatched = 0;
    std::map<std::string, std::vector<double>> values;
    for (const RoundResult& r : results_) {
      if (r.mismatch) ++mismatched;
      if (!r.completed || r.mismatch) continue;
      ++completed;
      for (const std::string& k : summary_keys()) {
        if (r.figures.contains(k)) values[k].push_back(r.figures.at(k).get<double>());
      }
    }
    out["rounds"] = o_.rounds;
    out["completed_and_matching"] = completed;
    out["mismatched"] = mismatched;
    for (const auto& [k, v] : values) out[k] = stats(v);
    return out;
  }

  void print_summary() const {
    const nlohmann::json s = summary();
    std::printf(
        "\ndiff apply, file/position mode, ~%d MB; rounds completed with matching data: "
        "%d of %d\n",
        o_.mb, s.at("completed_and_matching").get<int>(), o_.rounds);
    std::printf("%-34s %4s %12s %12s %12s\n", "figure", "n", "min", "median", "max");
    for (const std::string& k : summary_keys()) {
      if (!s.contains(k) || !s.at(k).is_object()) continue;
      const nlohmann::json& v = s.at(k);
      const char* fmt =
          k == "ratio" ? "%-34s %4d %12.2f %12.2f %12.2f\n" : "%-34s %4d %12.0f %12.0f %12.0f\n";
      std::printf(fmt, k.c_str(), v.at("n").get<int>(), v.at("min").get<double>(),
                  v.at("median").get<double>(), v.at("max").get<double>());
    }
  }

  void write_json() const {
    nlohmann::json j;
    j["machine"] = machine_facts();
    j["options"] = {{"mb", o_.mb}, {"rounds", o_.rounds}, {"smoke", o_.smoke}};
    nlohmann::json rounds = nlohmann::json::array();
    for (const RoundResult& r : results_) {
      rounds.push_back(round_json(r.round, r.completed, r.error, r.figures));
    }
    j["rounds"] = rounds;
    j["summary"] = summary();
    write_json_file("diff_apply_bench", o_.json, j);
  }

  Options o_;
  Cluster cluster_;
  std::vector<RoundResult> results_;
};

}  // namespace
}  // namespace mha::bench

int main(int argc, char** argv) {
  auto options = mha::bench::parse_options(argc, argv);
  if (!options) return mha::bench::kExitUsage;
  return mha::bench::bench_main("diff_apply_bench",
                                [&] { return mha::bench::Bench(std::move(*options)).run(); });
}
