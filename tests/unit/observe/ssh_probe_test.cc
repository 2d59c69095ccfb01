#include "mha/observe/ssh_probe.h"

#include "mha/node/version.h"

#include <libssh2.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "unit/ssh/fake_remote_exec.h"

namespace mha::observe {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kVersionCommand(kNodeVersionCommand);

config::ServerConfig server(int n) {
  config::ServerConfig s;
  s.block = "server" + std::to_string(n);
  s.hostname = "db" + std::to_string(n);
  s.ip = "10.0.0." + std::to_string(10 + n);
  s.ssh_host = s.hostname;
  s.ssh_ip = s.ip;
  s.ssh_user = "root";
  s.ssh_options = "-i /keys/id_ed25519 -o UserKnownHostsFile=/keys/known_hosts";
  return s;
}

config::AppConfig three_servers() {
  config::AppConfig c;
  c.app_name = "app1";
  for (int i = 1; i <= 3; ++i) c.servers.push_back(server(i));
  return c;
}

ssh::ExecResult exited(int code, std::string out = "", std::string err = "") {
  ssh::ExecResult r;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

ssh::ExecResult version_answer(int protocol = node::kProtocolVersion,
                               const std::string& version = "0.1.0") {
  return exited(0, R"({"name":"masterha_node","version":")" + version + R"(","protocol":)" +
                       std::to_string(protocol) + "}\n");
}

Error error(ErrorCode code, int detail, const std::string& message = "failed") {
  return make_error(code, message, detail);
}

SshProbeOptions options(bool mesh = false) {
  SshProbeOptions o;
  o.mesh = mesh;
  o.home = "/home/mha";
  return o;
}

// --- classification ----------------------------------------------------------------------------

TEST(ClassifySshError, ByCodeAndNumber) {
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kConnect, ECONNREFUSED)), SshFailure::kRefused);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kTimeout, ETIMEDOUT)), SshFailure::kTimeout);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kTimeout, LIBSSH2_ERROR_TIMEOUT)),
            SshFailure::kTimeout);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kConnect, ETIMEDOUT)), SshFailure::kTimeout);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kConnect, EHOSTUNREACH)), SshFailure::kUnreachable);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kConnect, ENETUNREACH)), SshFailure::kUnreachable);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kConnect, -2)), SshFailure::kUnreachable);  // DNS
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kConnect, ECONNRESET)), SshFailure::kOther);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kAuth, LIBSSH2_ERROR_AUTHENTICATION_FAILED)),
            SshFailure::kAuth);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kHostKey, LIBSSH2_KNOWNHOST_CHECK_MISMATCH)),
            SshFailure::kHostKeyMismatch);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kHostKey, 0)), SshFailure::kHostKeyUnknown);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kHostKey, LIBSSH2_KNOWNHOST_CHECK_FAILURE)),
            SshFailure::kOther);
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kSsh, LIBSSH2_ERROR_SOCKET_DISCONNECT)),
            SshFailure::kOther);
}

TEST(ClassifySshError, IgnoresMessageText) {
  EXPECT_EQ(classify_ssh_error(error(ErrorCode::kSsh, 0, "Connection refused")),
            SshFailure::kOther);
}

TEST(SshFailureName, Stable) {
  EXPECT_STREQ(ssh_failure_name(SshFailure::kRefused), "refused");
  EXPECT_STREQ(ssh_failure_name(SshFailure::kTimeout), "timeout");
  EXPECT_STREQ(ssh_failure_name(SshFailure::kUnreachable), "unreachable");
  EXPECT_STREQ(ssh_failure_name(SshFailure::kAuth), "auth");
  EXPECT_STREQ(ssh_failure_name(SshFailure::kHostKeyUnknown), "host key unknown");
  EXPECT_STREQ(ssh_failure_name(SshFailure::kHostKeyMismatch), "host key mismatch");
  EXPECT_STREQ(ssh_failure_name(SshFailure::kOther), "other");
}

