// The built masterha_node binary and its tool-name links in the build's bin directory, run as
// real processes: dispatch on argv[0] must survive the symlink, and exit codes reach the shell.

#include "mha/hooks/process.h"
#include "mha/node/version.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <limits.h>
#include <unistd.h>

namespace mha::node {
namespace {

using ::testing::HasSubstr;

// MHA_BIN_DIR comes from ctest; run by hand, the binary sits in ../bin next to tests/.
std::string bin_dir() {
  if (const char* dir = std::getenv("MHA_BIN_DIR")) return dir;
  char self[PATH_MAX] = {};
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string path(self, n > 0 ? static_cast<size_t>(n) : 0);
  path = path.substr(0, path.find_last_of('/'));
  return path.substr(0, path.find_last_of('/')) + "/bin";
}

hooks::ProcessResult run(std::vector<std::string> argv, std::string input = "") {
  argv[0] = bin_dir() + "/" + argv[0];
  hooks::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.stdin_data = std::move(input);
  spec.timeout = std::chrono::milliseconds(20'000);
  hooks::PosixProcessRunner runner;
  auto result = runner.run(spec);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().to_string());
  return result ? *result : hooks::ProcessResult{};
}

const std::string kVersion(release_version());

TEST(NodeBinaryTest, ToolLinksReportTheirOwnName) {
  for (const std::string name : {"save_binary_logs", "apply_diff_relay_logs", "purge_relay_logs"}) {
    const auto r = run({name, "--version"});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out, name + " version " + kVersion + ".\n");
  }
}

TEST(NodeBinaryTest, VersionJson) {
  const auto r = run({"masterha_node", "version", "--json"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "{\"name\":\"masterha_node\",\"version\":\"" + kVersion + "\",\"protocol\":1}\n");
}

TEST(NodeBinaryTest, UnknownOptionExits1WithOneLine) {
  const auto r = run({"save_binary_logs", "--command=save", "--bogus=1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "save_binary_logs: unknown option --bogus\n");
}

// The credentials are read from stdin first; then the apply refuses a file it cannot read.
TEST(NodeBinaryTest, CredentialsOnStdinThenApplyChecksItsFiles) {
  const auto r =
      run({"masterha_node", "apply_diff_relay_logs", "--command=apply", "--target_version=10.11.6",
           "--apply_files=/nonexistent-mha-dir/a.binlog", "--credentials_stdin"},
          "user=admin\npassword=pw\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "apply_diff_relay_logs: apply failed: /nonexistent-mha-dir/a.binlog: cannot read: No "
            "such file or directory\n");
}

}  // namespace
}  // namespace mha::node
