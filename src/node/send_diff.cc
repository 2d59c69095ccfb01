#include "mha/node/send_diff.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <ostream>
#include <utility>

#include "mysql_client.h"

namespace mha::node {
namespace {

namespace fs = std::filesystem;

Unexpected bad(const std::string& message) {
  return Unexpected(make_error(ErrorCode::kConfig, message));
}

bool all_of_chars(const std::string& s, const std::string& extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string::npos;
  });
}

std::string destination(const SendTarget& t) {
  // scp needs brackets around an IPv6 address; ssh accepts them too.
  const std::string host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
  return t.user + "@" + host;
}

// Our defaults come after the operator's options: ssh and scp keep the first value of each.
void add_defaults(std::vector<std::string>& argv) {
  for (const char* o : {"BatchMode=yes", "ConnectTimeout=10"}) {
    argv.emplace_back("-o");
    argv.emplace_back(o);
  }
}

std::string describe_failure(const std::string& step, const hooks::ProcessResult& r) {
  std::string why = step + " " + r.describe();
  const std::string reason = internal::last_line(r.err);
  if (!reason.empty()) why += ": " + reason;
  return why;
}

}  // namespace

Result<std::vector<std::string>> split_ssh_options(const std::string& options) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < options.size(); ++i) {
    const char c = options[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < options.size() &&
                 (options[i + 1] == '"' || options[i + 1] == '\\')) {
        word += options[++i];
      } else {
        word += c;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\' && i + 1 < options.size()) {
      word += options[++i];
    } else {
      word += c;
    }
  }
  if (quote != 0) return bad("--ssh_options has an unterminated quote");
  if (in_word) words.push_back(std::move(word));
  return words;
}

Status check_send_target(const SendTarget& t) {
  if (t.host.empty() || t.host.front() == '-' || !all_of_chars(t.host, ".-_:")) {
    return bad("--scp_host must be a host name or address (letters, digits, '.', '-', '_', ':')");
  }
  if (t.user.empty() || t.user.front() == '-' || !all_of_chars(t.user, ".-_")) {
    return bad("--scp_user must be a user name (letters, digits, '.', '-', '_')");
  }
  if (t.port < 1 || t.port > 65535) return bad("--scp_port must be 1..65535");
  if (t.remote_path.empty() || t.remote_path.front() != '/' ||
      !all_of_chars(t.remote_path, "._/+,=@%-") || t.remote_path.back() == '/') {
    return bad(
        "the file to send to --scp_host must be an absolute file path of letters, digits "
        "and ._/+,=@%- (it passes through the remote shell)");
  }
  return ok_status();
}

std::vector<std::string> ssh_argv(const SendTarget& t, const std::vector<std::string>& options,
                                  const std::string& remote_command) {
  std::vector<std::string> argv = {"ssh"};
  argv.insert(argv.end(), options.begin(), options.end());
  add_defaults(argv);
  argv.insert(argv.end(), {"-p", std::to_string(t.port), destination(t), remote_command});
  return argv;
}

std::vector<std::string> scp_argv(const SendTarget& t, const std::vector<std::string>& options,
                                  const std::string& local_path) {
  std::vector<std::string> argv = {"scp"};
  argv.insert(argv.end(), options.begin(), options.end());
  add_defaults(argv);
  argv.insert(argv.end(), {"-q", "-P", std::to_string(t.port), "--", local_path,
                           destination(t) + ":" + t.remote_path});
  return argv;
}

std::string parse_sha256sum(const std::string& out) {
  if (out.size() < 64) return "";
  const std::string hex = out.substr(0, 64);
  if (!all_of_chars(hex, "") || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return "";
  }
  if (out.size() > 64 && out[64] != ' ') return "";
  return hex;
}

Result<SendSummary> send_file(const std::string& local_path, const SendTarget& t,
                              hooks::ProcessRunner& runner, std::ostream& log) {
  MHA_TRY(check_send_target(t));
  auto options = split_ssh_options(t.ssh_options);
  if (!options) return Unexpected(std::move(options).error());
  std::error_code ec;
  const uint64_t size = fs::file_size(local_path, ec);
  if (ec) {
    return Unexpected(
        make_error(ErrorCode::kIo, local_path + ": cannot read: " + ec.message(), ec.value()));
  }

  hooks::ProcessSpec local;
  local.argv = {"sha256sum", "--", local_path};
  local.timeout = std::chrono::milliseconds(60'000 + size / 50'000);  // >= 50 MB/s
  auto summed = runner.run(local);
  if (!summed) return Unexpected(std::move(summed).error());
  SendSummary s;
  s.sha256 = parse_sha256sum(summed->out);
  if (!summed->success() || s.sha256.empty()) {
    return Unexpected(
        make_error(ErrorCode::kIo, describe_failure("sha256sum " + local_path, *summed)));
  }

  const std::string dir = fs::path(t.remote_path).parent_path().string();
  const std::string where = destination(t) + ":" + std::to_string(t.port) + ":" + t.remote_path;
  std::string last_error;
  for (int attempt = 1; attempt <= kSendTries; ++attempt) {
    auto step = [&](const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                    const std::string& name) -> Result<hooks::ProcessResult> {
      hooks::ProcessSpec spec;
      spec.argv = argv;
      spec.timeout = timeout;
      auto r = runner.run(spec);
      if (!r) return Unexpected(std::move(r).error());
      if (!r->success()) return Unexpected(make_error(ErrorCode::kIo, describe_failure(name, *r)));
      return r;
    };
    auto mkdir = step(ssh_argv(t, *options, "mkdir -p -- " + shell_quote(dir)), kSshCallTimeout,
                      "ssh mkdir -p " + dir);
    if (!mkdir) {
      last_error = mkdir.error().message;
      log << "  Try " << attempt << "/" << kSendTries << ": " << last_error << "\n";
      continue;
    }
    // Generous for the copy itself: 1 s per MB on top of the fixed part.
    const auto copy_timeout = std::chrono::milliseconds(120'000 + size / 1000);
    auto copied = step(scp_argv(t, *options, local_path), copy_timeout, "scp");
    if (!copied) {
      last_error = copied.error().message;
      log << "  Try " << attempt << "/" << kSendTries << ": " << last_error << "\n";
      continue;
    }
    auto remote = step(
        ssh_argv(t, *options, "sha256sum -- " + shell_quote(t.remote_path)),
        std::chrono::milliseconds(kSshCallTimeout.count() + static_cast<int64_t>(size / 50'000)),
        "ssh sha256sum");
    if (!remote) {
      last_error = remote.error().message;
      log << "  Try " << attempt << "/" << kSendTries << ": " << last_error << "\n";
      continue;
    }
    const std::string theirs = parse_sha256sum(remote->out);
    if (theirs != s.sha256) {
      last_error = "the copy's sha256 is " + (theirs.empty() ? "unreadable" : theirs) +
                   ", the diff's is " + s.sha256;
      log << "  Try " << attempt << "/" << kSendTries << ": " << last_error << "\n";
      continue;
    }
    s.tries = attempt;
    log << "  Sent " << local_path << " to " << where << " (" << size
        << " bytes, sha256 verified).\n";
    return s;
  }
  return Unexpected(make_error(ErrorCode::kIo, "sending " + local_path + " to " + where +
                                                   " failed after " + std::to_string(kSendTries) +
                                                   " tries: " + last_error));
}

}  // namespace mha::node
