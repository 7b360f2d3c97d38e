// The primitives behind sealed trace events (docs/formats/audit-keys.md): HKDF-SHA256,
// AES-256-GCM, base64 and hex, on OpenSSL 3. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "ward/common/status.h"

namespace ward::audit::seal {

// HKDF-SHA256 with the given salt and info, 32 bytes out.
Result<std::string> hkdf32(std::string_view ikm, std::string_view salt, std::string_view info);
// AES-256-GCM: ciphertext || 16-byte tag.
Result<std::string> encrypt(std::string_view key, std::string_view nonce, std::string_view aad,
                            std::string_view plaintext);
// Corruption when the tag does not verify.
Result<std::string> decrypt(std::string_view key, std::string_view nonce, std::string_view aad,
                            std::string_view sealed);

std::string randomBytes(size_t n);
std::string base64(std::string_view bytes);
bool unbase64(std::string_view text, std::string* out);
std::string hex(std::string_view bytes);
bool unhex(std::string_view text, std::string* out);

}  // namespace ward::audit::seal
