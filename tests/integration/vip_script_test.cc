// scripts/master_ip_failover against the real test bed, run as masterha_manager runs it: from the
// manager namespace, with MHA's arguments (plus options MHA does not know, which the script must
// ignore, and a password it must never print). The VIP's place is checked on the hosts themselves
// with `ip -o addr`, and clients in the manager namespace must reach the new master through it at
// once (gratuitous ARP), without waiting for their ARP cache to expire.
//
// Run as master_ip_online_change_script (MHA's online arguments: --orig_master_ssh_user and
// --new_master_ssh_user, no --ssh_user) the move is make-before-break: stop leaves the VIP on the
// old master, start adds it on the new one before removing it from the old one. The tests sample
// both hosts' addresses while start runs: there must be no moment when neither holds the VIP.
//
// Every test starts from the test bed's layout (the VIP on db1 only), restored in SetUp, so the
// tests do not depend on their order. Faults are undone by guards that run even when an
// assertion fails.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "support/cluster.h"
#include "support/harness.h"
#include "support/shared_cluster.h"

namespace mha::test {
namespace {

using Clock = std::chrono::steady_clock;
using ::testing::Contains;
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

class VipScriptTest : public SharedClusterTest<VipScriptTest> {
 public:
  static ClusterOptions cluster_options() { return ClusterOptions{3, ReplMode::kGtid, true}; }
  // Runs the failover stop (`command`) through a kept connection whose path was cut after
  // status; returns the script's stderr.
  std::string dead_kept_connection_stop(const std::string& command);