// stderr texts as OpenSSH 9.2 prints them in batch mode.
TEST(ClassifySshClient, OpenSshMessages) {
  EXPECT_EQ(classify_ssh_client(exited(0)), std::nullopt);
  EXPECT_EQ(classify_ssh_client(
                exited(255, "", "ssh: connect to host 10.0.0.12 port 22: Connection refused\r\n")),
            SshFailure::kRefused);
  EXPECT_EQ(classify_ssh_client(exited(
                255, "", "ssh: connect to host 10.0.0.12 port 22: Connection timed out\r\n")),
            SshFailure::kTimeout);
  EXPECT_EQ(classify_ssh_client(exited(255, "", "Connection timed out during banner exchange\r\n")),
            SshFailure::kTimeout);
  EXPECT_EQ(classify_ssh_client(
                exited(255, "", "ssh: connect to host 10.0.0.12 port 22: No route to host\r\n")),
            SshFailure::kUnreachable);
  EXPECT_EQ(classify_ssh_client(exited(
                255, "", "ssh: Could not resolve hostname dbx: Name or service not known\r\n")),
            SshFailure::kUnreachable);
  EXPECT_EQ(
      classify_ssh_client(exited(255, "", "root@10.0.0.12: Permission denied (publickey).\r\n")),
      SshFailure::kAuth);
  EXPECT_EQ(classify_ssh_client(
                exited(255, "",
                       "No ED25519 host key is known for 10.0.0.12 and you have requested strict "
                       "checking.\r\nHost key verification failed.\r\n")),
            SshFailure::kHostKeyUnknown);
  EXPECT_EQ(classify_ssh_client(exited(
                255, "",
                "@@@@@@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n"
                "Host key for 10.0.0.12 has changed and you have requested strict checking.\r\n"
                "Host key verification failed.\r\n")),
            SshFailure::kHostKeyMismatch);
  EXPECT_EQ(classify_ssh_client(exited(255, "",
                                       "kex_exchange_identification: read: Connection "
                                       "reset by peer\r\n")),
            SshFailure::kOther);
  // Not ssh's own failure: the remote side answered with another status.
  EXPECT_EQ(classify_ssh_client(exited(1, "", "Permission denied")), SshFailure::kOther);
}

// --- settings ----------------------------------------------------------------------------------

TEST(SshSettings, FromServerBlock) {
  auto s = ssh_settings(server(2), "/home/mha");
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  EXPECT_EQ(s->target.host, "db2");
  EXPECT_EQ(s->target.address, "10.0.0.12");
  EXPECT_EQ(s->target.port, 22);
  EXPECT_EQ(s->target.user, "root");
  EXPECT_THAT(s->auth.identity_files, ElementsAre("/keys/id_ed25519"));
  EXPECT_EQ(s->auth.known_hosts_file, "/keys/known_hosts");
  EXPECT_EQ(s->timeouts.connect, 5000ms);
  EXPECT_THAT(s->option_words,
              ElementsAre("-i", "/keys/id_ed25519", "-o", "UserKnownHostsFile=/keys/known_hosts"));
}

TEST(SshSettings, DefaultKeysUnderHomeAndConfiguredTimeout) {
  auto cfg = server(1);
  cfg.ssh_options = "";
  cfg.ssh_port = 2222;
  cfg.ssh_user = "mha";
  cfg.ssh_connection_timeout = 3;
  auto s = ssh_settings(cfg, "/home/mha");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->target.port, 2222);
  EXPECT_EQ(s->target.user, "mha");
  EXPECT_EQ(s->timeouts.connect, 3000ms);
  EXPECT_EQ(s->auth.known_hosts_file, "/home/mha/.ssh/known_hosts");
  EXPECT_THAT(
      s->auth.identity_files,
      ElementsAre("/home/mha/.ssh/id_ed25519", "/home/mha/.ssh/id_ecdsa", "/home/mha/.ssh/id_rsa"));
  EXPECT_TRUE(s->option_words.empty());
}

TEST(SshSettings, OptionsWinOverSettings) {
  auto cfg = server(1);
  cfg.ssh_options = "-p 2200 -l admin -o ConnectTimeout=7 -C";
  auto s = ssh_settings(cfg, "/home/mha");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->target.port, 2200);
  EXPECT_EQ(s->target.user, "admin");
  EXPECT_EQ(s->timeouts.connect, 7000ms);
  EXPECT_FALSE(s->warnings.empty());  // -C is ignored, and said so
}

