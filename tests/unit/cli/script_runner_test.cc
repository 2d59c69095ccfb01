#include "mha/cli/tools.h"

#include <gtest/gtest.h>

#include <string>

namespace mha::cli {
namespace {

TEST(DefaultScriptRunnerTest, ReturnsStdoutOfTheShellLine) {
  const config::ScriptRunner run = default_script_runner();
  ASSERT_TRUE(run);
  const Result<std::string> out = run("printf 'password=x\\nport=3307\\n'");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "password=x\nport=3307\n");
}

TEST(DefaultScriptRunnerTest, FailureIsAnErrorWithoutTheScriptsOutput) {
  const config::ScriptRunner run = default_script_runner();
  const Result<std::string> out = run("echo leaked-secret >&2; echo other; exit 3");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::kIo);
  EXPECT_EQ(out.error().detail, 3);
  EXPECT_EQ(out.error().message.find("leaked-secret"), std::string::npos);
  EXPECT_EQ(out.error().message.find("other"), std::string::npos);
}

}  // namespace
}  // namespace mha::cli
