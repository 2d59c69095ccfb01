#include "unit/ssh/fake_remote_exec.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace mha::ssh {
namespace {

const SshTarget kDb1{"db1", "10.77.0.11", 22, "root"};
constexpr std::chrono::milliseconds kTimeout{1000};

TEST(FakeRemoteExec, ScriptedAnswersAndRecordedCalls) {
  FakeRemoteExec ssh;
  ssh.on("db1", "mha_node --version", ExecResult{0, "", "0.1.0\n", ""});
  auto r = ssh.run(kDb1, "mha_node --version", "secret\n", kTimeout);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->out, "0.1.0\n");
  ASSERT_EQ(ssh.calls().size(), 1u);
  EXPECT_EQ(ssh.calls()[0].stdin_data, "secret\n");
  EXPECT_EQ(ssh.calls()[0].host, "db1");
}

TEST(FakeRemoteExec, UnscriptedCommandFailsLoudly) {
  FakeRemoteExec ssh;
  auto r = ssh.run(kDb1, "rm -rf /", "", kTimeout);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);

  ssh.on_any([](const FakeRemoteExec::Call&) -> Result<ExecResult> {
    return Unexpected(make_error(ErrorCode::kTimeout, "host down"));
  });
  auto timed_out = ssh.run(kDb1, "true", "", kTimeout);
  ASSERT_FALSE(timed_out.has_value());
  EXPECT_EQ(timed_out.error().code, ErrorCode::kTimeout);
}

TEST(FakeRemoteExec, FilesRoundTrip) {
  FakeRemoteExec ssh;
  char dir_template[] = "/tmp/mha-fake-ssh-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  { std::ofstream(dir + "/in") << "binlog bytes"; }
  ASSERT_TRUE(ssh.upload(kDb1, dir + "/in", "/var/tmp/x", 0600).has_value());
  EXPECT_EQ(ssh.file("db1", "/var/tmp/x"), "binlog bytes");
  ASSERT_TRUE(ssh.download(kDb1, "/var/tmp/x", dir + "/out").has_value());
  std::ifstream in(dir + "/out");
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "binlog bytes");
  EXPECT_FALSE(ssh.download(kDb1, "/nope", dir + "/out2").has_value());
  std::remove((dir + "/in").c_str());
  std::remove((dir + "/out").c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace mha::ssh
