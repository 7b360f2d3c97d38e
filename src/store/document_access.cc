#include "ward/store/document_access.h"

#include "ward/identity/document_scope.h"

namespace ward::store {

bool mayReadDocumentIgnoringDeletion(const identity::Principal& who, const DocumentRecord& doc) {
  // Tokens are tenant-scoped, so identity::mayRead alone refuses another tenant's document; the
  // tenant is compared anyway so that the rule does not rest on how tokens are spelled.
  return doc.tenant == who.tenant && identity::mayRead(who, doc.tokens());
}

bool mayReadDocument(const identity::Principal& who, const DocumentRecord& doc) {
  return !doc.deleted && mayReadDocumentIgnoringDeletion(who, doc);
}

}  // namespace ward::store
