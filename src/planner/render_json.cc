#include "mha/common/time_text.h"
#include "mha/planner/render.h"

#include <nlohmann/json.hpp>

#include "planner_internal.h"

namespace mha::planner {
namespace {

using Json = nlohmann::ordered_json;

Json names(const std::vector<ServerRef>& servers) {
  Json a = Json::array();
  for (const ServerRef& s : servers) a.push_back(s.name);
  return a;
}

Json plan_json(const FailoverPlan& p) {
  Json j;
  j["mode"] = replication_mode_name(p.mode);
  j["dead_master"] = p.dead_master.name;
  j["new_master"] = p.new_master.name;
  j["latest"] = names(p.latest);
  j["new_replicas"] = names(p.new_replicas);
  j["not_recovered"] = Json::array();
  for (const NotRecovered& n : p.not_recovered) {
    j["not_recovered"].push_back({{"server", n.server.name}, {"reason", n.reason}});
  }
  j["unmanaged"] = names(p.unmanaged);
  j["warnings"] = p.warnings;
  j["steps"] = Json::array();
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    Json s;
    s["n"] = k + 1;
    s["step"] = step_name(p.steps[k]);
    s["implemented"] = step_implemented(p.steps[k]);
    s["text"] = describe_step(p.steps[k]);
    j["steps"].push_back(std::move(s));
  }
  return j;
}

}  // namespace

std::string render_json(const Decision& decision, bool pretty) {
  const DecisionRecord& rec = decision.record;
  Json j;
  j["decided_at"] = iso8601_utc(rec.decided_at);
  j["snapshot_taken_at"] = iso8601_utc(rec.snapshot_taken_at);
  const FailoverPlan* plan = decision.plan();
  const Refuse* refusal = decision.refusal();
  j["outcome"] = plan ? "failover" : refusal ? "refuse" : "no_failover";
  j["rule"] = rec.rule;
  j["reason"] = plan ? "" : refusal ? refusal->reason : decision.no_failover()->reason;
  Json in;
  in["dead_master"] = rec.dead_master;
  in["evidence"] = rec.evidence;
  in["dead_master_ssh_reachable"] =
      rec.dead_master_ssh_reachable ? Json(*rec.dead_master_ssh_reachable) : Json(nullptr);
  in["mode"] = rec.mode ? Json(replication_mode_name(*rec.mode)) : Json(nullptr);
  in["settings"] = rec.inputs;
  j["inputs"] = std::move(in);
  j["new_master"] = nullptr;
  j["candidates"] = Json::array();
  for (const CandidateVerdict& v : rec.candidates) {
    Json c;
    c["server"] = v.server.name;
    c["received"] = v.received;
    c["latest"] = v.latest;
    c["candidate_master"] = v.candidate_master;
    c["eligible"] = v.eligible;
    c["chosen"] = v.chosen;
    c["why"] = v.why;
    if (v.chosen) j["new_master"] = {{"server", v.server.name}, {"rule", rec.rule}, {"why", v.why}};
    j["candidates"].push_back(std::move(c));
  }
  if (plan) {
    j["plan"] = plan_json(*plan);
  } else if (refusal && refusal->blocked_plan) {
    j["plan"] = plan_json(*refusal->blocked_plan);
  } else {
    j["plan"] = nullptr;
  }
  // Hostnames and error texts from servers may hold invalid UTF-8: replaced, never thrown about.
  return j.dump(pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace mha::planner
