// apply_diff_relay_logs --command=apply|test: the stream checks on captured MariaDB binlogs (and
// files cut from them), the command lines and statements built, and the apply's order of
// operations against a scripted mysql client (FakeProcessRunner): settings restored on every
// path, both pipeline stages checked, the GTID check, no password in argv, no option file left.

#include "mha/node/apply_diff.h"

#include "mha/hooks/testing/fake_process_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mysql_client.h"

namespace mha::node {
namespace {

namespace fs = std::filesystem;
using hooks::testing::exit_with;
using hooks::testing::FakeProcessRunner;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kData = std::string(MHA_TEST_SOURCE_DIR) + "/tests/data/binlog/crc32/";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(fs::file_size(path), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

class ApplyDiffTest : public ::testing::Test {
 protected:
  ApplyDiffTest() {
    std::string pattern = (fs::temp_directory_path() / "mha-apply-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ + "/bin");
    fs::create_directories(dir_ + "/work");
    for (const char* client : {"mysql", "mysqlbinlog"}) {
      std::ofstream(dir_ + "/bin/" + client) << "#!/bin/sh\nexit 0\n";
      fs::permissions(dir_ + "/bin/" + client, fs::perms::owner_all);
    }
    m3_ = slurp(kData + "master-bin.000003");
  }
  ~ApplyDiffTest() override { fs::remove_all(dir_); }

  // A file made of byte ranges of master-bin.000003 (offsets from its events.txt).
  std::string cut(const std::string& name, const std::vector<std::pair<size_t, size_t>>& ranges) {
    std::string bytes;
    for (const auto& [from, to] : ranges) bytes += m3_.substr(from, to - from);
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  ApplyRequest request(std::vector<std::string> files) {
    ApplyRequest r;
    r.target.host = "10.0.0.5";
    r.target.port = 3307;
    r.target.user = "mha";
    r.target.password = "s3cret\"pw";
    r.target.workdir = dir_ + "/work";
    r.target.client_bindir = dir_ + "/bin";
    r.files = std::move(files);
    return r;
  }

  // A server: `vars` answer the settings query; the pipeline exits with `stages`; the GTID
  // query answers `gtid`.
  void script(const std::string& vars, const std::string& stages, const std::string& gtid) {
    runner_.on([](const hooks::ProcessSpec& s) { return s.stdin_data.starts_with("SHOW GLOBAL"); },
               [vars](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
                 return exit_with(0, vars);
               });
    runner_.on([](const hooks::ProcessSpec& s) { return !s.argv.empty(); },
               [stages](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
                 return exit_with(0, "pipestatus=" + stages + "\n",
                                  stages == "0 0" ? "" : "ERROR 1062 (23000) at line 40: dup\n");
               });
    runner_.on([](const hooks::ProcessSpec& s) { return s.stdin_data.starts_with("SELECT @@"); },
               [gtid](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
                 return exit_with(0, gtid + "\n");
               });
    runner_.on(
        [](const hooks::ProcessSpec&) { return true; },
        [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> { return exit_with(0); });
  }
  std::vector<std::string> sessions() const {
    std::vector<std::string> out;
    for (const hooks::ProcessSpec& s : runner_.calls()) {
      out.push_back(s.argv.empty() ? s.stdin_data : "<pipeline>");
    }
    return out;
  }

  static constexpr char kMariadbReadOnly[] =
      "gtid_binlog_pos\t0-1-11\nlog_bin\tON\nmax_allowed_packet\t16777216\nread_only\tON\n"
      "version\t10.11.19-MariaDB-0+deb12u1-log\n";

  std::string dir_;
  std::string m3_;
  FakeProcessRunner runner_;
  std::ostringstream log_;
};

TEST_F(ApplyDiffTest, WholeBinlogsInOrderAreOneStream) {
  auto s = scan_apply_stream(
      {kData + "master-bin.000001", kData + "master-bin.000002", kData + "master-bin.000003"});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->transactions, 15u);  // 0-1-1..0-1-14 and 1-1-1
  ASSERT_TRUE(s->last_gtid);
  EXPECT_EQ(s->last_gtid->to_string(), "0-1-14");
  EXPECT_EQ(s->last_per_domain.to_string(), "0-1-14,1-1-1");
  EXPECT_EQ(s->bytes, 102987u + 667u + 1345u);
}

TEST_F(ApplyDiffTest, ATransactionSplitOverTwoFilesCountsOnce) {
  // 0-1-14 (879..1322): GTID .. Write_rows in the first file, the UPDATE and Xid in the second,
  // each file with the FDE (4..256).
  const std::string a = cut("a", {{0, 256}, {359, 597}, {879, 1086}});
  const std::string b = cut("b", {{0, 256}, {1086, 1322}});
  auto s = scan_apply_stream({a, b});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->transactions, 2u);
  EXPECT_EQ(s->last_gtid->to_string(), "0-1-14");
}

TEST_F(ApplyDiffTest, StreamsMysqlbinlogWouldStopInOrApplyHalfAreRefused) {
  auto ends = scan_apply_stream({cut("a", {{0, 256}, {879, 1086}})});
  ASSERT_FALSE(ends);
  EXPECT_EQ(ends.error().code, ErrorCode::kPrecondition);
  EXPECT_THAT(ends.error().message, HasSubstr("end inside the transaction 0-1-14"));

  auto starts = scan_apply_stream({cut("b", {{0, 256}, {1086, 1322}})});
  ASSERT_FALSE(starts);
  EXPECT_THAT(starts.error().message, HasSubstr("start inside a transaction (Annotate_rows"));

  // 0-1-13 without its Xid, then 0-1-14: the server would commit the half.
  auto cut_off = scan_apply_stream({cut("c", {{0, 256}, {641, 848}, {879, 1322}})});
  ASSERT_FALSE(cut_off);
  EXPECT_THAT(cut_off.error().message, HasSubstr("0-1-13 at "));
  EXPECT_THAT(cut_off.error().message, HasSubstr("is interrupted"));

  // A Gtid_list after the first transaction of a file (MHA's concatenation, mha.md §9.2).
  auto list = scan_apply_stream({cut("d", {{0, 256}, {359, 597}, {256, 315}, {641, 879}})});
  ASSERT_FALSE(list);
  EXPECT_THAT(list.error().message, HasSubstr("d:494: a Gtid_list event"));

  auto order = scan_apply_stream({kData + "master-bin.000003", kData + "master-bin.000001"});
  ASSERT_FALSE(order);
  EXPECT_THAT(order.error().message, HasSubstr("GTID 0-1-1 comes after 0-1-14"));

  auto missing = scan_apply_stream({dir_ + "/nope"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_THAT(missing.error().message, StartsWith(dir_ + "/nope: cannot read"));
}

TEST_F(ApplyDiffTest, PipelineChecksBothStagesAndKeepsThePasswordOut) {
  ApplyTarget t;
  t.host = "10.0.0.5";
  t.port = 3307;
  t.password = "never-here";
  t.client_bindir = "/opt/my sql/bin";
  const std::string line = apply_pipeline({"/w/a b.binlog", "/w/c.binlog"}, t, "/w/o.cnf", true);
  EXPECT_EQ(line,
            "'/opt/my sql/bin/mysqlbinlog' --disable-log-bin '/w/a b.binlog' '/w/c.binlog' | "
            "'/opt/my sql/bin/mysql' --defaults-extra-file='/w/o.cnf' -h '10.0.0.5' -P 3307 "
            "--connect-timeout=10 --binary-mode --max-allowed-packet=1073741824; "
            "echo \"pipestatus=${PIPESTATUS[0]} ${PIPESTATUS[1]}\"");
  EXPECT_THAT(line, Not(HasSubstr("never-here")));
  EXPECT_EQ(pipeline_status("x\npipestatus=1 0\n"), std::make_pair(1, 0));
  EXPECT_EQ(pipeline_status("pipestatus=0 0"), std::make_pair(0, 0));
  EXPECT_FALSE(pipeline_status("killed"));
}

TEST_F(ApplyDiffTest, SettingsStatementsForMariadbAndMysql) {
  auto maria = parse_server_settings(kMariadbReadOnly);
  ASSERT_TRUE(maria) << maria.error().message;
  EXPECT_FALSE(maria->super_read_only);
  EXPECT_EQ(prepare_statements(*maria),
            "SET GLOBAL max_allowed_packet = 1073741824;\nSET GLOBAL read_only = OFF;\n");
  EXPECT_EQ(restore_statements(*maria),
            "SET GLOBAL read_only = ON;\nSET GLOBAL max_allowed_packet = 16777216;\n");

  auto mysql = parse_server_settings(
      "log_bin\tON\nmax_allowed_packet\t67108864\nread_only\tON\nsuper_read_only\tON\n"
      "version\t8.0.36\n");
  ASSERT_TRUE(mysql);
  EXPECT_EQ(prepare_statements(*mysql),
            "SET GLOBAL max_allowed_packet = 1073741824;\nSET GLOBAL super_read_only = OFF;\n"
            "SET GLOBAL read_only = OFF;\n");
  EXPECT_EQ(restore_statements(*mysql),
            "SET GLOBAL read_only = ON;\nSET GLOBAL super_read_only = ON;\n"
            "SET GLOBAL max_allowed_packet = 67108864;\n");

  auto writable = parse_server_settings("max_allowed_packet\t1024\nread_only\tOFF\n");
  ASSERT_TRUE(writable);
  EXPECT_EQ(prepare_statements(*writable), "SET GLOBAL max_allowed_packet = 1073741824;\n");
  EXPECT_EQ(restore_statements(*writable), "SET GLOBAL max_allowed_packet = 1024;\n");

  EXPECT_FALSE(parse_server_settings("max_allowed_packet\tNULL\nread_only\tON\n"));
  EXPECT_FALSE(parse_server_settings("max_allowed_packet\t1024\n"));
}

TEST_F(ApplyDiffTest, AppliesBetweenPrepareAndRestoreAndChecksTheGtid) {
  script(kMariadbReadOnly, "0 0", "0-1-14,1-1-1");
  auto r = apply_diff_files(request({kData + "master-bin.000003"}), runner_, log_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->result, "applied");
  EXPECT_EQ(r->gtid_check, "gtid_binlog_pos");
  EXPECT_TRUE(r->read_only_lifted);
  EXPECT_EQ(sessions(), (std::vector<std::string>{settings_query(),
                                                  "SET GLOBAL max_allowed_packet = 1073741824;\n"
                                                  "SET GLOBAL read_only = OFF;\n",
                                                  "<pipeline>",
                                                  "SET GLOBAL read_only = ON;\n"
                                                  "SET GLOBAL max_allowed_packet = 16777216;\n",
                                                  "SELECT @@global.gtid_binlog_pos;\n"}));
  for (const hooks::ProcessSpec& s : runner_.calls()) {
    const std::string line = s.shell_command ? *s.shell_command : s.argv.back();
    EXPECT_THAT(line, HasSubstr("--defaults-extra-file='" + dir_ + "/work/masterha_apply_diff."));
    EXPECT_THAT(line, HasSubstr("-h '10.0.0.5' -P 3307"));
    EXPECT_THAT(line, Not(HasSubstr("s3cret")));
  }
  EXPECT_EQ(runner_.calls()[2].argv.front(), "/bin/bash");
  EXPECT_TRUE(fs::is_empty(dir_ + "/work")) << "the option file was left behind";
  const auto j = nlohmann::json::parse(apply_json(*r));
  EXPECT_EQ(j["last_gtid"], "0-1-14");
  EXPECT_EQ(j["gtid_binlog_pos"], "0-1-14,1-1-1");
}

TEST_F(ApplyDiffTest, MysqlbinlogStoppingHalfWayFailsAndStillRestores) {
  script(kMariadbReadOnly, "1 0", "0-1-11");
  auto r = apply_diff_files(request({kData + "master-bin.000003"}), runner_, log_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "10.0.0.5:3307: mysqlbinlog | mysql failed (mysqlbinlog exit 1, mysql exit 0): "
            "ERROR 1062 (23000) at line 40: dup");
  ASSERT_EQ(sessions().size(), 4u);
  EXPECT_THAT(sessions()[3], StartsWith("SET GLOBAL read_only = ON;"));
  EXPECT_TRUE(fs::is_empty(dir_ + "/work"));
}

TEST_F(ApplyDiffTest, MissingGtidAfterTheApplyFails) {
  script(kMariadbReadOnly, "0 0", "0-1-13,1-1-1");
  auto r = apply_diff_files(request({kData + "master-bin.000003"}), runner_, log_);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message,
              HasSubstr("gtid_binlog_pos is 0-1-13,1-1-1 after the apply; it does not contain "
                        "0-1-14"));
}

TEST_F(ApplyDiffTest, WithTheBinlogOffTheGtidCannotBeChecked) {
  script("log_bin\tOFF\nmax_allowed_packet\t16777216\nread_only\tOFF\n", "0 0", "");
  auto r = apply_diff_files(request({kData + "master-bin.000003"}), runner_, log_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->gtid_check, "impossible");
  EXPECT_THAT(log_.str(), HasSubstr("cannot be checked by GTID"));
  EXPECT_EQ(sessions().size(), 4u);  // no GTID query
}

TEST_F(ApplyDiffTest, DisableLogBinAppliesUnloggedAndCannotCheckTheGtid) {
  script(kMariadbReadOnly, "0 0", "0-1-11");
  ApplyRequest req = request({kData + "master-bin.000003"});
  req.disable_log_bin = true;
  auto r = apply_diff_files(req, runner_, log_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->gtid_check, "impossible");
  EXPECT_THAT(runner_.calls()[2].argv.back(), HasSubstr("mysqlbinlog' --disable-log-bin "));
  EXPECT_EQ(sessions().size(), 4u);
}

TEST_F(ApplyDiffTest, FailedPrepareRestoresAndBadFilesChangeNothing) {
  runner_.on([](const hooks::ProcessSpec& s) { return s.stdin_data.starts_with("SHOW GLOBAL"); },
             [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
               return exit_with(0, kMariadbReadOnly);
             });
  runner_.on(
      [](const hooks::ProcessSpec& s) { return s.stdin_data.find("= OFF") != std::string::npos; },
      [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> {
        return exit_with(1, "", "ERROR 1227 (42000): Access denied\n");
      });
  runner_.on(
      [](const hooks::ProcessSpec&) { return true; },
      [](const hooks::ProcessSpec&) -> Result<hooks::ProcessResult> { return exit_with(0); });
  auto r = apply_diff_files(request({kData + "master-bin.000003"}), runner_, log_);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("lifting read_only: mysql exit 1: ERROR 1227"));
  ASSERT_EQ(sessions().size(), 3u);
  EXPECT_THAT(sessions()[2], StartsWith("SET GLOBAL read_only = ON;"));

  FakeProcessRunner untouched;
  auto bad = apply_diff_files(request({dir_ + "/nope"}), untouched, log_);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(untouched.calls().empty());
  ApplyRequest no_client = request({kData + "master-bin.000003"});
  no_client.target.client_bindir = dir_ + "/work";
  auto missing = apply_diff_files(no_client, untouched, log_);
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, StartsWith("mysqlbinlog not found"));
  EXPECT_TRUE(untouched.calls().empty());
}

}  // namespace
}  // namespace mha::node
