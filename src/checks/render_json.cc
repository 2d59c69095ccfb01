#include "mha/checks/render.h"

#include <nlohmann/json.hpp>

namespace mha::checks {
namespace {

nlohmann::ordered_json server_json(const TopologyServer& s) {
  nlohmann::ordered_json j;
  j["display"] = s.display;
  j["hostname"] = s.hostname;
  j["ip"] = s.ip;
  j["port"] = s.port;
  j["note"] = s.note;
  return j;
}

}  // namespace

std::string render_json(const CheckReport& report, bool pretty) {
  const Topology& topo = report.topology;
  nlohmann::ordered_json j;
  j["ok"] = report.ok();
  j["mode"] = replication_mode_name(topo.mode);
  j["master"] = topo.master ? server_json(*topo.master) : nlohmann::ordered_json(nullptr);
  j["replicas"] = nlohmann::ordered_json::array();
  for (const TopologyServer& r : topo.replicas) j["replicas"].push_back(server_json(r));
  j["unmanaged"] = nlohmann::ordered_json::array();
  for (const TopologyServer& u : topo.unmanaged) {
    nlohmann::ordered_json s = server_json(u);
    std::string from;
    if (u.parent) {
      // The parent is the master, a direct replica or another unmanaged server.
      if (topo.master && topo.master->index == *u.parent) from = topo.master->display;
      for (const TopologyServer& r : topo.replicas) {
        if (r.index == *u.parent) from = r.display;
      }
      for (const TopologyServer& o : topo.unmanaged) {
        if (o.index == *u.parent) from = o.display;
      }
    }
    s["replicates_from"] = from;
    j["unmanaged"].push_back(std::move(s));
  }
  j["checks"] = nlohmann::ordered_json::array();
  for (const Check& c : report.checks) {
    nlohmann::ordered_json cj;
    cj["name"] = c.name;
    cj["status"] = severity_name(c.severity);
    cj["message"] = c.message;
    cj["server"] = c.server;
    j["checks"].push_back(std::move(cj));
  }
  // Invalid UTF-8 (a hostname or error text from a server) is replaced, never thrown about.
  return j.dump(pretty ? 2 : -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

}  // namespace mha::checks
