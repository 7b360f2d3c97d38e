// A small pool of libpq connections shared by one process's threads, and the transaction runner
// that retries serialization failures and deadlocks. Private to the store module.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pg_conn.h"

namespace ward::store::pg {

// Connections one process opens to the store at most (docs/design/store.md, "PostgreSQL"); a
// caller beyond it waits for a connection to come back.
inline constexpr size_t kPoolConnections = 8;
// Runs of a transaction that failed with a serialization failure or deadlock (and, where the
// caller allows it, a unique violation from a concurrent insert) before the error is returned.
inline constexpr int kTransactionAttempts = 3;

class PgPool;

// A connection borrowed from the pool, given back on destruction (dropped when it is broken or
// was left inside a transaction).
class PgLease {
 public:
  PgLease(PgPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
  PgLease(PgLease&&) = default;
  PgLease& operator=(PgLease&&) = delete;
  ~PgLease();

  PgConn& operator*() { return *conn_; }
  PgConn* operator->() { return conn_.get(); }

 private:
  PgPool* pool_;
  std::unique_ptr<PgConn> conn_;
};

class PgPool {
 public:
  // Opens the first connection now, so a bad URL or an unreachable server fails here.
  static Result<std::unique_ptr<PgPool>> open(const std::string& url,
                                              size_t max_connections = kPoolConnections);

  // An idle connection, a new one while under the limit, else waits for one.
  Result<PgLease> acquire();

  // Runs `body` inside BEGIN ... COMMIT on one connection. A failure with a retryable SQLSTATE
  // (isRetryableSqlState; also a unique violation when `retry_unique` is set) rolls back and runs
  // `body` again, up to kTransactionAttempts times, as does a BEGIN on a connection the server
  // dropped while it was idle; any other failure rolls back and is returned.
  Status transaction(const std::function<Status(PgConn&)>& body, bool retry_unique = false);

  size_t openConnections();
  // The URL the pool connects with (a connection of another kind, such as a listener's).
  const std::string& url() const { return url_; }

 private:
  friend class PgLease;
  PgPool(std::string url, size_t max) : url_(std::move(url)), max_(max) {}
  void giveBack(std::unique_ptr<PgConn> conn);

  std::string url_;
  size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  size_t open_ = 0;  // idle + lent
};

}  // namespace ward::store::pg
