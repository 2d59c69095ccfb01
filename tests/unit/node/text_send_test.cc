// The pure pieces of the node tools' text mode (text_output.h: the scan of mysqlbinlog text, the
// section command line) and of generate_and_send (send_diff.h: option splitting, the ssh/scp
// command lines, the target checks), plus send_file and the text apply against scripted
// programs (FakeProcessRunner): no ssh or server is reached.

#include "mha/hooks/testing/fake_process_runner.h"
#include "mha/node/apply_diff.h"
#include "mha/node/node_main.h"
#include "mha/node/send_diff.h"
#include "mha/node/text_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace mha::node {
namespace {

namespace fs = std::filesystem;
using hooks::testing::exit_with;
using hooks::testing::FakeProcessRunner;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Event header comments as mysqlbinlog 10.11 prints them.
std::string header(const std::string& what) {
  return "#261204 20:23:13 server id 1  end_log_pos 100 CRC32 0x0a0b0c0d \t" + what + "\n";
}
const std::string kFde = "# at 4\n" + header("Start: binlog v 4, server v 10.11.19") +
                         "ROLLBACK/*!*/;\nBINLOG '\nAAAA\n'/*!*/;\n";
std::string gtid_trx(const std::string& gtid, const std::string& value) {
  return "# at 256\n" + header("GTID " + gtid + " trans") +
         "/*M!100001 SET @@session.gtid_seq_no=1*//*!*/;\nSTART TRANSACTION\n/*!*/;\n# at 298\n" +
         header("Annotate_rows:") + "#Q> INSERT INTO t VALUES ('" + value + "')\n" +
         header("Table_map: `d`.`t` mapped to number 18") + "# at 350\n" +
         header("Write_rows: table id 18 flags: STMT_END_F") + "BINLOG '\nAAAA\n'/*!*/;\n" +
         "# at 400\n" + header("Xid = 21") + "COMMIT/*!*/;\n";
}
const std::string kTrailer =
    "DELIMITER ;\n# End of log file\nROLLBACK /* added by mysqlbinlog */;\n";

TEST(TextScanTest, CountsWholeTransactionsAndGtids) {
  const std::string ddl = "# at 500\n" + header("GTID 0-1-7 ddl") +
                          "/*M!100001 SET @@session.gtid_seq_no=7*//*!*/;\n# at 540\n" +
                          header("Query\tthread_id=9\texec_time=0\terror_code=0") +
                          "SET TIMESTAMP=1/*!*/;\nCREATE TABLE t2 (a INT)\n/*!*/;\n";
  const std::string myisam = "# at 600\n" + header("GTID 0-1-8") +
                             "START TRANSACTION\n/*!*/;\n# at 640\n" +
                             header("Write_rows: table id 22 flags: STMT_END_F") + "# at 700\n" +
                             header("Query\tthread_id=9\texec_time=0\terror_code=0") +
                             "SET TIMESTAMP=1/*!*/;\nCOMMIT\n/*!*/;\n";
  auto scan = scan_mysqlbinlog_text(kFde + gtid_trx("0-1-5", "a") + gtid_trx("1-1-1", "COMMIT") +
                                        gtid_trx("0-1-6", "b") + ddl + myisam + kTrailer,
                                    "x.sql");
  ASSERT_TRUE(scan) << scan.error().message;
  EXPECT_EQ(scan->transactions, 5u);
  EXPECT_EQ(scan->last_gtid->to_string(), "0-1-8");
  EXPECT_EQ(scan->first_per_domain.to_string(), "0-1-5,1-1-1");
  EXPECT_EQ(scan->last_per_domain.to_string(), "0-1-8,1-1-1");
}

TEST(TextScanTest, RefusesWhatWouldApplyHalfATransaction) {
  const std::string one = gtid_trx("0-1-5", "a");
  // Ends inside: the Xid is missing.
  const std::string cut = one.substr(0, one.find("# at 400"));
  auto ends = scan_mysqlbinlog_text(kFde + cut + kTrailer, "x.sql");
  ASSERT_FALSE(ends);
  EXPECT_EQ(ends.error().code, ErrorCode::kPrecondition);
  EXPECT_THAT(ends.error().message, HasSubstr("x.sql ends inside the transaction 0-1-5"));
  // Starts inside: rows before any GTID.
  const std::string rows = one.substr(one.find("# at 298"));
  auto starts = scan_mysqlbinlog_text(kFde + rows, "y.sql");
  ASSERT_FALSE(starts);
  EXPECT_THAT(starts.error().message, HasSubstr("starts inside a transaction"));
  // One transaction interrupting another.
  auto interrupted = scan_mysqlbinlog_text(kFde + cut + one, "z.sql");
  ASSERT_FALSE(interrupted);
  EXPECT_THAT(interrupted.error().message, HasSubstr("GTID 0-1-5 interrupts the transaction"));
  // Out of order within a domain.
  auto order =
      scan_mysqlbinlog_text(kFde + gtid_trx("0-1-6", "a") + gtid_trx("0-1-5", "b"), "o.sql");
  ASSERT_FALSE(order);
  EXPECT_THAT(order.error().message, HasSubstr("out of order"));
  // Not mysqlbinlog output at all.
  auto plain = scan_mysqlbinlog_text("INSERT INTO t VALUES (1);\n", "p.sql");
  ASSERT_FALSE(plain);
  EXPECT_THAT(plain.error().message, HasSubstr("no mysqlbinlog event header"));
}

TEST(TextOutputTest, SectionCommandIsMhasCommentThenMysqlbinlog) {
  TextOptions o;
  o.client_bindir = "/opt/my sql/bin";
  o.disable_log_bin = true;
  EXPECT_EQ(text_section_comment("relay-bin.000002"),
            "# Binary/Relay log file relay-bin.000002 started\n");
  EXPECT_EQ(text_section_command("/w/raw", {4096, "mysql-bin.000002"}, 8192, "/w/o.sql", o),
            "printf '%s\\n' '# Binary/Relay log file mysql-bin.000002 started' >> '/w/o.sql' && "
            "'/opt/my sql/bin/mysqlbinlog' --disable-log-bin --start-position=4096 "
            "--stop-position=8192 '/w/raw' >> '/w/o.sql'");
  EXPECT_EQ(text_section_command("/w/raw", {300, "m.1"}, 0, "/w/o.sql", TextOptions{}),
            "printf '%s\\n' '# Binary/Relay log file m.1 started' >> '/w/o.sql' && "
            "'mysqlbinlog' --start-position=300 '/w/raw' >> '/w/o.sql'");
}

TEST(SendDiffTest, SshOptionsAreSplitLikeAShellWithoutExpansion) {
  auto words = split_ssh_options(
      "-i /k/id_ed25519 -o 'UserKnownHostsFile=/a b/kh' -o \"ProxyJump=x\\\"y\" a\\ b $HOME");
  ASSERT_TRUE(words) << words.error().message;
  EXPECT_THAT(*words, ElementsAre("-i", "/k/id_ed25519", "-o", "UserKnownHostsFile=/a b/kh", "-o",
                                  "ProxyJump=x\"y", "a b", "$HOME"));
  EXPECT_TRUE(split_ssh_options("")->empty());
  auto open = split_ssh_options("-o 'oops");
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().message, "--ssh_options has an unterminated quote");
}

