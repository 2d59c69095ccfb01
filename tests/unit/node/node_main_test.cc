// node_main in-process: dispatch by argv[0] and by subcommand, version output, refusals.

#include "mha/node/node_main.h"

#include "mha/node/options.h"
#include "mha/node/version.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace mha::node {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct NodeRun {
  int code = -1;
  std::string out;
  std::string err;
};

// stdin is an empty pipe that is already closed for writing, unless `input` is given.
NodeRun run(const std::vector<std::string>& argv, const std::string& input = "") {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  EXPECT_EQ(write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(fds[1]);
  std::ostringstream out;
  std::ostringstream err;
  NodeRun r;
  r.code = node_main(argv, out, err, fds[0]);
  close(fds[0]);
  r.out = out.str();
  r.err = err.str();
  return r;
}

const std::string kVersion(release_version());

TEST(NodeMainTest, VersionUnderEachToolName) {
  for (const Tool tool : kAllTools) {
    const std::string name(tool_name(tool));
    const std::string expected = name + " version " + kVersion + ".\n";
    const NodeRun by_link = run({"/usr/local/bin/" + name, "--version"});
    EXPECT_EQ(by_link.code, 0);
    EXPECT_EQ(by_link.out, expected);
    const NodeRun by_subcommand = run({"masterha_node", name, "--version"});
    EXPECT_EQ(by_subcommand.code, 0);
    EXPECT_EQ(by_subcommand.out, expected);
  }
}

TEST(NodeMainTest, NodeVersionPlainAndJson) {
  const NodeRun plain = run({"/opt/bin/masterha_node", "--version"});
  EXPECT_EQ(plain.code, 0);
  EXPECT_EQ(plain.out, "masterha_node version " + kVersion + ".\n");
  EXPECT_EQ(run({"masterha_node", "version"}).out, plain.out);

  const NodeRun json = run({"masterha_node", "version", "--json"});
  EXPECT_EQ(json.code, 0);
  EXPECT_EQ(json.out, "{\"name\":\"masterha_node\",\"version\":\"" + kVersion +
                          "\",\"protocol\":" + std::to_string(kProtocolVersion) + "}\n");
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc.at("protocol").get<int>(), 1);

  EXPECT_EQ(run({"masterha_node", "version", "--yaml"}).code, 1);
  EXPECT_EQ(run({"masterha_node", "--version", "extra"}).code, 1);
}

