#pragma once

// Printing a CheckReport. Both renderers are pure and deterministic (no timestamps: the caller's
// logger adds them), so their output is compared with golden strings in tests.

#include "mha/checks/check_report.h"

#include <string>

namespace mha::checks {

// MHA-like text: one "[info|warning|error] <name>: <message>" line per check, a blank line, the
// topology block in MHA's shape
//
//   10.77.0.11(10.77.0.11:3306) (current master)
//    +--10.77.0.12(10.77.0.12:3306)
//    +--10.77.0.13(10.77.0.13:3306)
//
// (dead/failed replicas carry a "(dead)"/"(failed)" suffix; unmanaged multi-tier replicas are
// indented under the replica they replicate from), a blank line, then
// "MySQL Replication Health is OK." or "MySQL Replication Health is NOT OK!". Ends with '\n'.
std::string render_text(const CheckReport& report);

// One JSON object:
//   {"ok":bool, "mode":"file_position|mariadb_gtid|mysql_gtid|unknown",
//    "master":{"display","hostname","ip","port"} | null,
//    "replicas":[{"display","hostname","ip","port","note"}...],
//    "unmanaged":[{..., "replicates_from":"display"}...],
//    "checks":[{"name","status":"ok|warning|error","message","server"}...]}
// Pretty-printed with 2-space indent when `pretty`, else compact. Ends with '\n'.
std::string render_json(const CheckReport& report, bool pretty = true);

}  // namespace mha::checks
