#include "mha/hooks/process.h"

#include <string>

#include <string.h>

namespace mha::hooks {

std::string ProcessSpec::program() const {
  if (shell_command) {
    const std::string& line = *shell_command;
    const size_t begin = line.find_first_not_of(" \t\n");
    if (begin == std::string::npos) return "/bin/sh";
    const size_t end = line.find_first_of(" \t\n;&|<>", begin);
    return line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  }
  return argv.empty() ? std::string() : argv.front();
}

std::string ProcessResult::describe() const {
  std::string signal_text;
  if (term_signal != 0) {
    const char* abbrev = sigabbrev_np(term_signal);  // thread-safe, unlike strsignal()
    signal_text = "signal " + std::to_string(term_signal);
    if (abbrev != nullptr) signal_text += std::string(" (SIG") + abbrev + ")";
  }
  if (timed_out) {
    std::string text = "timed out after " + std::to_string(elapsed.count()) + " ms";
    if (!signal_text.empty()) text += ", " + signal_text;
    return text;
  }
  if (term_signal != 0) return signal_text;
  return "exit " + std::to_string(exit_code);
}

}  // namespace mha::hooks
