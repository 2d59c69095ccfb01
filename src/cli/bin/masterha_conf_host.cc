#include "mha/cli/tools.h"

int main(int argc, char** argv) { return mha::cli::run_main(mha::cli::conf_host_main, argc, argv); }
