// The change feed on PostgreSQL (docs/design/store.md, "The change feed on PostgreSQL").
//
// Writers append a `changes` row in the transaction of each change; the row carries the writer's
// xid (pg_current_xact_id()) and its identity `id`, and no position yet. Transactions commit in
// any order, so an `id` cursor could skip a row whose transaction committed after a later one.
// The sequencer closes that gap: under a transaction-scoped advisory lock (one sequencer at a
// time, across every node), it gives the rows below the xid horizon
// (xid < pg_snapshot_xmin(pg_current_snapshot()): every such transaction has finished) contiguous
// positions `seq` after the highest one, in (xid, id) order. A transaction still running holds
// the horizon down, so its rows, and every row of a later xid, wait for the next run: a late
// commit delays the feed but is never skipped, and positions never go backwards.
// changesSince(seq) then reads positions above `seq`, the same contract as SQLite's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg_pool.h"
#include "ward/store/records.h"

namespace ward::store::pg {

// Advisory lock key of the feed sequencer ("wardfeed" in ASCII).
inline constexpr int64_t kFeedSequencerLock = 0x7761726466656564;
// Rows one sequencer transaction positions at most (it runs again while rows remain).
inline constexpr int kFeedSequenceBatch = 10'000;

// The Change::Kind of a `changes.kind` text ("delete", "acl", anything else an upsert).
Change::Kind changeKindOf(const std::string& kind);
// Positions the finished, unpositioned feed rows (no-op, without a write, when there are none).
Status sequenceFeed(PgPool& pool);
// Positioned changes with seq > `seq`, in order, at most `limit` (sequences first).
Result<std::vector<Change>> readChanges(PgPool& pool, int64_t seq, int limit);
// The highest position (0 when none), after sequencing.
Result<int64_t> lastPosition(PgPool& pool);

}  // namespace ward::store::pg
