#include "mha/node/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mha::node {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

template <typename Options>
std::string error_of(const Result<Parsed<Options>>& r) {
  return r ? std::string("<parsed>") : r.error().message;
}

TEST(ToolNameTest, RoundTrips) {
  for (const Tool tool : kAllTools) EXPECT_EQ(tool_from_name(tool_name(tool)), tool);
  EXPECT_EQ(tool_name(Tool::kSaveBinaryLogs), "save_binary_logs");
  EXPECT_EQ(tool_name(Tool::kApplyDiffRelayLogs), "apply_diff_relay_logs");
  EXPECT_EQ(tool_name(Tool::kPurgeRelayLogs), "purge_relay_logs");
  EXPECT_FALSE(tool_from_name("masterha_node").has_value());
}

TEST(SaveBinaryLogsOptionsTest, ParsesTheManagersInvocation) {
  // What MHA's manager sends to the dead master (mha.md §3.5).
  auto r = parse_save_binary_logs(
      {"--command=save", "--start_file=mysqld-bin.000002", "--start_pos=312",
       "--binlog_dir=/var/lib/mysql,/var/log/mysql",
       "--output_file=/var/tmp/saved_master_binlog_from_db1_3306_20240101.binlog",
       "--handle_raw_binlog=0", "--disable_log_bin=1", "--manager_version=0.58",
       "--oldest_version=10.11.6-MariaDB", "--client_bindir=/usr/bin", "--skip_filter=1",
       "--debug"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const SaveBinaryLogsOptions& o = r->options;
  EXPECT_EQ(r->action, ParseAction::kRun);
  EXPECT_EQ(o.command, "save");
  EXPECT_EQ(o.start_file, "mysqld-bin.000002");
  EXPECT_EQ(o.start_pos, 312u);
  EXPECT_THAT(o.binlog_dirs, ElementsAre("/var/lib/mysql", "/var/log/mysql"));
  EXPECT_FALSE(o.handle_raw_binlog);
  EXPECT_TRUE(o.disable_log_bin);
  EXPECT_TRUE(o.skip_filter);
  EXPECT_TRUE(o.debug);
  EXPECT_EQ(o.manager_version, "0.58");
  EXPECT_EQ(o.oldest_version, "10.11.6-MariaDB");
  EXPECT_EQ(o.client_bindir, "/usr/bin");
}

TEST(SaveBinaryLogsOptionsTest, DefaultsAndSpaceSeparatedValues) {
  auto r = parse_save_binary_logs({"--command", "test", "--start_file", "mysqld-bin.000001",
                                   "--start_pos", "4", "--output_file", "/tmp/x"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_THAT(r->options.binlog_dirs, ElementsAre("/var/lib/mysql"));
  EXPECT_TRUE(r->options.handle_raw_binlog);
  EXPECT_FALSE(r->options.disable_log_bin);
  EXPECT_FALSE(r->options.debug);
}

TEST(SaveBinaryLogsOptionsTest, DatadirIsAnAliasAndLastRepeatWins) {
  auto r = parse_save_binary_logs({"--command=save", "--start_file=a", "--start_file=b",
                                   "--start_pos=4", "--output_file=/o", "--datadir=/data"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->options.start_file, "b");
  EXPECT_THAT(r->options.binlog_dirs, ElementsAre("/data"));
}

TEST(SaveBinaryLogsOptionsTest, RequiresWhatMhaRequires) {
  EXPECT_THAT(error_of(parse_save_binary_logs({"--start_file=a", "--start_pos=4"})),
              HasSubstr("--command=test|save must be set"));
  EXPECT_THAT(error_of(parse_save_binary_logs({"--command=copy"})),
              HasSubstr("unknown --command 'copy'"));
  EXPECT_THAT(
      error_of(parse_save_binary_logs({"--command=save", "--start_pos=4", "--output_file=/o"})),
      HasSubstr("--start_file"));
  EXPECT_THAT(
      error_of(parse_save_binary_logs({"--command=save", "--start_file=a", "--output_file=/o"})),
      HasSubstr("--start_pos"));
  EXPECT_THAT(
      error_of(parse_save_binary_logs({"--command=save", "--start_file=a", "--start_pos=4"})),
      HasSubstr("--output_file"));
  // test may name a prefix instead of a file.
  EXPECT_TRUE(parse_save_binary_logs({"--command=test", "--binlog_prefix=mysqld-bin",
                                      "--start_pos=4", "--output_file=/o"})
                  .has_value());
  EXPECT_THAT(error_of(parse_save_binary_logs(
                  {"--command=save", "--start_file=a", "--start_pos=abc", "--output_file=/o"})),
              HasSubstr("--start_pos"));
}

TEST(SaveBinaryLogsOptionsTest, UnknownOptionIsRefusedWithoutItsValue) {
  const auto r = parse_save_binary_logs({"--command=save", "--start_fil=secret-value"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().message, "unknown option --start_fil");
  EXPECT_THAT(error_of(parse_save_binary_logs({"--command=save", "stray"})),
              HasSubstr("unexpected argument at position 2"));
  EXPECT_THAT(error_of(parse_save_binary_logs({"-x"})), HasSubstr("unknown option -x"));
}

TEST(SaveBinaryLogsOptionsTest, HelpAndVersionNeedNothingElse) {
  auto help = parse_save_binary_logs({"--help"});
  ASSERT_TRUE(help.has_value());
  EXPECT_EQ(help->action, ParseAction::kHelp);
  EXPECT_THAT(help->help_text, HasSubstr("--start_file"));
  auto version = parse_save_binary_logs({"--version"});
  ASSERT_TRUE(version.has_value());
  EXPECT_EQ(version->action, ParseAction::kVersion);
}

TEST(ApplyDiffRelayLogsOptionsTest, ParsesEveryMhaOption) {
  auto r = parse_apply_diff_relay_logs(
      {"--command=generate_and_send",
       "--relay_log_info=/var/lib/mysql/relay-log.info",
       "--datadir=/var/lib/mysql",
       "--scp_user=mha",
       "--scp_host=db3",
       "--scp_port=2222",
       "--ssh_options=-o ConnectTimeout=5",
       "--slave_user=admin",
       "--slave_host=db2",
       "--slave_ip=10.77.0.12",
       "--slave_port=3307",
       "--master_server_id=1",
       "--server_id=2",
       "--latest_mlf=mysqld-bin.000010",
       "--latest_rmlp=9000",
       "--target_mlf=mysqld-bin.000010",
       "--target_rmlp=4000",
       "--target_version=10.11.6",
       "--workdir=/var/tmp/mha",
       "--diff_file_readtolatest=/var/tmp/mha/relay_from_read_to_latest_db3_3306.binlog",
       "--timestamp=20240101",
       "--handle_raw_binlog=1",
       "--disable_log_bin=0",
       "--manager_version=0.58",
       "--client_bindir=/usr/bin",
       "--client_libdir=/usr/lib",
       "--debug",
       "--no_apply"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const ApplyDiffRelayLogsOptions& o = r->options;
  EXPECT_EQ(o.command, "generate_and_send");
  EXPECT_EQ(o.relay_log_info, "/var/lib/mysql/relay-log.info");
  EXPECT_EQ(o.scp_user, "mha");
  EXPECT_EQ(o.scp_host, "db3");
  EXPECT_EQ(o.scp_port, 2222);
  EXPECT_EQ(o.ssh_options, "-o ConnectTimeout=5");
  EXPECT_EQ(o.slave_user, "admin");
  EXPECT_FALSE(o.slave_pass.has_value());
  EXPECT_EQ(o.slave_host, "db2");
  EXPECT_EQ(o.slave_ip, "10.77.0.12");
  EXPECT_EQ(o.slave_port, 3307);
  EXPECT_EQ(o.master_server_id, 1u);
  EXPECT_EQ(o.server_id, 2u);
  EXPECT_EQ(o.latest_rmlp, 9000u);
  EXPECT_EQ(o.target_rmlp, 4000u);
  EXPECT_EQ(o.target_version, "10.11.6");
  EXPECT_EQ(o.workdir, "/var/tmp/mha");
  EXPECT_EQ(o.timestamp, "20240101");
  EXPECT_TRUE(o.handle_raw_binlog);
  EXPECT_FALSE(o.disable_log_bin);
  EXPECT_TRUE(o.no_apply);
  EXPECT_TRUE(o.debug);
  EXPECT_EQ(o.client_libdir, "/usr/lib");
}

TEST(ApplyDiffRelayLogsOptionsTest, DefaultsMatchMha) {
  auto r = parse_apply_diff_relay_logs(
      {"--command=apply", "--target_version=10.11.6", "--apply_files=/tmp/a,/tmp/b"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const ApplyDiffRelayLogsOptions& o = r->options;
  EXPECT_EQ(o.scp_user, "root");
  EXPECT_EQ(o.scp_port, 22);
  EXPECT_EQ(o.slave_user, "root");
  EXPECT_EQ(o.slave_host, "127.0.0.1");
  EXPECT_EQ(o.slave_port, 3306);
  EXPECT_EQ(o.workdir, "/var/tmp");
  EXPECT_EQ(o.timestamp, "0");
  EXPECT_EQ(o.target_rmlp, 0u);
  EXPECT_THAT(o.apply_files, ElementsAre("/tmp/a", "/tmp/b"));
}

TEST(ApplyDiffRelayLogsOptionsTest, PerCommandRequirements) {
  EXPECT_THAT(error_of(parse_apply_diff_relay_logs({})), HasSubstr("--command="));
  EXPECT_THAT(error_of(parse_apply_diff_relay_logs({"--command=merge"})),
              HasSubstr("unknown --command 'merge'"));
  EXPECT_THAT(error_of(parse_apply_diff_relay_logs({"--command=apply", "--apply_files=/a"})),
              HasSubstr("--target_version"));
  EXPECT_THAT(error_of(parse_apply_diff_relay_logs({"--command=apply", "--target_version=8.0"})),
              HasSubstr("--apply_files"));
  EXPECT_THAT(error_of(parse_apply_diff_relay_logs({"--command=test", "--target_version=8.0"})),
              HasSubstr("--relay_log_info"));
  const std::vector<std::string> find = {
      "--command=find",     "--relay_dir=/r",    "--current_relay_log=relay.000002",
      "--latest_mlf=bin.1", "--latest_rmlp=900", "--target_mlf=bin.1",
      "--target_rmlp=400",  "--server_id=2"};
  EXPECT_TRUE(parse_apply_diff_relay_logs(find).has_value());
  for (size_t drop = 1; drop < find.size(); ++drop) {
    std::vector<std::string> partial = find;
    partial.erase(partial.begin() + static_cast<long>(drop));
    EXPECT_FALSE(parse_apply_diff_relay_logs(partial).has_value()) << "without " << find[drop];
  }
  std::vector<std::string> generate = find;
  generate[0] = "--command=generate";
  EXPECT_THAT(error_of(parse_apply_diff_relay_logs(generate)),
              HasSubstr("--diff_file_readtolatest"));
  generate.push_back("--diff_file_readtolatest=/tmp/d");
  EXPECT_TRUE(parse_apply_diff_relay_logs(generate).has_value());
  generate[0] = "--command=generate_and_send";
  EXPECT_THAT(error_of(parse_apply_diff_relay_logs(generate)), HasSubstr("--scp_host"));
  EXPECT_THAT(error_of(parse_apply_diff_relay_logs({"--command=test", "--slave_port=70000"})),
              HasSubstr("--slave_port"));
}

TEST(ApplyDiffRelayLogsOptionsTest, CredentialSources) {
  const std::vector<std::string> base = {"--command=apply", "--target_version=8.0",
                                         "--apply_files=/a"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return parse_apply_diff_relay_logs(args);
  };
  auto pass = with({"--slave_pass=s3cret"});
  ASSERT_TRUE(pass.has_value());
  EXPECT_EQ(pass->options.slave_pass, "s3cret");
  auto empty_pass = with({"--slave_pass="});
  ASSERT_TRUE(empty_pass.has_value()) << empty_pass.error().message;
  EXPECT_EQ(empty_pass->options.slave_pass, "");

  auto from_stdin = with({"--credentials_stdin"});
  ASSERT_TRUE(from_stdin.has_value());
  EXPECT_TRUE(from_stdin->options.credentials.from_stdin);
  auto from_file = with({"--credentials_file=/etc/mha/creds"});
  ASSERT_TRUE(from_file.has_value());
  EXPECT_EQ(from_file->options.credentials.file, "/etc/mha/creds");

  EXPECT_FALSE(with({"--credentials_stdin", "--credentials_file=/c"}).has_value());
  const auto both = with({"--credentials_stdin", "--slave_pass=s3cret"});
  ASSERT_FALSE(both.has_value());
  EXPECT_THAT(both.error().message, HasSubstr("--slave_pass cannot be combined"));
  EXPECT_THAT(both.error().message, Not(HasSubstr("s3cret")));
}

TEST(PurgeRelayLogsOptionsTest, ParsesMhaOptionsWithDefaults) {
  auto defaults = parse_purge_relay_logs({});
  ASSERT_TRUE(defaults.has_value()) << defaults.error().message;
  EXPECT_EQ(defaults->options.user, "root");
  EXPECT_EQ(defaults->options.host, "127.0.0.1");
  EXPECT_EQ(defaults->options.port, 3306);
  EXPECT_EQ(defaults->options.workdir, "/var/tmp");
  EXPECT_TRUE(defaults->options.use_hardlink);
  EXPECT_FALSE(defaults->options.disable_relay_log_purge);
  EXPECT_FALSE(defaults->options.password.has_value());

  auto r = parse_purge_relay_logs({"--user=purger", "--password=pw", "--host=localhost",
                                   "--port=3307", "--socket=/run/mysqld/mysqld.sock",
                                   "--defaults_file=/etc/mysql/debian.cnf", "--workdir=/data/tmp",
                                   "--relay_log_info=/data/relay-log.info",
                                   "--disable_relay_log_purge", "--use_hardlink=0"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const PurgeRelayLogsOptions& o = r->options;
  EXPECT_EQ(o.user, "purger");
  EXPECT_EQ(o.password, "pw");
  EXPECT_EQ(o.host, "localhost");
  EXPECT_EQ(o.port, 3307);
  EXPECT_EQ(o.socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(o.defaults_file, "/etc/mysql/debian.cnf");
  EXPECT_EQ(o.workdir, "/data/tmp");
  EXPECT_EQ(o.relay_log_info, "/data/relay-log.info");
  EXPECT_TRUE(o.disable_relay_log_purge);
  EXPECT_FALSE(o.use_hardlink);
}

TEST(PurgeRelayLogsOptionsTest, RefusesUnknownOptionsAndMixedCredentials) {
  EXPECT_EQ(error_of(parse_purge_relay_logs({"--passwd=pw"})), "unknown option --passwd");
  EXPECT_THAT(error_of(parse_purge_relay_logs({"--password=pw", "--credentials_stdin"})),
              HasSubstr("--password cannot be combined"));
}

}  // namespace
}  // namespace mha::node
