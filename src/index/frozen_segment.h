// A sealed segment: postings grouped by term, then by ACL partition, so a search decodes only the
// runs of partitions the principal can see anything in. Immutable once built.
//
// Layout: term id -> [begin, end) in a directory of runs; a run is (partition, count, varint
// byte length), its offset implied by the runs before it. A run's bytes are `count` varint
// chunk-id deltas, then `count` body tfs, then `count` title<<4|heading tfs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "posting_list.h"
#include "varint.h"

namespace ward::index {

struct PostingEntry {
  uint32_t term;
  uint16_t partition;
  uint32_t chunk;
  FieldTf tf;
};

class FrozenSegment {
 public:
  // Builds from entries; they are sorted here by (term, partition, chunk).
  static FrozenSegment build(std::vector<PostingEntry>& entries, uint32_t first_chunk,
                             uint32_t last_chunk);

  // Calls f(chunk, FieldTf) for every posting of `term` in a partition for which
  // `wanted[partition]` is non-zero.
  template <typename F>
  void forEach(uint32_t term, const std::vector<char>& wanted, F&& f) const {
    if (term + 1 >= term_begin_.size()) return;
    uint64_t offset = term_offset_[term];
    for (uint32_t d = term_begin_[term]; d < term_begin_[term + 1]; ++d) {
      const Run& run = runs_[d];
      const uint64_t at = offset;
      offset += run.varint_bytes + 2ull * run.count;
      if (!wanted[run.partition]) continue;
      const uint8_t* p = bytes_.data() + at;
      const uint8_t* body = p + run.varint_bytes;
      const uint8_t* th = body + run.count;
      uint32_t id = 0;
      for (uint32_t i = 0; i < run.count; ++i) {
        id += readVarint(p);
        f(id, FieldTf{body[i], static_cast<uint8_t>(th[i] >> 4), static_cast<uint8_t>(th[i] & 15)});
      }
    }
  }

  // Every posting, for compaction.
  void collect(std::vector<PostingEntry>& out) const;

  uint32_t first_chunk = 0;
  uint32_t last_chunk = 0;
  uint32_t chunks = 0;
  uint32_t dead = 0;
  size_t memoryBytes() const;

 private:
  // 8 bytes: a run's byte offset is implied by the runs before it in its term.
  struct Run {
    uint16_t partition;
    uint16_t count;  // a segment holds at most 65535 chunks (IndexConfig caps segment_chunks)
    uint32_t varint_bytes;
  };
  std::vector<uint32_t> term_begin_;   // size = max term id + 2: first run of each term
  std::vector<uint64_t> term_offset_;  // byte offset of each term's first run
  std::vector<Run> runs_;
  std::vector<uint8_t> bytes_;
};

}  // namespace ward::index
