// AES-256-GCM for tenant secrets at rest. The 32-byte key lives in a file of the data dir, mode
// 0600, created on first use. Ciphertext text: "v1:" + hex(nonce 12 | ciphertext | tag 16); the
// associated data binds it to "<tenant>/<name>" so a row copied elsewhere does not decrypt.
// Immutable after open(); thread-safe.
#pragma once

#include <memory>
#include <string>

#include "ward/common/status.h"

namespace ward::gateway {

class SecretBox {
 public:
  // Reads the key file, creating it (0600) when absent (io::loadOrCreateSecretFile): Corruption
  // if it has the wrong size, FailedPrecondition if group or others may access it.
  static Result<std::unique_ptr<SecretBox>> open(const std::string& key_path);
  Result<std::string> seal(const std::string& plaintext, const std::string& context) const;
  Result<std::string> unseal(const std::string& sealed, const std::string& context) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;  // 32 bytes
};

}  // namespace ward::gateway
