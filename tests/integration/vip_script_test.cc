// scripts/master_ip_failover against the real test bed, run as masterha_manager runs it: from the
// manager namespace, with MHA's arguments (plus options MHA does not know, which the script must
// ignore, and a password it must never print). The VIP's place is checked on the hosts themselves
// with `ip -o addr`, and clients in the manager namespace must reach the new master through it at
// once (gratuitous ARP), without waiting for their ARP cache to expire.
//
// Every test starts from the test bed's layout (the VIP on db1 only), restored in SetUp, so the
// tests do not depend on their order. Faults are undone by guards that run even when an
// assertion fails.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/cluster.h"
#include "support/harness.h"

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Passed to every run like MHA passes --new_master_password: it must never reach the output.
constexpr const char* kPassword = "Sup3r-s3cret_VIP-pw";

struct ScriptRun {
  int code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

std::ostream& operator<<(std::ostream& os, const ScriptRun& r) {
  return os << "exit " << r.code << " after " << r.seconds << " s\n--- stdout\n"
            << r.out << "--- stderr\n"
            << r.err;
}

class VipScriptTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new Cluster();
    Status s = cluster_->up(ClusterOptions{3, ReplMode::kGtid, true});
    if (!s) up_error_ = s.error().message;
  }
  static void TearDownTestSuite() {
    delete cluster_;  // down()
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    ASSERT_TRUE(cluster_->is_up()) << "test bed did not come up: " << up_error_;
    // Back to the test bed's layout: the VIP on db1 only.
    for (const Host& h : c().hosts()) {
      CommandResult r = c().exec_in(
          h.name, "ip -o -4 addr show to " + c().vip() +
                      "/32 | while read -r _ dev _ addr _; do ip addr del \"$addr\" dev \"$dev\"; "
                      "done");
      ASSERT_EQ(r.exit_code, 0) << h.name << ": " << r.err;
    }
    CommandResult r = c().exec_in("db1", "ip addr add " + c().vip() + "/24 dev eth0");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_THAT(holders(), ElementsAre("db1"));
  }

  static Cluster& c() { return *cluster_; }
  static std::string ip(const std::string& host) { return c().host(host).ip; }

  // The database hosts that have the VIP on an interface.
  static std::vector<std::string> holders() {
    std::vector<std::string> names;
    for (const Host& h : c().hosts()) {
      CommandResult r = c().exec_in(h.name, "ip -o -4 addr show to " + c().vip() + "/32");
      EXPECT_EQ(r.exit_code, 0) << h.name << ": " << r.err;
      if (r.out.find(" inet " + c().vip() + "/") != std::string::npos) names.push_back(h.name);
    }
    return names;
  }

  // The script with MHA's arguments for orig master `orig` (and new master `target` when not
  // empty), MHA's test bed ssh_options, and options it does not know.
  static ScriptRun run(const std::string& command, const std::string& orig,
                       const std::string& target = "", const std::string& env = "") {
    std::string line = "MHA_VIP=" + c().vip() + "/24 " + env + " " +
                       shell_quote(source_dir() + "/scripts/master_ip_failover") +
                       " --command=" + command + " --ssh_user=root --orig_master_host=" + ip(orig) +
                       " --orig_master_ip=" + ip(orig) + " --orig_master_port=3306";
    if (!target.empty()) {
      line += " --new_master_host=" + ip(target) + " --new_master_ip=" + ip(target) +
              " --new_master_port=3306 --new_master_user='admin' --new_master_password=" +
              shell_quote(kPassword);
    }
    line += " --ssh_options=" + shell_quote("-i " + c().env("SSH_KEY") +
                                            " -o UserKnownHostsFile=" + c().env("KNOWN_HOSTS") +
                                            " -o StrictHostKeyChecking=yes");
    line += " --future_option=1 --flag_from_a_newer_manager";
    const auto start = Clock::now();
    CommandResult r = c().exec_in("mgr", line, 60);
    ScriptRun result{r.exit_code, r.out, r.err,
                     std::chrono::duration<double>(Clock::now() - start).count()};
    EXPECT_THAT(result.out + result.err, Not(HasSubstr(kPassword))) << "password leaked";
    return result;
  }

  // @@server_id of whoever answers on the VIP, as a client in the manager namespace sees it.
  static std::string server_id_via_vip() {
    CommandResult r =
        c().exec_in("mgr",
                    "mariadb --defaults-extra-file=" + shell_quote(c().env("ADMIN_MY_CNF")) +
                        " -h " + c().vip() + " -N -B -e 'SELECT @@server_id'",
                    20);
    return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "error: " + r.err;
  }

  // The MAC the manager namespace's neighbour table holds for the VIP ("" if none).
  static std::string manager_neighbour_mac() {
    CommandResult r = c().exec_in("mgr", "ip neigh show " + c().vip() + " dev eth0");
    const std::string marker = " lladdr ";
    const size_t at = r.out.find(marker);
    return at == std::string::npos ? "" : r.out.substr(at + marker.size(), 17);
  }

  static Cluster* cluster_;
  static std::string up_error_;
};

Cluster* VipScriptTest::cluster_ = nullptr;
std::string VipScriptTest::up_error_;

