// masterha_check_ssh against the real test bed, run as an operator runs it: the built binary in
// the manager namespace. The test bed puts the build's bin directory on the PATH of SSH sessions
// (cluster.sh, MHA_NODE_BINDIR), so every host has the node helper "installed".
//
// Each test breaks one SSH path (a key the hosts do not know, a wrong known_hosts entry, a host
// cut off, sshd stopped, the node helper off the PATH) and asserts the exit code and the line
// naming the path and the reason. Faults are undone by guards that run even when an assertion
// fails. Broken keys and known_hosts live in temporary copies of the configuration: the test
// bed's own files are never changed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/cluster.h"
#include "support/harness.h"
#include "support/shared_cluster.h"
#include <sys/stat.h>

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassed = "[info] All SSH connection tests passed successfully.";
constexpr const char* kFailed = "[error] SSH Configuration Check Failed!";

struct ToolRun {
  int code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

std::ostream& operator<<(std::ostream& os, const ToolRun& r) {
  return os << "exit " << r.code << " after " << r.seconds << " s\n--- stdout\n"
            << r.out << "--- stderr\n"
            << r.err;
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  ::chmod(path.c_str(), 0600);  // the configuration holds passwords
}

class CheckSshTest : public SharedClusterTest<CheckSshTest> {
 public:
  static ClusterOptions cluster_options() { return ClusterOptions{3, ReplMode::kGtid, true}; }

 protected:
  static std::string ip(const std::string& host) { return c().host(host).ip; }
  // How masterha_check_ssh names a server's SSH endpoint (app1.cnf names hosts by address).
  static std::string label(const std::string& host) {
    return "root@" + ip(host) + "(" + ip(host) + ":22)";
  }

  static ToolRun check_ssh(const std::string& conf, const std::string& extra = "") {
    const auto start = Clock::now();
    CommandResult r =
        c().exec_in("mgr",
                    shell_quote(binary("masterha_check_ssh")) + " --conf=" + shell_quote(conf) +
                        " --global_conf=" + shell_quote(c().state_dir() + "/no_default.cnf") +
                        (extra.empty() ? "" : " " + extra),
                    120);
    return ToolRun{r.exit_code, r.out, r.err,
                   std::chrono::duration<double>(Clock::now() - start).count()};
  }

  // cluster.sh commands the fixture has no method for; we hold the test bed's lease.
  static void testbed(const std::string& args) {
    CommandResult r =
        run_command("MHA_TESTBED_LEASE_HELD=1 " +
                    shell_quote(source_dir() + "/scripts/testbed/cluster.sh") + " " + args);
    ASSERT_EQ(r.exit_code, 0) << "cluster.sh " << args << ":\n" << r.err;
  }

  // A copy of the test bed's app1.cnf with another ssh_options and extra [server default] lines.
  std::string conf_with(const std::string& ssh_options, const std::string& extra = "") const {
    std::string text = read_file(c().env("APP_CONF"));
    text = std::regex_replace(text, std::regex("\nssh_options=[^\n]*"),
                              "\nssh_options=\"" + ssh_options + "\"");
    const std::string section = "[server default]\n";
    text.insert(text.find(section) + section.size(), extra);
    const std::string path = tmp_ + "/app1.cnf";
    write_file(path, text);
    return path;
  }

  std::string key() const { return c().env("SSH_KEY"); }
  std::string known_hosts() const { return c().env("KNOWN_HOSTS"); }
};

TEST_F(CheckSshTest, HealthyClusterPasses) {
  ToolRun r = check_ssh(c().env("APP_CONF"));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr(kPassed)) << r;
  EXPECT_THAT(r.err, Not(HasSubstr("[error]"))) << r;
  for (const char* host : {"db1", "db2", "db3"}) {
    EXPECT_THAT(r.err, HasSubstr("(manager) to " + label(host) + "..")) << r;
    EXPECT_THAT(r.err, HasSubstr("Node helper on " + ip(host) + ": masterha_node ")) << r;
  }
  EXPECT_EQ(count_of(r.err, "[debug]   ok."), 3) << r;
  EXPECT_EQ(count_of(r.err, "Connecting via SSH from "), 3) << r;  // no mesh by default
}

TEST_F(CheckSshTest, UnauthorisedKeyFailsAuthOnEveryHost) {
  ASSERT_EQ(
      run_command("ssh-keygen -q -t ed25519 -N '' -f " + shell_quote(tmp_ + "/stranger")).exit_code,
      0);
  ToolRun r =
      check_ssh(conf_with("-i " + tmp_ + "/stranger -o UserKnownHostsFile=" + known_hosts()));
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr(kFailed)) << r;
  for (const char* host : {"db1", "db2", "db3"}) {
    EXPECT_THAT(r.err, HasSubstr("[error] SSH from manager to " + label(host) + " failed: auth ("))
        << r;
  }
  EXPECT_THAT(r.err, Not(HasSubstr(kPassed))) << r;
}

