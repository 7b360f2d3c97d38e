#include "frozen_segment.h"

#include <algorithm>

namespace ward::index {

FrozenSegment FrozenSegment::build(std::vector<PostingEntry>& entries, uint32_t first_chunk,
                                   uint32_t last_chunk) {
  std::sort(entries.begin(), entries.end(), [](const PostingEntry& a, const PostingEntry& b) {
    if (a.term != b.term) return a.term < b.term;
    if (a.partition != b.partition) return a.partition < b.partition;
    return a.chunk < b.chunk;
  });
  FrozenSegment seg;
  seg.first_chunk = first_chunk;
  seg.last_chunk = last_chunk;
  uint32_t max_term = entries.empty() ? 0 : entries.back().term;
  seg.term_begin_.assign(static_cast<size_t>(max_term) + 2, 0);
  seg.term_offset_.assign(static_cast<size_t>(max_term) + 2, 0);
  size_t i = 0;
  std::vector<uint8_t> tf_body, tf_th;
  for (uint32_t term = 0; term <= max_term; ++term) {
    seg.term_begin_[term] = static_cast<uint32_t>(seg.runs_.size());
    seg.term_offset_[term] = seg.bytes_.size();
    while (i < entries.size() && entries[i].term == term) {
      uint16_t part = entries[i].partition;
      Run run{part, 0, 0};
      const size_t start = seg.bytes_.size();
      tf_body.clear();
      tf_th.clear();
      uint32_t prev = 0;
      while (i < entries.size() && entries[i].term == term && entries[i].partition == part) {
        writeVarint(entries[i].chunk - prev, seg.bytes_);
        prev = entries[i].chunk;
        tf_body.push_back(entries[i].tf.body);
        tf_th.push_back(static_cast<uint8_t>(entries[i].tf.title << 4 | entries[i].tf.heading));
        ++run.count;
        ++i;
      }
      run.varint_bytes = static_cast<uint32_t>(seg.bytes_.size() - start);
      seg.bytes_.insert(seg.bytes_.end(), tf_body.begin(), tf_body.end());
      seg.bytes_.insert(seg.bytes_.end(), tf_th.begin(), tf_th.end());
      seg.runs_.push_back(run);
    }
  }
  seg.term_begin_[static_cast<size_t>(max_term) + 1] = static_cast<uint32_t>(seg.runs_.size());
  seg.term_offset_[static_cast<size_t>(max_term) + 1] = seg.bytes_.size();
  if (entries.empty()) {
    seg.term_begin_.assign(1, 0);
    seg.term_offset_.assign(1, 0);
  }
  seg.runs_.shrink_to_fit();
  seg.bytes_.shrink_to_fit();
  return seg;
}

void FrozenSegment::collect(std::vector<PostingEntry>& out) const {
  for (uint32_t term = 0; term + 1 < term_begin_.size(); ++term) {
    uint64_t offset = term_offset_[term];
    for (uint32_t d = term_begin_[term]; d < term_begin_[term + 1]; ++d) {
      const Run& run = runs_[d];
      const uint8_t* p = bytes_.data() + offset;
      offset += run.varint_bytes + 2ull * run.count;
      const uint8_t* body = p + run.varint_bytes;
      const uint8_t* th = body + run.count;
      uint32_t id = 0;
      for (uint32_t i = 0; i < run.count; ++i) {
        id += readVarint(p);
        out.push_back(PostingEntry{term, run.partition, id,
                                   FieldTf{body[i], static_cast<uint8_t>(th[i] >> 4),
                                           static_cast<uint8_t>(th[i] & 15)}});
      }
    }
  }
}

size_t FrozenSegment::memoryBytes() const {
  return term_begin_.capacity() * 4 + term_offset_.capacity() * 8 + runs_.capacity() * sizeof(Run) + bytes_.capacity() +
         sizeof(*this);
}

}  // namespace ward::index