 protected:
  void SetUp() override {
    SharedClusterTest::SetUp();
    if (HasFatalFailure()) return;
    // No note from an earlier test's stop (the script's private directory, see script_dir()).
    ASSERT_EQ(c().exec_in("mgr", "rm -f " + shell_quote(script_dir()) + "/vip-*").exit_code, 0);
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
    // Nothing announced that move: a client entry for the VIP may still name another host's MAC
    // (an earlier test moved it), so the manager resolves the VIP afresh.
    r = c().exec_in("mgr", "ip neigh flush to " + c().vip());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

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

  // The script's private directory (shared SSH connections, stop's note to start): one for this
  // suite, emptied of notes before every test.
  static std::string script_dir() { return c().state_dir() + "/vip-script-test"; }

  // The script as master_ip_failover_script: MHA's arguments for orig master `orig` (and new
  // master `target` when not empty), MHA's test bed ssh_options, and options it does not know.
  static ScriptRun run(const std::string& command, const std::string& orig,
                       const std::string& target = "", const std::string& env = "") {
    std::string args = " --command=" + command + " --ssh_user=root --orig_master_host=" + ip(orig) +
                       " --orig_master_ip=" + ip(orig) + " --orig_master_port=3306";
    if (!target.empty()) {
      args += " --new_master_host=" + ip(target) + " --new_master_ip=" + ip(target) +
              " --new_master_port=3306 --new_master_user='admin' --new_master_password=" +
              shell_quote(kPassword);
    }
    return run_script(args, env);
  }

  // The script as master_ip_online_change_script, with the arguments MHA 0.58 passes (including
  // the passwords masterha_master_switch keeps out of argv, which the script must ignore).
  static ScriptRun run_online(const std::string& command, const std::string& orig,
                              const std::string& target, const std::string& env = "") {
    return run_script(" --command=" + command + " --orig_master_host=" + ip(orig) +
                          " --orig_master_ip=" + ip(orig) +
                          " --orig_master_port=3306 --orig_master_user=admin"
                          " --orig_master_password=" +
                          shell_quote(kPassword) + " --new_master_host=" + ip(target) +
                          " --new_master_ip=" + ip(target) +
                          " --new_master_port=3306 --new_master_user=admin"
                          " --new_master_password=" +
                          shell_quote(kPassword) +
                          " --orig_master_ssh_user=root --new_master_ssh_user=root"
                          " --orig_master_is_new_slave",
                      env);
  }

  // The command line run() runs (failover hook arguments), for composing several calls.
  static std::string failover_line(const std::string& command, const std::string& orig,
                                   const std::string& target, const std::string& env) {
    std::string args = " --command=" + command + " --ssh_user=root --orig_master_host=" + ip(orig) +
                       " --orig_master_ip=" + ip(orig) + " --orig_master_port=3306";
    if (!target.empty()) {
      args += " --new_master_host=" + ip(target) + " --new_master_ip=" + ip(target) +
              " --new_master_port=3306";
    }
    return script_line(args, env);
  }

  static std::string script_line(const std::string& args, const std::string& env) {
    std::string line = "MHA_VIP=" + c().vip() +
                       "/24 MHA_VIP_SSH_MUX_DIR=" + shell_quote(script_dir()) + " " + env + " " +
                       shell_quote(source_dir() + "/scripts/master_ip_failover") + args;
    line += " --ssh_options=" + shell_quote("-i " + c().env("SSH_KEY") +
                                            " -o UserKnownHostsFile=" + c().env("KNOWN_HOSTS") +
                                            " -o StrictHostKeyChecking=yes");
    return line + " --future_option=1 --flag_from_a_newer_manager";
  }

  // Whether a connection kept by status (a k* control socket) is in `dir`.
  static bool kept_socket_in(const std::string& dir) {
    return c().exec_in("mgr", "find " + shell_quote(dir) + " -name 'k*' -type s | grep -q .")
               .exit_code == 0;
  }

  static ScriptRun run_script(const std::string& args, const std::string& env) {
    std::string line = "MHA_VIP=" + c().vip() +
                       "/24 MHA_VIP_SSH_MUX_DIR=" + shell_quote(script_dir()) + " " + env + " " +
                       shell_quote(source_dir() + "/scripts/master_ip_failover") + args;
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

  // Runs `body` (a script run) while another thread samples which of `first`, `second` hold the
  // VIP, `first` always read before `second`, as fast as it can, from before `body` starts until
  // it has returned. Each sample is two characters, '1' where the host holds the VIP. With the
  // old holder as `first`, a sample "00" can only be taken if the VIP really was on neither host
  // at some moment: a correct order (added on `second`, then removed from `first`) cannot produce
  // one, whatever the timing.
  static std::vector<std::string> sample_holders_during(const std::string& first,
                                                        const std::string& second,
                                                        const std::function<void()>& body) {
    auto has_vip = [](const std::string& host) {
      return "ip -n " + c().host(host).netns + " -o -4 addr show to " + c().vip() +
             "/32 | grep -q ' inet ' && printf 1 || printf 0";
    };
    // `ip -n` reads the host's namespace from the root one: nothing is sent on the network.
    const std::string sample = "{ " + has_vip(first) + "; } && { " + has_vip(second) + "; }";
    auto take = [&] {
      CommandResult r = run_command(sample, 10);
      return r.exit_code == 0 ? r.out : "error: " + r.err;
    };
    std::vector<std::string> samples{take()};  // before `body` starts
    std::atomic<bool> done{false};
    std::thread sampler([&] {
      // One sample after `body` returned too, so the final state is always in the series.
      for (bool last = false; !last;) {
        last = done.load();
        samples.push_back(take());
      }
    });
    body();
    done = true;
    sampler.join();
    return samples;
  }
};

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

// --- master_ip_online_change_script: make before break -------------------------------------

TEST_F(VipScriptTest, OnlineStopLeavesTheVipOnTheOldMaster) {
  ScriptRun stop = run_online("stop", "db1", "db2");
  EXPECT_EQ(stop.code, 0) << stop;
  EXPECT_THAT(stop.err, HasSubstr("stays on the old master " + ip("db1"))) << stop;
  EXPECT_THAT(holders(), ElementsAre("db1"));
  EXPECT_EQ(server_id_via_vip(), "1");
}

TEST_F(VipScriptTest, OnlineStartAddsTheVipOnTheNewMasterBeforeTheOldOneDropsIt) {
  // A client has just used the VIP: the manager's ARP cache points at db1's MAC.
  ASSERT_EQ(server_id_via_vip(), "1");
  const std::string before = manager_neighbour_mac();
  ASSERT_NE(before, "");
  ScriptRun stop = run_online("stop", "db1", "db2");
  ASSERT_EQ(stop.code, 0) << stop;
  ASSERT_THAT(holders(), ElementsAre("db1"));

  ScriptRun start;
  const std::vector<std::string> samples =
      sample_holders_during("db1", "db2", [&] { start = run_online("start", "db1", "db2"); });
  EXPECT_EQ(start.code, 0) << start;
  std::string series;
  for (const std::string& s : samples) series += s + " ";
  // Not vacuous: the sampler saw the VIP on db1 first, on db2 last, and enough in between.
  ASSERT_GE(samples.size(), 3u) << series;
  EXPECT_EQ(samples.front(), "10") << series;
  EXPECT_EQ(samples.back(), "01") << series;
  EXPECT_THAT(samples, Not(Contains("00"))) << "a moment with no VIP holder: " << series;
  // db1 holds it until db2 does: the samples never go back from "both" to "db1 only".
  bool seen_new = false;
  for (const std::string& s : samples) {
    if (s[1] == '1') seen_new = true;
    EXPECT_FALSE(seen_new && s == "10") << "db2 lost the VIP again: " << series;
  }
  std::cout << "VIP holders (db1 db2) sampled during start: " << series << "\n";

  // The script's own account agrees: added on db2 (with an announcement) before removed on db1,
  // and no duplicate-address refusal for the planned pair.
  const std::size_t added = start.err.find("[" + ip("db2") + "] added " + c().vip() + "/24");
  const std::size_t removed = start.err.find("[" + ip("db1") + "] removed " + c().vip() + "/24");
  ASSERT_NE(added, std::string::npos) << start;
  ASSERT_NE(removed, std::string::npos) << start;
  EXPECT_LT(added, removed) << start;
  EXPECT_THAT(start.err, HasSubstr("is on " + ip("db1") + " by plan")) << start;
  // The add ran through the session stop opened, not a new SSH channel.
  EXPECT_THAT(start.err, HasSubstr("[" + ip("db2") + "] start over the session opened by stop"))
      << start;
  EXPECT_THAT(holders(), ElementsAre("db2"));

  // Clients follow at once (the announcement left before db1 dropped the address).
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (manager_neighbour_mac() == before && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(manager_neighbour_mac(), before);
  EXPECT_EQ(server_id_via_vip(), "2");
}

TEST_F(VipScriptTest, OnlineRollbackStartLeavesTheVipOnTheOldMasterOnly) {
  ASSERT_EQ(run_online("stop", "db1", "db2").code, 0);
  // masterha_master_switch's rollback: start with the roles swapped, the old master (db1) named
  // as the one to take writes.
  ScriptRun back = run_online("start", "db2", "db1");
  EXPECT_EQ(back.code, 0) << back;
  EXPECT_THAT(back.err, HasSubstr("already present on eth0")) << back;
  EXPECT_THAT(holders(), ElementsAre("db1"));
  EXPECT_EQ(server_id_via_vip(), "1");
}

TEST_F(VipScriptTest, OnlineStartWithoutItsStopStillRefusesAnotherHolder) {
  // No stop noted the pair: db1 answering for the VIP is a conflict, as on failover.
  ScriptRun r = run_online("start", "db1", "db2");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("another host answers ARP")) << r;
  EXPECT_THAT(holders(), ElementsAre("db1"));

  // Nor does a note for another pair count: db3 was never the planned target.
  ASSERT_EQ(run_online("stop", "db1", "db3").code, 0);
  ScriptRun other = run_online("start", "db1", "db2");
  EXPECT_EQ(other.code, 1) << other;
  EXPECT_THAT(holders(), ElementsAre("db1"));
}

TEST_F(VipScriptTest, OnlineStopRefusesWhenTheOldMasterIsUnreachable) {
  ASSERT_TRUE(c().link_down("db1"));
  Undo relink([] { EXPECT_TRUE(c().link_up("db1")); });
  ScriptRun r = run_online("stop", "db1", "db2");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_THAT(r.err, HasSubstr("cannot reach the old master " + ip("db1"))) << r;
  // The background connection and the check each wait at most the 5 s connect timeout.
  EXPECT_LT(r.seconds, 15.0) << r;
  EXPECT_THAT(holders(), ElementsAre("db1"));
}

TEST_F(VipScriptTest, OnlineSwitchCanUseTheFailoverOrder) {
  // MHA_VIP_ONLINE_OVERLAP=0: the online stop removes the VIP at once, as before.
  ScriptRun stop = run_online("stop", "db1", "db2", "MHA_VIP_ONLINE_OVERLAP=0");
  EXPECT_EQ(stop.code, 0) << stop;
  EXPECT_THAT(holders(), IsEmpty());
  ScriptRun start = run_online("start", "db1", "db2", "MHA_VIP_ONLINE_OVERLAP=0");
  EXPECT_EQ(start.code, 0) << start;
  EXPECT_THAT(holders(), ElementsAre("db2"));
}

// The manager names the planned new master beside MHA's stop arguments: the stop opens a shared
// connection to it for the start, but only after the VIP is gone (the stop is on the failover's
// critical path), and the start then uses it instead of a new handshake.
TEST_F(VipScriptTest, FailoverStopPreparesTheStartAfterRemovingTheVip) {
  const std::string mux = tmp_ + "/mux";  // no shared connection from an earlier test
  const std::string env = "MHA_VIP_SSH_MUX_DIR=" + shell_quote(mux);
  ScriptRun stop = run("stopssh", "db1", "db2", env);
  EXPECT_EQ(stop.code, 0) << stop;
  const std::size_t removed = stop.err.find("removed " + c().vip());
  const std::size_t opening = stop.err.find("[" + ip("db2") + "] opening a shared SSH connection");
  ASSERT_NE(removed, std::string::npos) << stop;
  ASSERT_NE(opening, std::string::npos) << stop;
  EXPECT_LT(removed, opening) << "the connection to the new master was opened before the stop";
  // The handshake runs in the background; the start uses the connection once it is up.
  ASSERT_TRUE(eventually(
      [&] {
        return c().exec_in("mgr", "find " + shell_quote(mux) + " -type s | grep -q .").exit_code ==
               0;
      },
      std::chrono::seconds(10)));
  ScriptRun start = run("start", "db1", "db2", env);
  EXPECT_EQ(start.code, 0) << start;
  EXPECT_THAT(start.err, HasSubstr("shared connection: yes")) << start;
  EXPECT_THAT(holders(), ElementsAre("db2"));
}

// --command=status (the manager's start-up check) keeps a shared connection to the master for
// as long as its caller runs; the same caller's failover stop goes through it (no handshake),
// and the connection is closed once the caller has exited.
TEST_F(VipScriptTest, StatusKeepsAConnectionForItsCallersStop) {
  const std::string dir = tmp_ + "/keep";
  const std::string env = "MHA_VIP_SSH_MUX_DIR=" + shell_quote(dir);
  // One caller (`timeout`, not a shell) makes both calls, as the manager does; between them it
  // waits (bounded) until the kept connection is up.
  const std::string body = failover_line("status", "db1", "", env) +
                           "; for i in $(seq 200); do find " + shell_quote(dir) +
                           " -name 'k*' -type s | grep -q . && break; sleep 0.05; done; " +
                           failover_line("stopssh", "db1", "db2", env);
  const auto start = Clock::now();
  CommandResult r = c().exec_in("mgr", "timeout 60 bash -c " + shell_quote(body), 90);
  const ScriptRun both{r.exit_code, r.out, r.err,
                       std::chrono::duration<double>(Clock::now() - start).count()};
  EXPECT_EQ(both.code, 0) << both;
  EXPECT_THAT(both.err, HasSubstr("keeping a shared SSH connection open for pid")) << both;
  EXPECT_THAT(both.err, HasSubstr("stop over SSH (connection kept since status)")) << both;
  EXPECT_THAT(both.err, HasSubstr("removed " + c().vip() + "/24 from eth0")) << both;
  EXPECT_THAT(both.err, Not(HasSubstr("connecting anew"))) << both;
  EXPECT_THAT(holders(), IsEmpty());
  // The caller has exited: the keeper closes the connection and removes its socket (it looks
  // once a second).
  EXPECT_TRUE(eventually([&] { return !kept_socket_in(dir); }, std::chrono::seconds(10)))
      << "the kept connection outlived its caller";
}

// A kept connection that died unnoticed (here: the path to the old master cut just before the
// stop) costs the stop at most MHA_VIP_SSH_STOP_CONNECT_TIMEOUT. After it, --command=stopssh (the
// manager's SSH check had reached the host) connects anew; --command=stop (it had not) does not,
// since a second failed connect would only lengthen the fence.
TEST_F(VipScriptTest, ADeadKeptConnectionFallsBackToANewOneInBoundedTime) {
  const std::string err = dead_kept_connection_stop("stopssh");
  EXPECT_THAT(err, HasSubstr("the kept connection did not answer: connecting anew")) << err;
  // 1 s through the dead kept connection, then one connect attempt, plus the script itself.
  const std::size_t at = err.find("stop took ");
  ASSERT_NE(at, std::string::npos) << err;
  EXPECT_LT(std::stoi(err.substr(at + 10)), 8000) << err;
}

TEST_F(VipScriptTest, ADeadKeptConnectionOnStopIsNotFollowedByANewConnect) {
  const std::string err = dead_kept_connection_stop("stop");
  EXPECT_THAT(err, HasSubstr("did not answer either: not connecting anew")) << err;
  const std::size_t at = err.find("stop took ");
  ASSERT_NE(at, std::string::npos) << err;
  EXPECT_LT(std::stoi(err.substr(at + 10)), 2500) << err;
}

std::string VipScriptTest::dead_kept_connection_stop(const std::string& command) {
  const std::string dir = tmp_ + "/keep";
  const std::string env = "MHA_VIP_SSH_MUX_DIR=" + shell_quote(dir);
  const std::string go = tmp_ + "/go";
  const std::string body =
      failover_line("status", "db1", "", env) + "; for i in $(seq 600); do [ -e " +
      shell_quote(go) + " ] && break; sleep 0.05; done; t0=$(date +%s%N); " +
      failover_line(command, "db1", "db2", env) +
      "; rc=$?; echo \"stop took $(( ($(date +%s%N) - t0) / 1000000 )) ms\" >&2; exit $rc";
  CommandResult r;
  std::thread caller(
      [&] { r = c().exec_in("mgr", "timeout 90 bash -c " + shell_quote(body), 120); });
  Undo join([&] {
    run_command("touch " + shell_quote(go));  // never leave the caller waiting
    if (caller.joinable()) caller.join();
  });
  const bool kept = eventually([&] { return kept_socket_in(dir); }, std::chrono::seconds(20));
  if (!c().cut("mgr", "db1")) {
    ADD_FAILURE() << "cannot cut mgr from db1";
    return "";
  }
  Undo heal([] { EXPECT_TRUE(c().heal("mgr", "db1")); });
  EXPECT_EQ(run_command("touch " + shell_quote(go)).exit_code, 0);
  caller.join();
  EXPECT_TRUE(kept) << r.err;
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_THAT(r.err, HasSubstr("stop over SSH (connection kept since status)")) << r.err;
  EXPECT_THAT(r.err, HasSubstr("host unreachable over SSH; proceeding")) << r.err;
  return r.err;
}

TEST_F(VipScriptTest, FailoverStopStillRemovesTheVipFirst) {
  // master_ip_failover_script's stop (the manager found the master dead) does not wait for a
  // start: the VIP goes at once, and start later adds it on the new master.
  ScriptRun stop = run("stop", "db1", "db2");
  EXPECT_EQ(stop.code, 0) << stop;
  EXPECT_THAT(stop.err, HasSubstr("removed " + c().vip() + "/24 from eth0")) << stop;
  EXPECT_THAT(holders(), IsEmpty());
  ScriptRun start = run("start", "db1", "db2");
  EXPECT_EQ(start.code, 0) << start;
  EXPECT_THAT(start.err, Not(HasSubstr("] removed"))) << start;
  EXPECT_THAT(holders(), ElementsAre("db2"));
}

}  // namespace
}  // namespace mha::test