TEST_F(CheckSshTest, WrongHostKeyIsAMismatchForThatHostOnly) {
  // known_hosts with another key for db2.
  ASSERT_EQ(
      run_command("ssh-keygen -q -t ed25519 -N '' -f " + shell_quote(tmp_ + "/impostor")).exit_code,
      0);
  std::istringstream impostor(read_file(tmp_ + "/impostor.pub"));
  std::string type, blob;
  impostor >> type >> blob;
  std::string hosts =
      std::regex_replace(read_file(known_hosts()), std::regex(ip("db2") + " [^\n]*"),
                         ip("db2") + " " + type + " " + blob);
  ASSERT_THAT(hosts, HasSubstr(blob));
  write_file(tmp_ + "/known_hosts", hosts);

  const std::string conf =
      conf_with("-i " + key() + " -o UserKnownHostsFile=" + tmp_ + "/known_hosts");
  ToolRun r = check_ssh(conf);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("[error] SSH from manager to " + label("db2") +
                               " failed: host key mismatch ("))
      << r;
  EXPECT_EQ(count_of(r.err, " failed: "), 1) << r;  // db1 and db3 are fine
  EXPECT_THAT(r.err, HasSubstr(kFailed)) << r;

  // Host to host, the hosts' own ssh(1) sees the same mismatch (classified from its output).
  ToolRun mesh = check_ssh(conf, "--mesh");
  EXPECT_EQ(mesh.code, 1) << mesh;
  for (const char* from : {"db1", "db3"}) {
    EXPECT_THAT(mesh.err, HasSubstr("[error] SSH from " + label(from) + " to " + label("db2") +
                                    " failed: host key mismatch ("))
        << mesh;
  }
  EXPECT_THAT(mesh.err,
              HasSubstr("Connecting via SSH from " + label("db1") + " to " + label("db3") + "..\n"))
      << mesh;
  EXPECT_EQ(count_of(mesh.err, " failed: "), 3) << mesh;  // manager->db2, db1->db2, db3->db2
}

TEST_F(CheckSshTest, UnreachableHostTimesOutWithinTheConnectTimeout) {
  const std::string conf = conf_with("-i " + key() + " -o UserKnownHostsFile=" + known_hosts(),
                                     "ssh_connection_timeout=2\n");
  Status down = c().link_down("db3");
  Undo undo([] { (void)c().link_up("db3"); });
  ASSERT_TRUE(down.has_value()) << down.error().to_string();

  ToolRun r = check_ssh(conf);
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err,
              HasSubstr("[error] SSH from manager to " + label("db3") + " failed: timeout ("))
      << r;
  EXPECT_EQ(count_of(r.err, " failed: "), 1) << r;
  // The servers are probed in parallel: the whole run takes the one timeout, plus slack.
  EXPECT_GE(r.seconds, 2.0) << r;
  EXPECT_LT(r.seconds, 4.5) << r;
}

TEST_F(CheckSshTest, StoppedSshdIsRefused) {
  testbed("sshd-stop db2");
  Undo undo([] { testbed("sshd-start db2"); });
  ToolRun r = check_ssh(c().env("APP_CONF"));
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err,
              HasSubstr("[error] SSH from manager to " + label("db2") + " failed: refused ("))
      << r;
  EXPECT_EQ(count_of(r.err, " failed: "), 1) << r;
}

TEST_F(CheckSshTest, MissingNodeHelperIsNamed) {
  testbed("sshd-start db2 --no-node-path");
  Undo undo([] { testbed("sshd-start db2"); });
  ToolRun r = check_ssh(c().env("APP_CONF"));
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("[error] node helper masterha_node not found on " + ip("db2") +
                               " (install the masterha-node package"))
      << r;
  EXPECT_EQ(count_of(r.err, " failed: "), 0) << r;  // SSH itself works
  EXPECT_EQ(count_of(r.err, "[debug]   ok."), 3) << r;
  EXPECT_THAT(r.err, HasSubstr(kFailed)) << r;
}

TEST_F(CheckSshTest, MeshChecksEveryHostToEveryOther) {
  ToolRun r = check_ssh(c().env("APP_CONF"), "--mesh");
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr(kPassed)) << r;
  for (const char* from : {"db1", "db2", "db3"}) {
    for (const char* to : {"db1", "db2", "db3"}) {
      if (std::string(from) == to) continue;
      EXPECT_THAT(r.err, HasSubstr("[debug]  Connecting via SSH from " + label(from) + " to " +
                                   label(to) + "..\n"))
          << r;
    }
  }
  EXPECT_EQ(count_of(r.err, "[debug]   ok."), 9) << r;  // 3 from the manager + 6 host to host
}

}  // namespace
}  // namespace mha::test
