// The process's memory figures and the release of free heap (ward/common/process_memory.h).
#include "ward/common/process_memory.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <future>
#include <memory>
#include <thread>
#include <vector>

// A sanitizer's allocator replaces glibc's malloc, whose arenas these figures read.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WARD_TEST_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WARD_TEST_SANITIZER 1
#endif
#endif
#ifdef WARD_TEST_SANITIZER
constexpr bool kGlibcMalloc = false;
#else
constexpr bool kGlibcMalloc = true;
#endif

namespace ward {
namespace {

TEST(ProcessMemoryTest, DescriptorsAndThreadsAreCountedAsTheyComeAndGo) {
  const ProcessMemory before = readProcessMemory();
  EXPECT_GT(before.resident_bytes, 0);
  if (kGlibcMalloc) {
    EXPECT_GT(before.heap_held_bytes, 0);
    EXPECT_GT(before.heap_in_use_bytes, 0);
    EXPECT_LE(before.heap_in_use_bytes, before.heap_held_bytes);
  }
  EXPECT_GE(before.open_fds, 3);  // at least the standard streams
  EXPECT_GE(before.threads, 1);

  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(readProcessMemory().open_fds, before.open_fds + 1);
  ::close(fd);
  EXPECT_EQ(readProcessMemory().open_fds, before.open_fds);

  std::promise<void> counted;
  std::promise<int64_t> seen;
  std::thread t([&] {
    seen.set_value(readProcessMemory().threads);
    counted.get_future().wait();
  });
  EXPECT_EQ(seen.get_future().get(), before.threads + 1);
  counted.set_value();
  t.join();
}

// What the scheduler relies on (docs/design/ingest.md, "Git"): memory freed in a thread's own
// arena, below a block still in use, stays resident until releaseFreeHeap() hands it back.
TEST(ProcessMemoryTest, FreePagesOfAThreadsArenaAreHandedBack) {
  if (!kGlibcMalloc) GTEST_SKIP() << "a sanitizer's allocator, not glibc's arenas";
  constexpr size_t kBlock = 16 << 10;  // well under malloc's mmap threshold: arena memory
  constexpr size_t kBlocks = 2048;     // 32 MiB
  constexpr int64_t kTotal = static_cast<int64_t>(kBlock * kBlocks);
  std::unique_ptr<char[]> keep;  // the arena's last block, so its top cannot shrink on free
  int64_t after_free = 0;
  std::thread t([&] {
    std::vector<std::unique_ptr<char[]>> blocks;
    for (size_t i = 0; i < kBlocks; ++i) {
      blocks.emplace_back(new char[kBlock]);
      std::memset(blocks.back().get(), 1, kBlock);  // resident
    }
    keep.reset(new char[kBlock]);
    std::memset(keep.get(), 1, kBlock);
    blocks.clear();
    after_free = readProcessMemory().resident_bytes;
  });
  t.join();
  // Freed but kept by the arena: most of the 32 MiB is still resident.
  const ProcessMemory held = readProcessMemory();
  EXPECT_GE(held.resident_bytes, after_free - kTotal / 4);
  releaseFreeHeap();
  const ProcessMemory released = readProcessMemory();
  EXPECT_LE(released.resident_bytes, held.resident_bytes - kTotal / 2)
      << "held " << held.resident_bytes << ", after releaseFreeHeap " << released.resident_bytes;
}

}  // namespace
}  // namespace ward
