// Work across nodes on PostgreSQL (ward/store/cluster.h): the lease statements, the fenced feed
// pruning, the followers' cursors, the epoch-checked feed read and the epoch change. Times are
// the database's (clock_timestamp()), so nodes' clocks never decide who leads.
//
// Fencing: a leader write names the lease, its holder and its term, and locks the lease row
// (FOR SHARE) in the same statement before it changes anything; a takeover's UPDATE of that row
// waits for the write to end, and a write that starts after a takeover finds another holder or
// term and changes nothing. A session advisory lock is not a guard: it is gone, silently, with
// the backend that held it (pg_terminate_backend), which the lease row survives.
#pragma once

#include <chrono>
#include <string>

#include "pg_pool.h"
#include "ward/store/cluster.h"

namespace ward::store::pg {

Result<LeaseTerm> acquireLease(PgPool& pool, const std::string& name, const std::string& node,
                               std::chrono::milliseconds ttl);
Status releaseLease(PgPool& pool, const LeaseTerm& term);
Result<int64_t> pruneFeed(PgPool& pool, const LeaseTerm& term, std::chrono::seconds retention);
Status recordFollower(PgPool& pool, const std::string& node, int64_t cursor);
Result<FeedPage> readFeed(PgPool& pool, int64_t epoch, int64_t seq, int limit);
Result<FeedResyncPoint> resyncPoint(PgPool& pool);
Result<std::vector<int64_t>> liveDocumentIds(PgPool& pool, int64_t after_id, int limit);
Result<int64_t> newEpoch(PgPool& pool);

}  // namespace ward::store::pg
