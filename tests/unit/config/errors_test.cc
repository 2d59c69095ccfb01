// Every rejected configuration: one kConfig error, one line, "<file>:<line>: ..." naming the key,
// and never a password value.

#include "mha/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <ostream>

#include "config_test_util.h"

namespace mha::config::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct BadFile {
  const char* name;  // test name
  const char* text;  // the application file
  int line;          // expected line in the message
  const char* key;   // expected quoted key ("" when the error is about a section)
  const char* also;  // another expected fragment of the message
};

// Line 1 of every text is "[server1]" unless stated otherwise, so the numbers are easy to check.
const BadFile kBadFiles[] = {
    {"UnknownKeySuggestsNearest", "[server default]\nping_intervall=3\n[server1]\nhostname=a\n", 2,
     "ping_intervall", "did you mean 'ping_interval'?"},
    {"UnknownHyphenatedKeySuggestsNearest", "[server1]\nhostname=a\nssh-usr=root\n", 3, "ssh-usr",
     "did you mean 'ssh_user'?"},
    {"UnknownKeyFarFromAnyNameHasNoSuggestion", "[server1]\nhostname=a\nfrobnicate=1\n", 3,
     "frobnicate", "unknown parameter"},
    {"PingIntervalNotAnInteger", "[server default]\nping_interval=3s\n[server1]\nhostname=a\n", 2,
     "ping_interval", "'3s' is not an integer"},
    {"PingIntervalZero", "[server default]\nping_interval=0\n[server1]\nhostname=a\n", 2,
     "ping_interval", "not a positive integer"},
    {"PingIntervalNegative", "[server default]\nping_interval=-1\n[server1]\nhostname=a\n", 2,
     "ping_interval", "not a positive integer"},
    {"SshConnectionTimeoutZero", "[server1]\nhostname=a\nssh_connection_timeout=0\n", 3,
     "ssh_connection_timeout", "not a positive integer"},
    {"SshConnectionTimeoutNotAnInteger", "[server1]\nhostname=a\nssh_connection_timeout=5.5\n", 3,
     "ssh_connection_timeout", "not an integer"},
    {"PortZero", "[server1]\nhostname=a\nport=0\n", 3, "port", "out of range 1..65535"},
    {"PortTooLarge", "[server1]\nhostname=a\nport=65536\n", 3, "port", "out of range"},
    {"PortNotAnInteger", "[server1]\nhostname=a\nport=mysql\n", 3, "port", "not an integer"},
    {"SshPortOutOfRange", "[server default]\nssh_port=99999\n[server1]\nhostname=a\n", 2,
     "ssh_port", "out of range"},
    {"FlagNotBoolean", "[server1]\nhostname=a\ncandidate_master=2\n", 3, "candidate_master",
     "use 0 or 1"},
    {"AppFlagNotBoolean", "[server default]\nlatest_priority=maybe\n[server1]\nhostname=a\n", 2,
     "latest_priority", "not a boolean"},
    {"UnknownPingType", "[server default]\nping_type=PING\n[server1]\nhostname=a\n", 2, "ping_type",
     "CONNECT, SELECT or INSERT"},
    {"UnknownLogLevel", "[server default]\nlog_level=verbose\n[server1]\nhostname=a\n", 2,
     "log_level", "not a log level"},
    {"MetricsListenWithoutPort",
     "[server default]\nmetrics_listen=0.0.0.0\n[server1]\nhostname=a\n", 2, "metrics_listen",
     "is not host:port"},
    {"MetricsListenPortOutOfRange",
     "[server default]\nmetrics_listen=:70000\n[server1]\nhostname=a\n", 2, "metrics_listen",
     "the port must be a number in 1..65535"},
    {"MetricsListenUnbracketedIpv6",
     "[server default]\nmetrics_listen=::1:9104\n[server1]\nhostname=a\n", 2, "metrics_listen",
     "in brackets"},
    {"MetricsListenInServerBlock", "[server1]\nhostname=a\nmetrics_listen=:9104\n", 3,
     "metrics_listen", "application setting"},
    {"ProbeConfirmedPingsNegative",
     "[server default]\nprobe_confirmed_pings=-1\n[server1]\nhostname=a\n", 2,
     "probe_confirmed_pings", "not 0 or a positive integer"},
    {"PingFailuresThresholdZero",
     "[server default]\nping_failures_threshold=0\n[server1]\nhostname=a\n", 2,
     "ping_failures_threshold", "not a positive integer"},
    {"UnknownReplicaQuorum", "[server default]\nreplica_quorum=most\n[server1]\nhostname=a\n", 2,
     "replica_quorum", "any, majority or all"},
    {"DetectionKeyInServerBlock", "[server1]\nhostname=a\nrefused_pings_required=2\n", 3,
     "refused_pings_required", "application setting"},
    {"HostnameNonAscii", "[server1]\nhostname=ip地址\n", 2, "hostname", "non-ASCII"},
    {"HostnameWithWhitespace", "[server1]\nhostname=db 1\n", 2, "hostname", "whitespace"},
    {"HostnameAnglePlaceholder", "[server1]\nhostname=<ip address>\n", 2, "hostname",
     "expected a host name or IP address"},
    {"EmptyHostname", "[server1]\nhostname=\n", 2, "hostname", "empty"},
    {"IpPlaceholder", "[server1]\nhostname=db1\nip=x.x.x.x (vip)\n", 3, "ip", "whitespace"},
    {"EmptyMasterBinlogDir", "[server1]\nhostname=a\nmaster_binlog_dir= , \n", 3,
     "master_binlog_dir", "empty"},
    {"ServerWithoutHostname", "[server1]\nhostname=a\n\n[server2]\nport=3307\n", 4, "hostname",
     "[server2] has no 'hostname'"},
    {"DuplicateHostPortNamesBothBlocks",
     "[server1]\nhostname=db1\n[server2]\nhostname=db2\n[server3]\nhostname=DB1\n", 5, "",
     "[server3] and [server1] (line 1)"},
    {"DuplicateIpPortViaIp",
     "[server1]\nhostname=db1\nip=10.0.0.1\n[server2]\nhostname=db2\nip=10.0.0.1\n", 4, "",
     "10.0.0.1:3306"},
    {"BinlogWithoutMasterBinlogDir",
     "[server default]\nmaster_binlog_dir=/var/lib/mysql\n[server1]\nhostname=a\n"
     "[binlog1]\nhostname=b\n",
     5, "master_binlog_dir", "[binlog1]"},
    {"BinlogWithoutHostname", "[server1]\nhostname=a\n[binlog1]\nmaster_binlog_dir=/b\n", 3,
     "hostname", "[binlog1]"},
    {"BinlogWithServerOnlyKey", "[server1]\nhostname=a\n[binlog1]\nhostname=b\nport=3306\n", 5,
     "port", "does not apply to a binlog server"},
    {"LocalKeyInServerDefault", "[server default]\ncandidate_master=1\n[server1]\nhostname=a\n", 2,
     "candidate_master", "per-server setting"},
    {"HostnameInServerDefault", "[server default]\nhostname=db1\n[server1]\nhostname=a\n", 2,
     "hostname", "never inherited"},
    {"AppKeyInServerBlock", "[server1]\nhostname=a\n[server2]\nhostname=b\nping_interval=1\n", 5,
     "ping_interval", "is an application setting; put it in [server default]"},
    {"ManagerWorkdirInServerBlock", "[server1]\nhostname=a\nmanager_workdir=/x\n", 3,
     "manager_workdir", "[server1]"},
    {"AppKeyInBinlogBlock", "[server1]\nhostname=a\n[binlog1]\nmanager_log=/x\n", 4, "manager_log",
     "application setting"},
    {"UnknownSection", "[server1]\nhostname=a\n[mysqld]\nport=3306\n", 3, "",
     "section [mysqld] is invalid"},
    {"SectionWithSpace", "[server 1]\nhostname=a\n", 1, "", "cannot contain spaces"},
    {"BareServerSection", "[server]\nhostname=a\n", 1, "", "section [server] is invalid"},
    {"DuplicateSection", "[server1]\nhostname=a\n[server1]\nport=1\n", 3, "",
     "appears twice (first at line 1)"},
    {"DuplicateKey", "[server1]\nhostname=a\nport=1\nport=2\n", 4, "port", "set twice (first at "},
    {"DuplicateKeyDifferentSpelling", "[server1]\nhostname=a\nssh_user=x\nssh-user=y\n", 4,
     "ssh-user", "set twice"},
    {"LineWithoutEquals", "[server1]\nhostname=a\nport 3306\n", 3, "", "expected 'name=value'"},
    {"KeyBeforeAnySection", "hostname=a\n[server1]\nhostname=a\n", 1, "hostname",
     "before any [section]"},
    {"UnclosedSectionHeader", "[server1\nhostname=a\n", 1, "", "without closing ']'"},
    {"TextAfterSectionHeader", "[server1] x\nhostname=a\n", 1, "", "after the section header"},
    {"EmptyKey", "[server1]\n=a\n", 2, "", "missing parameter name"},
};

