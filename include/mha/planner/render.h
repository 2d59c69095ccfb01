#pragma once

// Printing a Decision. Pure and deterministic (times come from the record, never from a clock),
// so the output is compared with golden files in tests/data/planner/.

#include "mha/planner/decision.h"

#include <string>

namespace mha::planner {

// MHA's From:/To: block for a plan:
//
//   From:
//   db1(10.77.0.11:3306) (current master)
//    +--db2(10.77.0.12:3306)
//    +--db3(10.77.0.13:3306)
//
//   To:
//   db3(10.77.0.13:3306) (new master)
//    +--db2(10.77.0.12:3306)
//
// Servers left out are listed under To: with "(not recovered: <reason>)". Ends with '\n'.
std::string render_topology_change(const topology::ClusterSnapshot& snapshot,
                                   const FailoverPlan& plan);

// What --dry-run prints: the outcome line, the candidates with why/why not, the From:/To: block
// (plans only) and the numbered steps. A refusal carrying a blocked plan prints that plan's steps
// too, marking the unimplemented ones. Ends with '\n'.
std::string render_text(const topology::ClusterSnapshot& snapshot, const Decision& decision);

// The JSON decision record:
//   {"decided_at","snapshot_taken_at" (UTC ISO-8601), "outcome":"failover|refuse|no_failover",
//    "rule", "reason", "inputs":{"dead_master","evidence","dead_master_ssh_reachable","mode",
//    "settings":[...]}, "new_master":{"server","rule","why"}|null,
//    "candidates":[{"server","received","latest","candidate_master","eligible","chosen","why"}],
//    "plan":{"mode","dead_master","new_master","latest","new_replicas","not_recovered",
//            "unmanaged","warnings","steps":[{"n","step","implemented","text"}]}|null}
// Pretty-printed with 2-space indent when `pretty`. Ends with '\n'.
std::string render_json(const Decision& decision, bool pretty = true);

}  // namespace mha::planner
