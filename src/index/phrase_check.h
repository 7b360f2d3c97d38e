// Phrase verification for search (docs/design/index.md, "Search"): postings hold no positions, so
// a query's phrases are checked on the top candidates by analyzing their text again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ward/store/store.h"

namespace ward::index {

// Whether the chunk `chunk_id` (its text, its heading path or its document's title) contains
// every phrase (analyzed terms, in order, at consecutive positions). False when the chunk is
// gone.
bool chunkHasPhrases(store::Store& store, int64_t chunk_id,
                     const std::vector<std::vector<std::string>>& phrases);

}  // namespace ward::index
