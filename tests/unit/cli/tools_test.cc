// Behaviour every masterha_* tool shares: --version, --help, refusing unknown options, the
// missing --conf message, configuration errors and the placeholder for later issues.

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "cli_test_util.h"

namespace mha::cli {
namespace {

using testing::run_tool;
using testing::TempDir;

}  // namespace

// Readable test names in failure output instead of a byte dump.
void PrintTo(const Tool& tool, std::ostream* os) { *os << tool.name; }

namespace {

class EveryToolTest : public ::testing::TestWithParam<Tool> {};

TEST_P(EveryToolTest, VersionPrintsMhaFormat) {
  const Tool tool = GetParam();
  const testing::Run r = run_tool(tool.main, {"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, std::string(tool.name) + " version " + MHA_VERSION + ".\n");
  EXPECT_EQ(r.err, "");
}

TEST_P(EveryToolTest, HelpPrintsUsageAndExitsZero) {
  const Tool tool = GetParam();
  for (const char* flag : {"--help", "-h"}) {
    const testing::Run r = run_tool(tool.main, {flag});
    EXPECT_EQ(r.code, 0) << flag;
    EXPECT_NE(r.out.find("Usage: " + std::string(tool.name)), std::string::npos) << r.out;
    EXPECT_EQ(r.err, "");
  }
}

TEST_P(EveryToolTest, UnknownOptionIsRefusedWithOneLine) {
  const Tool tool = GetParam();
  const std::string expected = std::string(tool.name) + ": unknown option '--foo' (see --help)\n";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--foo"}, std::vector<std::string>{"--foo=s3cret"},
        std::vector<std::string>{"--foo", "s3cret"}}) {
    const testing::Run r = run_tool(tool.main, args);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, expected);
    EXPECT_EQ(r.out, "");
  }
}

TEST_P(EveryToolTest, MisspeltOptionIsNotIgnored) {
  const Tool tool = GetParam();
  const testing::Run r = run_tool(tool.main, {"--ignore_last_faliover"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            std::string(tool.name) + ": unknown option '--ignore_last_faliover' (see --help)\n");
}

TEST_P(EveryToolTest, StrayArgumentIsRefused) {
  const Tool tool = GetParam();
  const testing::Run r = run_tool(tool.main, {"app1.cnf"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, std::string(tool.name) + ": unexpected argument 'app1.cnf' (see --help)\n");
}

INSTANTIATE_TEST_SUITE_P(Tools, EveryToolTest, ::testing::ValuesIn(all_tools()),
                         [](const ::testing::TestParamInfo<Tool>& param) {
                           return std::string(param.param.name);
                         });

TEST(ToolsTest, AllEightToolsAreListed) {
  std::vector<std::string> names;
  for (const Tool& t : all_tools()) names.emplace_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"masterha_manager", "masterha_check_ssh",
                                             "masterha_check_repl", "masterha_check_status",
                                             "masterha_stop", "masterha_master_switch",
                                             "masterha_secondary_check", "masterha_conf_host"}));
}

// The arguments each --conf tool needs besides --conf to get as far as loading it.
struct ConfTool {
  ToolMain main;
  std::vector<std::string> other_args;
  std::string not_implemented;  // the placeholder line after a successful load; "" = implemented
};

std::vector<ConfTool> conf_tools() {
  return {
      {manager_main, {}, ""},
      {check_ssh_main, {}, ""},
      {check_repl_main, {}, ""},
      {check_status_main, {}, ""},
      {stop_main, {}, ""},
      {master_switch_main, {"--master_state=dead", "--dead_master_host=db1"}, ""},
      {master_switch_main, {"--master_state=alive"}, ""},
  };
}

TEST(ToolsTest, MissingConfPrintsMhaMessage) {
  std::vector<ConfTool> tools = conf_tools();
  tools.push_back({conf_host_main, {"--command=add", "--hostname=db3"}, ""});
  for (const ConfTool& t : tools) {
    const testing::Run r = run_tool(t.main, t.other_args);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "--conf=<server config file> must be set.\n");
  }
}

