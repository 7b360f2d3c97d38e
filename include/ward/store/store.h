// The system of record. One interface; SQLite (embedded, WAL) implements it today.
//
// Every write is one transaction: a document version and all its chunks land together or not at
// all, and each committed write appends to the change feed the index follows. Implementations are
// thread-safe; several processes may open the same SQLite file (writes serialize on its lock).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/status.h"
#include "ward/identity/directory.h"
#include "ward/store/records.h"

namespace ward::store {

class Store : public identity::Directory {
 public:
  ~Store() override = default;

  // --- tenants and principals ---
  virtual Status ensureTenant(const std::string& tenant) = 0;
  // Every tenant's name, sorted.
  virtual Result<std::vector<std::string>> listTenants() = 0;
  virtual Result<identity::PrincipalRecord> createPrincipal(const std::string& tenant,
                                                            const std::string& name,
                                                            identity::PrincipalKind kind,
                                                            bool admin) = 0;
  virtual Result<std::vector<identity::PrincipalRecord>> listPrincipals(
      const std::string& tenant) = 0;
  // Adds member to group (both must exist in the tenant; group must be a group).
  virtual Status addMembership(const std::string& tenant, const std::string& member,
                               const std::string& group) = 0;
  virtual Status removeMembership(const std::string& tenant, const std::string& member,
                                  const std::string& group) = 0;
  virtual Status storeApiKey(const identity::ApiKeyRecord& key) = 0;
  virtual Result<std::vector<identity::ApiKeyRecord>> listApiKeys(int64_t principal_id) = 0;
  virtual Status revokeApiKey(const std::string& key_id) = 0;
  // An agent's document scope (identity/document_scope.h; agentScope() reads it). `agent` must
  // be an agent of the tenant (else NotFound / InvalidArgument) and the entry valid; adding an
  // existing entry is AlreadyExists, removing a missing one NotFound; at most
  // identity::kMaxScopeEntries entries (ResourceExhausted). Both bump the identity generation.
  virtual Status addScopeEntry(const std::string& tenant, const std::string& agent,
                               const identity::ScopeEntry& entry, const std::string& by) = 0;
  virtual Status removeScopeEntry(const std::string& tenant, const std::string& agent,
                                  const identity::ScopeEntry& entry) = 0;

  // --- documents ---
  // Commits writes in one transaction (a batch is all-or-nothing). Results are in input order.
  virtual Result<std::vector<WriteResult>> writeDocuments(std::vector<DocumentWrite>& writes) = 0;
  // Tombstones a document: its chunks and text are purged, the row stays with deleted=1.
  virtual Status deleteDocument(const std::string& tenant, const std::string& ext_id) = 0;
  // Changes the ACL only (no new version).
  virtual Status setAcl(const std::string& tenant, const std::string& ext_id, const Acl& acl) = 0;
  virtual Result<DocumentRecord> getDocument(const std::string& tenant,
                                             const std::string& ext_id) = 0;
  virtual Result<DocumentRecord> getDocumentById(int64_t doc_id) = 0;
  virtual Result<std::vector<ChunkRecord>> chunksOf(int64_t doc_id) = 0;
  virtual Result<ChunkRecord> getChunk(int64_t chunk_id) = 0;
  virtual Result<std::vector<SourceRecord>> listSources(const std::string& tenant) = 0;

  // --- change feed ---
  virtual Result<std::vector<Change>> changesSince(int64_t seq, int limit) = 0;
  virtual Result<int64_t> lastChangeSeq() = 0;
  // Bumped, in the same transaction, by every principal creation, membership change, agent-scope
  // change and API-key revocation (and by the SCIM and source-group writes, scim_directory.h and
  // sync_store.h), whichever process makes them: caches of resolved principals and verified keys
  // (identity::ApiKeyCache) compare it. Creating a key does not bump it: no cache holds a new key.
  // SQLite re-reads it only after a commit (PRAGMA data_version, sqlite_db.h).
  // Held by StoreConformance tests (memberships, key revocation, agent scope).
  virtual Result<int64_t> identityGeneration() = 0;
  // A random id made when the database was created: a replaced or re-created database has another
  // (persisted indexes compare it, docs/formats/index-segments.md).
  virtual Result<std::string> storeId() = 0;

  virtual Result<StoreStats> stats() = 0;
};

// Opens (creating if needed) the SQLite store at `path` in WAL mode with synchronous=FULL, applying
// schema migrations. Corruption or a newer schema is an error, never a silent reset.
Result<std::unique_ptr<Store>> openSqliteStore(const std::string& path);

}  // namespace ward::store
