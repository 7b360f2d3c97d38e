#include "top_k.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace ward::index {

namespace {

// Every contribution is below its term's weight (pseudo / (k1 + pseudo) < 1), so a score, and the
// sum of the terms' bounds, stays below (terms · largest weight) · 2^shift plus a little rounding.
// Keeping that under 2^52 makes every sum exact in a uint64_t and exactly convertible to a
// double, so the double scores order exactly as the integers do. The largest weight, unlike a
// sum of doubles, does not depend on the order of the terms.
int fixedShift(const std::vector<TermMatches>& terms) {
  double largest = 0;
  for (const TermMatches& t : terms) largest = std::max(largest, t.weight);
  const double n = static_cast<double>(terms.size());
  const double limit = std::ldexp(1.0, 52);
  int shift = 32;
  while (shift > -1000 && std::ldexp(largest * n, shift) * (1 + 1e-9) + 4 * n + 4 >= limit) {
    --shift;
  }
  return shift;
}

// One posting's contribution in fixed point. The double arithmetic is the formula of
// docs/design/index.md, written as it always was, so the ranking is the one BM25F defines.
class Contribution {
 public:
  Contribution(const Bm25fNorms& n, int shift)
      : n_(n),
        p_(n.params),
        avg_title_(std::max(n.avg_title, 1e-9)),
        avg_heading_(std::max(n.avg_heading, 1e-9)),
        avg_body_(std::max(n.avg_body, 1e-9)),
        scale_(std::ldexp(1.0, shift)) {}

  uint64_t operator()(uint32_t c, FieldTf tf, double w) const {
    double pseudo = 0;
    if (tf.title) {
      pseudo += p_.title_weight * tf.title / (1 - p_.b + p_.b * n_.len_title[c] / avg_title_);
    }
    if (tf.heading) {
      pseudo +=
          p_.heading_weight * tf.heading / (1 - p_.b + p_.b * n_.len_heading[c] / avg_heading_);
    }
    if (tf.body) {
      pseudo += p_.body_weight * tf.body / (1 - p_.b + p_.b * n_.len_body[c] / avg_body_);
    }
    const double v = w * pseudo / (p_.k1 + pseudo);
    // NaN (a zero length norm with k1 = 0) and 0 both add nothing. v > 0, so adding 0.5 and
    // truncating rounds to nearest, without lround's call in the scoring loop.
    // NOLINTNEXTLINE(bugprone-incorrect-roundings)
    return v > 0 ? static_cast<uint64_t>(v * scale_ + 0.5) : 0;
  }

  // Above any contribution of a term of weight `w`.
  uint64_t bound(double w) const {
    return w > 0 ? static_cast<uint64_t>(w * scale_ * (1 + 1e-9)) + 2 : 0;
  }

 private:
  const Bm25fNorms& n_;
  const BM25Params& p_;
  const double avg_title_, avg_heading_, avg_body_;
  const double scale_;
};

bool better(const ScoredChunk& a, const ScoredChunk& b) {
  return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
}

// The k chunks with the highest accumulators seen so far, as a min-heap of (accumulator when last
// looked at, chunk). Accumulators only grow, so the smallest entry is a lower bound of the final
// k-th best score, however stale the entries are.
class KBest {
 public:
  KBest(size_t k, RankScratch& s) : k_(k), s_(s) { heap_.reserve(k); }

  // Called after chunk c's accumulator grew; the common case (not better than the heap's
  // smallest) costs one comparison here, inline.
  void offer(uint32_t c) {
    if (s_.in_heap[c] || (heap_.size() == k_ && s_.acc[c] <= heap_.front().first)) return;
    insert(c);
  }
  // Brings the entries up to date (O(k)): a tighter bound.
  void refresh() {
    for (auto& e : heap_) e.first = s_.acc[e.second];
    std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
  }
  // Every one of k distinct chunks scores at least this in the end (0 before k were seen).
  uint64_t threshold() const { return heap_.size() < k_ ? 0 : heap_.front().first; }

 private:
  void insert(uint32_t c) {
    const uint64_t v = s_.acc[c];
    if (heap_.size() < k_) {
      heap_.emplace_back(v, c);
      std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
      s_.in_heap[c] = 1;
    } else if (v > heap_.front().first) {
      s_.in_heap[heap_.front().second] = 0;
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      heap_.back() = {v, c};
      std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
      s_.in_heap[c] = 1;
    }
  }

  const size_t k_;
  RankScratch& s_;
  std::vector<std::pair<uint64_t, uint32_t>> heap_;
};

}  // namespace

void RankScratch::ensure(uint32_t chunks) {
  if (acc.size() < chunks) {
    acc.resize(chunks, 0);
    state.resize(chunks, 0);
    in_heap.resize(chunks, 0);
    required.resize(chunks, 0);
  }
}

