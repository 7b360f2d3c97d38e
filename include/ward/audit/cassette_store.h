// Cassettes: the raw provider exchange of each model-call attempt (docs/formats/cassette-store.md),
// kept apart from the trace like prompts are. A `model_call` span names each attempt's cassette
// by its SHA-256; the cassette itself (request bytes, response bytes, headers kept) lives here,
// one content-addressed file per cassette and tenant, sealed under the call's subject and day
// keys (SubjectKeyStore) so erasing the subject, or retention destroying the day, shreds it.
// Readable through TraceService only by members of the group `auditors`.
//
// Thread-safe: put() writes via a temporary file and rename.
#pragma once

#include <cstdint>
#include <string>

#include "ward/audit/subject_keys.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/io/file_system.h"

namespace ward::audit {

// The most bytes of one cassette as stored (its JSON, before sealing); past it the caller
// records the response truncated with a flag (models::kMaxCassetteResponseBytes keeps it under).
inline constexpr size_t kMaxCassetteFileBytes = 16 * 1024 * 1024;

struct StoredCassette {
  std::string tenant;
  std::string sha256;  // lowercase hex SHA-256 of the cassette's JSON text
  int64_t created_us = 0;
  bool erased = false;  // its keys were destroyed (erasure or retention): content is gone
  Json cassette;        // null when erased
  Json toJson() const;
};

class CassetteStore {
 public:
  // `dir` is <data>/cassettes (created on first put). `fs` must outlive the store (null: POSIX).
  // `keys` seals each cassette under its subject's and day's keys; null stores it unsealed
  // (audit.encrypt_subjects = false). Both must outlive the store.
  CassetteStore(std::string dir, io::FileSystem* fs, SubjectKeyStore* keys);

  // Stores `cassette` for `subject` (the caller's principal) at `time_us`; returns its SHA-256.
  // An existing cassette with the same content is kept. InvalidArgument past
  // kMaxCassetteFileBytes.
  Result<std::string> put(const std::string& tenant, const std::string& subject, int64_t time_us,
                          const Json& cassette);
  // NotFound if absent; Corruption if the file does not match its name or format; a cassette
  // whose keys were destroyed comes back with erased = true and no content.
  Result<StoredCassette> get(const std::string& tenant, const std::string& sha256) const;

 private:
  std::string pathOf(const std::string& tenant, const std::string& sha256) const;
  std::string dir_;
  io::FileSystem* fs_;
  SubjectKeyStore* keys_;
};

}  // namespace ward::audit