TEST_F(VipScriptTest, StatusIsZeroOnlyWhereTheVipIs) {
  ScriptRun on_master = run("status", "db1");
  EXPECT_EQ(on_master.code, 0) << on_master;
  EXPECT_THAT(on_master.err, HasSubstr("is on the master " + ip("db1"))) << on_master;

  ScriptRun elsewhere = run("status", "db2");
  EXPECT_EQ(elsewhere.code, 1) << elsewhere;
  EXPECT_THAT(elsewhere.err, HasSubstr("is NOT on the master " + ip("db2"))) << elsewhere;
  EXPECT_THAT(holders(), ElementsAre("db1"));
}

TEST_F(VipScriptTest, FailoverMovesTheVipAndClientsFollowAtOnce) {
  // A client has just used the VIP: the manager's ARP cache points at db1's MAC.
  ASSERT_EQ(server_id_via_vip(), "1");
  const std::string before = manager_neighbour_mac();
  ASSERT_NE(before, "");

  ScriptRun stop = run("stopssh", "db1", "db2");
  EXPECT_EQ(stop.code, 0) << stop;
  EXPECT_THAT(holders(), IsEmpty());

  ScriptRun start = run("start", "db1", "db2");
  EXPECT_EQ(start.code, 0) << start;
  EXPECT_THAT(start.err, HasSubstr("added " + c().vip() + "/24 to eth0")) << start;
  EXPECT_THAT(holders(), ElementsAre("db2"));

  // The gratuitous ARP updates the cached entry within moments; without it the stale entry would
  // survive until neighbour probing fails (several seconds).
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (manager_neighbour_mac() == before && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(manager_neighbour_mac(), before);
  EXPECT_EQ(server_id_via_vip(), "2");

  ScriptRun status = run("status", "db2");
  EXPECT_EQ(status.code, 0) << status;
}

TEST_F(VipScriptTest, StartIsIdempotent) {
  ASSERT_EQ(run("stop", "db1", "db2").code, 0);
  ScriptRun first = run("start", "db1", "db2");
  EXPECT_EQ(first.code, 0) << first;
  ScriptRun again = run("start", "db1", "db2");
  EXPECT_EQ(again.code, 0) << again;
  EXPECT_THAT(again.err, HasSubstr("already present on eth0")) << again;
  EXPECT_THAT(holders(), ElementsAre("db2"));
  CommandResult count = c().exec_in("db2", "ip -o -4 addr show to " + c().vip() + "/32 | wc -l");
  EXPECT_EQ(count.out, "1\n");
}

TEST_F(VipScriptTest, StopWithoutTheVipIsDone) {
  ScriptRun r = run("stop", "db3", "db2");
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_THAT(holders(), ElementsAre("db1"));
}

TEST_F(VipScriptTest, StartRefusesWhileAnotherHostAnswersForTheVip) {
  // The old master was never stopped: adding the VIP on db2 too would split the clients.
  ScriptRun r = run("start", "db1", "db2");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("another host answers ARP")) << r;
  EXPECT_THAT(holders(), ElementsAre("db1"));
}

TEST_F(VipScriptTest, UnreachableOldMasterProceedsWithTenInBoundedTime) {
  ASSERT_TRUE(c().link_down("db1"));
  Undo relink([] { EXPECT_TRUE(c().link_up("db1")); });

  ScriptRun r = run("stop", "db1", "db2");
  EXPECT_EQ(r.code, 10) << r;
  EXPECT_THAT(r.err, HasSubstr("host unreachable over SSH; proceeding")) << r;
  // One short SSH try (MHA_VIP_SSH_STOP_CONNECT_TIMEOUT, 1 s): the manager already found SSH
  // unreachable. Bounded well below the 5 s connect timeout of the other commands.
  EXPECT_LT(r.seconds, 4.0) << r;

  // With the old master off the network the VIP can be taken over.
  ScriptRun start = run("start", "db1", "db2");
  EXPECT_EQ(start.code, 0) << start;
  CommandResult on_db2 = c().exec_in("db2", "ip -o -4 addr show to " + c().vip() + "/32");
  EXPECT_THAT(on_db2.out, HasSubstr(" inet " + c().vip() + "/24 ")) << on_db2.err;
}

TEST_F(VipScriptTest, UsageErrorsAbort) {
  ScriptRun no_vip = run("status", "db1", "", "MHA_VIP=");
  // MHA_VIP= after the default assignment wins: the script has no VIP.
  EXPECT_EQ(no_vip.code, 2) << no_vip;
  EXPECT_THAT(no_vip.err, HasSubstr("no VIP configured")) << no_vip;

  ScriptRun bad_command = run("teleport", "db1");
  EXPECT_EQ(bad_command.code, 2) << bad_command;

  ScriptRun bad_wait = run("start", "db1", "db2", "MHA_VIP_DAD_WAIT=0");
  EXPECT_EQ(bad_wait.code, 2) << bad_wait;
  EXPECT_THAT(bad_wait.err, HasSubstr("MHA_VIP_DAD_WAIT must be a positive number")) << bad_wait;
  EXPECT_THAT(holders(), ElementsAre("db1"));
}

}  // namespace
}  // namespace mha::test
