// A thin RAII layer over libpq: an owned PGresult, one connection with a per-connection cache of
// prepared statements (text parameters and results), and the mapping of SQLSTATEs to Ward's
// Status codes. Private to the store module; pg_pool.h shares connections between threads.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ward/common/status.h"

namespace ward::store::pg {

// Applied to every connection (docs/design/store.md, "PostgreSQL"): a transaction left open by
// a stuck caller stalls every follower of the change feed, so the server ends it.
inline constexpr int kIdleInTransactionTimeoutMs = 60'000;

// Owns one PGresult. Cells are text (the text protocol); NULL reads as "".
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}

  int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
  bool isNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string text(int row, int col) const;
  int64_t int64(int row, int col) const;
  bool boolean(int row, int col) const;  // 't' / 'f'
  // Rows touched by an INSERT/UPDATE/DELETE.
  int64_t affected() const;

 private:
  std::shared_ptr<PGresult> r_;
};

// Bytes handed to libpq per PQputCopyData call while streaming a COPY.
inline constexpr size_t kCopyPieceBytes = 1 << 20;

// Appends `v` to a row of COPY's text format, escaping backslash, tab, newline and carriage
// return, and then `sep` ('\t' between fields, '\n' after the last one).
void copyField(std::string& out, std::string_view v, char sep);
// A PostgreSQL array literal of text elements ({"a","b\"c"}), for a `$n::text[]` parameter.
std::string textArray(const std::vector<std::string>& values);
// A PostgreSQL array literal of integers ({1,2,3}), for a `$n::bigint[]` parameter.
std::string intArray(const std::vector<int64_t>& values);

// Text parameters for a statement ($1, $2, ...). std::nullopt is SQL NULL.
class PgParams {
 public:
  PgParams& add(std::string_view v) {
    values_.emplace_back(std::string(v));
    return *this;
  }
  PgParams& add(const char* v) { return add(std::string_view(v)); }
  PgParams& add(const std::string& v) { return add(std::string_view(v)); }
  PgParams& add(int64_t v) { return add(std::to_string(v)); }
  PgParams& add(int v) { return add(std::to_string(v)); }
  PgParams& add(bool v) { return add(v ? "true" : "false"); }
  PgParams& addNull() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

// The Status for a failed result. Connection loss and server shutdown are Unavailable, as are
// serialization failures and deadlocks (retryable, see isRetryableSqlState); a unique violation is
// AlreadyExists; bad data InvalidArgument; data corruption Corruption; the rest Internal.
Status statusForSqlState(std::string_view sqlstate, std::string message);
// 40001 (serialization_failure) and 40P01 (deadlock_detected): the transaction may be re-run.
bool isRetryableSqlState(std::string_view sqlstate);
inline constexpr std::string_view kUniqueViolation = "23505";

class PgConn {
 public:
  // Connects with a libpq URL or key=value string (postgresql://user@host/db?sslmode=verify-full
  // ...: TLS and every other libpq option pass through). Unavailable when the server cannot be
  // reached; the message never carries the password.
  static Result<std::unique_ptr<PgConn>> connect(const std::string& url);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs one parameterised statement, preparing it on this connection the first time its text is
  // seen. `what` names the operation in errors.
  Result<PgResult> query(std::string_view what, const std::string& sql,
                         const PgParams& params = {});
  // Runs SQL without parameters (several statements allowed: migrations, BEGIN/COMMIT).
  Status script(std::string_view what, const std::string& sql);
  // Runs `copy_sql` (a `COPY ... FROM STDIN`) and streams `data`, already in COPY's text format
  // (copyField), in pieces of kCopyPieceBytes. A rejected row fails the COPY as a whole, mapped
  // like any other error; inside a transaction, nothing of it stays.
  Status copyIn(std::string_view what, const std::string& copy_sql, std::string_view data);

  // The connection's socket (for poll), -1 when it has none.
  int socket() const { return PQsocket(conn_); }
  // Reads what the server sent and drains the notifications received (LISTEN); returns how many.
  // Unavailable when the connection is lost.
  Result<int> takeNotifications(std::string_view what);

  // The SQLSTATE of the last failed call ("" after a success or when the server sent none).
  const std::string& lastSqlState() const { return last_sqlstate_; }
  // Whether the connection is gone (the pool then drops it).
  bool broken() const;
  // Whether a transaction is open or failed on this connection.
  bool inTransaction() const;

 private:
  explicit PgConn(PGconn* c) : conn_(c) {}
  Result<PgResult> check(PGresult* r, std::string_view what);

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
  std::string last_sqlstate_;
};

// BEGIN on construction's begin(); ROLLBACK on destruction unless commit() succeeded.
class PgTransaction {
 public:
  explicit PgTransaction(PgConn& conn) : conn_(conn) {}
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;

  Status begin();
  Status commit();

 private:
  PgConn& conn_;
  bool open_ = false;
};

}  // namespace ward::store::pg
