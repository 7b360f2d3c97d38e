// Authenticated encryption and the keyed primitives around it, with one home (OpenSSL 3
// underneath): AES-256-GCM, HKDF-SHA256, HMAC-SHA256, and random bytes from the OS CSPRNG.
// Used by sealed trace events (audit), the tenant secrets box (gateway), keyed redaction
// placeholders (audit) and MCP request-state tokens (mcp). Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ward/common/status.h"

namespace ward {

inline constexpr size_t kAeadKeyBytes = 32;    // AES-256
inline constexpr size_t kAeadNonceBytes = 12;  // GCM's 96-bit IV
inline constexpr size_t kAeadTagBytes = 16;

// AES-256-GCM: ciphertext || 16-byte tag. InvalidArgument for a key or nonce of the wrong size.
Result<std::string> aeadSeal(std::string_view key, std::string_view nonce, std::string_view aad,
                             std::string_view plaintext);
// The plaintext; Corruption when the input is shorter than a tag or the tag does not verify
// (wrong key, nonce, associated data, or altered bytes); InvalidArgument for a key or nonce of
// the wrong size.
Result<std::string> aeadOpen(std::string_view key, std::string_view nonce, std::string_view aad,
                             std::string_view sealed);

// HKDF-SHA256 (RFC 5869), 32 bytes out.
Result<std::string> hkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info);
// HMAC-SHA256 (RFC 2104), 32 raw bytes.
std::string hmacSha256(std::string_view key, std::string_view data);

// n bytes from the OS CSPRNG. Aborts the process if the CSPRNG fails: a predictable key or
// nonce is worse than no process.
std::string randomBytes(size_t n);

}  // namespace ward
