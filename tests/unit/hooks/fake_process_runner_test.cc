#include "mha/hooks/testing/fake_process_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace mha::hooks::testing {
namespace {

using ::testing::HasSubstr;

ProcessSpec shell(std::string line) {
  ProcessSpec spec;
  spec.shell_command = std::move(line);
  return spec;
}

TEST(FakeProcessRunnerTest, AnswersByProgramAndRecordsCalls) {
  FakeProcessRunner runner;
  runner.on_program("/usr/local/bin/master_ip_failover", exit_with(10, "warn\n"));
  runner.on_program("/usr/local/bin/report", not_found("/usr/local/bin/report"));

  ProcessSpec failover = shell("/usr/local/bin/master_ip_failover --command=start");
  failover.stdin_data = "password=x\n";
  auto first = runner.run(failover);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->exit_code, 10);
  EXPECT_EQ(first->out, "warn\n");

  auto second = runner.run(shell("/usr/local/bin/report --subject=failover"));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kNotFound);

  const auto calls = runner.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(*calls[0].shell_command, "/usr/local/bin/master_ip_failover --command=start");
  EXPECT_EQ(calls[0].stdin_data, "password=x\n");
}

TEST(FakeProcessRunnerTest, UnmatchedRunIsAnError) {
  FakeProcessRunner runner;
  ProcessSpec spec;
  spec.argv = {"/bin/unexpected"};
  auto result = runner.run(spec);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInternal);
  EXPECT_THAT(result.error().message, HasSubstr("/bin/unexpected"));
  EXPECT_EQ(runner.calls().size(), 1u);
}

TEST(FakeProcessRunnerTest, FirstMatchingRuleWins) {
  FakeProcessRunner runner;
  runner.on([](const ProcessSpec& s) { return s.timeout.count() == 5; },
            [](const ProcessSpec&) -> Result<ProcessResult> { return timed_out_result(); });
  runner.on(
      [](const ProcessSpec&) { return true; },
      [](const ProcessSpec& s) -> Result<ProcessResult> { return exit_with(0, s.program()); });
  ProcessSpec quick;
  quick.argv = {"/bin/a"};
  quick.timeout = std::chrono::milliseconds(5);
  ProcessSpec normal;
  normal.argv = {"/bin/b"};
  auto a = runner.run(quick);
  auto b = runner.run(normal);
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_TRUE(a->timed_out);
  EXPECT_FALSE(a->success());
  EXPECT_EQ(b->out, "/bin/b");
  EXPECT_TRUE(b->success());
}

}  // namespace
}  // namespace mha::hooks::testing
