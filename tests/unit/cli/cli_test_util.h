#pragma once

// Helpers for running masterha_* entry points in-process with captured streams.

#include "mha/cli/parse.h"
#include "mha/cli/tools.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <unistd.h>

namespace mha::cli::testing {

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

inline Run run_tool(ToolMain tool, const std::vector<std::string>& args,
                    const std::string& stdin_text = "") {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in(stdin_text);
  const Context ctx{out, err, in, {}};
  Run r;
  r.code = tool(args, ctx);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// Unwraps a successful parse; fails the test (and returns defaults) on an EarlyExit.
template <typename Options>
Options parsed_ok(const Parsed<Options>& parsed) {
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) {
    ADD_FAILURE() << "unexpected early exit " << done->code << ": " << done->err << done->out;
    return Options{};
  }
  return std::get<Options>(parsed);
}

template <typename Options>
EarlyExit early_exit(const Parsed<Options>& parsed) {
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return *done;
  ADD_FAILURE() << "parse succeeded, expected an early exit";
  return EarlyExit{-1, "", ""};
}

// A directory removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mha_cli_test_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern;
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    const std::string file = (path_ / name).string();
    std::ofstream(file) << text;
    return file;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace mha::cli::testing
