#include "mha/cli/tools.h"

int main(int argc, char** argv) {
  return mha::cli::run_main(mha::cli::check_repl_main, argc, argv);
}