constexpr const char* kGoodConf =
    "[server default]\n"
    "user=root\n"
    "password=s3cret\n"
    "ssh_user=root\n"
    "[server1]\n"
    "hostname=db1\n"
    "[server2]\n"
    "hostname=db2\n";

TEST(ToolsTest, ConfigErrorNamesFileAndLineAndExitsOne) {
  TempDir dir;
  const std::string conf =
      dir.write("app1.cnf", "[server default]\nping_intervall=3\n[server1]\nhostname=db1\n");
  for (const ConfTool& t : conf_tools()) {
    std::vector<std::string> args = t.other_args;
    args.push_back("--conf=" + conf);
    args.push_back("--global_conf=" + dir.path("missing_default.cnf"));
    const testing::Run r = run_tool(t.main, args);
    EXPECT_EQ(r.code, config::kExitConfigError);
    EXPECT_EQ(r.err.rfind(conf + ":2:", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("ping_intervall"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST(ToolsTest, AfterLoadingEachToolNamesWhatIsMissing) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", kGoodConf);
  for (const ConfTool& t : conf_tools()) {
    if (t.not_implemented.empty()) continue;
    std::vector<std::string> args = t.other_args;
    args.push_back("--conf");
    args.push_back(conf);
    args.push_back("--global_conf");
    args.push_back(dir.path("missing_default.cnf"));
    const testing::Run r = run_tool(t.main, args);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, t.not_implemented);
    EXPECT_EQ(r.out, "");
  }
}

TEST(ToolsTest, StatusWithAppAndStatusDirNeedsNoConfig) {
  const testing::Run r = run_tool(check_status_main, {"--app=app1", "--status_dir=/nonexistent"});
  // No config is read: the only error is the missing status directory, which is named.
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("/nonexistent"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(".cnf"), std::string::npos) << r.err;
}

TEST(ToolsTest, StatusWithAppAloneReadsMhaDefaultConfPath) {
  const testing::Run r = run_tool(stop_main, {"--app=no_such_app_for_test"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("/usr/local/masterha/conf/no_such_app_for_test.cnf"), std::string::npos)
      << r.err;
}

TEST(ToolsTest, ConfHostChecksFileAndParameterNames) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", kGoodConf);
  testing::Run r = run_tool(conf_host_main,
                            {"--command=add", "--conf=" + dir.path("nope.cnf"), "--hostname=db3"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "masterha_conf_host: " + dir.path("nope.cnf") + ": no such configuration file\n");

  r = run_tool(conf_host_main, {"--command=add", "--conf=" + conf, "--hostname=db3",
                                "--params=port=3307;candidate-master=1;bogus_key=s3cret"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "masterha_conf_host: unknown parameter 'bogus_key' in --params\n");

  r = run_tool(conf_host_main,
               {"--command=add", "--conf=" + conf, "--hostname=db3", "--params=port=3307"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Wrote [server_db3] entry to " + conf + " .\n");
}

TEST(ToolsTest, SecondaryCheckReadsPasswordFromStdinOrFile) {
  TempDir dir;
  testing::Run r = run_tool(secondary_check_main,
                            {"-s", "mon2", "--master_host=db1", "--master_password_file=-"}, "");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "masterha_secondary_check: no password on standard input\n");

  r = run_tool(secondary_check_main,
               {"--master_host=db1", "--master_password_file=" + dir.path("missing")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot read --master_password_file " + dir.path("missing")),
            std::string::npos);

  // Read, then (no -s host) nothing to ask: MHA's exit 0.
  r = run_tool(secondary_check_main, {"--master_host=db1", "--master_password_file=-"}, "s3cret\n");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "");
}

TEST(ToolsTest, PasswordsNeverAppearInErrors) {
  const testing::Run r =
      run_tool(secondary_check_main,
               {"--master_host=db1", "--master_password=s3cret", "--master_password_file=/x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  const testing::Run typo = run_tool(manager_main, {"--conf=x", "--master_pasword", "s3cret"});
  EXPECT_EQ(typo.err, "masterha_manager: unknown option '--master_pasword' (see --help)\n");
}

}  // namespace
}  // namespace mha::cli
