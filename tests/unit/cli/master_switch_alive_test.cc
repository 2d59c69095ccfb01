// masterha_master_switch --master_state=alive end to end without a cluster: servers that do not
// answer are a refusal (exit 1, nothing attempted), with one clear last line.

#include "mha/cli/tools.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "cli_test_util.h"

namespace mha::cli {
namespace {

using testing::run_tool;
using testing::TempDir;

TEST(MasterSwitchAliveTest, UnreachableServersAreRefusedWithNothingChanged) {
  TempDir dir;
  // 127.0.0.1:1: nothing listens, the connect fails at once.
  const std::string conf =
      dir.write("app1.cnf",
                "[server default]\nuser=root\npassword=s3cret\nrepl_password=r3pl\nssh_user=root\n"
                "manager_workdir=" +
                    dir.path("work") +
                    "\n[server1]\nhostname=127.0.0.1\nport=1\n[server2]\nhostname=127.0.0.2\n"
                    "port=1\n");
  const testing::Run r =
      run_tool(master_switch_main, {"--master_state=alive", "--conf=" + conf,
                                    "--global_conf=" + dir.path("none.cnf"), "--interactive=0"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("masterha_master_switch: online switch refused, nothing changed: server "
                       "127.0.0.1(127.0.0.1:1) is dead"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace mha::cli