TEST(SendDiffTest, CommandLinesPutTheOperatorsOptionsFirst) {
  SendTarget t;
  t.user = "mha";
  t.host = "10.77.0.12";
  t.port = 2222;
  t.remote_path = "/var/tmp/diff.binlog";
  const std::vector<std::string> opts = {"-i", "/k"};
  EXPECT_THAT(ssh_argv(t, opts, "mkdir -p -- '/var/tmp'"),
              ElementsAre("ssh", "-i", "/k", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p",
                          "2222", "mha@10.77.0.12", "mkdir -p -- '/var/tmp'"));
  EXPECT_THAT(
      scp_argv(t, opts, "/l/diff.binlog"),
      ElementsAre("scp", "-i", "/k", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-q", "-P",
                  "2222", "--", "/l/diff.binlog", "mha@10.77.0.12:/var/tmp/diff.binlog"));
  t.host = "fd00::12";
  EXPECT_EQ(scp_argv(t, {}, "/l").back(), "mha@[fd00::12]:/var/tmp/diff.binlog");
}

TEST(SendDiffTest, TargetsThatCouldInjectAreRefused) {
  SendTarget t;
  t.host = "db2";
  t.remote_path = "/var/tmp/x.binlog";
  EXPECT_TRUE(check_send_target(t));
  for (const char* host : {"", "-oProxyCommand=x", "a b", "h;rm"}) {
    SendTarget bad = t;
    bad.host = host;
    auto s = check_send_target(bad);
    ASSERT_FALSE(s) << host;
    EXPECT_THAT(s.error().message, StartsWith("--scp_host "));
  }
  SendTarget user = t;
  user.user = "-l";
  EXPECT_FALSE(check_send_target(user));
  for (const char* path : {"relative", "/a b", "/x/'y", "/x/$(id)", "/dir/"}) {
    SendTarget bad = t;
    bad.remote_path = path;
    EXPECT_FALSE(check_send_target(bad)) << path;
  }
}

TEST(SendDiffTest, Sha256sumOutput) {
  const std::string h(64, 'a');
  EXPECT_EQ(parse_sha256sum(h + "  /x\n"), h);
  EXPECT_EQ(parse_sha256sum(h), h);
  EXPECT_EQ(parse_sha256sum("sha256sum: /x: No such file\n"), "");
  EXPECT_EQ(parse_sha256sum(std::string(64, 'A') + "  /x"), "");
}

