#include "mha/cli/parse.h"

#include <algorithm>
#include <cctype>

#include "arg_parser.h"

namespace mha::cli {

using internal::ArgParser;

Parsed<SecondaryCheckOptions> parse_secondary_check_args(std::span<const std::string> args) {
  SecondaryCheckOptions o;
  ArgParser parser(kSecondaryCheckTool,
                   "Ask other hosts over SSH whether they can reach the master (the stock "
                   "secondary_check_script). Exit 0: master unreachable from every host; 2: a "
                   "host could not be asked; 3: master reachable.");
  parser.add_value("-s,--secondary_host", o.secondary_hosts, "Host to check from (repeatable)")
      ->type_name("HOST")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  parser.add_value("--user", o.ssh_user, "SSH user")->type_name("USER")->capture_default_str();
  parser.add_value("--port", o.ssh_port, "SSH port")
      ->type_name("PORT")
      ->check(internal::int_range(1, 65535))
      ->capture_default_str();
  parser.add_value("--options", o.ssh_options, "SSH options (replace the defaults)")
      ->type_name("OPTS");
  parser.add_value("--master_host", o.master_host, "The master (required)")->type_name("HOST");
  parser.add_value("--master_ip", o.master_ip, "Its IP")->type_name("IP");
  parser.add_value("--master_port", o.master_port, "Its MySQL port")
      ->type_name("PORT")
      ->check(internal::int_range(1, 65535))
      ->capture_default_str();
  parser.add_value("--master_user", o.master_user, "MySQL user for --ping_type=INSERT")
      ->type_name("USER");
  parser
      .add_value("--master_password", o.master_password,
                 "MySQL password (visible in ps; prefer --master_password_file)")
      ->type_name("PASSWORD");
  parser
      .add_value("--master_password_file", o.master_password_file,
                 "Read the MySQL password from FILE's first line, '-' for stdin")
      ->type_name("FILE");
  parser.add_value("--ping_type", o.ping_type, "SELECT, CONNECT or INSERT")
      ->type_name("TYPE")
      ->transform([](std::string v) {
        std::transform(v.begin(), v.end(), v.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        return v;
      })
      ->check(internal::one_of({"SELECT", "CONNECT", "INSERT"}));
  parser.add_value("--timeout", o.timeout, "Seconds for SSH connect and the TCP probe")
      ->type_name("SECONDS")
      ->check(internal::positive())
      ->capture_default_str();
  if (auto done = parser.parse(args)) return *done;
  if (o.master_host.empty()) {
    return EarlyExit{1, "", "--master_host=<master host> must be set.\n"};
  }
  if (o.master_password && o.master_password_file) {
    return parser.usage_error("--master_password and --master_password_file are exclusive");
  }
  return o;
}

}  // namespace mha::cli
