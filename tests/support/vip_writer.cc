#include "support/vip_writer.h"

#include "mha/mysql/connection.h"
#include "mha/mysql/library.h"

#include <algorithm>
#include <optional>

#include "support/cluster.h"

namespace mha::test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

bool VipWriter::start() {
  ManagerNetns netns;  // the thread inherits the manager's namespace
  if (!netns.ok()) return false;
  thread_ = std::thread([this] { loop(); });
  return true;
}

void VipWriter::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

std::vector<Ack> VipWriter::acks() const {
  std::lock_guard lock(mu_);
  return acks_;
}

std::vector<Failure> VipWriter::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

std::size_t VipWriter::ack_count() const {
  std::lock_guard lock(mu_);
  return acks_.size();
}

std::size_t VipWriter::failure_count() const {
  std::lock_guard lock(mu_);
  return failures_.size();
}

bool VipWriter::wait_more(std::size_t n, milliseconds limit) const {
  const std::size_t base = ack_count();
  const auto until = Clock::now() + limit;
  while (ack_count() < base + n) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

std::string VipWriter::statement(int txn) const {
  if (options_.id_only) {
    return "INSERT INTO " + options_.table + " (id) VALUES (" + std::to_string(txn) + ")";
  }
  const std::string pad(static_cast<std::size_t>(std::max(0, options_.pad_bytes)), 'x');
  std::string sql = "INSERT INTO " + options_.table + " (txn, seq, pad) VALUES ";
  for (int seq = 0; seq < options_.rows_per_txn; ++seq) {
    if (seq > 0) sql += ',';
    sql += "(" + std::to_string(txn) + "," + std::to_string(seq) + ",'" + pad + "')";
  }
  return sql;
}

void VipWriter::loop() {
  mysql::MysqlThreadToken token;
  std::optional<mysql::MysqlConnection> conn;
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / std::max(1, options_.rate)));
  auto next = Clock::now();
  int txn = 1;
  while (!stop_.load()) {
    // A fixed schedule; when behind (a slow commit, a reconnect) start over from now rather than
    // sending a burst that would distort the commit times.
    const auto now = Clock::now();
    if (next > now) {
      std::this_thread::sleep_for(next - now);
    } else if (now - next > period) {
      next = now;
    }
    next += period;
    const auto attempt = Clock::now();
    if (!conn) {
      auto c = mysql::MysqlConnection::connect(mysql::Endpoint{options_.vip, 3306, ""},
                                               mysql::Credentials{options_.user, options_.password},
                                               mysql::Timeouts{seconds(1), seconds(5), seconds(5)});
      if (!c) {
        {
          std::lock_guard lock(mu_);
          failures_.push_back(Failure{attempt, Clock::now()});
        }
        if (options_.reconnect_pause.count() > 0) {
          std::this_thread::sleep_for(options_.reconnect_pause);
        }
        continue;
      }
      conn.emplace(std::move(*c));
    }
    const int id = txn++;
    const auto sent = Clock::now();
    Status st = conn->execute(statement(id));
    const auto done = Clock::now();
    std::lock_guard lock(mu_);
    if (st) {
      acks_.push_back(Ack{id, sent, done});
    } else {
      failures_.push_back(Failure{attempt, done});
      conn.reset();
    }
  }
}

}  // namespace mha::test
