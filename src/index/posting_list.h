// A compressed posting list: chunk ids ascending, delta + varint coded in blocks of 128 with skip
// data (first and last id of each block), per-posting field term frequencies stored beside.
//
// Appends must be in ascending chunk-id order. Not thread-safe for writes; concurrent reads of a
// list that is not being appended to are safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "varint.h"

namespace ward::index {

// Term frequencies of one posting, saturating: body up to 255, title and headings up to 15.
struct FieldTf {
  uint8_t body = 0;
  uint8_t title = 0;
  uint8_t heading = 0;
};

class PostingList {
 public:
  static constexpr uint32_t kBlock = 128;

  void append(uint32_t chunk, FieldTf tf);
  uint32_t size() const { return count_; }
  size_t memoryBytes() const;
  // Releases spare capacity once the list stops growing.
  void shrink();

  // Calls f(chunk_id, FieldTf) for every posting in order.
  template <typename F>
  void forEach(F&& f) const {
    uint32_t i = 0;
    const uint8_t* p = bytes_.data();
    for (size_t b = 0; b < skips_.size(); ++b) {
      uint32_t id = b == 0 ? 0 : skips_[b - 1].last;
      const uint8_t* end = bytes_.data() + (b + 1 < skips_.size() ? skips_[b + 1].offset
                                                                  : static_cast<uint32_t>(bytes_.size()));
      while (p < end) {
        id += readVarint(p);
        f(id, tfAt(i));
        ++i;
      }
    }
    for (uint32_t id : tail_) {
      f(id, tfAt(i));
      ++i;
    }
  }

 private:
  struct Skip {
    uint32_t first;
    uint32_t last;
    uint32_t offset;  // byte offset of the block in bytes_
  };

  FieldTf tfAt(uint32_t i) const {
    uint8_t th = tf_th_[i];
    return FieldTf{tf_body_[i], static_cast<uint8_t>(th >> 4), static_cast<uint8_t>(th & 15)};
  }
  void sealTail();

  std::vector<uint8_t> bytes_;
  std::vector<Skip> skips_;
  std::vector<uint32_t> tail_;  // the open block, not yet coded
  std::vector<uint8_t> tf_body_;
  std::vector<uint8_t> tf_th_;  // title << 4 | heading
  uint32_t count_ = 0;
  uint32_t last_ = 0;
};

}  // namespace ward::index
