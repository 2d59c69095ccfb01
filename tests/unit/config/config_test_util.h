#pragma once

// Helpers for the config unit tests: a private temporary directory for the files a test writes,
// the path of checked-in data files, and an assertion for our one-line "file:line: ... 'key'"
// error messages.

#include "mha/config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <stdlib.h>

namespace mha::config::test {

// A fresh directory under $TMPDIR, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mha_config_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `text` to <dir>/<name> and returns the full path.
  std::string write(const std::string& name, std::string_view text) const {
    const std::string file = path_ + "/" + name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    return file;
  }

  // A path in this directory that does not exist.
  std::string missing(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// tests/data/config/<name>: from MHA_TESTDATA_DIR (set by ctest), else relative to this file.
inline std::string data_file(const std::string& name) {
  const char* env = std::getenv("MHA_TESTDATA_DIR");
  const std::filesystem::path base =
      env != nullptr ? std::filesystem::path(env)
                     : std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "data";
  return (base / "config" / name).string();
}

// The repository root: from MHA_SOURCE_DIR (set by ctest), else relative to this file.
inline std::string source_dir() {
  const char* env = std::getenv("MHA_SOURCE_DIR");
  return env != nullptr
             ? std::string(env)
             : (std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "..").string();
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// 1-based number of the first line of `path` containing `needle`, 0 if none.
inline int line_of(const std::string& path, std::string_view needle) {
  std::istringstream in(read_text(path));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(needle) != std::string::npos) return n;
  }
  return 0;
}

// Options with a fixed default ssh user, so results do not depend on who runs the tests.
inline LoadOptions options(const std::string& conf, const std::string& global) {
  LoadOptions o;
  o.conf_path = conf;
  o.global_conf_path = global;
  o.default_ssh_user = "tester";
  return o;
}

// The result is a kConfig error of one line that starts with "<path>:<line>: " and quotes `key`.
inline ::testing::AssertionResult IsConfigErrorAt(const Result<AppConfig>& r,
                                                  const std::string& path, int line,
                                                  const std::string& key) {
  if (r.has_value()) return ::testing::AssertionFailure() << "loaded without error";
  const Error& e = r.error();
  const std::string prefix = path + ":" + std::to_string(line) + ": ";
  if (e.code != ErrorCode::kConfig) {
    return ::testing::AssertionFailure() << "code is not kConfig: " << e.message;
  }
  if (e.message.rfind(prefix, 0) != 0) {
    return ::testing::AssertionFailure()
           << "message does not start with '" << prefix << "': " << e.message;
  }
  if (!key.empty() && e.message.find("'" + key + "'") == std::string::npos) {
    return ::testing::AssertionFailure() << "message does not name '" << key << "': " << e.message;
  }
  if (e.message.find('\n') != std::string::npos) {
    return ::testing::AssertionFailure() << "message is not one line: " << e.message;
  }
  return ::testing::AssertionSuccess() << e.message;
}

}  // namespace mha::config::test
