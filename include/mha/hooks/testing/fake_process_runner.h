#pragma once

// FakeProcessRunner: a ProcessRunner for tests of code that runs scripts (failover hooks, report
// scripts, local tools). It starts no process: each run() is recorded and answered by the first
// rule whose matcher accepts the spec, in the order the rules were added. A run no rule matches
// returns a kInternal error naming the program, so an unexpected script run fails the test
// instead of passing silently.
//
//   FakeProcessRunner runner;
//   runner.on_program("/usr/local/bin/master_ip_failover", exit_with(0, "ok\n"));
//   runner.on_program("/usr/local/bin/report", not_found("/usr/local/bin/report"));
//   ... code under test calls runner.run(spec) ...
//   EXPECT_EQ(runner.calls().size(), 2u);
//
// Thread-safe: rules may be added and run() called from several threads; calls() returns a copy.

#include "mha/hooks/process.h"

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace mha::hooks::testing {

// A finished run with this exit status and output.
ProcessResult exit_with(int exit_code, std::string out = "", std::string err = "");
// A run killed at its deadline (timed_out, SIGKILL).
ProcessResult timed_out_result();
// The error the real runner returns for a missing program.
Error not_found(const std::string& program);

class FakeProcessRunner final : public ProcessRunner {
 public:
  using Matcher = std::function<bool(const ProcessSpec&)>;
  using Handler = std::function<Result<ProcessResult>(const ProcessSpec&)>;

  // The general rule: `handler` answers every spec `matcher` accepts.
  void on(Matcher matcher, Handler handler);
  // Specs whose program() (argv[0] or the shell line's first word) equals `program`.
  void on_program(std::string program, ProcessResult result);
  void on_program(std::string program, Error error);

  // Every spec passed to run(), in call order (including unmatched ones).
  std::vector<ProcessSpec> calls() const;

  Result<ProcessResult> run(const ProcessSpec& spec) override;

 private:
  struct Rule {
    Matcher matcher;
    Handler handler;
  };
  mutable std::mutex mu_;
  std::vector<Rule> rules_;         // guarded by mu_
  std::vector<ProcessSpec> calls_;  // guarded by mu_
};

}  // namespace mha::hooks::testing