class SendFileTest : public ::testing::Test {
 protected:
  SendFileTest() {
    std::string pattern = (fs::temp_directory_path() / "mha-send-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ + "/diff.binlog") << "diff bytes";
    target_.host = "db2";
    target_.remote_path = "/var/tmp/in/diff.binlog";
    target_.ssh_options = "-i /k";
  }
  ~SendFileTest() override { fs::remove_all(dir_); }
  static bool is(const hooks::ProcessSpec& s, const std::string& program) {
    return !s.argv.empty() && s.argv.front() == program;
  }
  static bool remote(const hooks::ProcessSpec& s, const std::string& command) {
    return is(s, "ssh") && s.argv.back().starts_with(command);
  }
  std::string dir_;
  SendTarget target_;
  FakeProcessRunner runner_;
  std::ostringstream log_;
  const std::string sum_ = std::string(63, '0') + "1";
};

TEST_F(SendFileTest, VerifiedOnTheSecondTry) {
  runner_.on([](const hooks::ProcessSpec& s) { return is(s, "sha256sum"); },
             [this](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
               return exit_with(0, sum_ + "  x\n");
             });
  runner_.on(
      [](const hooks::ProcessSpec& s) { return remote(s, "mkdir -p"); },
      [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> { return exit_with(0); });
  runner_.on(
      [](const hooks::ProcessSpec& s) { return is(s, "scp"); },
      [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> { return exit_with(0); });
  int remote_sums = 0;
  runner_.on([](const hooks::ProcessSpec& s) { return remote(s, "sha256sum"); },
             [&](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
               // The first copy arrived damaged.
               return exit_with(0, (++remote_sums == 1 ? std::string(64, 'f') : sum_) + "  x\n");
             });
  auto r = send_file(dir_ + "/diff.binlog", target_, runner_, log_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tries, 2);
  EXPECT_EQ(r->sha256, sum_);
  EXPECT_THAT(log_.str(), HasSubstr("Try 1/3: the copy's sha256 is ffff"));
  for (const hooks::ProcessSpec& s : runner_.calls()) {
    EXPECT_GT(s.timeout.count(), 0);
    EXPECT_FALSE(s.shell_command.has_value()) << "no local shell";
  }
  EXPECT_EQ(runner_.calls()[1].argv.back(), "mkdir -p -- '/var/tmp/in'");
}

TEST_F(SendFileTest, GivesUpAfterThreeTriesNamingTheLastError) {
  runner_.on([](const hooks::ProcessSpec& s) { return is(s, "sha256sum"); },
             [this](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
               return exit_with(0, sum_ + "  x\n");
             });
  runner_.on([](const hooks::ProcessSpec& s) { return is(s, "ssh"); },
             [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
               return exit_with(255, "", "ssh: connect to host db2 port 22: Connection refused\n");
             });
  auto r = send_file(dir_ + "/diff.binlog", target_, runner_, log_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_EQ(r.error().message,
            "sending " + dir_ +
                "/diff.binlog to root@db2:22:/var/tmp/in/diff.binlog failed after 3 tries: ssh "
                "mkdir -p /var/tmp/in exit 255: ssh: connect to host db2 port 22: Connection "
                "refused");
  EXPECT_EQ(runner_.calls().size(), 4u);  // the local sum, then one mkdir per try
}

// --handle_raw_binlog=0 apply: the text goes through `cat | mysql`, both stages checked, and the
// GTID check uses the GTIDs in the text's headers.
TEST(TextApplyTest, CatIntoMysqlAndTheGtidCheck) {
  std::string pattern = (fs::temp_directory_path() / "mha-textapply-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::string dir = pattern;
  fs::create_directories(dir + "/bin");
  std::ofstream(dir + "/bin/mysql") << "#!/bin/sh\nexit 0\n";
  fs::permissions(dir + "/bin/mysql", fs::perms::owner_all);
  std::ofstream(dir + "/a.sql") << kFde + gtid_trx("0-1-5", "a") + kTrailer;
  std::ofstream(dir + "/b.sql") << kFde + gtid_trx("0-1-6", "b") + kTrailer;

  ApplyTarget t;
  t.host = "10.0.0.5";
  t.password = "never-here";
  t.client_bindir = dir + "/bin";
  t.workdir = dir;
  const std::string line = apply_pipeline({"/w/a.sql", "/w/b c.sql"}, t, "/w/o.cnf", true, true);
  EXPECT_THAT(line, StartsWith("cat -- '/w/a.sql' '/w/b c.sql' | '" + dir + "/bin/mysql' "));
  EXPECT_THAT(line, HasSubstr("--init-command='SET SESSION sql_log_bin=0'"));
  EXPECT_THAT(line, Not(HasSubstr("mysqlbinlog")));
  EXPECT_THAT(line, Not(HasSubstr("never-here")));

  FakeProcessRunner runner;
  runner.on([](const hooks::ProcessSpec& s) { return s.stdin_data.starts_with("SHOW GLOBAL"); },
            [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
              return exit_with(0, "log_bin\tON\nmax_allowed_packet\t1024\nread_only\tOFF\n");
            });
  runner.on([](const hooks::ProcessSpec& s) { return !s.argv.empty(); },
            [](const hooks::ProcessSpec& s) -> Result<hooks::ProcessResult> {
              EXPECT_THAT(s.argv.back(), StartsWith("cat -- "));
              return exit_with(0, "pipestatus=0 0\n");
            });
  runner.on([](const hooks::ProcessSpec& s) { return s.stdin_data.starts_with("SELECT @@"); },
            [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
              return exit_with(0, "0-1-6\n");
            });
  runner.on([](const hooks::ProcessSpec&) { return true; },
            [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> { return exit_with(0); });
  ApplyRequest req;
  req.target = t;
  req.files = {dir + "/a.sql", dir + "/b.sql"};
  req.text = true;
  std::ostringstream log;
  auto r = apply_diff_files(req, runner, log);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stream.transactions, 2u);
  EXPECT_EQ(r->gtid_check, "gtid_binlog_pos");
  EXPECT_EQ(r->gtid_binlog_pos_after, "0-1-6");

  // The same files in the wrong order, or a binlog given as text: refused before any session.
  FakeProcessRunner untouched;
  req.files = {dir + "/b.sql", dir + "/a.sql"};
  auto swapped = apply_diff_files(req, untouched, log);
  ASSERT_FALSE(swapped);
  EXPECT_THAT(swapped.error().message, HasSubstr("out of order"));
  req.files = {std::string(MHA_TEST_SOURCE_DIR) + "/tests/data/binlog/crc32/master-bin.000003"};
  auto binary = apply_diff_files(req, untouched, log);
  ASSERT_FALSE(binary);
  EXPECT_THAT(binary.error().message, HasSubstr("is a binary log, not SQL text"));
  EXPECT_TRUE(untouched.calls().empty());
  fs::remove_all(dir);
}

// generate_and_send through node_main: a target that has everything sends nothing and exits 0
// (MHA's code, unlike generate's 10); a bad destination is refused before anything is generated.
TEST(GenerateAndSendTest, NothingToSendAndBadDestinations) {
  std::string pattern = (fs::temp_directory_path() / "mha-gas-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::string dir = pattern;
  const std::string data = std::string(MHA_TEST_SOURCE_DIR) + "/tests/data/binlog/crc32/";
  for (int i = 1; i <= 7; ++i) {
    fs::copy_file(data + "relay-bin.00000" + std::to_string(i),
                  dir + "/relay-bin.00000" + std::to_string(i));
  }
  auto run = [&](const std::string& target_pos, const std::string& host,
                 const std::string& remote) {
    std::vector<std::string> argv = {"apply_diff_relay_logs",
                                     "--command=generate_and_send",
                                     "--relay_dir=" + dir,
                                     "--current_relay_log=relay-bin.000007",
                                     "--server_id=2",
                                     "--target_mlf=master-bin.000003",
                                     "--target_rmlp=" + target_pos,
                                     "--latest_mlf=master-bin.000003",
                                     "--latest_rmlp=1322",
                                     "--diff_file_readtolatest=" + dir + "/out/diff.binlog",
                                     "--scp_host=" + host};
    if (!remote.empty()) argv.push_back("--remote_diff_file=" + remote);
    std::ostringstream out;
    std::ostringstream err;
    const int code = node_main(argv, out, err, -1);
    return std::make_tuple(code, out.str(), err.str());
  };
  const auto [code, out, err] = run("1322", "db2", "");
  EXPECT_EQ(code, 0) << err;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["command"], "generate_and_send");
  EXPECT_EQ(j["result"], "nothing_to_apply");
  EXPECT_TRUE(j["sent"].is_null());
  EXPECT_THAT(err, HasSubstr("Target slave has received all relay logs"));

  const auto [bad_code, bad_out, bad_err] = run("879", "-oProxyCommand=x", "");
  EXPECT_EQ(bad_code, 1);
  EXPECT_EQ(bad_out, "");
  EXPECT_THAT(bad_err, StartsWith("apply_diff_relay_logs: --scp_host must be"));
  const auto [path_code, path_out, path_err] = run("879", "db2", "relative/diff");
  EXPECT_EQ(path_code, 1);
  EXPECT_THAT(path_err, HasSubstr("absolute file path"));
  EXPECT_FALSE(fs::exists(dir + "/out/diff.binlog")) << "nothing is generated for bad input";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mha::node
