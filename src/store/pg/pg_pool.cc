// The per-process connection pool and the retrying transaction runner (pg_pool.h).
#include "pg_pool.h"

namespace ward::store::pg {

PgLease::~PgLease() {
  if (conn_ && pool_) pool_->giveBack(std::move(conn_));
}

Result<std::unique_ptr<PgPool>> PgPool::open(const std::string& url, size_t max_connections) {
  std::unique_ptr<PgPool> pool(new PgPool(url, max_connections == 0 ? 1 : max_connections));
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<PgConn> first, PgConn::connect(url));
  pool->idle_.push_back(std::move(first));
  pool->open_ = 1;
  return pool;
}

Result<PgLease> PgPool::acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    std::unique_ptr<PgConn> conn = std::move(idle_.back());
    idle_.pop_back();
    return PgLease(this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  auto conn = PgConn::connect(url_);
  if (!conn.ok()) {
    lock.lock();
    --open_;
    cv_.notify_one();
    return conn.status();
  }
  return PgLease(this, std::move(conn).value());
}

void PgPool::giveBack(std::unique_ptr<PgConn> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (conn->broken() || conn->inTransaction()) {
    conn.reset();  // a lost connection, or one a failed ROLLBACK left inside a transaction
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

size_t PgPool::openConnections() {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

Status PgPool::transaction(const std::function<Status(PgConn&)>& body, bool retry_unique) {
  Status last;
  for (int attempt = 0; attempt < kTransactionAttempts; ++attempt) {
    WARD_ASSIGN_OR_RETURN(PgLease conn, acquire());
    PgTransaction tx(*conn);
    Status s = tx.begin();
    if (!s.ok() && conn->broken()) {
      // An idle pooled connection the server dropped (restart, pg_terminate_backend): nothing
      // ran yet, so run again on a new one.
      last = s;
      continue;
    }
    if (s.ok()) s = body(*conn);
    if (s.ok()) return tx.commit();
    std::string state = conn->lastSqlState();
    bool again = isRetryableSqlState(state) || (retry_unique && state == kUniqueViolation);
    last = s;
    if (!again) return s;
  }
  return last;
}

}  // namespace ward::store::pg