TEST(SshSettings, MalformedOptionsNameTheBlock) {
  auto cfg = server(3);
  cfg.ssh_options = "-i";
  auto s = ssh_settings(cfg, "/home/mha");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kConfig);
  EXPECT_THAT(s.error().message, HasSubstr("[server3] ssh_options"));
}

TEST(MeshCommand, QuotesEveryWord) {
  auto cfg = server(2);
  cfg.ssh_options = "-i '/keys/my key' -o \"UserKnownHostsFile /k/it's\"";
  cfg.ssh_connection_timeout = 4;
  auto s = ssh_settings(cfg, "/home/mha");
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  EXPECT_EQ(mesh_command(*s),
            "ssh -o BatchMode=yes -o ConnectTimeout=4 '-i' '/keys/my key' '-o' "
            "'UserKnownHostsFile /k/it'\\''s' -p 22 'root@10.0.0.12' exit 0");
}

// --- probe -------------------------------------------------------------------------------------

// Records which auth and timeouts each server was probed with.
class RecordingSource final : public ExecSource {
 public:
  explicit RecordingSource(ssh::RemoteExec& exec) : exec_(exec) {}
  ssh::RemoteExec& exec_for(const ssh::SshAuth& auth, const ssh::SshTimeouts& timeouts) override {
    std::lock_guard lock(mu_);
    known_hosts_.insert(auth.known_hosts_file);
    connect_timeouts_.insert(timeouts.connect);
    return exec_;
  }
  std::set<std::string> known_hosts() const {
    std::lock_guard lock(mu_);
    return known_hosts_;
  }
  std::set<std::chrono::milliseconds> connect_timeouts() const {
    std::lock_guard lock(mu_);
    return connect_timeouts_;
  }

 private:
  ssh::RemoteExec& exec_;
  mutable std::mutex mu_;
  std::set<std::string> known_hosts_;
  std::set<std::chrono::milliseconds> connect_timeouts_;
};

TEST(ProbeSsh, AllReachableWithCompatibleHelper) {
  ssh::FakeRemoteExec fake;
  for (const char* h : {"db1", "db2", "db3"}) fake.on(h, kVersionCommand, version_answer());
  SingleExecSource source(fake);
  auto report = probe_ssh(three_servers(), source, options());
  ASSERT_EQ(report.servers.size(), 3u);
  EXPECT_TRUE(report.ok());
  for (const auto& s : report.servers) {
    EXPECT_TRUE(s.reachable()) << s.hostname;
    EXPECT_EQ(s.manager_path.from, "manager");
    EXPECT_EQ(s.node_helper.state, NodeHelperState::kOk);
    EXPECT_EQ(s.node_helper.version, "0.1.0");
    EXPECT_EQ(s.node_helper.protocol, node::kProtocolVersion);
    EXPECT_EQ(s.ssh_reachable(), std::optional<bool>(true));
    ASSERT_TRUE(s.node_helper_probe().has_value());
    EXPECT_TRUE(s.node_helper_probe()->installed);
    EXPECT_EQ(s.node_helper_probe()->version, "0.1.0");
    EXPECT_TRUE(s.mesh.empty());
  }
  EXPECT_EQ(report.servers[1].label, "root@db2(10.0.0.12:22)");
  EXPECT_EQ(report.servers[1].manager_path.to, "root@db2(10.0.0.12:22)");
  EXPECT_EQ(fake.calls().size(), 3u);  // one command per host, nothing else
}

