#include "support/harness.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mha::test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string tail(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : s.substr(s.size() - n);
}

bool eventually(const std::function<bool()>& done, milliseconds limit, milliseconds poll) {
  const auto until = Clock::now() + limit;
  while (true) {
    if (done()) return true;
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(poll);
  }
}

std::set<int> Writer::acked() const {
  std::set<int> ids;
  for (const Ack& a : writer_.acks()) ids.insert(a.txn);
  return ids;
}

milliseconds Writer::max_gap() const {
  const std::vector<Ack> acks = writer_.acks();
  Clock::duration gap{};
  for (std::size_t i = 1; i < acks.size(); ++i)
    gap = std::max(gap, acks[i].acked - acks[i - 1].acked);
  return std::chrono::duration_cast<milliseconds>(gap);
}

ManagerProcess::~ManagerProcess() {
  if (pid_ > 0 && running()) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    eventually([&] { return !running(); }, seconds(10));
  }
}

Status ManagerProcess::launch() {
  ::unlink(rc_file().c_str());
  ::unlink(pid_file().c_str());
  // The subshell records the manager's own pid (for /proc) and, when it ends, its exit status.
  CommandResult r = c_.exec_in(
      "mgr", "( " + shell_quote(binary("masterha_manager")) + " --conf=" + shell_quote(conf_) +
                 " --global_conf=/dev/null " + args_ + " >" + shell_quote(out_file()) +
                 " 2>&1 </dev/null & echo $! >" + shell_quote(pid_file()) + "; wait $!; echo $? >" +
                 shell_quote(rc_file()) + " ) </dev/null >/dev/null 2>&1 &");
  if (r.exit_code != 0) {
    return Unexpected(make_error(ErrorCode::kIo, "cannot start masterha_manager: " + r.err));
  }
  if (!eventually([&] { return !read_file(pid_file()).empty(); }, seconds(10))) {
    return Unexpected(make_error(ErrorCode::kIo, "masterha_manager wrote no pid file"));
  }
  pid_ = std::stoi(read_file(pid_file()));
  return ok_status();
}

int ManagerProcess::wait_exit(milliseconds limit) const {
  if (!eventually([&] { return !running(); }, limit, milliseconds(50))) return -1;
  // The rc file may exist a moment before its content is written.
  std::string rc;
  eventually([&] { return !(rc = read_file(rc_file())).empty(); }, seconds(2));
  return rc.empty() ? -1 : std::stoi(rc);
}

void ManagerTest::fresh_dir(const std::string& name) {
  dir_ = cluster_.state_dir() + "/" + name;
  // No manager of an earlier, crashed run may write into this test's work directory.
  (void)run_command("pkill -9 -f -- " + shell_quote("masterha_manager --conf=" + dir_ + "/") +
                    " || true");
  ASSERT_EQ(c().exec_in("mgr", "rm -rf " + dir_ + " && mkdir -p " + dir_ + "/work").exit_code, 0);
}

std::string ManagerTest::write_conf(const std::string& default_extra,
                                    const std::map<int, std::string>& server_extra) {
  std::string text = read_file(c().env("APP_CONF"));
  auto replace_line = [&](const std::string& key, const std::string& value) {
    const std::size_t at = text.find("\n" + key + "=");
    EXPECT_NE(at, std::string::npos) << key;
    const std::size_t end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, key + "=" + value);
  };
  replace_line("manager_workdir", workdir());
  replace_line("manager_log", log_file());
  const std::string extra =
      "master_ip_failover_script=MHA_VIP=" + c().vip() + "/24 " +
      shell_quote(source_dir() + "/scripts/master_ip_failover") + "\n" +
      "shutdown_script=" + shell_quote(source_dir() + "/scripts/master_shutdown") + "\n" +
      default_extra;
  text.insert(text.find("\n[server1]") + 1, extra + "\n");
  for (const auto& [n, lines] : server_extra) {
    const std::string header = "[server" + std::to_string(n) + "]\n";
    const std::size_t at = text.find(header);
    EXPECT_NE(at, std::string::npos) << header;
    text.insert(at + header.size(), lines);
  }
  const std::string path = dir_ + "/app.cnf";
  std::ofstream(path) << text;
  return path;
}

