// An open-addressing hash table from strings to values, for the hot loops of indexing that look
// up millions of short strings (stems, terms). Slots are 8 bytes (32 hash bits and an entry
// index) in one array probed linearly, and entries sit in insertion order in one vector, so a
// lookup touches one slot line and one entry instead of chasing std::unordered_map's nodes.
//
// Keys are non-empty: an entry with an empty key is a hole (appendHole), which keeps its position
// in entries() but is never found. Entry references are invalidated by the next insert. Not
// thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ward {

template <typename V>
class StringTable {
 public:
  struct Entry {
    std::string key;
    V value;
  };

  static uint64_t hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

  // The entry for `key` (whose hash() is `h`), or null.
  const Entry* find(std::string_view key, uint64_t h) const {
    if (entries_.empty()) return nullptr;
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i];
      if (slot == 0) return nullptr;
      if (static_cast<uint32_t>(slot >> 32) == tag) {
        const Entry& e = entries_[static_cast<uint32_t>(slot) - 1];
        if (e.key == key) return &e;
      }
    }
  }
  Entry* find(std::string_view key, uint64_t h) {
    return const_cast<Entry*>(static_cast<const StringTable*>(this)->find(key, h));
  }
  const Entry* find(std::string_view key) const { return find(key, hash(key)); }

  // The entry for `key`, added with `value` if absent; second: whether it was added.
  std::pair<Entry*, bool> insert(std::string_view key, uint64_t h, V value) {
    if (Entry* e = find(key, h)) return {e, false};
    if ((entries_.size() + 1) * 4 > slots_.size() * 3) grow();
    entries_.push_back(Entry{std::string(key), std::move(value)});
    place(h, static_cast<uint32_t>(entries_.size()));
    return {&entries_.back(), true};
  }

  // Appends a hole: an entry with an empty key and `value` that find() never returns.
  void appendHole(V value) { entries_.push_back(Entry{std::string(), std::move(value)}); }

  // Entries in insertion order: the i-th inserted key is entries()[i].
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Empties the table, keeping its capacity.
  void clear() {
    if (entries_.empty()) return;
    entries_.clear();
    std::fill(slots_.begin(), slots_.end(), 0);
  }
  void reserve(size_t n) {
    entries_.reserve(n);
    while (n * 4 > slots_.size() * 3) grow();
  }
  size_t memoryBytes() const {
    size_t bytes = slots_.capacity() * 8 + entries_.capacity() * sizeof(Entry);
    for (const Entry& e : entries_) {
      if (e.key.capacity() > 15) bytes += e.key.capacity() + 1;
    }
    return bytes;
  }

 private:
  void place(uint64_t h, uint32_t index_plus_one) {
    size_t i = h & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = (h >> 32 << 32) | index_plus_one;
  }
  void grow() {
    const size_t n = slots_.empty() ? 64 : slots_.size() * 2;
    slots_.assign(n, 0);
    mask_ = n - 1;
    for (uint32_t i = 0; i < entries_.size(); ++i) {
      if (!entries_[i].key.empty()) place(hash(entries_[i].key), i + 1);
    }
  }

  std::vector<uint64_t> slots_;  // (hash >> 32) << 32 | (entry index + 1); 0: empty
  std::vector<Entry> entries_;
  size_t mask_ = 0;
};

}  // namespace ward
