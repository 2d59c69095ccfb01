#include "mha/cli/conf_edit.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli_test_util.h"
#include <sys/stat.h>

namespace mha::cli {
namespace {

using testing::run_tool;
using testing::TempDir;

constexpr const char* kConf =
    "# app1: three servers\n"
    "[server default]\n"
    "user=root   # inline comment\n"
    "password=s3cret\n"
    "\n"
    "[server1]\n"
    "hostname=db1\n"
    "\n"
    "; the candidate\n"
    "[server2]\n"
    "hostname=db2\n"
    "# old port, kept for reference\n"
    "port=3307\n"
    "candidate_master=1\n"
    "\n"
    "# db3 is the reporting replica\n"
    "[server3]\n"
    "hostname=db3\n";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ConfEditTest, DeleteKeepsEveryOtherLineAndComment) {
  auto out = delete_conf_block(kConf, "server2");
  ASSERT_TRUE(out);
  EXPECT_EQ(*out,
            "# app1: three servers\n"
            "[server default]\n"
            "user=root   # inline comment\n"
            "password=s3cret\n"
            "\n"
            "[server1]\n"
            "hostname=db1\n"
            "\n"
            "; the candidate\n"
            "\n"
            "# db3 is the reporting replica\n"
            "[server3]\n"
            "hostname=db3\n");
}

TEST(ConfEditTest, DeleteLastBlockAndCrlfFiles) {
  auto out = delete_conf_block(kConf, "server3");
  ASSERT_TRUE(out);
  std::string expected = kConf;
  expected.erase(expected.find("[server3]\n"));
  EXPECT_EQ(*out, expected);  // the comment before it stays: it is outside the block

  const std::string crlf = "[server1]\r\nhostname=a\r\n\r\n[server2]\r\nhostname=b\r\n";
  auto crlf_out = delete_conf_block(crlf, "server1");
  ASSERT_TRUE(crlf_out);
  EXPECT_EQ(*crlf_out, "\r\n[server2]\r\nhostname=b\r\n");
}

TEST(ConfEditTest, DeleteMissingBlockIsNullopt) {
  EXPECT_FALSE(delete_conf_block(kConf, "server9"));
  EXPECT_FALSE(delete_conf_block(kConf, "server"));  // names compare exactly, not by prefix
}

TEST(ConfEditTest, AddAppendsAfterABlankLine) {
  auto out = add_conf_block(kConf, "server4", "db4", {{"port", "3308"}, {"no_master", "1"}});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, std::string(kConf) + "\n[server4]\nhostname=db4\nport=3308\nno_master=1\n");
  // No trailing newline: one is added first. CRLF files get CRLF lines.
  auto bare = add_conf_block("[server1]\r\nhostname=a", "server2", "b", {});
  ASSERT_TRUE(bare);
  EXPECT_EQ(*bare, "[server1]\r\nhostname=a\r\n\r\n[server2]\r\nhostname=b\r\n");
}

TEST(ConfEditTest, AddRefusesAnExistingBlockAndBadParams) {
  auto exists = add_conf_block(kConf, "server2", "db2", {});
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().code, ErrorCode::kConflict);
  EXPECT_EQ(exists.error().message, "block [server2] already exists");
  auto newline = add_conf_block(kConf, "server4", "db4", {{"password", "a\n[server1]"}});
  ASSERT_FALSE(newline);
  EXPECT_EQ(newline.error().message, "[server4]: the value of 'password' has a line break");
  EXPECT_EQ(newline.error().message.find("[server1]"), std::string::npos);  // value not echoed
  auto host = add_conf_block(kConf, "server4", "db4", {{"hostname", "x"}});
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().code, ErrorCode::kConfig);
}

TEST(ConfHostToolTest, AddThenDeleteRestoresTheFileAndKeepsItsMode) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", kConf);
  ASSERT_EQ(::chmod(conf.c_str(), 0640), 0);
  testing::Run r = run_tool(conf_host_main, {"--command=add", "--conf=" + conf, "--hostname=db4",
                                             "--block=4", "--params=port=3308;candidate-master=1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Wrote [server4] entry to " + conf + " .\n");
  EXPECT_EQ(read(conf),
            std::string(kConf) + "\n[server4]\nhostname=db4\nport=3308\ncandidate-master=1\n");
  struct stat st {};
  ASSERT_EQ(::stat(conf.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);

  r = run_tool(conf_host_main, {"--command=remove", "--conf=" + conf, "--block=server4"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Deleted [server4] entry from " + conf + " .\n");
  EXPECT_EQ(read(conf), kConf);  // byte for byte
  ASSERT_EQ(::stat(conf.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  // No temporary file left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator(conf.substr(0, conf.rfind('/'))))
    ++files;
  EXPECT_EQ(files, 1);
}

TEST(ConfHostToolTest, ExistingBlockIsAnErrorNamingFileAndBlock) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", kConf);
  const testing::Run r = run_tool(
      conf_host_main, {"--command=add", "--conf=" + conf, "--hostname=db2x", "--block=server2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "masterha_conf_host: " + conf + ": block [server2] already exists\n");
  EXPECT_EQ(read(conf), kConf);
}

TEST(ConfHostToolTest, MissingBlockOnDeleteChangesNothing) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", kConf);
  const testing::Run r =
      run_tool(conf_host_main, {"--command=delete", "--conf=" + conf, "--hostname=db9"});
  EXPECT_EQ(r.code, 0);  // MHA's behaviour: reported, not an error
  EXPECT_EQ(r.out, "Entry [server_db9] not found from " + conf + " .\n");
  EXPECT_EQ(read(conf), kConf);
}

TEST(ConfHostToolTest, BadParamsChangeNothing) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", kConf);
  testing::Run r = run_tool(conf_host_main, {"--command=add", "--conf=" + conf, "--hostname=db4",
                                             "--params=port=1;nonsense=2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "masterha_conf_host: unknown parameter 'nonsense' in --params\n");
  r = run_tool(conf_host_main,
               {"--command=add", "--conf=" + conf, "--hostname=db4", "--params=port"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "masterha_conf_host: --params item 1 is not name=value (see --help)\n");
  EXPECT_EQ(read(conf), kConf);
}

TEST(ConfHostToolTest, SymlinkedConfigKeepsTheLink) {
  TempDir dir;
  const std::string real = dir.write("real.cnf", kConf);
  const std::string link = dir.path("app1.cnf");
  std::filesystem::create_symlink(real, link);
  const testing::Run r =
      run_tool(conf_host_main, {"--command=delete", "--conf=" + link, "--block=server3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(read(real).find("[server3]"), std::string::npos);
}

}  // namespace
}  // namespace mha::cli
