// Hashes and random identifiers (OpenSSL underneath).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ward {

// Lowercase hex SHA-256 of the bytes.
std::string sha256Hex(std::string_view data);
// CRC-32C (Castagnoli) of the bytes, used to checksum on-disk records.
uint32_t crc32c(std::string_view data, uint32_t seed = 0);
// n random bytes from the OS CSPRNG, hex-encoded (2n characters).
std::string randomHex(size_t n_bytes);
// Constant-time comparison for secrets.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace ward
