#pragma once

// Loads a fixture from tests/data/mysql/ ($MHA_TESTDATA_DIR under ctest; else found from this
// file's location, so the test binary also runs by hand).

#include "mha/mysql/testing/tsv.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace mha::mysql::testing {

inline std::string fixture_path(const std::string& relative) {
  if (const char* dir = std::getenv("MHA_TESTDATA_DIR")) {
    return std::string(dir) + "/mysql/" + relative;
  }
  std::string here = __FILE__;  // .../tests/unit/mysql/fixtures.h
  return here.substr(0, here.rfind("/unit/mysql/")) + "/data/mysql/" + relative;
}

inline ResultSet fixture(const std::string& relative) {
  Result<ResultSet> r = load_tsv_file(fixture_path(relative));
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : ResultSet{};
}

}  // namespace mha::mysql::testing
