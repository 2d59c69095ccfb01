// SshSession: running a command on a channel, with stdin, both output streams and a deadline.

#include "mha/ssh/error_class.h"
#include "mha/ssh/ssh_session.h"

#include <libssh2.h>

#include <algorithm>
#include <array>

#include "session_internal.h"

namespace mha::ssh {

using internal::ChannelIo;
using internal::Deadline;

namespace {

struct ChannelDeleter {
  // Non-blocking, so this may not finish; the session then frees the channel when it goes.
  void operator()(LIBSSH2_CHANNEL* channel) const { libssh2_channel_free(channel); }
};
using Channel = std::unique_ptr<LIBSSH2_CHANNEL, ChannelDeleter>;

bool is_channel_gone(ssize_t rc) {
  return rc == LIBSSH2_ERROR_CHANNEL_CLOSED || rc == LIBSSH2_ERROR_CHANNEL_EOF_SENT;
}

}  // namespace

Status SshSession::wait(const Deadline& deadline, std::string_view what) {
  auto status =
      internal::wait_socket(session_.get(), socket_.get(), deadline, what, target_.label());
  if (!status && status.error().code != ErrorCode::kTimeout) broken_ = true;
  return status;
}

Error SshSession::fail(std::string_view what, int rc) {
  if (is_transport_failure(rc)) broken_ = true;
  std::string text = internal::last_error_text(session_.get());
  return make_error(classify_libssh2_rc(rc),
                    std::string(what) + " on " + target_.label() + " failed" +
                        (text.empty() ? std::string() : ": " + text),
                    rc);
}

Result<ExecResult> SshSession::exec_streaming(std::string_view command, ChannelIo& io,
                                              Deadline& deadline) {
  if (!usable()) {
    return Unexpected(
        make_error(ErrorCode::kSsh, "SSH session to " + target_.label() + " is no longer usable"));
  }
  LIBSSH2_SESSION* session = session_.get();

  Channel channel;
  while (true) {
    channel.reset(libssh2_channel_open_session(session));
    if (channel) break;
    int rc = libssh2_session_last_errno(session);
    if (rc != LIBSSH2_ERROR_EAGAIN) return Unexpected(fail("opening a channel", rc));
    if (auto waited = wait(deadline, "opening a channel"); !waited) {
      broken_ = true;  // an sshd that does not answer a channel open is not worth keeping
      return Unexpected(std::move(waited).error());
    }
  }
  int rc;
  while ((rc = libssh2_channel_process_startup(channel.get(), "exec", 4, command.data(),
                                               static_cast<unsigned>(command.size()))) ==
         LIBSSH2_ERROR_EAGAIN) {
    MHA_TRY(wait(deadline, "starting a command"));
  }
  if (rc != 0) return Unexpected(fail("starting a command", rc));

  // Gives up on a running command (the caller is late already, or a sink failed): sends the
  // channel close without waiting for sshd's answer, which comes only when the command exits
  // (OpenSSH keeps a session channel open while its child lives). libssh2 reaps the half-closed
  // channel later. Only a close stuck in the send direction spoils the session.
  auto abandon = [&]() {
    Deadline grace = Deadline::after(std::chrono::milliseconds(1000));
    int close_rc;
    while ((close_rc = libssh2_channel_close(channel.get())) == LIBSSH2_ERROR_EAGAIN &&
           (libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0) {
      if (!wait(grace, "closing a channel")) break;
    }
    const bool send_stuck =
        (libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
    if ((close_rc == LIBSSH2_ERROR_EAGAIN && send_stuck) ||
        (close_rc != 0 && close_rc != LIBSSH2_ERROR_EAGAIN && !is_channel_gone(close_rc))) {
      broken_ = true;
    }
  };

  // Pump: write stdin, read stdout and stderr, all interleaved so neither side can block the
  // other (a command filling stderr while we still write its stdin must not deadlock).
  std::array<char, 64 * 1024> buffer;
  std::string_view pending;
  bool input_done = false;
  bool eof_sent = false;
  bool out_done = false;
  bool err_done = false;
  while (!(out_done && err_done)) {
    bool progress = false;
    if (!eof_sent) {
      if (pending.empty() && !input_done) {
        auto chunk = io.read_input();
        if (!chunk) {
          abandon();
          return Unexpected(std::move(chunk).error());
        }
        pending = *chunk;
        input_done = pending.empty();
      }
      if (!pending.empty()) {
        ssize_t n = libssh2_channel_write(channel.get(), pending.data(), pending.size());
        if (n > 0) {
          pending.remove_prefix(static_cast<size_t>(n));
          progress = true;
        } else if (is_channel_gone(n)) {
          // The command exited without reading all its input; its output still matters.
          pending = {};
          input_done = true;
          eof_sent = true;
        } else if (n != LIBSSH2_ERROR_EAGAIN && n != 0) {
          return Unexpected(fail("writing command input", static_cast<int>(n)));
        }
      }
      if (input_done && pending.empty() && !eof_sent) {
        int eof_rc = libssh2_channel_send_eof(channel.get());
        if (eof_rc == 0 || is_channel_gone(eof_rc)) {
          eof_sent = true;
          progress = true;
        } else if (eof_rc != LIBSSH2_ERROR_EAGAIN) {
          return Unexpected(fail("closing command input", eof_rc));
        }
      }
    }
    for (int stream : {0, 1}) {
      bool& done = stream == 0 ? out_done : err_done;
      if (done) continue;
      ssize_t n = libssh2_channel_read_ex(channel.get(), stream, buffer.data(), buffer.size());
      if (n > 0) {
        std::string_view data(buffer.data(), static_cast<size_t>(n));
        if (auto sunk = stream == 0 ? io.on_stdout(data) : io.on_stderr(data); !sunk) {
          abandon();
          return Unexpected(std::move(sunk).error());
        }
        progress = true;
      } else if (n == 0) {
        // 0 also comes back when the transport read nothing; only EOF ends the stream.
        if (libssh2_channel_eof(channel.get()) != 0) {
          done = true;
          progress = true;
        }
      } else if (n != LIBSSH2_ERROR_EAGAIN) {
        return Unexpected(fail("reading command output", static_cast<int>(n)));
      }
    }
    if (progress) {
      deadline.progress();
      continue;
    }
    if (auto waited = wait(deadline, "running a command"); !waited) {
      if (waited.error().code == ErrorCode::kTimeout) abandon();
      return Unexpected(std::move(waited).error());
    }
  }

  // sshd sends the exit status around EOF; it is certain to be here once the channel is closed.
  Deadline close_deadline =
      Deadline::after(std::min(timeouts_.io, std::chrono::milliseconds(5000)));
  while ((rc = libssh2_channel_close(channel.get())) == LIBSSH2_ERROR_EAGAIN) {
    MHA_TRY(wait(close_deadline, "closing a channel"));
  }
  if (rc == 0) {
    while ((rc = libssh2_channel_wait_closed(channel.get())) == LIBSSH2_ERROR_EAGAIN) {
      MHA_TRY(wait(close_deadline, "closing a channel"));
    }
  }
  if (rc != 0) return Unexpected(fail("closing a channel", rc));

  ExecResult result;
  char* signal = nullptr;
  size_t signal_len = 0;
  libssh2_channel_get_exit_signal(channel.get(), &signal, &signal_len, nullptr, nullptr, nullptr,
                                  nullptr);
  if (signal != nullptr) {
    result.exit_signal.assign(signal, signal_len);
    libssh2_free(session, signal);
  } else {
    result.exit_code = libssh2_channel_get_exit_status(channel.get());
  }
  return result;
}

Result<ExecResult> SshSession::run(std::string_view command, std::string_view stdin_data,
                                   std::chrono::milliseconds timeout) {
  Deadline deadline = Deadline::after(timeout);
  std::string out;
  std::string err;
  bool input_given = false;
  auto capped = [this](std::string& sink, std::string_view data, const char* stream) -> Status {
    if (sink.size() + data.size() > kMaxOutputBytes) {
      return Unexpected(make_error(
          ErrorCode::kIo, std::string("command ") + stream + " on " + target_.label() +
                              " exceeds " + std::to_string(kMaxOutputBytes >> 20) + " MiB"));
    }
    sink.append(data);
    return ok_status();
  };
  ChannelIo io;
  io.read_input = [&]() -> Result<std::string_view> {
    if (input_given) return std::string_view();
    input_given = true;
    return stdin_data;
  };
  io.on_stdout = [&](std::string_view data) { return capped(out, data, "stdout"); };
  io.on_stderr = [&](std::string_view data) { return capped(err, data, "stderr"); };
  auto result = exec_streaming(command, io, deadline);
  if (!result) {
    Error e = std::move(result).error();
    if (e.code == ErrorCode::kTimeout) {
      e.message = "command on " + target_.label() + " timed out after " +
                  std::to_string(timeout.count()) + " ms";
    }
    return Unexpected(std::move(e));
  }
  result->out = std::move(out);
  result->err = std::move(err);
  return result;
}

}  // namespace mha::ssh