TEST(ProbeSsh, SkippedServerIsNotContacted) {
  auto config = three_servers();
  config.servers[2].skip_init_ssh_check = true;
  ssh::FakeRemoteExec fake;
  for (const char* h : {"db1", "db2"}) fake.on(h, kVersionCommand, version_answer());
  fake.on_any([](const ssh::FakeRemoteExec::Call&) -> Result<ssh::ExecResult> {
    return exited(0);  // mesh paths
  });
  SingleExecSource source(fake);
  auto report = probe_ssh(config, source, options(/*mesh=*/true));
  EXPECT_TRUE(report.ok());
  EXPECT_TRUE(report.servers[2].skipped);
  EXPECT_TRUE(report.servers[2].ok());
  EXPECT_EQ(report.servers[2].ssh_reachable(), std::nullopt);
  EXPECT_EQ(report.servers[2].node_helper_probe(), std::nullopt);
  EXPECT_EQ(fake.calls().size(), 4u);  // db1, db2, db1->db2, db2->db1
  for (const auto& call : fake.calls()) {
    EXPECT_NE(call.host, "db3");
    EXPECT_THAT(call.command, ::testing::Not(HasSubstr("10.0.0.13")));  // not a mesh target
  }
}

TEST(ProbeSsh, ConnectionFailuresAreClassifiedPerServer) {
  ssh::FakeRemoteExec fake;
  fake.on("db1", kVersionCommand, version_answer());
  fake.on("db2", kVersionCommand,
          Unexpected(make_error(ErrorCode::kAuth, "no key accepted by root@db2",
                                LIBSSH2_ERROR_AUTHENTICATION_FAILED)));
  fake.on("db3", kVersionCommand,
          Unexpected(make_error(ErrorCode::kConnect, "connecting: refused", ECONNREFUSED)));
  SingleExecSource source(fake);
  auto report = probe_ssh(three_servers(), source, options(/*mesh=*/true));
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(report.servers[0].manager_path.ok);
  const auto& db2 = report.servers[1];
  EXPECT_FALSE(db2.reachable());
  EXPECT_EQ(db2.manager_path.failure, SshFailure::kAuth);
  EXPECT_EQ(db2.manager_path.message, "no key accepted by root@db2");
  EXPECT_EQ(db2.node_helper.state, NodeHelperState::kNotChecked);
  EXPECT_EQ(db2.ssh_reachable(), std::optional<bool>(false));
  EXPECT_EQ(db2.node_helper_probe(), std::nullopt);
  EXPECT_TRUE(db2.mesh.empty());  // no mesh from a host we cannot reach
  EXPECT_EQ(report.servers[2].manager_path.failure, SshFailure::kRefused);
}

TEST(ProbeSsh, MissingHelperNamesItAndTheHost) {
  ssh::FakeRemoteExec fake;
  fake.on("db1", kVersionCommand, version_answer());
  fake.on("db2", kVersionCommand, exited(127, "", "bash: masterha_node: command not found\n"));
  fake.on("db3", kVersionCommand, version_answer());
  SingleExecSource source(fake);
  auto report = probe_ssh(three_servers(), source, options());
  EXPECT_FALSE(report.ok());
  const auto& db2 = report.servers[1];
  EXPECT_TRUE(db2.reachable());
  EXPECT_FALSE(db2.ok());
  EXPECT_EQ(db2.node_helper.state, NodeHelperState::kMissing);
  EXPECT_THAT(db2.node_helper.message,
              HasSubstr("node helper masterha_node not found on db2 (install the masterha-node "
                        "package"));
  ASSERT_TRUE(db2.node_helper_probe().has_value());
  EXPECT_FALSE(db2.node_helper_probe()->installed);
  EXPECT_TRUE(report.servers[0].ok());
}

TEST(ProbeSsh, IncompatibleHelperSaysBothVersions) {
  ssh::FakeRemoteExec fake;
  for (const char* h : {"db1", "db3"}) fake.on(h, kVersionCommand, version_answer());
  fake.on("db2", kVersionCommand, version_answer(node::kProtocolVersion + 1, "9.9.9"));
  SingleExecSource source(fake);
  auto report = probe_ssh(three_servers(), source, options());
  const auto& db2 = report.servers[1];
  EXPECT_EQ(db2.node_helper.state, NodeHelperState::kIncompatible);
  EXPECT_EQ(db2.node_helper.version, "9.9.9");
  EXPECT_THAT(db2.node_helper.message, HasSubstr("masterha_node 9.9.9 (protocol " +
                                                 std::to_string(node::kProtocolVersion + 1)));
  EXPECT_THAT(db2.node_helper.message, HasSubstr(std::string(MHA_VERSION) + " (protocol " +
                                                 std::to_string(node::kProtocolVersion) + ")"));
  EXPECT_FALSE(report.ok());
  ASSERT_TRUE(db2.node_helper_probe().has_value());
  EXPECT_FALSE(db2.node_helper_probe()->installed);
  EXPECT_EQ(db2.node_helper_probe()->version, "9.9.9");
}

