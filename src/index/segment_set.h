// The postings of the in-process index: one open segment taking appends and frozen segments,
// merged in tiers (the newest `merge_factor` frozen segments of about the same size become one)
// and compacted once a third of a segment's chunks are dead.
//
// Merges are planned, built and installed in three steps so that the index can build a merged
// segment under its shared lock (searches go on reading the inputs) and take the exclusive lock
// only to swap it in: nextMerge() and build() only read; install() replaces the inputs. The
// caller must not add or remove chunks between build() and install().
//
// Chunks may arrive in any id order (a catch-up reads each document's current chunks, which can
// be newer than those of a document later in the change feed), so a segment knows its chunks by
// a bitmap rather than an id range. Not thread-safe: the index calls it under its own lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "byte_io.h"
#include "dense_bitset.h"
#include "frozen_segment.h"

namespace ward::index {

struct SegmentPolicy {
  uint32_t segment_chunks = 4000;  // the open segment is frozen at this many chunks
  int merge_factor = 4;
  uint32_t max_segment_chunks = 65535;  // FrozenSegment's run counts are 16-bit
};

class SegmentSet {
 public:
  // `partition_of` maps a chunk id to its ACL partition; `live` says which chunks are live. Both
  // belong to the index and must outlive this set.
  SegmentSet(const SegmentPolicy& policy, const std::vector<uint16_t>& partition_of,
             const DenseBitset& live)
      : policy_(policy), partition_of_(partition_of), live_(live) {}

  // Adds a live chunk's postings (term id, tfs; unique terms).
  void add(uint32_t chunk, const std::vector<std::pair<uint32_t, FieldTf>>& postings);
  // Records that `chunk` died (the caller has already cleared it in `live`).
  void remove(uint32_t chunk);

  // Frozen segments [first, last) to rewrite as one: a tier merge or a compaction.
  struct MergePlan {
    size_t first = 0;
    size_t last = 0;
  };
  // The next merge due, if any.
  bool nextMerge(MergePlan* plan) const;
  // The merged segment for `plan`, without postings of dead chunks.
  FrozenSegment build(const MergePlan& plan) const;
  // Replaces the plan's inputs with `merged`.
  void install(const MergePlan& plan, FrozenSegment merged);

  // Calls f(chunk, FieldTf) for every posting of `term` in a wanted partition (the open segment
  // is small and is scanned whole; the caller checks visibility per chunk anyway). Returns how
  // many postings of `term` were skipped with their partitions.
  template <typename F>
  uint64_t forEach(uint32_t term, const std::vector<char>& wanted, F&& f) const {
    uint64_t skipped = 0;
    for (const auto& seg : frozen_) skipped += seg.forEach(term, wanted, f);
    if (term < open_terms_.size()) {
      for (const OpenPosting& p : open_terms_[term]) f(p.chunk, p.tf);
    }
    return skipped;
  }

  // Whether some live chunk holds `term` (in a frozen or the open segment).
  bool hasLivePosting(uint32_t term) const {
    for (const auto& seg : frozen_) {
      if (seg.hasLivePosting(term, live_)) return true;
    }
    if (term < open_terms_.size()) {
      for (const OpenPosting& p : open_terms_[term]) {
        if (live_.test(p.chunk)) return true;
      }
    }
    return false;
  }

  size_t segmentCount() const { return frozen_.size() + (open_chunks_.isEmpty() ? 0 : 1); }

  // The frozen segments, oldest first (for persisting them; index_files.h).
  const std::vector<FrozenSegment>& frozen() const { return frozen_; }
  // Records that frozen segment `i` was written to a file.
  void setFile(size_t i, const FrozenSegment::FileInfo& file) { frozen_[i].file = file; }
  // Drops every segment.
  void clear();
  // Appends the open segment (docs/formats/index-segments.md, state "open segment").
  void encodeOpen(ByteWriter& w) const;
  // Replaces everything with persisted segments: `frozen` oldest first, then the open segment
  // read from `r`. Dead counts are recomputed from `live`. False if the open segment is
  // malformed (term ids must be below `term_count`).
  bool restore(std::vector<FrozenSegment> frozen, ByteReader& r, uint32_t term_count);
  size_t memoryBytes() const;

 private:
  struct OpenPosting {
    uint32_t chunk;
    FieldTf tf;
  };

  void freezeOpen();

  SegmentPolicy policy_;
  const std::vector<uint16_t>& partition_of_;
  const DenseBitset& live_;
  std::vector<std::vector<OpenPosting>> open_terms_;  // by term id
  std::vector<uint32_t> open_term_ids_;               // term ids with postings in the open segment
  Roaring open_chunks_;
  uint32_t open_dead_ = 0;
  std::vector<FrozenSegment> frozen_;
};

}  // namespace ward::index
