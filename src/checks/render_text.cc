#include "mha/checks/render.h"

namespace mha::checks {
namespace {

const char* level_word(Severity s) {
  // MHA's log levels: findings that pass are "info".
  switch (s) {
    case Severity::kOk:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

std::string with_note(const TopologyServer& s) {
  if (s.note.empty()) return s.display;
  return s.display + " (" + s.note + ")";
}

// Unmanaged replicas hang under the server they replicate from, one level deeper per tier.
void render_children(const Topology& topo, std::size_t parent, int depth, std::string& out) {
  if (depth > 16) return;  // a replication cycle among unmanaged servers must not loop forever
  for (const TopologyServer& u : topo.unmanaged) {
    if (!u.parent || *u.parent != parent) continue;
    out += std::string(1 + 4 * static_cast<std::size_t>(depth), ' ') + "+--" + with_note(u) + "\n";
    render_children(topo, u.index, depth + 1, out);
  }
}

}  // namespace

std::string render_text(const CheckReport& report) {
  std::string out;
  for (const Check& c : report.checks) {
    out += "[";
    out += level_word(c.severity);
    out += "] " + c.name + ": " + c.message + "\n";
  }
  out += "\n";
  const Topology& topo = report.topology;
  if (topo.master) {
    out += topo.master->display + " (current master";
    if (!topo.master->note.empty()) out += ", " + topo.master->note;
    out += ")\n";
    for (const TopologyServer& r : topo.replicas) {
      out += " +--" + with_note(r) + "\n";
      render_children(topo, r.index, 1, out);
    }
  } else {
    out += "(no current master could be determined)\n";
  }
  out += "\n";
  out +=
      report.ok() ? "MySQL Replication Health is OK.\n" : "MySQL Replication Health is NOT OK!\n";
  return out;
}

}  // namespace mha::checks