bool ManagerTest::wait_replicas_have(const std::string& master,
                                     const std::vector<std::string>& replicas) {
  auto pos = c().sql(master, "SELECT @@gtid_binlog_pos");
  if (!pos) return false;
  for (const std::string& r : replicas) {
    auto w = c().sql(r, "SELECT MASTER_GTID_WAIT('" + *pos + "', 30)");
    if (!w || *w != "0") return false;
  }
  return true;
}

std::set<int> ManagerTest::ids_on(const std::string& host, const std::string& table) {
  std::set<int> ids;
  auto r = c().sql(host, "SELECT id FROM " + table);
  EXPECT_TRUE(r) << host << ": " << (r ? "" : r.error().message);
  if (!r) return ids;
  std::istringstream in(*r);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) ids.insert(std::stoi(line));
  }
  return ids;
}

void ManagerTest::expect_all_acked_on(const std::string& host, const std::set<int>& acked) {
  const std::set<int> have = ids_on(host);
  std::vector<int> missing;
  for (int id : acked) {
    if (have.count(id) == 0) missing.push_back(id);
  }
  EXPECT_TRUE(missing.empty()) << host << " lacks " << missing.size() << " of " << acked.size()
                               << " acknowledged rows, first " << missing.front();
}

std::map<std::string, std::string> ManagerTest::checksums(const std::string& host) {
  std::map<std::string, std::string> sums;
  auto tables = c().sql(host,
                        "SELECT CONCAT(table_schema, '.', table_name) FROM "
                        "information_schema.tables WHERE table_type = 'BASE TABLE' AND "
                        "table_schema NOT IN ('mysql', 'information_schema', "
                        "'performance_schema', 'sys') ORDER BY 1");
  EXPECT_TRUE(tables) << host;
  if (!tables || tables->empty()) return sums;
  std::istringstream in(*tables);
  std::string line, list;
  while (std::getline(in, line)) {
    if (!line.empty()) list += (list.empty() ? "" : ", ") + line;
  }
  auto r = c().sql(host, "CHECKSUM TABLE " + list);
  EXPECT_TRUE(r) << host << ": " << (r ? "" : r.error().message);
  if (!r) return sums;
  std::istringstream rows(*r);
  while (std::getline(rows, line)) {
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos) sums[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return sums;
}

std::map<std::string, std::string> ManagerTest::slave_status(const std::string& host) {
  auto r = c().sql_row(host, "SHOW SLAVE STATUS");
  EXPECT_TRUE(r) << host;
  return r ? *r : std::map<std::string, std::string>{};
}

std::vector<std::string> ManagerTest::vip_holders() {
  std::vector<std::string> names;
  for (const Host& h : c().hosts()) {
    CommandResult r = c().exec_in(h.name, "ip -o -4 addr show to " + c().vip() + "/32");
    if (r.out.find(" inet " + c().vip() + "/") != std::string::npos) names.push_back(h.name);
  }
  return names;
}

std::pair<int, std::string> ManagerTest::check_status(const std::string& conf) {
  CommandResult r = c().exec_in("mgr", shell_quote(binary("masterha_check_status")) + " --conf=" +
                                           shell_quote(conf) + " --global_conf=/dev/null");
  return {r.exit_code, r.out};
}

bool ManagerTest::wait_status(const std::string& conf, int code, milliseconds limit) {
  return eventually([&] { return check_status(conf).first == code; }, limit);
}

std::string ManagerTest::diagnostics(const ManagerProcess& m) {
  return "--- manager output\n" + read_file(m.out_file()) + "--- manager log (tail)\n" +
         tail(read_file(log_file()), 8000);
}

}  // namespace mha::test
