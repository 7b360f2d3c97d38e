// Lease, pruning, followers and epoch statements (pg_cluster.h).
#include "pg_cluster.h"

#include <algorithm>

#include "pg_feed.h"
#include "ward/common/hash.h"

namespace ward::store::pg {

namespace {

// The fence every leader write carries: the lease row, locked for the rest of the transaction,
// still held by this holder under this term and not expired ($1 name, $2 holder, $3 term).
constexpr const char* kFence =
    "SELECT 1 FROM leases WHERE name=$1 AND holder=$2 AND term=$3 "
    "AND expires_at > clock_timestamp() FOR SHARE";

}  // namespace

Result<LeaseTerm> acquireLease(PgPool& pool, const std::string& name, const std::string& node,
                               std::chrono::milliseconds ttl) {
  WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
  // One statement: insert the lease, or take it over when it expired (term + 1), or renew it
  // when this node holds it (same term). When another node holds it, nothing is written and a
  // second statement reads who does.
  WARD_ASSIGN_OR_RETURN(
      PgResult r,
      conn->query("acquire lease",
                  "INSERT INTO leases AS l(name,holder,term,expires_at) "
                  "VALUES($1,$2,1,clock_timestamp() + make_interval(secs => $3::float8/1000)) "
                  "ON CONFLICT (name) DO UPDATE SET holder=EXCLUDED.holder, "
                  "term = CASE WHEN l.holder=EXCLUDED.holder THEN l.term ELSE l.term+1 END, "
                  "expires_at=EXCLUDED.expires_at "
                  "WHERE l.expires_at < clock_timestamp() OR l.holder=EXCLUDED.holder "
                  "RETURNING term",
                  PgParams().add(name).add(node).add(static_cast<int64_t>(ttl.count()))));
  LeaseTerm out;
  out.name = name;
  if (r.rows() == 1) {
    out.holder = node;
    out.term = r.int64(0, 0);
    out.leading = true;
    return out;
  }
  WARD_ASSIGN_OR_RETURN(PgResult held,
                        conn->query("read lease", "SELECT holder,term FROM leases WHERE name=$1",
                                    PgParams().add(name)));
  if (held.rows() == 1) {
    out.holder = held.text(0, 0);
    out.term = held.int64(0, 1);
  }
  return out;
}

Status releaseLease(PgPool& pool, const LeaseTerm& term) {
  WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
  // Expired now rather than deleted: the term stays, so the next holder's term is higher.
  return conn
      ->query("release lease",
              "UPDATE leases SET expires_at = clock_timestamp() - interval '1 millisecond' "
              "WHERE name=$1 AND holder=$2 AND term=$3",
              PgParams().add(term.name).add(term.holder).add(term.term))
      .status();
}

Result<int64_t> pruneFeed(PgPool& pool, const LeaseTerm& term, std::chrono::seconds retention) {
  int64_t total = 0;
  while (true) {
    int64_t deleted = 0;
    WARD_RETURN_IF_ERROR(pool.transaction([&](PgConn& db) -> Status {
      WARD_ASSIGN_OR_RETURN(PgResult fenced,
                            db.query("check lease", kFence,
                                     PgParams().add(term.name).add(term.holder).add(term.term)));
      if (fenced.rows() == 0) {
        return Status::failedPrecondition("lease '" + term.name + "' term " +
                                          std::to_string(term.term) + " is no longer held by " +
                                          term.holder + ": not pruning the change feed");
      }
      // The horizon: the slowest live follower of this epoch (none: nothing is pruned), and at
      // most kPruneBatch rows above the oldest positioned one per statement. The newest
      // positioned row stays: the sequencer numbers on from it, so positions never go back.
      WARD_ASSIGN_OR_RETURN(
          PgResult r,
          db.query("prune feed",
                   "WITH live AS (SELECT MIN(f.cursor) AS c FROM feed_followers f JOIN meta m "
                   "ON m.key='store_epoch' AND f.epoch = m.value::bigint "
                   "WHERE f.heartbeat_at > clock_timestamp() - make_interval(secs => $1)), "
                   "low AS (SELECT MIN(seq) AS s FROM changes WHERE seq IS NOT NULL), "
                   "gone AS (DELETE FROM changes WHERE seq IS NOT NULL "
                   "AND seq <= (SELECT c FROM live) AND seq < (SELECT s FROM low) + $3 "
                   "AND seq < (SELECT MAX(seq) FROM changes) "
                   "AND at < clock_timestamp() - make_interval(secs => $2) RETURNING seq), "
                   "mark AS (UPDATE meta SET value = GREATEST(value::bigint, "
                   "(SELECT MAX(seq) FROM gone))::text "
                   "WHERE key='feed_pruned_through' AND EXISTS(SELECT 1 FROM gone) RETURNING 1) "
                   "SELECT (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM mark)",
                   PgParams()
                       .add(static_cast<int64_t>(kFollowerLiveness.count()))
                       .add(static_cast<int64_t>(retention.count()))
                       .add(kPruneBatch)));
      deleted = r.int64(0, 0);
      return db
          .query("forget followers",
                 "DELETE FROM feed_followers "
                 "WHERE heartbeat_at < clock_timestamp() - make_interval(secs => $1)",
                 PgParams().add(static_cast<int64_t>(kFollowerForget.count())))
          .status();
    }));
    total += deleted;
    if (deleted == 0) return total;
  }
}

Status recordFollower(PgPool& pool, const std::string& node, int64_t cursor) {
  WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
  return conn
      ->query("record follower",
              "INSERT INTO feed_followers(node,epoch,cursor,heartbeat_at) "
              "SELECT $1, value::bigint, $2, clock_timestamp() FROM meta WHERE key='store_epoch' "
              "ON CONFLICT (node) DO UPDATE SET epoch=EXCLUDED.epoch, cursor=EXCLUDED.cursor, "
              "heartbeat_at=EXCLUDED.heartbeat_at",
              PgParams().add(node).add(cursor))
      .status();
}

Result<FeedPage> readFeed(PgPool& pool, int64_t epoch, int64_t seq, int limit) {
  // One statement, so one snapshot: the epoch and the pruned horizon (a row of -2), the last
  // position (-3), whether rows wait for a position (-1), and the changes. A prune or an epoch
  // change committed before the snapshot is seen with the rows it removed gone; one committed
  // after it removed nothing seen. A cursor above the last position means the feed went back
  // (a restore without a new epoch): pruning never removes the newest row, so nothing else
  // can do that.
  static const std::string kRead =
      "SELECT -2::bigint, (SELECT value FROM meta WHERE key='store_epoch'), "
      "(SELECT value::bigint FROM meta WHERE key='feed_pruned_through') "
      "UNION ALL SELECT -3::bigint, ''::text, COALESCE(MAX(seq),0) FROM changes "
      "UNION ALL SELECT -1::bigint,''::text,0::bigint "
      "WHERE EXISTS(SELECT 1 FROM changes WHERE seq IS NULL) "
      "UNION ALL (SELECT seq,kind,doc_id FROM changes WHERE seq>$1 ORDER BY seq LIMIT $2)";
  const PgParams params = PgParams().add(seq).add(limit < 0 ? 0 : limit);
  for (int round = 0; round < 2; ++round) {
    PgResult r;
    {
      WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
      WARD_ASSIGN_OR_RETURN(r, conn->query("read feed", kRead, params));
    }
    FeedPage page;
    bool waiting = false;
    int64_t pruned = 0, last = 0;
    for (int i = 0; i < r.rows(); ++i) {
      const int64_t s = r.int64(i, 0);
      if (s == -2) {
        page.epoch = std::stoll(r.text(i, 1));
        pruned = r.int64(i, 2);
      } else if (s == -3) {
        last = r.int64(i, 2);
      } else if (s == -1) {
        waiting = true;
      } else {
        page.changes.push_back(Change{s, changeKindOf(r.text(i, 1)), r.int64(i, 2)});
      }
    }
    if (waiting && round == 0) {
      WARD_RETURN_IF_ERROR(sequenceFeed(pool));
      continue;
    }
    std::sort(page.changes.begin(), page.changes.end(),
              [](const Change& a, const Change& b) { return a.seq < b.seq; });
    page.resync = (epoch != 0 && epoch != page.epoch) || seq < pruned || seq > last;
    if (page.resync) page.changes.clear();
    return page;
  }
  return Status::internal("unreachable");
}

Result<FeedResyncPoint> resyncPoint(PgPool& pool) {
  WARD_RETURN_IF_ERROR(sequenceFeed(pool));
  WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
  WARD_ASSIGN_OR_RETURN(
      PgResult r, conn->query("read resync point",
                              "SELECT (SELECT value::bigint FROM meta WHERE key='store_epoch'), "
                              "GREATEST((SELECT COALESCE(MAX(seq),0) FROM changes), "
                              "(SELECT value::bigint FROM meta WHERE key='feed_pruned_through'))"));
  return FeedResyncPoint{r.int64(0, 0), r.int64(0, 1)};
}

Result<std::vector<int64_t>> liveDocumentIds(PgPool& pool, int64_t after_id, int limit) {
  WARD_ASSIGN_OR_RETURN(PgLease conn, pool.acquire());
  WARD_ASSIGN_OR_RETURN(PgResult r, conn->query("list live documents",
                                                "SELECT id FROM documents WHERE id>$1 AND NOT "
                                                "deleted ORDER BY id LIMIT $2",
                                                PgParams().add(after_id).add(limit)));
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.int64(i, 0));
  return out;
}

Result<int64_t> newEpoch(PgPool& pool) {
  int64_t epoch = 0;
  WARD_RETURN_IF_ERROR(pool.transaction([&](PgConn& db) -> Status {
    WARD_ASSIGN_OR_RETURN(
        PgResult r,
        db.query("new epoch",
                 "UPDATE meta SET value = (value::bigint + 1)::text WHERE key='store_epoch' "
                 "RETURNING value::bigint"));
    if (r.rows() == 0) return Status::corruption("meta 'store_epoch' missing");
    epoch = r.int64(0, 0);
    // A new store id: index checkpoints of the old epoch no longer belong to this store.
    WARD_RETURN_IF_ERROR(db.query("new store id", "UPDATE meta SET value=$1 WHERE key='store_id'",
                                  PgParams().add(randomHex(16)))
                             .status());
    // Followers of the old epoch hold nothing back.
    return db.query("forget followers", "DELETE FROM feed_followers").status();
  }));
  return epoch;
}

}  // namespace ward::store::pg
