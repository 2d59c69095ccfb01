// masterha_secondary_check against the real test bed, run as the manager runs it: the built
// binary in the manager namespace, SSHing to the replica hosts (db2, db3) and probing the master
// (db1) from there. The point of the tool is the SIGSTOP case: a hung mysqld still completes TCP
// handshakes, so MHA's TCP probe called it alive (exit 3) and blocked the failover; reading the
// MySQL greeting calls it down (exit 0).
//
// Every fault is undone by a guard that runs even when an assertion fails.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "support/cluster.h"
#include "support/harness.h"
#include "support/shared_cluster.h"

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using ::testing::HasSubstr;
using ::testing::Not;

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

class SecondaryCheckTest : public SharedClusterTest<SecondaryCheckTest> {
 public:
  static ClusterOptions cluster_options() { return ClusterOptions{3, ReplMode::kGtid, true}; }

 protected:
  static std::string ip(const std::string& host) { return c().host(host).ip; }

  // The tool as the manager would call it, asking from `secondaries`, with the test bed's key and
  // known_hosts (host keys are checked).
  static ToolRun secondary_check(const std::vector<std::string>& secondaries, int timeout_s = 2) {
    std::string line = shell_quote(binary("masterha_secondary_check"));
    for (const auto& host : secondaries) line += " -s " + shell_quote(ip(host));
    line += " --user=root --master_host=" + shell_quote(ip("db1")) +
            " --master_ip=" + shell_quote(ip("db1")) + " --master_port=3306" +
            " --timeout=" + std::to_string(timeout_s) + " --options=" +
            shell_quote("-i " + c().env("SSH_KEY") +
                        " -o UserKnownHostsFile=" + c().env("KNOWN_HOSTS"));
    const auto start = Clock::now();
    CommandResult r = c().exec_in("mgr", line, 120);
    return ToolRun{r.exit_code, r.out, r.err,
                   std::chrono::duration<double>(Clock::now() - start).count()};
  }

  static void testbed(const std::string& args) {
    CommandResult r =
        run_command("MHA_TESTBED_LEASE_HELD=1 " +
                    shell_quote(source_dir() + "/scripts/testbed/cluster.sh") + " " + args);
    ASSERT_EQ(r.exit_code, 0) << "cluster.sh " << args << ":\n" << r.err;
  }

  static std::string unreachable_line(const std::string& host) {
    return "Monitoring server " + ip(host) + " is reachable, Master is not reachable from " +
           ip(host) + " (";
  }
};

TEST_F(SecondaryCheckTest, LiveMasterIsReachable) {
  ToolRun r = secondary_check({"db2", "db3"});
  EXPECT_EQ(r.code, 3) << r;
  for (const char* host : {"db2", "db3"}) {
    EXPECT_THAT(
        r.out, HasSubstr("Master is reachable from " + ip(host) + " (MySQL handshake received)!\n"))
        << r;
  }
  EXPECT_THAT(r.out, Not(HasSubstr("NOT reachable"))) << r;
}

TEST_F(SecondaryCheckTest, KilledMasterIsDown) {
  Status killed = c().kill9("db1");
  Undo undo([] { (void)c().restart_mysqld("db1"); });
  ASSERT_TRUE(killed.has_value()) << killed.error().to_string();
  ToolRun r = secondary_check({"db2", "db3"});
  EXPECT_EQ(r.code, 0) << r;
  for (const char* host : {"db2", "db3"}) {
    EXPECT_THAT(r.out, HasSubstr(unreachable_line(host) + "TCP connect failed")) << r;
  }
}

TEST_F(SecondaryCheckTest, HungMasterIsDownNotReachable) {
  Status stopped = c().stop("db1");
  Undo undo([] { (void)c().cont("db1"); });
  ASSERT_TRUE(stopped.has_value()) << stopped.error().to_string();
  ToolRun r = secondary_check({"db2", "db3"}, 2);
  EXPECT_EQ(r.code, 0) << r;  // MHA's TCP connect would say 3 here and block the failover
  for (const char* host : {"db2", "db3"}) {
    EXPECT_THAT(r.out, HasSubstr(unreachable_line(host) +
                                 "TCP connected but no MySQL greeting within 2 s: hung server?). "
                                 "OK.\n"))
        << r;
  }
  // Both hosts are asked at once: about one probe timeout, not two.
  EXPECT_LT(r.seconds, 2 * 2.0 + 2.0) << r;
}

TEST_F(SecondaryCheckTest, UnaskableSecondaryIsANetworkProblem) {
  testbed("sshd-stop db3");
  Undo undo([] { testbed("sshd-start db3"); });
  ToolRun alone = secondary_check({"db3"});
  EXPECT_EQ(alone.code, 2) << alone;
  EXPECT_THAT(alone.out, HasSubstr("Monitoring server " + ip("db3") + " is NOT reachable ("))
      << alone;

  // With the master down as seen from db2, db3's silence keeps the verdict at "network problem".
  {
    Status killed = c().kill9("db1");
    Undo restart([] { (void)c().restart_mysqld("db1"); });
    ASSERT_TRUE(killed.has_value()) << killed.error().to_string();
    ToolRun r = secondary_check({"db2", "db3"});
    EXPECT_EQ(r.code, 2) << r;
    EXPECT_THAT(r.out, HasSubstr(unreachable_line("db2"))) << r;
    EXPECT_THAT(r.out, HasSubstr("Monitoring server " + ip("db3") + " is NOT reachable (")) << r;
  }

  // A master reachable from db2 is up, whatever db3 says.
  ToolRun up = secondary_check({"db3", "db2"});
  EXPECT_EQ(up.code, 3) << up;
}

}  // namespace
}  // namespace mha::test