TEST(ProbeSsh, UnreadableOrFailingHelperIsBroken) {
  ssh::FakeRemoteExec fake;
  fake.on("db1", kVersionCommand, exited(0, "masterha_node version 0.1.0.\n"));
  fake.on("db2", kVersionCommand, exited(2, "", "masterha_node: unknown command version\n"));
  // rc-file noise before the JSON line is tolerated.
  fake.on("db3", kVersionCommand, exited(0, "welcome to db3\n" + version_answer().out));
  SingleExecSource source(fake);
  auto report = probe_ssh(three_servers(), source, options());
  EXPECT_EQ(report.servers[0].node_helper.state, NodeHelperState::kBroken);
  EXPECT_THAT(report.servers[0].node_helper.message, HasSubstr("unreadable version"));
  EXPECT_EQ(report.servers[1].node_helper.state, NodeHelperState::kBroken);
  EXPECT_THAT(report.servers[1].node_helper.message,
              HasSubstr("(exit 2): masterha_node: unknown command version"));
  EXPECT_EQ(report.servers[2].node_helper.state, NodeHelperState::kOk);
}

TEST(ProbeSsh, MalformedSshOptionsFailThatServerOnly) {
  auto config = three_servers();
  config.servers[1].ssh_options = "-o 'unterminated";
  ssh::FakeRemoteExec fake;
  for (const char* h : {"db1", "db3"}) fake.on(h, kVersionCommand, version_answer());
  SingleExecSource source(fake);
  auto report = probe_ssh(config, source, options());
  EXPECT_TRUE(report.servers[0].ok());
  EXPECT_FALSE(report.servers[1].ok());
  EXPECT_EQ(report.servers[1].manager_path.failure, SshFailure::kOther);
  EXPECT_THAT(report.servers[1].manager_path.message, HasSubstr("[server2] ssh_options"));
  EXPECT_TRUE(report.servers[2].ok());
}

TEST(ProbeSsh, EachServerUsesItsOwnAuthAndTimeout) {
  auto config = three_servers();
  config.servers[1].ssh_options = "-o UserKnownHostsFile=/other/known_hosts";
  config.servers[1].ssh_connection_timeout = 2;
  ssh::FakeRemoteExec fake;
  for (const char* h : {"db1", "db2", "db3"}) fake.on(h, kVersionCommand, version_answer());
  RecordingSource source(fake);
  auto report = probe_ssh(config, source, options());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(source.known_hosts(),
            (std::set<std::string>{"/keys/known_hosts", "/other/known_hosts"}));
  EXPECT_EQ(source.connect_timeouts(), (std::set<std::chrono::milliseconds>{2000ms, 5000ms}));
}

TEST(ProbeSsh, ServersAreProbedInParallel) {
  // Each host's answer waits until all three hosts have been asked. Probed one after another,
  // the first would wait out the deadline and the test would fail.
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  bool all_together = true;
  // Not FakeRemoteExec: it holds its mutex while answering, which would serialise the callers.
  class BarrierExec final : public ssh::RemoteExec {
   public:
    BarrierExec(std::mutex& mu, std::condition_variable& cv, int& arrived, bool& together)
        : mu_(mu), cv_(cv), arrived_(arrived), together_(together) {}
    Result<ssh::ExecResult> run(const ssh::SshTarget&, std::string_view, std::string_view,
                                std::chrono::milliseconds) override {
      std::unique_lock lock(mu_);
      ++arrived_;
      cv_.notify_all();
      if (!cv_.wait_for(lock, 5s, [&] { return arrived_ >= 3; })) together_ = false;
      return version_answer();
    }
    Status upload(const ssh::SshTarget&, const std::string&, const std::string&, int) override {
      return ok_status();
    }
    Status download(const ssh::SshTarget&, const std::string&, const std::string&) override {
      return ok_status();
    }

   private:
    std::mutex& mu_;
    std::condition_variable& cv_;
    int& arrived_;
    bool& together_;
  };
  BarrierExec exec(mu, cv, arrived, all_together);
  SingleExecSource source(exec);
  auto report = probe_ssh(three_servers(), source, options());
  EXPECT_TRUE(all_together);
  EXPECT_TRUE(report.ok());
}

