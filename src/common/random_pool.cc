// Per-thread pools of CSPRNG bytes for non-secret ids and nonces (random_pool.h).
#include "ward/common/random_pool.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace ward {

namespace {

struct Pool {
  unsigned char bytes[kRandomPoolBytes];
  size_t used = kRandomPoolBytes;  // empty: the first draw fills it
};

thread_local Pool pool;

// fork() copies only the calling thread; its pool must not hand the parent's bytes out again.
void emptyAfterFork() { pool.used = kRandomPoolBytes; }

void draw(unsigned char* out, size_t n) {
  static std::once_flag registered;
  std::call_once(registered, [] { pthread_atfork(nullptr, nullptr, emptyAfterFork); });
  if (n > kRandomPoolBytes) std::abort();  // a programming error: callers ask for ids
  if (kRandomPoolBytes - pool.used < n) {
    if (RAND_bytes(pool.bytes, static_cast<int>(kRandomPoolBytes)) != 1) {
      // The CSPRNG failing is not recoverable: ids and nonces would repeat.
      std::abort();
    }
    pool.used = 0;
  }
  std::memcpy(out, pool.bytes + pool.used, n);
  std::memset(pool.bytes + pool.used, 0, n);  // handed out once
  pool.used += n;
}

}  // namespace

std::string pooledRandomBytes(size_t n) {
  std::string out(n, '\0');
  draw(reinterpret_cast<unsigned char*>(out.data()), n);
  return out;
}

std::string pooledRandomHex(size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char raw[kRandomPoolBytes];
  if (n > kRandomPoolBytes) std::abort();
  draw(raw, n);
  std::string out(2 * n, '\0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[raw[i] >> 4];
    out[2 * i + 1] = kHex[raw[i] & 0xf];
  }
  return out;
}

}  // namespace ward
