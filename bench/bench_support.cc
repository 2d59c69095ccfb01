#include "bench_support.h"

#include "mha/mysql/library.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "support/harness.h"
#include <sys/utsname.h>
#include <unistd.h>

namespace mha::bench {

Result<std::string> write_bench_conf(test::Cluster& cluster, const BenchConf& conf) {
  std::string text = test::read_file(cluster.env("APP_CONF"));
  for (const auto& [key, value] :
       {std::pair<std::string, std::string>{"manager_workdir", conf.workdir},
        {"manager_log", conf.log}}) {
    const std::size_t at = text.find("\n" + key + "=");
    if (at == std::string::npos) {
      return Unexpected(make_error(ErrorCode::kConfig, "app1.cnf has no " + key + " line"));
    }
    const std::size_t end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, key + "=" + value);
  }
  if (!conf.without.empty()) {
    const std::size_t at = text.find("\n[" + conf.without + "]");
    if (at == std::string::npos) {
      return Unexpected(make_error(ErrorCode::kConfig, "app1.cnf has no [" + conf.without + "]"));
    }
    const std::size_t next = text.find("\n[", at + 1);
    text.erase(at, next == std::string::npos ? std::string::npos : next - at);
  }
  if (!conf.extra.empty()) {
    const std::size_t first_server = text.find("\n[server1]");
    if (first_server == std::string::npos) {
      return Unexpected(make_error(ErrorCode::kConfig, "app1.cnf has no [server1]"));
    }
    text.insert(first_server + 1, conf.extra + "\n");
  }
  std::ofstream(conf.path) << text;
  return conf.path;
}

int check_status(test::Cluster& cluster, const std::string& conf) {
  return cluster
      .exec_in("mgr",
               test::shell_quote(test::binary("masterha_check_status")) +
                   " --conf=" + test::shell_quote(conf) + " --global_conf=/dev/null",
               30)
      .exit_code;
}

void keep_files(const std::vector<std::pair<std::string, std::string>>& from_to) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& [from, to] : from_to) {
    if (!test::file_exists(from)) continue;
    fs::create_directories(fs::path(to).parent_path(), ec);
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  }
}

nlohmann::json stats(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  const double median =
      v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  return {{"n", v.size()}, {"min", v.front()}, {"median", median}, {"max", v.back()}};
}

nlohmann::json machine_facts() {
  utsname u{};
  ::uname(&u);
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  return {{"cpus", ::sysconf(_SC_NPROCESSORS_ONLN)},
          {"kernel", std::string(u.release)},
          {"loadavg_at_end", {load[0], load[1], load[2]}}};
}

nlohmann::json round_json(int round, bool completed, const std::string& error,
                          const nlohmann::json& figures) {
  nlohmann::json x = figures;
  x["round"] = round;
  x["completed"] = completed;
  if (!error.empty()) x["error"] = error;
  return x;
}

void write_json_file(std::string_view program, const std::string& path, const nlohmann::json& j) {
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  if (!out) std::cerr << program << ": cannot write " << path << "\n";
}

int bench_main(std::string_view program, const std::function<int()>& bench) {
  if (::geteuid() != 0) {
    std::cerr << program << ": needs root (network namespaces, mariadbd); run with sudo\n";
    return kExitUsage;
  }
  mysql::MysqlLibrary library;
  return bench();
}

}  // namespace mha::bench
