// What the process holds in memory and open files, read from the kernel and from glibc's
// allocator, and a way to hand freed heap back to the kernel (docs/design/ingest.md, "Git":
// memory across runs; docs/design/http.md, "Metrics").
//
// Why this exists: glibc gives each thread that allocates an arena of its own (up to 8 per
// core). Memory freed in a non-main arena stays mapped (and counted in RSS) unless it is at the
// arena's top, so a server whose periodic work runs on short-lived threads (a sync run's parse
// workers and page committer) keeps each arena's high-water mark: RSS grows over the first runs
// and then sits far above what is in use. releaseFreeHeap() returns those free pages.
//
// Thread-safe (glibc locks each arena while it is read or trimmed).
#pragma once

#include <cstdint>

namespace ward {

struct ProcessMemory {
  int64_t resident_bytes = 0;     // VmRSS: what the kernel counts as resident
  int64_t heap_in_use_bytes = 0;  // malloc'd and not yet freed (every arena, mmapped blocks too)
  int64_t heap_held_bytes = 0;    // what malloc got from the kernel (free or not; some of its
                                  // free pages may have been handed back: not all is resident)
  int64_t open_fds = 0;           // entries of /proc/self/fd
  int64_t threads = 0;            // entries of /proc/self/task
};

// Reads the figures now. A figure that cannot be read is 0.
ProcessMemory readProcessMemory();

// Hands the free pages of every malloc arena back to the kernel (glibc's malloc_trim(0)); what is
// in use is untouched. Costs a walk of each arena's free chunks under its lock.
void releaseFreeHeap();

}  // namespace ward
