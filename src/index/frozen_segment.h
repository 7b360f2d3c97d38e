// A sealed segment: postings grouped by term, then by ACL partition, so a search decodes only the
// runs of partitions the principal can see anything in. Immutable once built, except for the
// count of chunks that died since (which decides when it is compacted).
//
// Layout: term id -> [begin, end) in a directory of runs; a run is (partition, count, varint
// byte length), its offset implied by the runs before it. A run's bytes are `count` varint
// chunk-id deltas, then `count` body tfs, then `count` title<<4|heading tfs.
//
// Not thread-safe for building; concurrent reads of a built segment are safe.
#pragma once

#include <roaring/roaring.hh>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dense_bitset.h"
#include "field_tf.h"
#include "varint.h"

namespace ward::index {

struct SegmentPosting {
  uint32_t chunk;
  uint16_t partition;
  FieldTf tf;
};

class FrozenSegment {
 public:
  // Builds a segment term by term: addTerm() in ascending term-id order, then finish().
  class Builder {
   public:
    Builder();
    // `postings` may be in any order; they are grouped here by (partition, chunk). Chunk ids must
    // be unique within the term.
    void addTerm(uint32_t term, std::vector<SegmentPosting>& postings);
    // `members`: the live chunks the segment holds.
    FrozenSegment finish(Roaring members);

   private:
    void groupByPartition(std::vector<SegmentPosting>& postings);

    std::vector<uint32_t> partition_count_;  // scratch, indexed by partition, zero between terms
    std::vector<uint16_t> touched_;
    std::vector<SegmentPosting> grouped_;
    std::vector<uint32_t> term_begin_;
    std::vector<uint64_t> term_offset_;
    struct RunRecord {
      uint16_t partition;
      uint16_t count;
      uint32_t varint_bytes;
    };
    std::vector<RunRecord> runs_;
    std::vector<uint8_t> bytes_;
    std::vector<uint8_t> tf_body_, tf_th_;
  };

  // Calls f(chunk, FieldTf) for every posting of `term` in a partition for which
  // `wanted[partition]` is non-zero; returns how many postings the other partitions hold.
  template <typename F>
  uint64_t forEach(uint32_t term, const std::vector<char>& wanted, F&& f) const {
    uint64_t skipped = 0;
    forEachRun(term, [&](uint16_t partition, const uint8_t* p, uint32_t count, uint32_t bytes) {
      if (wanted[partition])
        decodeRun(p, count, bytes, f);
      else
        skipped += count;
    });
    return skipped;
  }

  // Every posting of `term`, with its partition, for merges and compaction.
  template <typename F>
  void forEachPosting(uint32_t term, F&& f) const {
    forEachRun(term, [&](uint16_t partition, const uint8_t* p, uint32_t count, uint32_t bytes) {
      decodeRun(p, count, bytes, [&](uint32_t chunk, FieldTf tf) { f(chunk, partition, tf); });
    });
  }

  // Whether `term` has a posting of a chunk set in `live` (decoding stops at the first one).
  bool hasLivePosting(uint32_t term, const DenseBitset& live) const {
    bool found = false;
    forEachRun(term, [&](uint16_t, const uint8_t* p, uint32_t count, uint32_t) {
      uint32_t id = 0;
      for (uint32_t i = 0; i < count && !found; ++i) {
        id += readVarint(p);
        found = live.test(id);
      }
    });
    return found;
  }

  // One past the largest term id with postings here.
  uint32_t termLimit() const { return static_cast<uint32_t>(term_begin_.size() - 1); }
  // The chunks this segment holds postings for (live when it was built).
  const Roaring& members() const { return members_; }
  uint32_t chunks() const { return static_cast<uint32_t>(members_.cardinality()); }
  uint32_t dead = 0;  // members that died since the segment was built
  size_t memoryBytes() const;

  // The file this segment was persisted to (docs/formats/index-segments.md); number 0: none.
  struct FileInfo {
    uint64_t number = 0;
    uint64_t bytes = 0;
    uint32_t crc = 0;
  };
  FileInfo file;

  // Appends the segment's payload (docs/formats/index-segments.md, "Segment payload") to `out`.
  void encode(std::string& out) const;
  // Parses a payload written by encode(); false if it is short or its parts do not add up.
  // `partitions`: how many ACL partitions the index has (run partitions must be below it).
  static bool decode(std::string_view payload, size_t partitions, FrozenSegment* out);

 private:
  // 8 bytes: a run's byte offset is implied by the runs before it in its term.
  struct Run {
    uint16_t partition;
    uint16_t count;  // a segment holds at most 65535 chunks (IndexConfig caps segment_chunks)
    uint32_t varint_bytes;
  };

  template <typename F>
  void forEachRun(uint32_t term, F&& f) const {
    if (term + 1 >= term_begin_.size()) return;
    uint64_t offset = term_offset_[term];
    for (uint32_t d = term_begin_[term]; d < term_begin_[term + 1]; ++d) {
      const Run& run = runs_[d];
      f(run.partition, bytes_.data() + offset, static_cast<uint32_t>(run.count), run.varint_bytes);
      offset += run.varint_bytes + 2ull * run.count;
    }
  }

  template <typename F>
  static void decodeRun(const uint8_t* p, uint32_t count, uint32_t varint_bytes, F&& f) {
    const uint8_t* body = p + varint_bytes;
    const uint8_t* th = body + count;
    uint32_t id = 0;
    for (uint32_t i = 0; i < count; ++i) {
      id += readVarint(p);
      f(id, FieldTf{body[i], static_cast<uint8_t>(th[i] >> 4), static_cast<uint8_t>(th[i] & 15)});
    }
  }

  friend class Builder;
  std::vector<uint32_t> term_begin_;   // size = term limit + 1: first run of each term
  std::vector<uint64_t> term_offset_;  // byte offset of each term's first run
  std::vector<Run> runs_;
  std::vector<uint8_t> bytes_;
  Roaring members_;
};

}  // namespace ward::index
