// Offline verification and reading of an audit directory (docs/formats/audit-log.md,
// "Verification"). Read-only: never repairs, never creates files. Safe to run while another
// process appends (it sees a prefix of the log). Free functions, no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/audit/checkpoint.h"
#include "ward/audit/merkle.h"
#include "ward/io/file_system.h"

namespace ward::audit {

// Checkpoints kept outside the data dir: an export from `ward audit checkpoints --export`, or
// one checkpoint object as printed by `ward audit checkpoint`.
struct ExternalCheckpoints {
  std::vector<Checkpoint> checkpoints;
  std::string public_key_pem;  // empty: use the data dir's key
};
Result<ExternalCheckpoints> parseExternalCheckpoints(std::string_view text);
// The JSON of `ward audit checkpoints --export`.
Json exportCheckpoints(const std::vector<Checkpoint>& checkpoints,
                       const CheckpointVerifier& verifier);

struct VerifyOptions {
  io::FileSystem* fs = nullptr;  // null: the POSIX file system
  std::string dir;               // <data>/audit
  std::optional<ExternalCheckpoints> external;
};

struct VerifyReport {
  uint64_t records = 0;
  uint64_t checkpoints = 0;  // signatures and roots checked (log's and external)
  uint64_t torn_bytes = 0;   // unacknowledged tail ignored
  Hash root{};               // of all records
};

// Corruption naming the first bad record or checkpoint.
Result<VerifyReport> verifyAuditLog(const VerifyOptions& options);

// Calls `fn(index, body)` for every good record in order (a torn tail is skipped; corruption
// stops the walk with Corruption).
Status forEachAuditRecord(io::FileSystem& fs, const std::string& dir,
                          const std::function<Status(uint64_t, std::string_view)>& fn);
// The same walk, also passing each record's Merkle leaf hash (what inclusion proofs prove).
Status forEachAuditRecordWithLeaf(
    io::FileSystem& fs, const std::string& dir,
    const std::function<Status(uint64_t, const Hash&, std::string_view)>& fn);

// The verifier of the data dir's signing key, without creating one.
Result<CheckpointVerifier> loadAuditVerifier(io::FileSystem& fs, const std::string& dir);

}  // namespace ward::audit
