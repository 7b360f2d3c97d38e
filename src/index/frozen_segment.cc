#include "frozen_segment.h"

#include <algorithm>

#include "byte_io.h"

namespace ward::index {

FrozenSegment::Builder::Builder() : partition_count_(65536, 0) {}

// A stable counting sort by partition (inputs arrive in chunk order, segment by segment, so each
// group usually comes out already in chunk order); a group that does not is sorted on its own.
void FrozenSegment::Builder::groupByPartition(std::vector<SegmentPosting>& postings) {
  touched_.clear();
  for (const SegmentPosting& p : postings) {
    if (partition_count_[p.partition]++ == 0) touched_.push_back(p.partition);
  }
  if (touched_.size() > 1) {
    std::sort(touched_.begin(), touched_.end());
    uint32_t at = 0;
    for (uint16_t part : touched_) {
      const uint32_t n = partition_count_[part];
      partition_count_[part] = at;  // now the next write position of the group
      at += n;
    }
    grouped_.resize(postings.size());
    for (const SegmentPosting& p : postings) grouped_[partition_count_[p.partition]++] = p;
    postings.swap(grouped_);
  }
  auto by_chunk = [](const SegmentPosting& a, const SegmentPosting& b) {
    return a.chunk < b.chunk;
  };
  size_t begin = 0;
  while (begin < postings.size()) {
    size_t end = begin + 1;
    bool sorted = true;
    for (; end < postings.size() && postings[end].partition == postings[begin].partition; ++end) {
      if (postings[end].chunk < postings[end - 1].chunk) sorted = false;
    }
    if (!sorted)
      std::sort(postings.begin() + static_cast<long>(begin),
                postings.begin() + static_cast<long>(end), by_chunk);
    begin = end;
  }
  for (uint16_t part : touched_) partition_count_[part] = 0;
}

void FrozenSegment::Builder::addTerm(uint32_t term, std::vector<SegmentPosting>& postings) {
  // Terms without postings in between get empty ranges.
  while (term_begin_.size() <= term) {
    term_begin_.push_back(static_cast<uint32_t>(runs_.size()));
    term_offset_.push_back(bytes_.size());
  }
  if (postings.empty()) return;
  groupByPartition(postings);
  size_t i = 0;
  while (i < postings.size()) {
    const uint16_t part = postings[i].partition;
    RunRecord run{part, 0, 0};
    const size_t start = bytes_.size();
    tf_body_.clear();
    tf_th_.clear();
    uint32_t prev = 0;
    for (; i < postings.size() && postings[i].partition == part; ++i) {
      writeVarint(postings[i].chunk - prev, bytes_);
      prev = postings[i].chunk;
      const FieldTf& tf = postings[i].tf;
      tf_body_.push_back(tf.body);
      tf_th_.push_back(
          static_cast<uint8_t>(std::min<int>(tf.title, 15) << 4 | std::min<int>(tf.heading, 15)));
      ++run.count;
    }
    run.varint_bytes = static_cast<uint32_t>(bytes_.size() - start);
    bytes_.insert(bytes_.end(), tf_body_.begin(), tf_body_.end());
    bytes_.insert(bytes_.end(), tf_th_.begin(), tf_th_.end());
    runs_.push_back(run);
  }
}

FrozenSegment FrozenSegment::Builder::finish(Roaring members) {
  FrozenSegment seg;
  term_begin_.push_back(static_cast<uint32_t>(runs_.size()));
  term_offset_.push_back(bytes_.size());
  seg.term_begin_ = std::move(term_begin_);
  seg.term_offset_ = std::move(term_offset_);
  seg.runs_.reserve(runs_.size());
  for (const RunRecord& r : runs_) seg.runs_.push_back(Run{r.partition, r.count, r.varint_bytes});
  seg.bytes_ = std::move(bytes_);
  seg.bytes_.shrink_to_fit();
  seg.term_begin_.shrink_to_fit();
  seg.term_offset_.shrink_to_fit();
  members.runOptimize();
  members.shrinkToFit();
  seg.members_ = std::move(members);
  runs_.clear();
  return seg;
}

size_t FrozenSegment::memoryBytes() const {
  return term_begin_.capacity() * 4 + term_offset_.capacity() * 8 + runs_.capacity() * sizeof(Run) +
         bytes_.capacity() + members_.getSizeInBytes(false) + sizeof(*this);
}

void FrozenSegment::encode(std::string& out) const {
  ByteWriter w(out);
  w.put<uint32_t>(termLimit());
  w.put<uint32_t>(static_cast<uint32_t>(runs_.size()));
  w.put<uint64_t>(bytes_.size());
  w.putArray(term_begin_.data(), term_begin_.size());
  w.putArray(term_offset_.data(), term_offset_.size());
  for (const Run& r : runs_) {
    w.put<uint16_t>(r.partition);
    w.put<uint16_t>(r.count);
    w.put<uint32_t>(r.varint_bytes);
  }
  w.putArray(bytes_.data(), bytes_.size());
  w.putBitmap(members_);
}

bool FrozenSegment::decode(std::string_view payload, size_t partitions, FrozenSegment* out) {
  ByteReader r(payload);
  const uint32_t terms = r.get<uint32_t>();
  const uint32_t run_count = r.get<uint32_t>();
  const uint64_t byte_count = r.get<uint64_t>();
  if (!r.ok() || terms == UINT32_MAX) return false;
  FrozenSegment seg;
  r.getArray(seg.term_begin_, uint64_t{terms} + 1);
  r.getArray(seg.term_offset_, uint64_t{terms} + 1);
  if (!r.ok() || run_count > r.remaining() / 8) return false;
  seg.runs_.resize(run_count);
  for (Run& run : seg.runs_) {
    run.partition = r.get<uint16_t>();
    run.count = r.get<uint16_t>();
    run.varint_bytes = r.get<uint32_t>();
    if (run.partition >= partitions || run.count == 0) return false;
  }
  r.getArray(seg.bytes_, byte_count);
  seg.members_ = r.getBitmap();
  if (!r.ok() || !r.atEnd()) return false;
  // The directory must describe exactly the bytes: every run inside its term, every term's runs
  // adding up to where the next term starts, so reads can never leave the buffer.
  if (seg.term_begin_[0] != 0 || seg.term_offset_[0] != 0) return false;
  if (seg.term_begin_[terms] != run_count || seg.term_offset_[terms] != byte_count) return false;
  for (uint32_t t = 0; t < terms; ++t) {
    const uint32_t b = seg.term_begin_[t], e = seg.term_begin_[t + 1];
    if (e < b || e > run_count) return false;
    uint64_t offset = seg.term_offset_[t];
    for (uint32_t d = b; d < e; ++d) {
      const Run& run = seg.runs_[d];
      if (run.varint_bytes < run.count || run.varint_bytes > 5u * run.count) return false;
      offset += run.varint_bytes + 2ull * run.count;
    }
    if (offset != seg.term_offset_[t + 1]) return false;
  }
  // Each run's id region must hold exactly `count` varints of at most 5 bytes, so decoding
  // never leaves the region (or the buffer) whatever the bytes are.
  for (uint32_t t = 0; t < terms; ++t) {
    uint64_t offset = seg.term_offset_[t];
    for (uint32_t d = seg.term_begin_[t]; d < seg.term_begin_[t + 1]; ++d) {
      const Run& run = seg.runs_[d];
      uint32_t ends = 0, len = 0;
      for (uint32_t i = 0; i < run.varint_bytes; ++i) {
        ++len;
        if (len > 5) return false;
        if (!(seg.bytes_[offset + i] & 0x80)) {
          ++ends;
          len = 0;
        }
      }
      if (ends != run.count || len != 0) return false;
      offset += run.varint_bytes + 2ull * run.count;
    }
  }
  *out = std::move(seg);
  return true;
}

}  // namespace ward::index
