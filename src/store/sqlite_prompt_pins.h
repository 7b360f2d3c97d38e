// The upstream_prompt_pins table's statements (schema step 4). Private to the store module;
// callers hold the store's lock and their own transaction.
#pragma once

#include <string>
#include <vector>

#include "sqlite_db.h"
#include "ward/store/tool_store.h"

namespace ward::store {

// ToolStore::offerPromptDefinitions inside the caller's transaction.
Result<std::vector<PromptPinRecord>> offerPrompts(Database& db, const std::string& tenant,
                                                  const std::string& upstream,
                                                  const std::vector<PromptPinRecord>& offered,
                                                  int64_t now);
Result<std::vector<PromptPinRecord>> selectPromptPins(Database& db, const std::string& tenant,
                                                      const std::string& upstream);
// ToolStore::approvePromptDefinition inside the caller's transaction.
Status approvePromptPin(Database& db, const std::string& tenant, const std::string& upstream,
                        const std::string& prompt, const std::string& expected_hash, int64_t now);

}  // namespace ward::store
