// The per-thread pool of CSPRNG bytes for trace ids and seal nonces (ward/common/random_pool.h):
// no byte handed out twice, not across threads, and not by a forked child.
#include "ward/common/random_pool.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ward {
namespace {

TEST(RandomPool, IdsAndNoncesNeverRepeat) {
  std::mutex mu;
  std::set<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      // Several refills of the 512-byte pool per thread.
      for (int i = 0; i < 200; ++i) {
        mine.push_back(pooledRandomBytes(12));
        mine.push_back(pooledRandomHex(8));
        mine.push_back(pooledRandomHex(24));  // a trace id and a span id in one draw
      }
      std::lock_guard<std::mutex> lock(mu);
      for (std::string& s : mine) EXPECT_TRUE(seen.insert(std::move(s)).second);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(seen.size(), 4u * 600u);
  const std::string hex = pooledRandomHex(16);
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(RandomPool, AForkedChildDoesNotRepeatItsParentsBytes) {
  (void)pooledRandomBytes(1);  // the pool now holds bytes this process has not handed out
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string bytes = pooledRandomBytes(64);
    ssize_t n = ::write(fds[1], bytes.data(), bytes.size());
    ::_exit(n == 64 ? 0 : 1);
  }
  ::close(fds[1]);
  std::string from_child(64, '\0');
  size_t got = 0;
  while (got < 64) {
    ssize_t n = ::read(fds[0], from_child.data() + got, 64 - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_EQ(got, 64u);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(pooledRandomBytes(64), from_child);  // the parent's next bytes are its own
}

}  // namespace
}  // namespace ward
