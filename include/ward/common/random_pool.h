// Random bytes for identifiers and nonces that are not secret (trace and
// span ids, the AES-GCM nonce of a seal), drawn from OpenSSL's CSPRNG 512 bytes at a time per
// thread instead of one RAND_bytes call per id (each costs a fork check and the DRBG's locking:
// several a request). Never used for keys or other secrets.
//
// Each byte is handed out once. A child process made by fork() starts with an empty pool
// (pthread_atfork), so it never repeats its parent's ids or nonces. Thread-safe (one pool per
// thread).
#pragma once

#include <cstddef>
#include <string>

namespace ward {

// `n` random bytes (n <= kRandomPoolBytes) from this thread's pool.
inline constexpr size_t kRandomPoolBytes = 512;
std::string pooledRandomBytes(size_t n);
// The same as lowercase hex (2n characters).
std::string pooledRandomHex(size_t n);

}  // namespace ward
