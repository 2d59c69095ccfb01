#include "mha/hooks/testing/fake_process_runner.h"

#include <utility>

#include <signal.h>

namespace mha::hooks::testing {

ProcessResult exit_with(int exit_code, std::string out, std::string err) {
  ProcessResult result;
  result.exit_code = exit_code;
  result.out = std::move(out);
  result.err = std::move(err);
  return result;
}

ProcessResult timed_out_result() {
  ProcessResult result;
  result.timed_out = true;
  result.term_signal = SIGKILL;
  return result;
}

Error not_found(const std::string& program) {
  return make_error(ErrorCode::kNotFound, "program not found: " + program, 127);
}

void FakeProcessRunner::on(Matcher matcher, Handler handler) {
  std::lock_guard lock(mu_);
  rules_.push_back(Rule{std::move(matcher), std::move(handler)});
}

void FakeProcessRunner::on_program(std::string program, ProcessResult result) {
  on([program](const ProcessSpec& spec) { return spec.program() == program; },
     [result](const ProcessSpec&) -> Result<ProcessResult> { return result; });
}

void FakeProcessRunner::on_program(std::string program, Error error) {
  on([program](const ProcessSpec& spec) { return spec.program() == program; },
     [error](const ProcessSpec&) -> Result<ProcessResult> { return Unexpected(error); });
}

std::vector<ProcessSpec> FakeProcessRunner::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

Result<ProcessResult> FakeProcessRunner::run(const ProcessSpec& spec) {
  Handler handler;
  {
    std::lock_guard lock(mu_);
    calls_.push_back(spec);
    for (const Rule& rule : rules_) {
      if (rule.matcher(spec)) {
        handler = rule.handler;
        break;
      }
    }
  }
  // Called without the lock so a handler may itself use the runner (or block, to test
  // concurrency) without deadlocking.
  if (!handler) {
    return Unexpected(
        make_error(ErrorCode::kInternal, "FakeProcessRunner: no rule for " + spec.program()));
  }
  return handler(spec);
}

}  // namespace mha::hooks::testing
