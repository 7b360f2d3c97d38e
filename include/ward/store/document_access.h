// May this principal read this document: the one read rule of every path that reads a stored
// document without the index (REST GET /v1/documents/{id}, the builtin `fetch` tool, MCP
// resources and completion, the answer loop's re-check, MCP change notices). The index applies
// the same rule in its visibility bitmap.
#pragma once

#include "ward/identity/principal.h"
#include "ward/store/records.h"

namespace ward::store {

// Whether `who` may read `doc` now: the document is live (not a tombstone), belongs to who's
// tenant, and identity::mayRead holds for its tokens (who's ACL tokens and, when who carries an
// agent's document scope, that scope too). A caller that is refused answers exactly as for a
// missing document.
bool mayReadDocument(const identity::Principal& who, const DocumentRecord& doc);

// The same rule without the liveness condition: whether `who` may know of `doc`'s changes, its
// deletion included (MCP's resources/list_changed and resources/updated notices).
bool mayReadDocumentIgnoringDeletion(const identity::Principal& who, const DocumentRecord& doc);

}  // namespace ward::store
