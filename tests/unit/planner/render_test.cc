// --dry-run text and the JSON decision record against golden files in tests/data/planner/.
// MHA_UPDATE_GOLDEN=1 rewrites them (review the diff before committing).

#include "mha/planner/render.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "plan_fixture.h"

namespace mha::planner::testing {
namespace {

std::string golden_path(const std::string& name) {
  const char* dir = std::getenv("MHA_TESTDATA_DIR");
  return std::string(dir ? dir : "tests/data") + "/planner/" + name;
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (const char* u = std::getenv("MHA_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(path) << actual;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << "missing golden file " << path;
  std::ostringstream want;
  want << in.rdbuf();
  EXPECT_EQ(actual, want.str()) << "golden " << path;
}

// db3 is candidate_master but db2 received more: db3 catches up from db2 first.
PlanFixture catch_up_cluster() {
  PlanFixture f = PlanFixture::mariadb_gtid().add_server("db4", "10.77.0.14", 4, "db1");
  f.candidate("db3").received_gtid("db2", "0-1-105").no_master("db4");
  f.policy().report_script = "/usr/local/bin/send_report";
  return f;
}

TEST(RenderText, GtidCatchUpGolden) {
  PlanFixture f = catch_up_cluster();
  expect_golden("gtid_catch_up.txt", render_text(f.snapshot(), f.decide()));
}

TEST(RenderJson, GtidCatchUpGolden) {
  PlanFixture f = catch_up_cluster();
  expect_golden("gtid_catch_up.json", render_json(f.decide()));
}

// Was refused (relay_diff_needed) before relay-log diffs were implemented; the same cluster now
// gets a plan with the relay-log check and diff for db2.
TEST(RenderText, FilePositionDiffGolden) {
  PlanFixture f = PlanFixture::mariadb_file_position().ignore_fail("db3");
  f.received_file("db2", "mysql-bin.000003", 900);
  f.add_server("db4", "10.77.0.14", 4, "db1").dead("db4").ignore_fail("db4");
  expect_golden("file_position_diff.txt", render_text(f.snapshot(), f.decide()));
}

TEST(RenderText, NoFailoverGolden) {
  PlanFixture f = PlanFixture::mariadb_gtid();
  f.policy().evidence.master_dead = false;
  expect_golden("no_failover.txt", render_text(f.snapshot(), f.decide()));
}

TEST(RenderText, TopologyChangeHasMhasShape) {
  PlanFixture f = PlanFixture::mariadb_gtid().add_server("db4", "10.77.0.14", 4, "db3");
  f.add_server("db5", "10.77.0.15", 5, "db1").dead("db5").ignore_fail("db5");
  f.policy().multi_tier_slave = true;
  f.candidate("db3");
  const Decision d = f.decide();
  EXPECT_EQ(render_topology_change(f.snapshot(), plan_of(d)),
            "From:\n"
            "db1(10.77.0.11:3306) (current master)\n"
            " +--db2(10.77.0.12:3306)\n"
            " +--db3(10.77.0.13:3306)\n"
            "     +--db4(10.77.0.14:3306)\n"
            " +--db5(10.77.0.15:3306) (dead)\n"
            "\n"
            "To:\n"
            "db3(10.77.0.13:3306) (new master)\n"
            " +--db2(10.77.0.12:3306)\n"
            "     +--db4(10.77.0.14:3306)\n"
            "  x db5(10.77.0.15:3306) (not recovered: is dead (errno 2003); ignore_fail=1, left "
            "out)\n");
}

TEST(RenderJson, FilePositionDiffStepsAreImplemented) {
  PlanFixture f = PlanFixture::mariadb_file_position();
  f.received_file("db3", "mysql-bin.000003", 900);
  nlohmann::json j = nlohmann::json::parse(render_json(f.decide(), false));
  EXPECT_EQ(j["outcome"], "failover");
  EXPECT_EQ(j["inputs"]["mode"], "file_position");
  ASSERT_TRUE(j["plan"].is_object());
  int diffs = 0;
  for (const auto& s : j["plan"]["steps"]) {
    if (s["step"] == "apply_relay_diff") {
      ++diffs;
      EXPECT_TRUE(s["implemented"].get<bool>());
    }
  }
  EXPECT_EQ(diffs, 2);
}

}  // namespace
}  // namespace mha::planner::testing
