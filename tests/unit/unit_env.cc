// Compiled into every unit-test executable. gtest_discover_tests keeps only the first entry of a
// list-valued ENVIRONMENT property, so the paths tests look up with getenv() are provided here as
// defaults instead; a variable already set in the environment wins.

#include <cstdlib>

namespace {

struct UnitTestEnvironment {
  UnitTestEnvironment() {
    setenv("MHA_SOURCE_DIR", MHA_TEST_SOURCE_DIR, 0);
    setenv("MHA_BUILD_DIR", MHA_TEST_BUILD_DIR, 0);
    setenv("MHA_BIN_DIR", MHA_TEST_BUILD_DIR "/bin", 0);
    setenv("MHA_TESTDATA_DIR", MHA_TEST_SOURCE_DIR "/tests/data", 0);
  }
};

const UnitTestEnvironment kEnvironment;

}  // namespace
