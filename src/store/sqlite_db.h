// Thin RAII wrappers over the SQLite C API: a connection with a statement cache, and a statement
// with typed binds and columns. Private to the store module.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Resets the statement and clears bindings so it can be reused.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, int v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, const char* v) { bind(i, std::string_view(v)); }
  void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }

  // Returns true when a row is available, false when done; errors become a Status via error().
  bool step() {
    rc_ = sqlite3_step(stmt_);
    return rc_ == SQLITE_ROW;
  }
  Status error(std::string_view what) const {
    if (rc_ == SQLITE_ROW || rc_ == SQLITE_DONE || rc_ == SQLITE_OK) return Status();
    return statusFor(rc_, std::string(what) + ": " + sqlite3_errmsg(db_));
  }
  // Runs to completion (for writes).
  Status exec(std::string_view what) {
    while (step()) {
    }
    return error(what);
  }
  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : "";
  }

  static Status statusFor(int rc, std::string message) {
    switch (rc & 0xFF) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return Status::unavailable(std::move(message));
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
        return Status::corruption(std::move(message));
      case SQLITE_CONSTRAINT:
        return Status::alreadyExists(std::move(message));
      case SQLITE_FULL:
      case SQLITE_IOERR:
        return Status::unavailable(std::move(message));
      default:
        return Status::internal(std::move(message));
    }
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int rc_ = SQLITE_OK;
};

// A borrowed cached statement that is reset when the borrower is done with it, so no read
// transaction stays open between calls (an open read would pin an old WAL snapshot and hide other
// processes' commits).
class StmtRef {
 public:
  explicit StmtRef(Statement* st) : st_(st) {}
  StmtRef(StmtRef&& o) noexcept : st_(o.st_) { o.st_ = nullptr; }
  StmtRef& operator=(StmtRef&& o) noexcept {
    std::swap(st_, o.st_);
    return *this;
  }
  StmtRef(const StmtRef&) = delete;
  StmtRef& operator=(const StmtRef&) = delete;
  ~StmtRef() {
    if (st_) st_->reset();
  }
  Statement* operator->() const { return st_; }

 private:
  Statement* st_;
};

// What a cache of rows read through one connection compares to know that nothing it read can
// have changed: PRAGMA data_version (moves when any other connection commits, in this process or
// another) and this connection's own count of changed rows (sqlite3_total_changes64, which moves
// on every INSERT, UPDATE or DELETE it ran, committed or not). Equal stamps: no commit since.
struct ChangeStamp {
  int64_t data_version = -1;
  int64_t own_changes = -1;
  bool operator==(const ChangeStamp&) const = default;
};

// One connection. Not thread-safe: the store serializes access with its own mutex.
class Database {
 public:
  static Result<std::unique_ptr<Database>> open(const std::string& path);
  ~Database();

  Status exec(const std::string& sql);
  // A cached prepared statement, reset and ready to bind.
  Result<StmtRef> prepare(const std::string& sql);
  int64_t lastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  // The connection's ChangeStamp now: one read transaction that reads no table.
  // Read it before the rows a cache keeps, so a commit between the two moves the next stamp.
  Result<ChangeStamp> changeStamp();
  // Copies every WAL frame into the database file and truncates ward.db-wal to zero bytes, so
  // that content deleted before (secure_delete zeroes it in the database pages) is left in no
  // file. Waits for readers up to the busy timeout; false when one still kept frames in use (the
  // WAL then keeps them until a later truncation).
  Result<bool> truncateWal();

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed without commit().
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction() {
    if (open_) db_.exec("ROLLBACK").ignore("a destructor cannot report it; SQLite rolls back");
  }
  Status begin() {
    WARD_RETURN_IF_ERROR(db_.exec("BEGIN IMMEDIATE"));
    open_ = true;
    return Status();
  }
  Status commit() {
    WARD_RETURN_IF_ERROR(db_.exec("COMMIT"));
    open_ = false;
    return Status();
  }

 private:
  Database& db_;
  bool open_ = false;
};

// JSON kept in TEXT columns: '' is null; unparsable text (never written by Ward) reads as null.
inline Json jsonColumn(const std::string& text) {
  if (text.empty()) return nullptr;
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json(nullptr) : j;
}
inline std::string jsonText(const Json& j) { return j.is_null() ? "" : dumpJson(j); }

}  // namespace ward::store
