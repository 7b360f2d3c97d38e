// Value types of the system of record: documents, chunks, sources and the change feed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ward/common/json.h"

namespace ward::store {

// Who may read a document. Empty users and groups and is_public=false means admins only.
struct Acl {
  std::vector<std::string> users;
  std::vector<std::string> groups;
  bool is_public = false;

  bool operator==(const Acl&) const = default;
  Json toJson() const;
  // Tokens of this ACL for a tenant (see identity/principal.h), always including the admin token.
  std::vector<std::string> tokens(const std::string& tenant) const;
};

struct ChunkRecord {
  int64_t id = 0;  // global, monotonically increasing; the index's chunk number
  int64_t doc_id = 0;
  int64_t version = 0;
  int ordinal = 0;
  std::string text;
  int64_t span_start = 0;  // code points into the document's extracted text
  int64_t span_end = 0;
  int page = 0;
  std::string heading_path;
  std::string kind;  // text | table | code | clause
};

struct DocumentRecord {
  int64_t id = 0;  // internal id
  std::string tenant;
  std::string ext_id;  // the caller's id (path for files, "id" for JSONL records)
  std::string source;
  std::string title;
  std::string url;
  std::string format;
  int64_t updated_at = 0;  // the source's updated_at, micros since epoch (0 = unknown)
  int64_t indexed_at = 0;  // when this version was committed
  int64_t version = 0;
  std::string content_hash;
  Acl acl;
  Json metadata = Json::object();
  bool deleted = false;

  // Every token the document carries, sorted and unique: its ACL tokens, "<tenant>/src:<source>"
  // and "<tenant>/m:<key>=<value>" per string, number or boolean metadata value. The index
  // filters and the read checks (identity::mayRead) match principals' tokens against these.
  std::vector<std::string> tokens() const;
};

// A document version to commit. `chunks` have no ids yet.
struct DocumentWrite {
  std::string tenant;
  std::string ext_id;
  std::string source;
  std::string title;
  std::string url;
  std::string format;
  int64_t updated_at = 0;
  std::string content_hash;  // hash of everything that affects chunks (text, title, format)
  Acl acl;
  Json metadata = Json::object();
  std::vector<ChunkRecord> chunks;
};

enum class WriteOutcome {
  kCreated,     // new document
  kUpdated,     // new version, chunks replaced
  kAclChanged,  // same content, ACL or metadata changed: no new version, no re-chunking
  kUnchanged,   // nothing changed: no version, no index work
};
std::string_view writeOutcomeName(WriteOutcome o);

struct WriteResult {
  int64_t doc_id = 0;
  int64_t version = 0;
  WriteOutcome outcome = WriteOutcome::kUnchanged;
};

// One entry of the change feed the index follows.
struct Change {
  enum class Kind { kUpsert, kDelete, kAcl };
  int64_t seq = 0;
  Kind kind = Kind::kUpsert;
  int64_t doc_id = 0;
};

struct StoreStats {
  int64_t documents = 0;  // live
  int64_t tombstones = 0;
  int64_t chunks = 0;
  int64_t sources = 0;
  int64_t principals = 0;
  int64_t last_change_seq = 0;
  int64_t text_bytes = 0;
};

struct SourceRecord {
  std::string tenant;
  std::string name;
  int64_t documents = 0;
  int64_t last_updated_at = 0;  // newest source updated_at
  int64_t last_indexed_at = 0;
};

}  // namespace ward::store
