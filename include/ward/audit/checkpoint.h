// Signed checkpoints of the audit log (docs/formats/audit-log.md, "Checkpoints"): a tree size,
// the Merkle root of that many records, a time and the id of the Ed25519 key that signed them.
//
// CheckpointSigner and CheckpointVerifier are immutable after construction and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ward/audit/merkle.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/io/file_system.h"

namespace ward::audit {

struct Checkpoint {
  uint64_t tree_size = 0;
  Hash root{};
  int64_t time_us = 0;
  std::string key_id;     // 16 hex: SHA-256 of the raw public key, truncated
  std::string signature;  // 128 hex: Ed25519 over signedMessage()

  // "ward-audit-checkpoint/v1\n<size>\n<root>\n<time_us>\n<key_id>\n"
  std::string signedMessage() const;
  Json toJson() const;
  // InvalidArgument naming the bad field.
  static Result<Checkpoint> fromJson(const Json& j);
};

class CheckpointVerifier {
 public:
  // From a SubjectPublicKeyInfo PEM; InvalidArgument unless it is an Ed25519 key.
  static Result<CheckpointVerifier> fromPublicKeyPem(const std::string& pem);
  // Corruption if the key id or the signature does not match.
  Status verify(const Checkpoint& c) const;
  const std::string& keyId() const { return key_id_; }
  const std::string& publicKeyPem() const { return pem_; }

 private:
  std::shared_ptr<void> key_;  // EVP_PKEY
  std::string key_id_;
  std::string pem_;
};

class CheckpointSigner {
 public:
  // Loads `path` (PKCS#8 PEM), or creates a new key there with mode 0600 if it does not exist.
  static Result<CheckpointSigner> loadOrCreate(io::FileSystem& fs, const std::string& path);
  // Loads an existing key; NotFound if `path` does not exist.
  static Result<CheckpointSigner> load(io::FileSystem& fs, const std::string& path);
  // Fills key_id and signature.
  Status sign(Checkpoint& c) const;
  const CheckpointVerifier& verifier() const { return verifier_; }

 private:
  std::shared_ptr<void> key_;  // EVP_PKEY with the private key
  CheckpointVerifier verifier_;
};

// Reads checkpoints.jsonl; a missing file is empty, a torn last line is ignored, any other bad
// line is Corruption naming its line number.
Result<std::vector<Checkpoint>> readCheckpointFile(io::FileSystem& fs, const std::string& path);

}  // namespace ward::audit
