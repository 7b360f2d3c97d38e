// The idempotency_keys table on PostgreSQL (ward-postgres.md, step 2). A key is claimed by one
// statement, INSERT ... ON CONFLICT DO UPDATE ... WHERE the held record expired: a concurrent
// claim of the same key on another node waits on the row and then finds it held, so exactly one
// caller across every node gets inserted=true and the others replay the stored response (or see
// in_progress). Private to the store module.
#pragma once

#include <cstdint>
#include <string>

#include "pg_conn.h"
#include "ward/store/tool_store.h"

namespace ward::store::pg {

// ToolStore::claimIdempotencyKey's contract.
Result<IdempotencyRecord> claimKey(PgConn& db, const IdempotencyRecord& rec, int64_t now,
                                   bool* inserted);
// NotFound when no record holds the key.
Result<IdempotencyRecord> selectKey(PgConn& db, const std::string& tenant,
                                    const std::string& principal, const std::string& key);
Status completeKey(PgConn& db, const IdempotencyRecord& rec);
// Deletes the record only while it is in_progress.
Status releaseKey(PgConn& db, const std::string& tenant, const std::string& principal,
                  const std::string& key);

}  // namespace ward::store::pg
