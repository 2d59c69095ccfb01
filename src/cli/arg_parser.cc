#include "arg_parser.h"

#include "mha/common/log.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

namespace mha::cli::internal {
namespace {

// A bare boolean option reaches its callback as "".
bool parse_bool_text(std::string text, bool& value) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text.empty() || text == "1" || text == "true" || text == "yes" || text == "on") {
    value = true;
    return true;
  }
  if (text == "0" || text == "false" || text == "no" || text == "off") {
    value = false;
    return true;
  }
  return false;
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

ArgParser::ArgParser(std::string_view tool, std::string description)
    : tool_(tool), app_(std::move(description), std::string(tool)) {
  app_.allow_extras(false);
  // Getopt::Long semantics: a repeated option takes its last value.
  app_.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app_.get_formatter()->column_width(40);
  app_.add_flag("--version", version_, "Print the version and exit");
  app_.footer("Exit codes and differences from MHA: see docs/cli.md.");
}

void ArgParser::add_conf_source(ConfSource& conf) {
  add_value("--conf", conf.conf, "Application configuration file")->type_name("FILE");
  add_value("--global_conf", conf.global_conf, "Global defaults file")
      ->type_name("FILE")
      ->capture_default_str();
}

void ArgParser::add_path_overrides(PathOverrides& paths) {
  add_value("--workdir,--manager_workdir", paths.workdir, "Overrides manager_workdir")
      ->type_name("DIR");
  add_value("--log_output,--manager_log", paths.log_output, "Overrides manager_log")
      ->type_name("FILE");
}

CLI::Option* ArgParser::add_bool(const std::string& names, bool& target, const std::string& help) {
  const std::string first_name = names.substr(0, names.find(','));
  return app_
      .add_option_function<std::string>(
          names,
          [&target, first_name](const std::string& text) {
            if (!parse_bool_text(text, target)) {
              throw CLI::ValidationError(first_name + " expects 0 or 1, got '" + text + "'");
            }
          },
          help)
      ->expected(0, 1)
      ->type_name("[0|1]");
}

std::optional<EarlyExit> ArgParser::parse(std::span<const std::string> args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app_.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::string help = app_.help();
    if (help.empty() || help.back() != '\n') help += '\n';
    return EarlyExit{0, std::move(help), ""};
  } catch (const CLI::ExtrasError&) {
    const std::vector<std::string> extras = app_.remaining();
    const std::string first = extras.empty() ? std::string() : extras.front();
    if (!first.empty() && first.front() == '-') {
      // Never echo a value: "--pasword=s3cret" is reported as '--pasword'.
      return usage_error("unknown option '" + first.substr(0, first.find('=')) + "'");
    }
    return usage_error("unexpected argument '" + first + "'");
  } catch (const CLI::ValidationError& e) {
    // CLI11 reports "<option>: <message>"; ours name the option already.
    return usage_error(one_line(e.what()));
  } catch (const CLI::ParseError& e) {
    return usage_error(one_line(e.what()));
  }
  if (version_) {
    return EarlyExit{0, tool_ + " version " + MHA_VERSION + ".\n", ""};
  }
  return std::nullopt;
}

bool ArgParser::given(const std::string& name) const { return app_.count(name) > 0; }

EarlyExit ArgParser::usage_error(std::string_view message) const {
  return EarlyExit{1, "", tool_ + ": " + log::redact(message) + " (see --help)\n"};
}

CLI::Validator non_negative() { return CLI::Validator(CLI::NonNegativeNumber).description(""); }

CLI::Validator positive() { return CLI::Validator(CLI::PositiveNumber).description(""); }

CLI::Validator int_range(int min, int max) { return CLI::Range(min, max).description(""); }

CLI::Validator one_of(std::vector<std::string> values) {
  return CLI::IsMember(std::move(values)).description("");
}

std::optional<EarlyExit> require_conf(const ConfSource& conf) {
  if (!conf.conf.empty()) return std::nullopt;
  return EarlyExit{1, "", std::string(kConfNotSetMessage) + "\n"};
}

}  // namespace mha::cli::internal