// Keeps gtest from printing the struct as bytes in test names and failures.
void PrintTo(const BadFile& bad, std::ostream* os) { *os << bad.name; }

class BadFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadFileTest, NamesFileLineAndKey) {
  const BadFile& bad = GetParam();
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", bad.text);

  const auto r = load(options(conf, dir.missing("global.cnf")));

  ASSERT_TRUE(IsConfigErrorAt(r, conf, bad.line, bad.key));
  EXPECT_THAT(r.error().message, HasSubstr(bad.also));
}

INSTANTIATE_TEST_SUITE_P(Config, BadFileTest, ::testing::ValuesIn(kBadFiles),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ConfigErrors, NoServersAtAll) {
  TempDir dir;
  const std::string conf = dir.write("app1.cnf", "[server default]\nuser=root\n");
  const auto r = load(options(conf, ""));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_THAT(r.error().message, HasSubstr(conf + ": no [server...] block"));
}

TEST(ConfigErrors, MissingAppFile) {
  TempDir dir;
  const auto r = load(options(dir.missing("app1.cnf"), ""));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_THAT(r.error().message, HasSubstr(dir.missing("app1.cnf")));
  EXPECT_EQ(r.error().detail, ENOENT);
}

TEST(ConfigErrors, NoConfPathGiven) {
  const auto r = load(LoadOptions{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_THAT(r.error().message, HasSubstr("--conf"));
}

TEST(ConfigErrors, ErrorInTheGlobalFileNamesTheGlobalFile) {
  TempDir dir;
  const std::string global = dir.write("global.cnf", "[server default]\nuser=a\nssh_prot=22\n");
  const std::string conf = dir.write("app1.cnf", "[server1]\nhostname=a\n");
  const auto r = load(options(conf, global));
  ASSERT_TRUE(IsConfigErrorAt(r, global, 3, "ssh_prot"));
  EXPECT_THAT(r.error().message, HasSubstr("did you mean 'ssh_port'?"));
}

TEST(ConfigErrors, LocalKeyInGlobalServerDefault) {
  TempDir dir;
  const std::string global = dir.write("global.cnf", "[server default]\nno_master=1\n");
  const std::string conf = dir.write("app1.cnf", "[server1]\nhostname=a\n");
  const auto r = load(options(conf, global));
  ASSERT_TRUE(IsConfigErrorAt(r, global, 2, "no_master"));
}

// A value overridden by a higher layer is still checked where it is written.
TEST(ConfigErrors, BadValueIsReportedEvenWhenOverridden) {
  TempDir dir;
  const std::string conf =
      dir.write("app1.cnf", "[server default]\nport=x\n[server1]\nhostname=a\nport=3306\n");
  const auto r = load(options(conf, ""));
  ASSERT_TRUE(IsConfigErrorAt(r, conf, 2, "port"));
}

TEST(ConfigErrors, PasswordValuesNeverAppear) {
  TempDir dir;
  for (const char* text : {"[server1]\nhostname=a\npassword=\"Sup3rSecret\n",
                           "[server1]\nhostname=a\nrepl_password='Sup3rSecret' trailing\n",
                           "[server1]\nhostname=a\n[binlog1]\nhostname=b\npassword=Sup3rSecret\n",
                           "[server default]\npassword Sup3rSecret\n[server1]\nhostname=a\n"}) {
    SCOPED_TRACE(text);
    const std::string conf = dir.write("app1.cnf", text);
    const auto r = load(options(conf, ""));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kConfig);
    EXPECT_THAT(r.error().message, HasSubstr(conf + ":"));
    EXPECT_THAT(r.error().message, Not(HasSubstr("Sup3rSecret")));
  }
}

class InitScriptErrors : public ::testing::Test {
 protected:
  Result<AppConfig> load_with_output(Result<std::string> output) {
    conf_ = dir_.write("app1.cnf",
                       "[server default]\ninit_conf_load_script=/opt/vault/load\n"
                       "[server1]\nhostname=a\n");
    LoadOptions o = options(conf_, "");
    o.script_runner = [output](const std::string&) { return output; };
    return load(o);
  }
  TempDir dir_;
  std::string conf_;
};

TEST_F(InitScriptErrors, LineWithoutEqualsNamesScriptAndLineButNotTheText) {
  const auto r = load_with_output(std::string("user=mha\npassword Sup3rSecret\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_THAT(r.error().message,
              HasSubstr("init_conf_load_script '/opt/vault/load', output line 2: "));
  EXPECT_THAT(r.error().message, Not(HasSubstr("Sup3rSecret")));
}

TEST_F(InitScriptErrors, UnknownKeyInOutput) {
  const auto r = load_with_output(std::string("pasword=x\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message,
              HasSubstr("'/opt/vault/load', output line 1: unknown parameter 'pasword'"));
  EXPECT_THAT(r.error().message, HasSubstr("did you mean 'password'?"));
}

TEST_F(InitScriptErrors, LocalKeyInOutput) {
  const auto r = load_with_output(std::string("candidate_master=1\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("output line 1: 'candidate_master'"));
}

TEST_F(InitScriptErrors, BadValueInOutput) {
  const auto r = load_with_output(std::string("\nping_interval=often\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("output line 2: invalid value for 'ping_interval'"));
}

TEST_F(InitScriptErrors, ScriptCannotSetItself) {
  const auto r = load_with_output(std::string("init_conf_load_script=/tmp/other\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("cannot set 'init_conf_load_script'"));
}

TEST_F(InitScriptErrors, RunnerFailureNamesTheConfigLine) {
  const auto r = load_with_output(Unexpected(make_error(ErrorCode::kIo, "exit status 3", 3)));
  ASSERT_TRUE(IsConfigErrorAt(r, conf_, 2, "/opt/vault/load"));
  EXPECT_THAT(r.error().message, HasSubstr("failed: exit status 3"));
  EXPECT_EQ(r.error().detail, 3);
}

TEST(ConfigErrors, InitScriptWithoutRunner) {
  TempDir dir;
  const std::string conf =
      dir.write("app1.cnf",
                "[server default]\ninit_conf_load_script=/opt/vault/load\n[server1]\nhostname=a\n");
  const auto r = load(options(conf, ""));
  ASSERT_TRUE(IsConfigErrorAt(r, conf, 2, "/opt/vault/load"));
}

}  // namespace
}  // namespace mha::config::test