Ranked rankAll(const RankInput& in, RankScratch& s) {
  const std::vector<Match>& matches = *in.matches;
  const std::vector<TermMatches>& terms = *in.terms;
  const int shift = fixedShift(terms);
  const Contribution contribution(*in.norms, shift);
  Ranked out;
  for (const TermMatches& t : terms) {
    for (size_t i = t.begin; i < t.end; ++i) {
      const uint32_t c = matches[i].first;
      if (!s.state[c]) {
        s.state[c] = 1;
        s.touched.push_back(c);
      }
      if (t.required && s.required[c] < 255) ++s.required[c];
      if (t.weight == 0) continue;
      s.acc[c] += contribution(c, matches[i].second, t.weight);
      ++out.postings_scored;
    }
  }
  const uint8_t need = static_cast<uint8_t>(std::min<size_t>(in.required_terms, 255));
  const double unit = std::ldexp(1.0, -shift);
  out.chunks.reserve(s.touched.size());
  for (uint32_t c : s.touched) {
    if (s.required[c] >= need) {
      out.chunks.push_back(ScoredChunk{c, static_cast<double>(s.acc[c]) * unit});
    }
    s.acc[c] = 0;
    s.state[c] = 0;
    s.required[c] = 0;
  }
  s.touched.clear();
  return out;
}

// MaxScore, term at a time. Terms go by bound, largest first; rest[j] is the most a chunk can
// still gain from terms j and after. While rest[j] >= the k-th best lower bound, a chunk not seen
// yet could still make the top k, so every match is scored. After that only the chunks already
// seen can, and each one is dropped as soon as its score plus rest[j] falls strictly below the
// bound (k other chunks will beat it; a tie could still win on chunk id, so it stays). Every
// chunk kept to the end got every contribution, so its score is the one rankAll() computes.
Ranked rankTopK(const RankInput& in, size_t k, RankScratch& s) {
  const std::vector<Match>& matches = *in.matches;
  const std::vector<TermMatches>& terms = *in.terms;
  const int shift = fixedShift(terms);
  const Contribution contribution(*in.norms, shift);
  Ranked out;
  if (k == 0) return out;

  std::vector<uint64_t> bound(terms.size());
  std::vector<size_t> order;
  order.reserve(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    bound[i] = contribution.bound(terms[i].weight);
    if (bound[i] > 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return bound[a] > bound[b]; });
  std::vector<uint64_t> rest(order.size() + 1, 0);
  for (size_t j = order.size(); j-- > 0;) rest[j] = rest[j + 1] + bound[order[j]];

  KBest best(k, s);
  size_t j = 0;
  for (; j < order.size() && rest[j] >= best.threshold(); ++j) {
    const TermMatches& t = terms[order[j]];
    for (size_t i = t.begin; i < t.end; ++i) {
      const uint32_t c = matches[i].first;
      if (!s.state[c]) {
        s.state[c] = 2;
        s.touched.push_back(c);
      }
      s.acc[c] += contribution(c, matches[i].second, t.weight);
      best.offer(c);
    }
    out.postings_scored += static_cast<int64_t>(t.end - t.begin);
    best.refresh();
  }

  std::vector<uint32_t> alive;
  if (j < order.size()) {
    auto keep = [&](uint32_t c, uint64_t left, uint64_t threshold) {
      if (s.acc[c] + left >= threshold) return true;
      s.state[c] = 1;
      return false;
    };
    for (uint32_t c : s.touched) {
      if (keep(c, rest[j], best.threshold())) alive.push_back(c);
    }
    // Dropping is only a saving (a chunk kept longer just gets more exact contributions), so the
    // candidate list is swept once as many postings were read as it holds: linear overall.
    size_t read_since_sweep = 0;
    for (; j < order.size(); ++j) {
      const TermMatches& t = terms[order[j]];
      for (size_t i = t.begin; i < t.end; ++i) {
        const uint32_t c = matches[i].first;
        if (s.state[c] != 2) continue;
        s.acc[c] += contribution(c, matches[i].second, t.weight);
        ++out.postings_scored;
        best.offer(c);
      }
      best.refresh();
      read_since_sweep += t.end - t.begin;
      if (read_since_sweep < alive.size()) continue;
      read_since_sweep = 0;
      const uint64_t threshold = best.threshold();
      alive.erase(std::remove_if(alive.begin(), alive.end(),
                                 [&](uint32_t c) { return !keep(c, rest[j + 1], threshold); }),
                  alive.end());
    }
  } else {
    alive = s.touched;
  }

  const double unit = std::ldexp(1.0, -shift);
  out.chunks.reserve(alive.size());
  for (uint32_t c : alive)
    out.chunks.push_back(ScoredChunk{c, static_cast<double>(s.acc[c]) * unit});
  const size_t n = std::min(k, out.chunks.size());
  std::partial_sort(out.chunks.begin(), out.chunks.begin() + static_cast<long>(n), out.chunks.end(),
                    better);
  out.chunks.resize(n);
  for (uint32_t c : s.touched) {
    s.acc[c] = 0;
    s.state[c] = 0;
    s.in_heap[c] = 0;
  }
  s.touched.clear();
  return out;
}

}  // namespace ward::index
