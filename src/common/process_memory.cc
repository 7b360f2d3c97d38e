// The process's memory and file figures (process_memory.h).
#include "ward/common/process_memory.h"

#include <dirent.h>
#include <malloc.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace ward {

namespace {

// Entries of a /proc directory, "." and ".." left out; 0 if it cannot be read.
int64_t countEntries(const char* dir) {
  DIR* d = ::opendir(dir);
  if (d == nullptr) return 0;
  int64_t n = 0;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n;
}

}  // namespace

ProcessMemory readProcessMemory() {
  ProcessMemory m;
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      int64_t kib = 0;
      status >> kib;
      m.resident_bytes = kib * 1024;
      break;
    }
    status.ignore(1 << 20, '\n');
  }
  const struct mallinfo2 info = ::mallinfo2();
  m.heap_in_use_bytes = static_cast<int64_t>(info.uordblks + info.hblkhd);
  m.heap_held_bytes = static_cast<int64_t>(info.arena + info.hblkhd);
  // Less the descriptor that reads the directory.
  m.open_fds = std::max<int64_t>(0, countEntries("/proc/self/fd") - 1);
  m.threads = countEntries("/proc/self/task");
  return m;
}

void releaseFreeHeap() { ::malloc_trim(0); }

}  // namespace ward