TEST(ProbeSsh, MeshRunsOpenSshFromEachHostToEveryOther) {
  ssh::FakeRemoteExec fake;
  for (const char* h : {"db1", "db2", "db3"}) fake.on(h, kVersionCommand, version_answer());
  fake.on_any([](const ssh::FakeRemoteExec::Call& call) -> Result<ssh::ExecResult> {
    if (call.command.rfind("ssh -o BatchMode=yes", 0) != 0) {
      return Unexpected(make_error(ErrorCode::kInternal, "unexpected " + call.command));
    }
    if (call.host == "db1" && call.command.find("'root@10.0.0.12'") != std::string::npos) {
      return exited(255, "", "root@10.0.0.12: Permission denied (publickey).\r\n");
    }
    if (call.host == "db3" && call.command.find("'root@10.0.0.11'") != std::string::npos) {
      return exited(255, "", "ssh: connect to host 10.0.0.11 port 22: Connection timed out\r\n");
    }
    return exited(0);
  });
  SingleExecSource source(fake);
  auto report = probe_ssh(three_servers(), source, options(/*mesh=*/true));
  EXPECT_FALSE(report.ok());
  ASSERT_EQ(report.servers[0].mesh.size(), 2u);
  const auto& db1_db2 = report.servers[0].mesh[0];
  EXPECT_EQ(db1_db2.from, "root@db1(10.0.0.11:22)");
  EXPECT_EQ(db1_db2.to, "root@db2(10.0.0.12:22)");
  EXPECT_FALSE(db1_db2.ok);
  EXPECT_EQ(db1_db2.failure, SshFailure::kAuth);
  EXPECT_EQ(db1_db2.message, "root@10.0.0.12: Permission denied (publickey).");
  EXPECT_TRUE(report.servers[0].mesh[1].ok);
  EXPECT_EQ(report.servers[0].mesh[1].to, "root@db3(10.0.0.13:22)");
  ASSERT_EQ(report.servers[1].mesh.size(), 2u);
  EXPECT_TRUE(report.servers[1].ok());
  ASSERT_EQ(report.servers[2].mesh.size(), 2u);
  EXPECT_EQ(report.servers[2].mesh[0].failure, SshFailure::kTimeout);
  // The manager paths were fine: mesh failures do not make a host unreachable.
  for (const auto& s : report.servers) EXPECT_TRUE(s.reachable());
  // 3 version commands + 6 mesh paths.
  EXPECT_EQ(fake.calls().size(), 9u);
}

TEST(ProbeSsh, MeshFailsWhenTheSourceCannotRunSsh) {
  ssh::FakeRemoteExec fake;
  for (const char* h : {"db1", "db2"}) fake.on(h, kVersionCommand, version_answer());
  fake.on_any([](const ssh::FakeRemoteExec::Call&) -> Result<ssh::ExecResult> {
    return exited(127, "", "sh: 1: ssh: not found\n");
  });
  auto config = three_servers();
  config.servers.pop_back();
  SingleExecSource source(fake);
  auto report = probe_ssh(config, source, options(/*mesh=*/true));
  ASSERT_EQ(report.servers[0].mesh.size(), 1u);
  EXPECT_EQ(report.servers[0].mesh[0].failure, SshFailure::kOther);
  EXPECT_EQ(report.servers[0].mesh[0].message, "no ssh client on the source host");
  EXPECT_FALSE(report.ok());
}

}  // namespace
}  // namespace mha::observe
