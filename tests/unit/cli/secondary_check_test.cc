#include "mha/cli/secondary_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_test_util.h"

namespace mha::cli {
namespace {

using V = SecondaryVerdict;

SecondaryResult r(const std::string& host, V verdict) { return {host, verdict, ""}; }

int combine(const std::vector<SecondaryResult>& results) {
  return combine_secondary_results(results);
}

TEST(SecondaryCheckTest, MasterDownOnlyWhenEveryHostAgrees) {
  EXPECT_EQ(combine({}), kSecondaryMasterDown);  // MHA: no -s at all is exit 0
  EXPECT_EQ(combine({r("a", V::kMasterUnreachable)}), 0);
  EXPECT_EQ(combine({r("a", V::kMasterUnreachable), r("b", V::kMasterUnreachable)}), 0);
}

TEST(SecondaryCheckTest, AHostThatCannotBeAskedIsANetworkProblem) {
  EXPECT_EQ(combine({r("a", V::kNotAsked)}), kSecondaryNetworkProblem);
  EXPECT_EQ(combine({r("a", V::kMasterUnreachable), r("b", V::kNotAsked)}), 2);
  EXPECT_EQ(combine({r("a", V::kNotAsked), r("b", V::kMasterUnreachable)}), 2);
}

TEST(SecondaryCheckTest, ReachableFromAnyHostWins) {
  EXPECT_EQ(combine({r("a", V::kMasterReachable)}), kSecondaryMasterReachable);
  EXPECT_EQ(combine({r("a", V::kMasterUnreachable), r("b", V::kMasterReachable)}), 3);
  // Order does not matter: a host that could not be asked never hides a live master.
  EXPECT_EQ(combine({r("a", V::kNotAsked), r("b", V::kMasterReachable)}), 3);
  EXPECT_EQ(combine({r("a", V::kMasterReachable), r("b", V::kNotAsked)}), 3);
}

TEST(SecondaryCheckTest, LinesUseMhaWording) {
  EXPECT_EQ(secondary_result_line({"db2", V::kMasterUnreachable, "TCP connect failed"}),
            "Monitoring server db2 is reachable, Master is not reachable from db2 (TCP connect "
            "failed). OK.");
  EXPECT_EQ(secondary_result_line({"db2", V::kMasterReachable, ""}),
            "Master is reachable from db2!");
  EXPECT_EQ(secondary_result_line({"db3", V::kNotAsked, "refused"}),
            "Monitoring server db3 is NOT reachable (refused)!");
}

TEST(SecondaryCheckTest, ProbeCommandQuotesEveryWord) {
  const std::string cmd = secondary_probe_command("db1'; rm -rf /", 3306, std::chrono::seconds(5));
  EXPECT_EQ(cmd.rfind("timeout 5 bash -c '", 0), 0u) << cmd;
  EXPECT_NE(cmd.find(" masterha_secondary_probe 'db1'\\''; rm -rf /' '3306'"), std::string::npos)
      << cmd;
}

ssh::ExecResult exec(int code, std::string out, std::string err = "") {
  ssh::ExecResult e;
  e.exit_code = code;
  e.out = std::move(out);
  e.err = std::move(err);
  return e;
}

TEST(SecondaryCheckTest, GreetingMeansReachable) {
  const auto s = std::chrono::seconds(5);
  SecondaryResult got = classify_probe("db2", exec(0, "connected\n 5b 00 00 00 0a\n"), s);
  EXPECT_EQ(got.verdict, V::kMasterReachable);
  EXPECT_EQ(got.host, "db2");
  // An error packet (e.g. 1040 too many connections) comes from a live server too.
  got = classify_probe("db2", exec(0, "motd text\nconnected\n 17 00 00 00 ff\n"), s);
  EXPECT_EQ(got.verdict, V::kMasterReachable);
}

TEST(SecondaryCheckTest, HungServerIsNotReachable) {
  // SIGSTOPped mysqld: the kernel completes the TCP handshake, the server never speaks.
  const SecondaryResult got =
      classify_probe("db2", exec(124, "connected\n"), std::chrono::seconds(3));
  EXPECT_EQ(got.verdict, V::kMasterUnreachable);
  EXPECT_EQ(got.detail, "TCP connected but no MySQL greeting within 3 s: hung server?");
}

TEST(SecondaryCheckTest, ConnectFailuresAndForeignServersAreNotReachable) {
  const auto s = std::chrono::seconds(5);
  SecondaryResult got = classify_probe(
      "db2",
      exec(1, "",
           "bash: connect: Connection refused\nbash: line 1: /dev/tcp/x/1: Connection refused\n"),
      s);
  EXPECT_EQ(got.verdict, V::kMasterUnreachable);
  EXPECT_EQ(got.detail, "TCP connect failed: bash: line 1: /dev/tcp/x/1: Connection refused");
  got = classify_probe("db2", exec(124, ""), s);
  EXPECT_EQ(got.verdict, V::kMasterUnreachable);
  EXPECT_EQ(got.detail, "TCP connect timed out after 5 s");
  got = classify_probe("db2", exec(0, "connected\n"), s);  // closed at once
  EXPECT_EQ(got.verdict, V::kMasterUnreachable);
  got = classify_probe("db2", exec(0, "connected\n 53 53 48 2d 32\n"), s);  // "SSH-2"
  EXPECT_EQ(got.verdict, V::kMasterUnreachable);
  EXPECT_EQ(got.detail, "TCP connected but the server did not speak the MySQL protocol");
}

TEST(SecondaryCheckTest, MissingToolsMeanTheHostCouldNotBeAsked) {
  const SecondaryResult got =
      classify_probe("db2", exec(127, "", "sh: 1: timeout: not found\n"), std::chrono::seconds(5));
  EXPECT_EQ(got.verdict, V::kNotAsked);
  EXPECT_NE(got.detail.find("timeout: not found"), std::string::npos);
}

TEST(SecondaryCheckTest, NoSecondaryHostExitsZeroWithoutSsh) {
  const testing::Run run = testing::run_tool(secondary_check_main, {"--master_host=db1"});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "");
}

TEST(SecondaryCheckTest, BadSshOptionsAreRefusedBeforeAnything) {
  const testing::Run run =
      testing::run_tool(secondary_check_main, {"-s", "mon2", "--master_host=db1", "--options=-i"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err.rfind("masterha_secondary_check: --options: ", 0), 0u) << run.err;
  EXPECT_EQ(run.out, "");
}

}  // namespace
}  // namespace mha::cli
