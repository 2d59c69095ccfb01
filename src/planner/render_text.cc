#include "mha/common/time_text.h"
#include "mha/planner/render.h"

#include <algorithm>

#include "planner_internal.h"

namespace mha::planner {
namespace {

// Unmanaged replicas that follow server `parent`, indented one level under it.
void children(std::string& out, const topology::ClusterSnapshot& snap, const FailoverPlan& plan,
              std::size_t parent) {
  for (const ServerRef& u : plan.unmanaged) {
    if (snap.upstream_of(u.index) == parent) out += "     +--" + u.name + "\n";
  }
}

bool is_unmanaged(const FailoverPlan& plan, std::size_t i) {
  return std::any_of(plan.unmanaged.begin(), plan.unmanaged.end(),
                     [&](const ServerRef& u) { return u.index == i; });
}

void steps(std::string& out, const std::vector<PlanStep>& list) {
  for (std::size_t k = 0; k < list.size(); ++k) {
    out += "  " + std::to_string(k + 1) + ". " + (step_implemented(list[k]) ? "" : "* ") + "[" +
           step_name(list[k]) + "] " + describe_step(list[k]) + "\n";
  }
}

void plan_body(std::string& out, const topology::ClusterSnapshot& snap, const FailoverPlan& plan,
               bool blocked) {
  out += "\n" + render_topology_change(snap, plan);
  if (!plan.warnings.empty()) {
    out += "\nWarnings:\n";
    for (const std::string& w : plan.warnings) out += "  - " + w + "\n";
  }
  out += blocked ? "\nSteps of the refused plan (* = not implemented yet):\n" : "\nSteps:\n";
  steps(out, plan.steps);
}

}  // namespace

std::string render_topology_change(const topology::ClusterSnapshot& snap,
                                   const FailoverPlan& plan) {
  std::string out = "From:\n" + plan.dead_master.name + " (current master)\n";
  for (std::size_t i = 0; i < snap.servers.size(); ++i) {
    if (i == plan.dead_master.index || is_unmanaged(plan, i)) continue;
    out +=
        " +--" + snap.servers[i].id.display() + (snap.servers[i].alive() ? "" : " (dead)") + "\n";
    children(out, snap, plan, i);
  }
  out += "\nTo:\n" + plan.new_master.name + " (new master)\n";
  for (const ServerRef& r : plan.new_replicas) {
    out += " +--" + r.name + "\n";
    children(out, snap, plan, r.index);
  }
  children(out, snap, plan, plan.new_master.index);
  for (const NotRecovered& n : plan.not_recovered) {
    out += "  x " + n.server.name + " (not recovered: " + n.reason + ")\n";
  }
  return out;
}

std::string render_text(const topology::ClusterSnapshot& snap, const Decision& decision) {
  const DecisionRecord& rec = decision.record;
  std::string out;
  if (const FailoverPlan* p = decision.plan()) {
    out += "Decision: fail over to " + p->new_master.name + " (" + rec.rule + ")\n";
  } else if (const Refuse* r = decision.refusal()) {
    out += "Decision: refuse (" + rec.rule + "): " + r->reason + "\n";
  } else {
    out += "Decision: no failover (" + rec.rule + "): " + decision.no_failover()->reason + "\n";
  }
  out += "Dead master: " + (rec.dead_master.empty() ? "(undetermined)" : rec.dead_master) + "\n";
  if (!rec.evidence.empty()) out += "Evidence: " + rec.evidence + "\n";
  out += std::string("Dead master SSH: ") +
         (!rec.dead_master_ssh_reachable   ? "unknown"
          : *rec.dead_master_ssh_reachable ? "reachable"
                                           : "unreachable") +
         "\n";
  if (rec.mode) out += std::string("Mode: ") + replication_mode_name(*rec.mode) + "\n";
  out += "Snapshot taken: " + iso8601_utc(rec.snapshot_taken_at) + "\n";
  out += "Decided at: " + iso8601_utc(rec.decided_at) + "\n";
  out += "Inputs: " + internal::join(rec.inputs) + "\n";
  if (!rec.candidates.empty()) {
    out += "\nServers:\n";
    for (const CandidateVerdict& v : rec.candidates) {
      std::vector<std::string> tags;
      if (v.latest) tags.push_back("latest");
      if (v.candidate_master) tags.push_back("candidate_master");
      out += "  " + v.server.name;
      if (!v.received.empty()) out += " received " + v.received;
      if (!tags.empty()) out += " [" + internal::join(tags) + "]";
      out += ": " + v.why + "\n";
    }
  }
  if (const FailoverPlan* p = decision.plan()) plan_body(out, snap, *p, false);
  if (const Refuse* r = decision.refusal(); r && r->blocked_plan) {
    plan_body(out, snap, *r->blocked_plan, true);
  }
  return out;
}

}  // namespace mha::planner
