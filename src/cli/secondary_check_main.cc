#include "mha/cli/parse.h"
#include "mha/cli/tools.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <string>
#include <variant>

#include "tool_support.h"

namespace mha::cli {
namespace {

// First line of `in`, without the line end. False if nothing could be read.
bool read_first_line(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace

int secondary_check_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_secondary_check_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  auto& options = std::get<SecondaryCheckOptions>(parsed);
  if (options.master_password_file) {
    const std::string& path = *options.master_password_file;
    std::string password;
    if (path == "-") {
      if (!read_first_line(ctx.in, password)) {
        return internal::fail(kSecondaryCheckTool, "no password on standard input", ctx);
      }
    } else {
      std::ifstream file(path);
      if (!file) {
        return internal::fail(
            kSecondaryCheckTool,
            "cannot read --master_password_file " + path + ": " + std::strerror(errno), ctx);
      }
      read_first_line(file, password);  // an empty file is an empty password
    }
    options.master_password = std::move(password);
  }
  return internal::not_implemented(kSecondaryCheckTool, "secondary checks are not implemented yet",
                                   8, ctx);
}

}  // namespace mha::cli
