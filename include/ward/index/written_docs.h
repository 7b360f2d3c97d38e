// Versions that their writer hands to the index, so that a catch-up takes a just-committed
// document's chunks from the writer instead of reading them back from the store
// (docs/design/index.md, "Data flow"). Only a shortcut: the change feed stays the source of
// truth, and the index ends up exactly as Index::catchUp() would leave it.
//
// A handed-over version is used for a document only while the store still holds that version:
// the catch-up still reads the document's row (its ACL, metadata, title and date always come
// from the store) and takes the writer's chunks only when the row is live at the same version.
// Chunks change only with a new version, so those are then exactly the stored chunks; anything
// else (a later rewrite, a delete) reads the store as before.
#pragma once

#include <cstdint>
#include <vector>

#include "ward/common/status.h"
#include "ward/index/index.h"
#include "ward/store/records.h"

namespace ward::index {

struct WrittenDoc {
  int64_t doc_id = 0;
  int64_t version = 0;  // store::WriteResult::version
  // The write as committed: its chunks carry their store ids. Must outlive the catch-up.
  const store::DocumentWrite* write = nullptr;
};

// The WrittenDocs of a committed batch, where `results[i]` is the outcome of `writes[i]`: the
// versions created or updated (an unchanged or ACL-only write keeps the stored chunks, which the
// write does not carry).
std::vector<WrittenDoc> writtenDocs(const std::vector<store::WriteResult>& results,
                                    const std::vector<store::DocumentWrite>& writes);

// index.catchUp(), taking the chunks of `written` from the caller where the store still holds
// those versions. An index other than openIndex's reads the store for all of them.
Result<int64_t> catchUpWritten(Index& index, const std::vector<WrittenDoc>& written);

// How many documents `index` prepared with handed-over chunks so far (0 for another index).
int64_t writtenDocsUsed(Index& index);

}  // namespace ward::index
