#include "sqlite_db.h"

namespace ward::store {

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Statement::statusFor(rc, "cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 15000);
  return std::unique_ptr<Database>(new Database(db));
}

Database::~Database() {
  cache_.clear();
  sqlite3_close(db_);
}

Status Database::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Statement::statusFor(rc, msg);
  }
  return Status();
}

Result<bool> Database::truncateWal() {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if (rc == SQLITE_BUSY) return false;
  if (rc != SQLITE_OK) {
    return Statement::statusFor(rc, "WAL checkpoint: " + std::string(sqlite3_errmsg(db_)));
  }
  return true;
}

Result<ChangeStamp> Database::changeStamp() {
  WARD_ASSIGN_OR_RETURN(StmtRef st, prepare("PRAGMA data_version"));
  if (!st->step()) {
    WARD_RETURN_IF_ERROR(st->error("read data_version"));
    return Status::internal("PRAGMA data_version returned no row");
  }
  return ChangeStamp{st->int64(0), sqlite3_total_changes64(db_)};
}

Result<StmtRef> Database::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->reset();
    return StmtRef(it->second.get());
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Statement::statusFor(rc, std::string(sqlite3_errmsg(db_)));
  auto owned = std::make_unique<Statement>(db_, stmt);
  Statement* raw = owned.get();
  cache_.emplace(sql, std::move(owned));
  return StmtRef(raw);
}

}  // namespace ward::store
