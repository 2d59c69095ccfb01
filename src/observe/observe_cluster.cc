#include "mha/observe/observe_cluster.h"

#include "mha/mysql/library.h"

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "server_reader.h"

namespace mha::observe {

topology::ServerIdentity identity_of(const config::AppConfig& config, std::size_t index) {
  const config::ServerConfig& s = config.servers.at(index);
  topology::ServerIdentity id;
  id.config_index = index;
  id.block = s.block;
  id.hostname = s.hostname;
  // No name resolution here: the address we connect to is the configured one (ip defaults to
  // the hostname and libmariadb resolves it at connect time).
  id.ip = s.ip.empty() ? s.hostname : s.ip;
  id.port = s.port;
  id.candidate_master = s.candidate_master;
  id.no_master = s.no_master;
  id.ignore_fail = s.ignore_fail;
  id.node_label = s.node_label;
  return id;
}

topology::ClusterSnapshot observe_cluster(const config::AppConfig& config,
                                          mysql::SqlConnector& connector,
                                          const ObserveOptions& options) {
  const std::size_t n = config.servers.size();
  std::vector<internal::ServerRead> reads(n);
  auto read_one = [&](std::size_t i) {
    if (options.presumed_dead.contains(i)) {
      reads[i].obs.id = identity_of(config, i);
      reads[i].obs.sql = topology::SqlReach::kDead;
      reads[i].obs.sql_error = make_error(ErrorCode::kConnect, options.presumed_dead_reason);
      return;
    }
    reads[i] = internal::read_server(config.servers[i], identity_of(config, i), connector,
                                     options.timeouts);
  };
  if (options.sequential) {
    for (std::size_t i = 0; i < n; ++i) read_one(i);
  } else {
    // One thread per server: a dead host costs one connect timeout, not one per server.
    std::vector<std::jthread> threads;
    threads.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      threads.emplace_back([&read_one, i] {
        mysql::MysqlThreadToken token;
        read_one(i);
      });
    }
  }  // jthreads join here

  topology::ClusterSnapshot snapshot;
  snapshot.taken_at = std::chrono::system_clock::now();
  for (internal::ServerRead& r : reads) snapshot.servers.push_back(r.obs);
  // The master's binlog state is read again now that every replica's has been read (see
  // cluster_snapshot.h: a replica must never look ahead of its master).
  if (std::optional<std::size_t> master = snapshot.derive_master()) {
    internal::reread_binlog_state(reads[*master]);
    snapshot.servers[*master] = reads[*master].obs;
  }
  return snapshot;
}

}  // namespace mha::observe
