// The tamper-evident, append-only audit log (format: docs/formats/audit-log.md): checksummed,
// hash-chained records that are the leaves of an RFC 9162 Merkle tree, with Ed25519-signed
// checkpoints.
//
// Durability: append() returns only after the fsync covering its record succeeded. Concurrent
// appenders are group-committed: one leader writes every queued record with one write and one
// fsync. Several processes may append to one directory; an flock on <dir>/LOCK serialises the
// group commits and each leader first catches up with what others appended.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ward/audit/checkpoint.h"
#include "ward/audit/merkle.h"
#include "ward/common/clock.h"
#include "ward/common/status.h"
#include "ward/io/file_system.h"

namespace ward::audit {

struct AuditLogOptions {
  std::string dir;                     // <data>/audit
  io::FileSystem* fs = nullptr;        // null: the POSIX file system
  const Clock* clock = nullptr;        // null: the system clock
  uint64_t segment_bytes = 64u << 20;  // a new segment starts once the active one is this big
  size_t max_record_bytes = 1u << 20;  // larger bodies are ResourceExhausted
  uint64_t checkpoint_records = 1000;  // sign a checkpoint every this many records...
  int64_t checkpoint_seconds = 60;     // ...or when this much time passed and records were added
  size_t max_group_bytes = 4u << 20;   // one group commit writes at most this much
};

class AuditLog {
 public:
  // Creates the directory layout and signing key if needed, reads and checks the records of the
  // last segment (its header carries the chain and tree state before it), and cuts off a torn
  // tail. Corruption in that segment fails the open; `verifyAuditLog` checks everything.
  static Result<std::unique_ptr<AuditLog>> open(const AuditLogOptions& options);
  // Writes a checkpoint if records were added since the last one (errors are only logged).
  ~AuditLog();

  // Appends one record and returns its index once it is durable.
  Result<uint64_t> append(std::string_view body);
  // Appends records with consecutive indexes, durable together (one group, so at most
  // max_group_bytes in all), and returns the first one's index. All or none are written.
  Result<uint64_t> appendBatch(std::span<const std::string_view> bodies);
  // Signs and writes a checkpoint of the current tree (catching up with other processes first).
  Result<Checkpoint> checkpoint();

  // Durable records this process knows of (its own and those caught up with).
  uint64_t size() const;
  // Merkle root of the first `tree_size` records; InvalidArgument past size(). These four read
  // every segment once, on first use (open reads only the last segment).
  Result<Hash> rootAt(uint64_t tree_size);
  Result<std::vector<Hash>> inclusionProof(uint64_t index, uint64_t tree_size);
  Result<std::vector<Hash>> consistencyProof(uint64_t first_size, uint64_t second_size);
  Result<Hash> leafAt(uint64_t index);

  const CheckpointVerifier& verifier() const;

  class Impl;

 private:
  explicit AuditLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Paths inside an audit directory.
std::string auditLogSegmentsDir(const std::string& audit_dir);   // <dir>/log
std::string auditCheckpointsPath(const std::string& audit_dir);  // <dir>/checkpoints.jsonl
std::string auditSigningKeyPath(const std::string& audit_dir);   // <dir>/signing.key

}  // namespace ward::audit
