// render_text / render_json against golden files in tests/data/checks/ and MHA's topology shape.

#include "mha/checks/render.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "report_matchers.h"
#include "snapshot_builder.h"

namespace mha::checks::testing {
namespace {

std::string golden(const std::string& name) {
  // MHA_TESTDATA_DIR is the contract; gtest_discover_tests currently passes only the first
  // variable of MHA_TEST_ENV (a ';' list split into separate properties), so fall back to
  // MHA_SOURCE_DIR/tests/data.
  std::string dir;
  if (const char* d = std::getenv("MHA_TESTDATA_DIR")) {
    dir = d;
  } else if (const char* src = std::getenv("MHA_SOURCE_DIR")) {
    dir = std::string(src) + "/tests/data";
  } else {
    ADD_FAILURE() << "neither MHA_TESTDATA_DIR nor MHA_SOURCE_DIR is set (run through ctest)";
    return "";
  }
  std::ifstream in(dir + "/checks/" + name);
  EXPECT_TRUE(in.good()) << "missing golden file " << dir << "/checks/" << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A broken multi-tier cluster: db4 under db3 (unmanaged), db3 lagging, db2 with errant GTIDs.
SnapshotBuilder broken_multi_tier() {
  SnapshotBuilder b;
  b.add_server("db4", "10.77.0.14", 4, "db3");
  b.app_config().app.multi_tier_slave = true;
  b.server("db2").mariadb_gtid.current_pos = mariadb_pos("0-2-101");
  b.replica("db3").seconds_behind_master = 45;
  b.app_config().app.shutdown_script.clear();
  return b;
}

TEST(RenderText, TopologyBlockHasMhasShape) {
  SnapshotBuilder b;
  for (const char* n : {"db1", "db2", "db3"}) b.server(n).id.hostname = b.server(n).id.ip;
  std::string text = render_text(b.run());
  EXPECT_NE(text.find("\n\n10.77.0.11(10.77.0.11:3306) (current master)\n"
                      " +--10.77.0.12(10.77.0.12:3306)\n"
                      " +--10.77.0.13(10.77.0.13:3306)\n"
                      "\nMySQL Replication Health is OK.\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.substr(text.size() - 32), "MySQL Replication Health is OK.\n");
}

TEST(RenderText, HealthyGolden) {
  EXPECT_EQ(render_text(SnapshotBuilder().run()), golden("healthy.txt"));
}

TEST(RenderText, BrokenMultiTierGolden) {
  std::string text = render_text(broken_multi_tier().run());
  EXPECT_EQ(text, golden("broken_multi_tier.txt"));
  EXPECT_EQ(text.substr(text.size() - 36), "MySQL Replication Health is NOT OK!\n");
}

TEST(RenderText, DeadReplicaIsMarked) {
  SnapshotBuilder b;
  b.dead("db3");
  std::string text = render_text(b.run());
  EXPECT_NE(text.find(" +--db3(10.77.0.13:3306) (dead)\n"), std::string::npos) << text;
}

TEST(RenderText, NoMasterIsSaid) {
  SnapshotBuilder b;
  b.server("db3").replica.reset();
  std::string text = render_text(b.run());
  EXPECT_NE(text.find("(no current master could be determined)"), std::string::npos) << text;
}

TEST(RenderJson, BrokenMultiTierGolden) {
  EXPECT_EQ(render_json(broken_multi_tier().run()), golden("broken_multi_tier.json"));
}

TEST(RenderJson, IsParseableAndCarriesEveryCheck) {
  CheckReport r = SnapshotBuilder().run();
  nlohmann::json j = nlohmann::json::parse(render_json(r, false));
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["mode"], "mariadb_gtid");
  EXPECT_EQ(j["master"]["display"], kDb1);
  EXPECT_EQ(j["master"]["port"], 3306);
  ASSERT_EQ(j["replicas"].size(), 2u);
  EXPECT_EQ(j["replicas"][1]["hostname"], "db3");
  ASSERT_EQ(j["checks"].size(), r.checks.size());
  for (std::size_t i = 0; i < r.checks.size(); ++i) {
    EXPECT_EQ(j["checks"][i]["name"], r.checks[i].name);
    EXPECT_EQ(j["checks"][i]["status"], "ok");
    EXPECT_EQ(j["checks"][i]["message"], r.checks[i].message);
    EXPECT_EQ(j["checks"][i]["server"], r.checks[i].server);
  }
}

TEST(RenderJson, NullMasterAndInvalidUtf8DoNotThrow) {
  SnapshotBuilder b;
  b.server("db3").replica.reset();
  b.server("db3").version->raw = "10.11.19-\xff";
  nlohmann::json j = nlohmann::json::parse(render_json(b.run()));
  EXPECT_TRUE(j["master"].is_null());
  EXPECT_FALSE(j["ok"].get<bool>());
}

}  // namespace
}  // namespace mha::checks::testing
