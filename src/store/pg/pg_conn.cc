// libpq connections, results, statements and transactions (pg_conn.h).
#include "pg_conn.h"

#include <algorithm>
#include <cstdlib>

namespace ward::store::pg {

namespace {

void ignoreNotice(void*, const char*) {}  // "relation already exists, skipping" and the like

std::string trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

std::string PgResult::text(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  return std::string(v, static_cast<size_t>(PQgetlength(r_.get(), row, col)));
}

int64_t PgResult::int64(int row, int col) const {
  if (isNull(row, col)) return 0;
  return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
}

bool PgResult::boolean(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  return v != nullptr && v[0] == 't';
}

int64_t PgResult::affected() const {
  const char* n = r_ ? PQcmdTuples(r_.get()) : nullptr;
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

void copyField(std::string& out, std::string_view v, char sep) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  out += sep;
}

std::string textArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string intArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

bool isRetryableSqlState(std::string_view s) { return s == "40001" || s == "40P01"; }

Status statusForSqlState(std::string_view s, std::string message) {
  if (s.empty()) return Status::unavailable(std::move(message));  // no answer from the server
  std::string_view cls = s.substr(0, 2);
  if (s == kUniqueViolation) return Status::alreadyExists(std::move(message));
  if (isRetryableSqlState(s)) return Status::unavailable(std::move(message));
  if (cls == "08" || cls == "53" || cls == "57") {
    // Connection exceptions, insufficient resources, operator intervention (shutdown, cancel,
    // statement timeout): the caller may try again later.
    return Status::unavailable(std::move(message));
  }
  if (s == "25P03") return Status::unavailable(std::move(message));  // idle-in-transaction timeout
  if (cls == "22") return Status::invalidArgument(std::move(message));
  if (cls == "23") return Status::failedPrecondition(std::move(message));
  if (cls == "XX" && (s == "XX001" || s == "XX002")) return Status::corruption(std::move(message));
  return Status::internal(std::move(message));
}

Result<std::unique_ptr<PgConn>> PgConn::connect(const std::string& url) {
  PGconn* c = PQconnectdb(url.c_str());
  if (c == nullptr) return Status::unavailable("postgresql: out of memory connecting");
  std::unique_ptr<PgConn> conn(new PgConn(c));
  if (PQstatus(c) != CONNECTION_OK) {
    // libpq's message names the host and the reason, never the password.
    return Status::unavailable("postgresql: cannot connect: " + trimmed(PQerrorMessage(c)));
  }
  PQsetNoticeProcessor(c, ignoreNotice, nullptr);
  WARD_RETURN_IF_ERROR(
      conn->script("configure connection",
                   "SET application_name = 'ward'; SET idle_in_transaction_session_timeout = " +
                       std::to_string(kIdleInTransactionTimeoutMs)));
  return conn;
}

PgConn::~PgConn() { PQfinish(conn_); }

bool PgConn::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

bool PgConn::inTransaction() const {
  PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

Result<PgResult> PgConn::check(PGresult* raw, std::string_view what) {
  PgResult r(raw);
  ExecStatusType st = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    last_sqlstate_.clear();
    return r;
  }
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state ? state : "";
  std::string message = raw ? trimmed(PQresultErrorMessage(raw)) : "";
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  if (last_sqlstate_.empty() && !broken()) last_sqlstate_ = "XX000";
  return statusForSqlState(last_sqlstate_, "postgresql: " + std::string(what) + ": " + message);
}

Result<PgResult> PgConn::query(std::string_view what, const std::string& sql,
                               const PgParams& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "w" + std::to_string(prepared_.size() + 1);
    WARD_ASSIGN_OR_RETURN(PgResult prep,
                          check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), what));
    (void)prep;
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& v : params.values()) values.push_back(v ? v->c_str() : nullptr);
  return check(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                              values.data(), nullptr, nullptr, 0),
               what);
}

Status PgConn::script(std::string_view what, const std::string& sql) {
  return check(PQexec(conn_, sql.c_str()), what).status();
}

Status PgConn::copyIn(std::string_view what, const std::string& copy_sql, std::string_view data) {
  PGresult* start = PQexec(conn_, copy_sql.c_str());
  if (start == nullptr || PQresultStatus(start) != PGRES_COPY_IN) {
    return check(start, what).status();
  }
  PQclear(start);
  std::string failure;
  for (size_t at = 0; at < data.size() && failure.empty(); at += kCopyPieceBytes) {
    size_t n = std::min(kCopyPieceBytes, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1) {
      failure = trimmed(PQerrorMessage(conn_));
    }
  }
  if (failure.empty() && PQputCopyEnd(conn_, nullptr) != 1)
    failure = trimmed(PQerrorMessage(conn_));
  // The COPY's own result (the server's verdict on the rows), then the end of results.
  Result<PgResult> done = check(PQgetResult(conn_), what);
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  if (!failure.empty()) {
    last_sqlstate_.clear();
    return Status::unavailable("postgresql: " + std::string(what) + ": " + failure);
  }
  return done.status();
}

Result<int> PgConn::takeNotifications(std::string_view what) {
  if (PQconsumeInput(conn_) == 0) {
    return Status::unavailable("postgresql: " + std::string(what) + ": " +
                               trimmed(PQerrorMessage(conn_)));
  }
  int n = 0;
  while (PGnotify* note = PQnotifies(conn_)) {
    PQfreemem(note);
    ++n;
  }
  return n;
}

PgTransaction::~PgTransaction() {
  if (open_) conn_.script("rollback", "ROLLBACK").ignore("a destructor cannot report it");
}

Status PgTransaction::begin() {
  WARD_RETURN_IF_ERROR(conn_.script("begin", "BEGIN"));
  open_ = true;
  return Status();
}

Status PgTransaction::commit() {
  Status s = conn_.script("commit", "COMMIT");
  if (!s.ok() && conn_.broken()) {
    open_ = false;
    return Status::unavailable(s.message() +
                               " (the connection was lost during COMMIT: the outcome is unknown)");
  }
  WARD_RETURN_IF_ERROR(s);
  open_ = false;
  return Status();
}

}  // namespace ward::store::pg
