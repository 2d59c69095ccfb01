#include "mha/planner/policy.h"

namespace mha::planner {

FailoverPolicy policy_from_config(const config::AppConfig& config) {
  FailoverPolicy p;
  p.latest_priority = config.app.latest_priority;
  p.check_repl_delay = config.app.check_repl_delay;
  p.multi_tier_slave = config.app.multi_tier_slave;
  p.master_ip_failover_script = config.app.master_ip_failover_script;
  p.shutdown_script = config.app.shutdown_script;
  p.report_script = config.app.report_script;
  p.timeouts.sql_fence = config::ping_timeout(config.app);
  p.servers.reserve(config.servers.size());
  for (const config::ServerConfig& s : config.servers) {
    p.servers.push_back(ServerPolicy{s.skip_reset_slave});
  }
  return p;
}

}  // namespace mha::planner
