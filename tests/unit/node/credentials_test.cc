#include "mha/node/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mha::node {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseCredentialsTest, ReadsUserAndVerbatimPassword) {
  auto c = parse_credentials("# for db2\n  user = repl\npassword= p@ss=w0rd;'\" \r\n", "stdin");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->user, " repl");
  EXPECT_EQ(c->password, " p@ss=w0rd;'\" ");
}

TEST(ParseCredentialsTest, PasswordAloneAndEmptyPassword) {
  auto c = parse_credentials("password=", "stdin");
  ASSERT_TRUE(c.has_value());
  EXPECT_FALSE(c->user.has_value());
  EXPECT_EQ(c->password, "");
}

TEST(ParseCredentialsTest, ErrorsNameTheLineButNeverTheValue) {
  const auto missing = parse_credentials("user=a\n", "stdin");
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr("no password"));

  const auto no_equals = parse_credentials("user=a\nhunter2\n", "/etc/creds");
  ASSERT_FALSE(no_equals.has_value());
  EXPECT_THAT(no_equals.error().message, HasSubstr("/etc/creds line 2"));
  EXPECT_THAT(no_equals.error().message, Not(HasSubstr("hunter2")));

  const auto unknown = parse_credentials("pasword=hunter2\n", "stdin");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message, HasSubstr("unknown key 'pasword'"));
  EXPECT_THAT(unknown.error().message, Not(HasSubstr("hunter2")));

  EXPECT_FALSE(parse_credentials("password=a\npassword=b\n", "stdin").has_value());
  EXPECT_FALSE(parse_credentials("user=a\nuser=b\npassword=c\n", "stdin").has_value());
}

class CredentialsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const int fd = mkstemp(path_);
    ASSERT_GE(fd, 0);
    const std::string text = "user=admin\npassword=hunter2\n";
    ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
  }
  void TearDown() override { unlink(path_); }

  char path_[64] = "/tmp/masterha-creds-test-XXXXXX";
};

TEST_F(CredentialsFileTest, OwnerOnlyFileIsRead) {
  ASSERT_EQ(chmod(path_, 0600), 0);
  auto c = load_credentials_file(path_);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->user, "admin");
  EXPECT_EQ(c->password, "hunter2");
  ASSERT_EQ(chmod(path_, 0400), 0);
  EXPECT_TRUE(load_credentials_file(path_).has_value());
}

TEST_F(CredentialsFileTest, GroupOrWorldAccessIsRefused) {
  for (const mode_t mode : {0640, 0604, 0660, 0644}) {
    ASSERT_EQ(chmod(path_, mode), 0);
    const auto c = load_credentials_file(path_);
    ASSERT_FALSE(c.has_value()) << "mode " << std::oct << mode;
    EXPECT_EQ(c.error().code, ErrorCode::kConfig);
    EXPECT_THAT(c.error().message, HasSubstr("chmod 600"));
    EXPECT_THAT(c.error().message, Not(HasSubstr("hunter2")));
  }
}

TEST(CredentialsFileErrorsTest, MissingFileAndDirectory) {
  const auto missing = load_credentials_file("/nonexistent/masterha-creds");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  const auto directory = load_credentials_file("/");
  ASSERT_FALSE(directory.has_value());
  EXPECT_THAT(directory.error().message, HasSubstr("not a regular file"));
}

class PipeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(pipe2(fds_, O_CLOEXEC), 0); }
  void TearDown() override {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  void write_and_close(const std::string& text) {
    ASSERT_EQ(write(fds_[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fds_[1]);
    fds_[1] = -1;
  }
  int fds_[2] = {-1, -1};
};

TEST_F(PipeTest, ReadsUntilEof) {
  write_and_close("user=u\npassword=p\n");
  auto c = read_credentials_fd(fds_[0], std::chrono::milliseconds(5'000));
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->password, "p");
}

TEST_F(PipeTest, WriterThatNeverClosesTimesOut) {
  ASSERT_EQ(write(fds_[1], "password=p\n", 11), 11);  // no EOF follows
  const auto start = std::chrono::steady_clock::now();
  const auto c = read_credentials_fd(fds_[0], std::chrono::milliseconds(100));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ErrorCode::kTimeout);
  EXPECT_GE(elapsed, std::chrono::milliseconds(100));
  EXPECT_LT(elapsed, std::chrono::milliseconds(5'000));
}

TEST_F(PipeTest, OversizedInputIsRefused) {
  const std::string big(kMaxCredentialsBytes + 10, 'x');
  // Written from the test thread: the pipe buffer (64 KiB) is too small, so write from a child.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds_[0]);
    size_t done = 0;
    while (done < big.size()) {
      const ssize_t n = write(fds_[1], big.data() + done, big.size() - done);
      if (n <= 0) _exit(0);
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds_[1]);
  fds_[1] = -1;
  const auto c = read_credentials_fd(fds_[0], std::chrono::milliseconds(5'000));
  close(fds_[0]);
  fds_[0] = -1;
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error().message, HasSubstr("exceed"));
}

}  // namespace
}  // namespace mha::node
