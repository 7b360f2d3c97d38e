// Bulk document writes on PostgreSQL: a batch of DocumentWrites in a fixed number of round trips
// (docs/design/store.md, "Bulk ingest on PostgreSQL"), with the outcomes of the one-by-one path
// (pg_documents.h: created / updated / ACL changed / unchanged, versions, one change-feed row per
// change stamped with the writer's xid).
//
// One run over writes with distinct (tenant, ext_id):
//   1. lock and read the rows that exist: one SELECT ... FOR UPDATE over arrays, in id order;
//   2. decide each outcome in memory (content hash, attributes) as writeDocument does;
//   3. take ids for the new documents and chunks from their sequences (one statement each);
//   4. COPY the new documents; UPDATE the changed ones and DELETE their old chunks, each one
//      statement over arrays; COPY every new chunk (the bulk of the bytes);
//   5. INSERT the feed rows, in input order, in one statement.
// A batch naming one document twice is split into runs at each repeat, so a later write sees the
// earlier one as the one-by-one path would. The caller owns the transaction: a failure anywhere
// leaves nothing of the batch.
#pragma once

#include <cstdint>
#include <vector>

#include "pg_conn.h"
#include "ward/store/records.h"

namespace ward::store::pg {

// Writes `writes` (chunk ids, doc ids and versions written back into each write's chunks) and
// returns one result per write, in input order. Runs inside the caller's transaction.
Result<std::vector<WriteResult>> writeDocumentBatch(PgConn& db, std::vector<DocumentWrite>& writes,
                                                    int64_t now);

}  // namespace ward::store::pg
