// A plain bitset over chunk ids, for O(1) membership tests in the hot loop of a search.
#pragma once

#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

namespace ward::index {

class DenseBitset {
 public:
  void resize(uint32_t bits) { words_.resize((bits + 63) / 64 + 1, 0); }
  void set(uint32_t i) {
    if (i / 64 >= words_.size()) words_.resize(i / 64 + 1, 0);
    words_[i / 64] |= uint64_t{1} << (i % 64);
  }
  void clear(uint32_t i) {
    if (i / 64 < words_.size()) words_[i / 64] &= ~(uint64_t{1} << (i % 64));
  }
  bool test(uint32_t i) const {
    size_t w = i / 64;
    return w < words_.size() && ((words_[w] >> (i % 64)) & 1);
  }
  // Tests and sets; returns whether the bit was newly set.
  bool testAndSet(uint32_t i) {
    size_t w = i / 64;
    if (w >= words_.size()) words_.resize(w + 1, 0);
    uint64_t mask = uint64_t{1} << (i % 64);
    bool was = words_[w] & mask;
    words_[w] |= mask;
    return !was;
  }
  // Whether any bit in [first, last] is set.
  bool anyInRange(uint32_t first, uint32_t last) const {
    size_t fw = first / 64, lw = last / 64;
    if (fw >= words_.size()) return false;
    if (lw >= words_.size()) lw = words_.size() - 1;
    for (size_t w = fw; w <= lw; ++w) {
      uint64_t word = words_[w];
      if (w == fw) word &= ~uint64_t{0} << (first % 64);
      if (w == last / 64) word &= ~uint64_t{0} >> (63 - last % 64);
      if (word) return true;
    }
    return false;
  }
  // The raw words, for persisting (bit i is bit i%64 of word i/64).
  const std::vector<uint64_t>& words() const { return words_; }
  void setWords(std::vector<uint64_t> words) { words_ = std::move(words); }
  void clearAll() { std::fill(words_.begin(), words_.end(), 0); }
  size_t memoryBytes() const { return words_.capacity() * 8; }
  uint64_t count() const {
    uint64_t n = 0;
    for (uint64_t w : words_) n += static_cast<uint64_t>(std::popcount(w));
    return n;
  }

 private:
  std::vector<uint64_t> words_;
};

}  // namespace ward::index
