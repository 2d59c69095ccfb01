// masterha_node: the helper installed on every database host. Also installed as
// save_binary_logs, apply_diff_relay_logs and purge_relay_logs (links to this binary).

#include "mha/node/node_main.h"

#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  return mha::node::node_main(args, std::cout, std::cerr, STDIN_FILENO);
}
