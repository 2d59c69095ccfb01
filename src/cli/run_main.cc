#include "mha/cli/tools.h"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace mha::cli {

std::span<const Tool> all_tools() {
  static const Tool kTools[] = {
      {"masterha_manager", manager_main},
      {"masterha_check_ssh", check_ssh_main},
      {"masterha_check_repl", check_repl_main},
      {"masterha_check_status", check_status_main},
      {"masterha_stop", stop_main},
      {"masterha_master_switch", master_switch_main},
      {"masterha_secondary_check", secondary_check_main},
      {"masterha_conf_host", conf_host_main},
  };
  return kTools;
}

int run_main(ToolMain tool, int argc, char** argv) {
  const std::string program = argc > 0 ? argv[0] : "masterha";
  try {
    const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    const Context ctx{std::cout, std::cerr, std::cin, default_script_runner()};
    const int code = tool(args, ctx);
    std::cout.flush();
    return code;
  } catch (const std::exception& e) {
    std::cerr << program.substr(program.rfind('/') + 1) << ": internal error: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace mha::cli
