#include "segment_set.h"

#include <algorithm>

namespace ward::index {

void SegmentSet::add(uint32_t chunk, const std::vector<std::pair<uint32_t, FieldTf>>& postings) {
  if (open_chunks_.cardinality() >= policy_.segment_chunks) freezeOpen();
  for (const auto& [term, tf] : postings) {
    if (term >= open_terms_.size()) open_terms_.resize(term + 1);
    if (open_terms_[term].empty()) open_term_ids_.push_back(term);
    open_terms_[term].push_back(OpenPosting{chunk, tf});
  }
  open_chunks_.add(chunk);
}

void SegmentSet::remove(uint32_t chunk) {
  if (open_chunks_.contains(chunk)) {
    ++open_dead_;
    return;
  }
  for (size_t i = 0; i < frozen_.size(); ++i) {
    FrozenSegment& seg = frozen_[i];
    if (!seg.members().contains(chunk)) continue;
    ++seg.dead;
    return;
  }
}

void SegmentSet::freezeOpen() {
  std::vector<uint32_t>& terms = open_term_ids_;
  std::sort(terms.begin(), terms.end());
  FrozenSegment::Builder builder;
  std::vector<SegmentPosting> postings;
  for (uint32_t term : terms) {
    postings.clear();
    for (const OpenPosting& p : open_terms_[term]) {
      if (live_.test(p.chunk))
        postings.push_back(SegmentPosting{p.chunk, partition_of_[p.chunk], p.tf});
    }
    builder.addTerm(term, postings);
  }
  Roaring members;
  for (uint32_t c : open_chunks_) {
    if (live_.test(c)) members.add(c);
  }
  frozen_.push_back(builder.finish(std::move(members)));
  for (uint32_t term : terms) {
    open_terms_[term].clear();
    open_terms_[term].shrink_to_fit();
  }
  terms.clear();
  open_chunks_ = Roaring();
  open_dead_ = 0;
}

bool SegmentSet::nextMerge(MergePlan* plan) const {
  for (size_t i = 0; i < frozen_.size(); ++i) {
    if (frozen_[i].dead * 3 > frozen_[i].chunks()) {
      *plan = MergePlan{i, i + 1};
      return true;
    }
  }
  const size_t factor = static_cast<size_t>(std::max(2, policy_.merge_factor));
  if (frozen_.size() < factor) return false;
  const size_t first = frozen_.size() - factor;
  uint64_t total = 0;
  uint32_t largest = 0, smallest = UINT32_MAX;
  for (size_t i = first; i < frozen_.size(); ++i) {
    const uint32_t live = frozen_[i].chunks() - frozen_[i].dead;
    total += live;
    largest = std::max(largest, live);
    smallest = std::min(smallest, live);
  }
  if (largest > smallest * 2 + 64 || total > policy_.max_segment_chunks) return false;
  *plan = MergePlan{first, frozen_.size()};
  return true;
}

void SegmentSet::install(const MergePlan& plan, FrozenSegment merged) {
  frozen_[plan.first] = std::move(merged);
  frozen_.erase(frozen_.begin() + static_cast<long>(plan.first + 1),
                frozen_.begin() + static_cast<long>(plan.last));
}

FrozenSegment SegmentSet::build(const MergePlan& plan) const {
  const size_t first = plan.first, last = plan.last;
  // A k-way merge term by term: each input is already grouped by term, so only one term's
  // postings are held (and sorted) at a time.
  uint32_t limit = 0;
  for (size_t i = first; i < last; ++i) limit = std::max(limit, frozen_[i].termLimit());
  FrozenSegment::Builder builder;
  std::vector<SegmentPosting> postings;
  for (uint32_t term = 0; term < limit; ++term) {
    postings.clear();
    for (size_t i = first; i < last; ++i) {
      frozen_[i].forEachPosting(term, [&](uint32_t chunk, uint16_t partition, FieldTf tf) {
        if (live_.test(chunk)) postings.push_back(SegmentPosting{chunk, partition, tf});
      });
    }
    builder.addTerm(term, postings);
  }
  Roaring members;
  for (size_t i = first; i < last; ++i) members |= frozen_[i].members();
  Roaring live_members;
  for (uint32_t c : members) {
    if (live_.test(c)) live_members.add(c);
  }
  return builder.finish(std::move(live_members));
}

void SegmentSet::clear() {
  open_terms_.clear();
  open_term_ids_.clear();
  open_chunks_ = Roaring();
  open_dead_ = 0;
  frozen_.clear();
}

void SegmentSet::encodeOpen(ByteWriter& w) const {
  w.putBitmap(open_chunks_);
  w.put<uint32_t>(open_dead_);
  std::vector<uint32_t> terms = open_term_ids_;
  std::sort(terms.begin(), terms.end());
  w.put<uint32_t>(static_cast<uint32_t>(terms.size()));
  for (uint32_t term : terms) {
    const auto& postings = open_terms_[term];
    w.put<uint32_t>(term);
    w.put<uint32_t>(static_cast<uint32_t>(postings.size()));
    for (const OpenPosting& p : postings) {
      w.put<uint32_t>(p.chunk);
      w.put<uint8_t>(p.tf.body);
      w.put<uint8_t>(p.tf.title);
      w.put<uint8_t>(p.tf.heading);
    }
  }
}

bool SegmentSet::restore(std::vector<FrozenSegment> frozen, ByteReader& r, uint32_t term_count) {
  frozen_ = std::move(frozen);
  for (FrozenSegment& seg : frozen_) {
    uint32_t dead = 0;
    for (uint32_t c : seg.members()) dead += live_.test(c) ? 0 : 1;
    seg.dead = dead;
  }
  open_terms_.clear();
  open_term_ids_.clear();
  open_chunks_ = r.getBitmap();
  open_dead_ = r.get<uint32_t>();
  const uint32_t terms = r.getCount(8);
  for (uint32_t i = 0; i < terms && r.ok(); ++i) {
    const uint32_t term = r.get<uint32_t>();
    const uint32_t n = r.getCount(7);
    if (!r.ok() || term >= term_count) return false;
    if (term >= open_terms_.size()) open_terms_.resize(term + 1);
    auto& postings = open_terms_[term];
    if (!postings.empty()) return false;  // each term once
    open_term_ids_.push_back(term);
    postings.reserve(n);
    for (uint32_t k = 0; k < n; ++k) {
      OpenPosting p;
      p.chunk = r.get<uint32_t>();
      p.tf.body = r.get<uint8_t>();
      p.tf.title = r.get<uint8_t>();
      p.tf.heading = r.get<uint8_t>();
      if (!open_chunks_.contains(p.chunk)) return false;
      postings.push_back(p);
    }
  }
  return r.ok();
}

size_t SegmentSet::memoryBytes() const {
  size_t bytes = open_chunks_.getSizeInBytes(false);
  bytes += open_terms_.capacity() * sizeof(decltype(open_terms_)::value_type);
  for (uint32_t term : open_term_ids_) bytes += open_terms_[term].capacity() * sizeof(OpenPosting);
  for (const auto& seg : frozen_) bytes += seg.memoryBytes();
  return bytes;
}

}  // namespace ward::index
