#pragma once

// FakeRemoteExec: a scripted RemoteExec for unit tests of modules that run commands on database
// hosts. Header-only; include "unit/ssh/fake_remote_exec.h" (tests/ is on the include path).
//
//   FakeRemoteExec ssh;
//   ssh.on("db1", "mha_node --version", ExecResult{0, "", "0.1.0\n", ""});
//   ssh.on_any([](const auto& call) -> Result<ExecResult> { ... });  // fallback
//   ... code under test calls ssh.run(...) ...
//   EXPECT_EQ(ssh.calls()[0].stdin_data, "password\n");
//
// An unscripted command fails with kInternal "unexpected command", so a test notices it. Remote
// files live in a map: upload() stores the local file's bytes, download() writes them back.
// Thread-safe (one mutex), so it can stand in for SessionPool under concurrent callers.

#include "mha/ssh/remote_exec.h"

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace mha::ssh {

class FakeRemoteExec : public RemoteExec {
 public:
  struct Call {
    std::string host;
    std::string command;
    std::string stdin_data;
    std::chrono::milliseconds timeout{0};
  };
  using Handler = std::function<Result<ExecResult>(const Call&)>;

  // Scripts the answer for `command` on `host`; later calls for the same pair replace it.
  void on(const std::string& host, const std::string& command, Result<ExecResult> answer) {
    std::lock_guard lock(mu_);
    scripted_.insert_or_assign({host, command}, std::move(answer));
  }
  // Answers every command without a scripted answer.
  void on_any(Handler handler) {
    std::lock_guard lock(mu_);
    fallback_ = std::move(handler);
  }

  Result<ExecResult> run(const SshTarget& target, std::string_view command,
                         std::string_view stdin_data, std::chrono::milliseconds timeout) override {
    std::lock_guard lock(mu_);
    Call call{target.host, std::string(command), std::string(stdin_data), timeout};
    calls_.push_back(call);
    if (auto it = scripted_.find({call.host, call.command}); it != scripted_.end()) {
      return it->second;
    }
    if (fallback_) return fallback_(call);
    return Unexpected(make_error(ErrorCode::kInternal,
                                 "unexpected command on " + call.host + ": " + call.command));
  }

  Status upload(const SshTarget& target, const std::string& local_path,
                const std::string& remote_path, int) override {
    std::ifstream in(local_path, std::ios::binary);
    if (!in) return Unexpected(make_error(ErrorCode::kNotFound, "no local file " + local_path));
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::lock_guard lock(mu_);
    files_[{target.host, remote_path}] = bytes.str();
    return ok_status();
  }

  Status download(const SshTarget& target, const std::string& remote_path,
                  const std::string& local_path) override {
    std::lock_guard lock(mu_);
    auto it = files_.find({target.host, remote_path});
    if (it == files_.end()) {
      return Unexpected(
          make_error(ErrorCode::kIo, "no remote file " + target.host + ":" + remote_path));
    }
    std::ofstream out(local_path, std::ios::binary | std::ios::trunc);
    out << it->second;
    if (!out) return Unexpected(make_error(ErrorCode::kIo, "cannot write " + local_path));
    return ok_status();
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Remote files keyed by (host, path): seed them before a download, inspect after an upload.
  void put_file(const std::string& host, const std::string& path, std::string bytes) {
    std::lock_guard lock(mu_);
    files_[{host, path}] = std::move(bytes);
  }
  std::optional<std::string> file(const std::string& host, const std::string& path) const {
    std::lock_guard lock(mu_);
    auto it = files_.find({host, path});
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Result<ExecResult>> scripted_;
  Handler fallback_;
  std::vector<Call> calls_;
  std::map<std::pair<std::string, std::string>, std::string> files_;
};

}  // namespace mha::ssh
