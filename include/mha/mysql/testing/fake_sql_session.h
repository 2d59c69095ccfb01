#pragma once

// Test-only scripted doubles for SqlSession and SqlConnector (header-only; needs GoogleTest, so
// include it from tests only).
//
//   FakeSqlSession db;
//   db.expect("SELECT @@read_only").returns({"@@read_only"}, {{"1"}});
//   db.expect("STOP SLAVE IO_THREAD");                       // execute() succeeds
//   db.expect("SHOW SLAVE STATUS").fails(2013);               // classified like a real error
//   run_code_under_test(db);
//   // ~FakeSqlSession reports a test failure for every expectation left unused.
//
// Statements must arrive in the scripted order and match exactly (after trimming surrounding
// whitespace). An unexpected statement is a test failure and returns ErrorCode::kInternal.

#include "mha/mysql/errors.h"
#include "mha/mysql/sql_session.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mha::mysql::testing {

class FakeSqlSession : public SqlSession {
 public:
  class Expectation {
   public:
    explicit Expectation(std::string sql) : sql_(std::move(sql)) {}

    Expectation& returns(ResultSet result) {
      result_ = std::move(result);
      return *this;
    }
    Expectation& returns(std::vector<std::string> columns, std::vector<Row> rows) {
      result_ = ResultSet{std::move(columns), std::move(rows), 0};
      return *this;
    }
    // Fails with the Error a real server/client would produce for this errno.
    Expectation& fails(unsigned int mysql_errno, std::string message = "scripted failure") {
      errno_ = mysql_errno;
      message_ = std::move(message);
      return *this;
    }

    // Runs `f` while the statement runs, before it returns: e.g. to hold it until something on
    // another thread has happened (bound such waits, a test must not hang).
    Expectation& during(std::function<void()> f) {
      during_ = std::move(f);
      return *this;
    }

   private:
    friend class FakeSqlSession;
    std::function<void()> during_;
    std::string sql_;
    ResultSet result_;
    unsigned int errno_ = 0;
    std::string message_;
  };

  explicit FakeSqlSession(std::string server = "fake:3306") : server_(std::move(server)) {}
  ~FakeSqlSession() override {
    for (const auto& e : expected_) {
      ADD_FAILURE() << server_ << ": expected statement never ran: " << e->sql_;
    }
  }
  FakeSqlSession(const FakeSqlSession&) = delete;
  FakeSqlSession& operator=(const FakeSqlSession&) = delete;

  Expectation& expect(std::string sql) {
    expected_.push_back(std::make_unique<Expectation>(trim(std::move(sql))));
    return *expected_.back();
  }

  Result<ResultSet> query(std::string_view sql) override { return next(sql); }

  bool peer_signalled() const override { return peer_signalled_; }
  void set_peer_signalled(bool v) { peer_signalled_ = v; }

  Status execute(std::string_view sql) override {
    Result<ResultSet> r = next(sql);
    if (!r) return Unexpected(std::move(r).error());
    return ok_status();
  }

  // Statements received so far, in order (including unexpected ones).
  const std::vector<std::string>& history() const { return history_; }
  size_t pending() const { return expected_.size(); }

 private:
  static std::string trim(std::string s) {
    const char* ws = " \t\r\n";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
  }

  Result<ResultSet> next(std::string_view sql_in) {
    std::string sql = trim(std::string(sql_in));
    history_.push_back(sql);
    if (expected_.empty() || expected_.front()->sql_ != sql) {
      ADD_FAILURE() << server_ << ": unexpected statement: " << sql << "\n  expected: "
                    << (expected_.empty() ? "(nothing)" : expected_.front()->sql_);
      return Unexpected(
          make_error(ErrorCode::kInternal, server_ + ": unexpected statement in fake: " + sql));
    }
    std::unique_ptr<Expectation> e = std::move(expected_.front());
    expected_.pop_front();
    if (e->during_) e->during_();
    if (e->errno_ != 0)
      return Unexpected(make_mysql_error(e->errno_, "query on", server_, e->message_));
    return e->result_;
  }

  std::string server_;
  std::deque<std::unique_ptr<Expectation>> expected_;
  std::vector<std::string> history_;
  bool peer_signalled_ = false;
};

// Hands out scripted sessions by endpoint ("host:port" as Endpoint::display() prints it).
class FakeSqlConnector : public SqlConnector {
 public:
  // A session for `server`, scripted by the test; each connect() to it returns a handle to the
  // same session. Leftover expectations are reported when both the connector and every handle
  // are gone.
  FakeSqlSession& session(const std::string& server) {
    auto& slot = sessions_[server];
    if (!slot) slot = std::make_shared<FakeSqlSession>(server);
    return *slot;
  }

  // connect() to `server` fails with this errno (e.g. 2002 dead, 1045 bad password).
  void refuse(const std::string& server, unsigned int mysql_errno) {
    refusals_[server] = mysql_errno;
  }

  Result<std::unique_ptr<SqlSession>> connect(const Endpoint& endpoint, const Credentials&,
                                              const Timeouts&) override {
    // The executor connects from several threads at once (replica IO threads are stopped in
    // parallel, beside the fence); each scripted session is still used by one thread.
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string server = endpoint.display();
    connects_.push_back(server);
    if (auto it = refusals_.find(server); it != refusals_.end()) {
      return Unexpected(make_mysql_error(it->second, "connecting to", server, "scripted refusal"));
    }
    auto it = sessions_.find(server);
    if (it == sessions_.end()) {
      ADD_FAILURE() << "unexpected connect to " << server;
      return Unexpected(make_error(ErrorCode::kInternal, "unexpected connect to " + server));
    }
    return std::unique_ptr<SqlSession>(std::make_unique<Handle>(it->second));
  }

  // connect() to `server` works again.
  void accept(const std::string& server) { refusals_.erase(server); }

  const std::vector<std::string>& connects() const { return connects_; }

 private:
  class Handle : public SqlSession {
   public:
    explicit Handle(std::shared_ptr<FakeSqlSession> s) : s_(std::move(s)) {}
    Result<ResultSet> query(std::string_view sql) override { return s_->query(sql); }
    Status execute(std::string_view sql) override { return s_->execute(sql); }
    bool peer_signalled() const override { return s_->peer_signalled(); }

   private:
    std::shared_ptr<FakeSqlSession> s_;
  };

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<FakeSqlSession>> sessions_;
  std::map<std::string, unsigned int> refusals_;
  std::vector<std::string> connects_;
};

}  // namespace mha::mysql::testing