TEST(NodeMainTest, DispatchesByArgv0BeforeArguments) {
  // Under a tool name, "save_binary_logs" as an argument is not a subcommand.
  const NodeRun r = run({"apply_diff_relay_logs", "save_binary_logs"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, StartsWith("apply_diff_relay_logs: unexpected argument"));
}

TEST(NodeMainTest, SaveBinaryLogsReportsAMissingBinlogOnOneLine) {
  // save_binary_logs is implemented (save_binlog_test.cc); here only its refusal path.
  const NodeRun save =
      run({"save_binary_logs", "--command=save", "--start_file=mysqld-bin.000002",
           "--start_pos=312", "--binlog_dir=/nonexistent-mha-dir", "--output_file=/var/tmp/x"});
  EXPECT_EQ(save.code, 1);
  EXPECT_EQ(save.out, "");
  EXPECT_EQ(save.err,
            "save_binary_logs: Failed to save binary log: binlog mysqld-bin.000002 not found in "
            "/nonexistent-mha-dir; set master_binlog_dir (--binlog_dir) to the binlog directory\n");

  const NodeRun test =
      run({"masterha_node", "save_binary_logs", "--command=test", "--start_file=mysqld-bin.000002",
           "--start_pos=4", "--binlog_dir=/nonexistent-mha-dir", "--output_file=/var/tmp/x"});
  EXPECT_EQ(test.code, 1);
  EXPECT_THAT(test.err, StartsWith("save_binary_logs: binlog mysqld-bin.000002 not found"));
}

// apply_diff_relay_logs --command=apply|test are implemented (apply_diff_test.cc); here only
// their refusal paths: one line, nothing on stdout, the password never shown.
TEST(NodeMainTest, ApplyAndTestRefuseInOneLine) {
  const NodeRun apply = run({"apply_diff_relay_logs", "--command=apply", "--target_version=10.11.6",
                             "--apply_files=/nonexistent-mha-dir/a.binlog", "--credentials_stdin"},
                            "user=admin\npassword=pw-not-shown\n");
  EXPECT_EQ(apply.code, 1);
  EXPECT_EQ(apply.out, "");
  EXPECT_EQ(apply.err,
            "apply_diff_relay_logs: apply failed: /nonexistent-mha-dir/a.binlog: cannot read: No "
            "such file or directory\n");

  const NodeRun test = run({"apply_diff_relay_logs", "--command=test", "--target_version=10.11.6",
                            "--relay_log_info=/nonexistent-mha-dir/relay-log.info"});
  EXPECT_EQ(test.code, 1);
  EXPECT_EQ(test.err,
            "apply_diff_relay_logs: /nonexistent-mha-dir/relay-log.info: cannot read the relay "
            "log info file\n");

  const NodeRun no_relay = run({"masterha_node", "apply_diff_relay_logs", "--command=test",
                                "--target_version=10.11.6", "--relay_dir=/nonexistent-mha-dir",
                                "--current_relay_log=relay-bin.000002", "--slave_pass=hunter2"});
  EXPECT_EQ(no_relay.code, 1);
  EXPECT_THAT(no_relay.err, HasSubstr("--slave_pass on the command line is visible"));
  EXPECT_THAT(no_relay.err, HasSubstr("apply_diff_relay_logs: test failed: "));
  EXPECT_THAT(no_relay.err, Not(HasSubstr("hunter2")));
}

// purge_relay_logs is implemented (purge_relay_logs_test.cc); without a server it fails in one
// line naming the client's error, and the password never shows.
TEST(NodeMainTest, PurgeWithoutAServerFailsInOneLine) {
  const NodeRun purge =
      run({"purge_relay_logs", "--socket=/nonexistent-mha-dir/mysqld.sock", "--credentials_stdin"},
          "user=admin\npassword=pw-not-shown\n");
  EXPECT_EQ(purge.code, 1);
  EXPECT_THAT(purge.err, StartsWith("purge_relay_logs: Failed to purge relay logs: mysql "));
  EXPECT_EQ(std::count(purge.err.begin(), purge.err.end(), '\n'), 1) << purge.err;
  EXPECT_THAT(purge.err, ::testing::Not(::testing::HasSubstr("pw-not-shown")));
}

TEST(NodeMainTest, UnknownOptionIsOneLineAndExit1) {
  const NodeRun r = run({"save_binary_logs", "--command=save", "--strat_pos=312"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "save_binary_logs: unknown option --strat_pos\n");

  const NodeRun secret = run({"masterha_node", "apply_diff_relay_logs", "--slave_passwd=hunter2"});
  EXPECT_EQ(secret.code, 1);
  EXPECT_EQ(secret.err, "apply_diff_relay_logs: unknown option --slave_passwd\n");
}

TEST(NodeMainTest, PasswordInArgvIsAcceptedWithAWarning) {
  const NodeRun r = run({"purge_relay_logs", "--password=hunter2"});
  EXPECT_EQ(r.code, 1);  // no server to reach
  EXPECT_THAT(r.err, HasSubstr("--password on the command line is visible"));
  EXPECT_THAT(r.err, Not(HasSubstr("hunter2")));
}

TEST(NodeMainTest, BadCredentialsOnStdinAreReported) {
  const NodeRun r = run({"purge_relay_logs", "--credentials_stdin"}, "user=admin\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "purge_relay_logs: stdin: no password= line\n");
}

TEST(NodeMainTest, UnknownCommandAndUsage) {
  const NodeRun unknown = run({"masterha_node", "copy_binlogs"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_THAT(unknown.err, StartsWith("masterha_node: unknown command 'copy_binlogs'"));

  const NodeRun option_first = run({"masterha_node", "--command=save"});
  EXPECT_EQ(option_first.code, 1);
  EXPECT_THAT(option_first.err, StartsWith("masterha_node: unknown option --command"));

  const NodeRun none = run({"masterha_node"});
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("Usage: masterha_node"));

  const NodeRun help = run({"masterha_node", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("save_binary_logs"));

  const NodeRun tool_help = run({"purge_relay_logs", "--help"});
  EXPECT_EQ(tool_help.code, 0);
  EXPECT_THAT(tool_help.out, HasSubstr("--disable_relay_log_purge"));
}

}  // namespace
}  // namespace mha::node
