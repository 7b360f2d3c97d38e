// The rules of pinned upstream prompt definitions, shared by the SQLite and PostgreSQL tool stores
// (docs/design/mcp.md): trust on first use for an upstream's whole prompt set, then every change or
// addition waits for an admin. Pure functions over the rows; each store reads and writes them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ward/common/status.h"
#include "ward/store/tool_store.h"

namespace ward::store {

struct PromptPinUpdate {
  PromptPinRecord record;
  bool changed = false;  // the row must be written
};

// What an offer of definitions does to the upstream's existing pins, one entry per offered
// prompt, in the offer's order. On the first import (no pins yet) each offered definition is
// pinned; afterwards a new prompt gets no pin and a definition other than the pin waits as
// pending; a definition back to the pin clears what was pending.
std::vector<PromptPinUpdate> applyPromptOffer(std::vector<PromptPinRecord> existing,
                                              const std::vector<PromptPinRecord>& offered,
                                              const std::string& tenant,
                                              const std::string& upstream, int64_t now);

// The pin of `prompt` once its pending definition is approved. NotFound when the prompt has no
// pin record; FailedPrecondition when nothing is pending, or `expected_hash` is set and another
// definition is pending now.
Result<PromptPinRecord> approvedPromptPin(std::vector<PromptPinRecord> pins,
                                          const std::string& upstream, const std::string& prompt,
                                          const std::string& expected_hash, int64_t now);

}  // namespace ward::store
