// The feed sequencer and readers (pg_feed.h).
#include "pg_feed.h"

#include <algorithm>

namespace ward::store::pg {

Change::Kind changeKindOf(const std::string& kind) {
  return kind == "delete" ? Change::Kind::kDelete
         : kind == "acl"  ? Change::Kind::kAcl
                          : Change::Kind::kUpsert;
}

Status sequenceFeed(PgPool& pool) {
  while (true) {
    {
      WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
      WARD_ASSIGN_OR_RETURN(PgResult waiting, conn->query("check feed",
                                                          "SELECT EXISTS(SELECT 1 FROM changes "
                                                          "WHERE seq IS NULL)"));
      if (!waiting.boolean(0, 0)) return Status();
    }
    int64_t positioned = 0;
    WARD_RETURN_IF_ERROR(pool.transaction([&](PgConn& db) -> Status {
      WARD_RETURN_IF_ERROR(db.query("lock feed sequencer", "SELECT pg_advisory_xact_lock($1)",
                                    PgParams().add(kFeedSequencerLock))
                               .status());
      // A new statement, so a new snapshot (READ COMMITTED) taken after the lock: it sees every
      // position the previous sequencer committed.
      WARD_ASSIGN_OR_RETURN(
          PgResult done,
          db.query("sequence feed",
                   "WITH base AS (SELECT COALESCE(MAX(seq),0) AS top FROM changes), "
                   "todo AS (SELECT id, row_number() OVER (ORDER BY xid, id) AS n FROM changes "
                   "WHERE seq IS NULL AND xid < pg_snapshot_xmin(pg_current_snapshot()) "
                   "ORDER BY xid, id LIMIT $1) "
                   "UPDATE changes c SET seq = base.top + todo.n FROM todo, base "
                   "WHERE c.id = todo.id",
                   PgParams().add(kFeedSequenceBatch)));
      positioned = done.affected();
      return Status();
    }));
    if (positioned < kFeedSequenceBatch) return Status();
  }
}

Result<std::vector<Change>> readChanges(PgPool& pool, int64_t seq, int limit) {
  // One round trip when nothing waits for a position (a search's catch-up, most of the time):
  // the read and the sequencer's check in one statement, so one snapshot. A row of -1 says
  // that unpositioned rows exist; then the sequencer runs and the read is repeated.
  static const std::string kReadOrFlag =
      "SELECT -1::bigint,''::text,0::bigint WHERE EXISTS(SELECT 1 FROM changes WHERE seq IS NULL) "
      "UNION ALL (SELECT seq,kind,doc_id FROM changes WHERE seq>$1 ORDER BY seq LIMIT $2)";
  static const std::string kRead =
      "SELECT seq,kind,doc_id FROM changes WHERE seq>$1 ORDER BY seq LIMIT $2";
  const PgParams params = PgParams().add(seq).add(limit < 0 ? 0 : limit);
  PgResult r;
  {
    WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
    WARD_ASSIGN_OR_RETURN(r, conn->query("read changes", kReadOrFlag, params));
  }
  bool waiting = false;
  for (int i = 0; i < r.rows() && !waiting; ++i) waiting = r.int64(i, 0) < 0;
  if (waiting) {
    WARD_RETURN_IF_ERROR(sequenceFeed(pool));
    WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
    WARD_ASSIGN_OR_RETURN(r, conn->query("read changes", kRead, params));
  }
  std::vector<Change> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    Change c;
    c.seq = r.int64(i, 0);
    c.kind = changeKindOf(r.text(i, 1));
    c.doc_id = r.int64(i, 2);
    out.push_back(c);
  }
  // UNION ALL promises no order across its branches: the positions give it.
  std::sort(out.begin(), out.end(), [](const Change& a, const Change& b) { return a.seq < b.seq; });
  return out;
}

Result<int64_t> lastPosition(PgPool& pool) {
  WARD_RETURN_IF_ERROR(sequenceFeed(pool));
  WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
  WARD_ASSIGN_OR_RETURN(
      PgResult r, conn->query("read last change", "SELECT COALESCE(MAX(seq),0) FROM changes"));
  return r.int64(0, 0);
}

}  // namespace ward::store::pg
