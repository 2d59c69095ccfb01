#pragma once

// CLI11 set up the way every masterha_* tool parses (see mha/cli/parse.h for the rules). Private
// to mha_cli. Not thread-safe; one instance per parse.

#include "mha/cli/options.h"
#include "mha/cli/parse.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mha::cli::internal {

class ArgParser {
 public:
  ArgParser(std::string_view tool, std::string description);

  // --conf FILE and --global_conf FILE.
  void add_conf_source(ConfSource& conf);
  // --workdir|--manager_workdir DIR and --log_output|--manager_log FILE.
  void add_path_overrides(PathOverrides& paths);
  // A boolean: bare means 1; also --name=0|1 and --name 0|1 (true/false, yes/no, on/off).
  // `names` is CLI11's comma-separated list, e.g. "--skip_ssh_check,--skip_check_ssh".
  CLI::Option* add_bool(const std::string& names, bool& target, const std::string& help);
  // Any other option with one value.
  template <typename T>
  CLI::Option* add_value(const std::string& names, T& target, const std::string& help) {
    return app_.add_option(names, target, help);
  }
  template <typename T>
  CLI::Option* add_value(const std::string& names, std::optional<T>& target,
                         const std::string& help) {
    return app_.add_option_function<T>(
        names, [&target](const T& v) { target = v; }, help);
  }
  CLI::App& app() { return app_; }

  // Parses `args`. Returns an EarlyExit for --help, --version and every usage error, or nothing
  // when the caller should go on validating and running.
  std::optional<EarlyExit> parse(std::span<const std::string> args);

  // Whether an option (any of its names) appeared on the command line.
  bool given(const std::string& name) const;

  // "<tool>: <message> (see --help)", exit 1. `message` is redacted.
  EarlyExit usage_error(std::string_view message) const;

 private:
  std::string tool_;
  CLI::App app_;
  bool version_ = false;
};

// Validators whose descriptions stay out of --help (the option's help text says it).
CLI::Validator non_negative();
CLI::Validator positive();
CLI::Validator int_range(int min, int max);
CLI::Validator one_of(std::vector<std::string> values);

// MHA's "--conf=<server config file> must be set." (exit 1) when --conf is missing.
std::optional<EarlyExit> require_conf(const ConfSource& conf);

}  // namespace mha::cli::internal
