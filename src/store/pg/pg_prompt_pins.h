// The upstream_prompt_pins table on PostgreSQL (ward-postgres.md, step 2): the same trust on first
// use as SQLite's (sqlite_prompt_pins.h). Private to the store module; callers run offerPrompts and
// approvePromptPin inside a transaction, which takes a transaction advisory lock on the upstream so
// that two nodes importing one upstream together make one "first import" decision.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg_conn.h"
#include "ward/store/tool_store.h"

namespace ward::store::pg {

// ToolStore::offerPromptDefinitions inside the caller's transaction.
Result<std::vector<PromptPinRecord>> offerPrompts(PgConn& db, const std::string& tenant,
                                                  const std::string& upstream,
                                                  const std::vector<PromptPinRecord>& offered,
                                                  int64_t now);
Result<std::vector<PromptPinRecord>> selectPromptPins(PgConn& db, const std::string& tenant,
                                                      const std::string& upstream);
// ToolStore::approvePromptDefinition inside the caller's transaction.
Status approvePromptPin(PgConn& db, const std::string& tenant, const std::string& upstream,
                        const std::string& prompt, const std::string& expected_hash, int64_t now);

}  // namespace ward::store::pg
