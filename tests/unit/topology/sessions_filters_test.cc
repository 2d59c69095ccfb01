// topology::is_application_session, the filter comparison shared by masterha_check_repl and the
// switchover, and the semi-sync promotion rule.

#include "mha/topology/filters.h"
#include "mha/topology/semi_sync.h"
#include "mha/topology/sessions.h"

#include <gtest/gtest.h>

namespace mha::topology {
namespace {

ProcessInfo row(const std::string& user, const std::string& command) {
  ProcessInfo p;
  p.user = user;
  p.command = command;
  return p;
}

TEST(ApplicationSession, ClientsIdleOrBusyAreApplicationSessions) {
  EXPECT_TRUE(is_application_session(row("app", "Query")));
  EXPECT_TRUE(is_application_session(row("app", "Sleep")));
  EXPECT_TRUE(is_application_session(row("root", "Execute")));
}

TEST(ApplicationSession, ServerAndReplicationThreadsAreNot) {
  EXPECT_FALSE(is_application_session(row("system user", "Slave_SQL")));
  EXPECT_FALSE(is_application_session(row("event_scheduler", "Daemon")));
  EXPECT_FALSE(is_application_session(row("unauthenticated user", "Connect")));
  EXPECT_FALSE(is_application_session(row("repl", "Binlog Dump")));
  EXPECT_FALSE(is_application_session(row("repl", "Binlog Dump GTID")));
  EXPECT_FALSE(is_application_session(row("repl", "binlog dump")));
  EXPECT_FALSE(is_application_session(row("repl", "Register Slave")));
  EXPECT_FALSE(is_application_session(row("app", "Killed")));
  EXPECT_FALSE(is_application_session(row("System User", "Slave_worker")));
}

TEST(Filters, ListsAreNormalisedAsSets) {
  EXPECT_EQ(normalise_filter_list(" b,a ,, c"), "a,b,c");
  EXPECT_EQ(normalise_filter_list(""), "");
}

TEST(Filters, DifferencesNameEveryColumn) {
  ReplicationFilters a;
  ReplicationFilters b;
  EXPECT_EQ(replicate_filter_differences(a, b, "db2"), "");
  a.do_db = "x,y";
  b.do_db = "y, x";
  EXPECT_EQ(replicate_filter_differences(a, b, "db2"), "");
  a.wild_ignore_table = "tmp.%";
  EXPECT_EQ(replicate_filter_differences(a, b, "db2"),
            "Replicate_Wild_Ignore_Table='tmp.%' (db2 has '')");
  MasterStatus m;
  MasterStatus n;
  n.binlog_do_db = "app";
  EXPECT_EQ(binlog_filter_differences(m, n, "db1"), "Binlog_Do_DB='' (db1 has 'app')");
}

TEST(SemiSync, WantedWhenAFollowerHasTheReplicaSideOrTheOldMasterTheMasterSide) {
  ClusterSnapshot snap;
  snap.servers.resize(3);
  EXPECT_FALSE(wants_semi_sync_master(snap, 1, {1, 2}, 0));
  snap.servers[1].semi_sync.slave_enabled = true;  // the new master itself does not count
  EXPECT_FALSE(wants_semi_sync_master(snap, 1, {1, 2}, 0));
  snap.servers[2].semi_sync.slave_enabled = true;
  EXPECT_TRUE(wants_semi_sync_master(snap, 1, {1, 2}));
  snap.servers[2].semi_sync.slave_enabled = false;
  snap.servers[0].semi_sync.master_enabled = true;
  EXPECT_FALSE(wants_semi_sync_master(snap, 1, {1, 2}));
  EXPECT_TRUE(wants_semi_sync_master(snap, 1, {1, 2}, 0));
}

}  // namespace
}  // namespace mha::topology
