#include "posting_list.h"

#include <algorithm>

namespace ward::index {

void PostingList::append(uint32_t chunk, FieldTf tf) {
  tail_.push_back(chunk);
  tf_body_.push_back(tf.body);
  tf_th_.push_back(static_cast<uint8_t>(std::min<int>(tf.title, 15) << 4 |
                                        std::min<int>(tf.heading, 15)));
  ++count_;
  if (tail_.size() == kBlock) sealTail();
}

void PostingList::sealTail() {
  if (tail_.empty()) return;
  Skip skip{tail_.front(), tail_.back(), static_cast<uint32_t>(bytes_.size())};
  uint32_t prev = skips_.empty() ? 0 : skips_.back().last;
  for (uint32_t id : tail_) {
    writeVarint(id - prev, bytes_);
    prev = id;
  }
  skips_.push_back(skip);
  last_ = tail_.back();
  tail_.clear();
}

void PostingList::shrink() {
  bytes_.shrink_to_fit();
  skips_.shrink_to_fit();
  tf_body_.shrink_to_fit();
  tf_th_.shrink_to_fit();
  if (tail_.empty()) {
    std::vector<uint32_t>().swap(tail_);
  } else {
    tail_.shrink_to_fit();
  }
}

size_t PostingList::memoryBytes() const {
  return bytes_.capacity() + skips_.capacity() * sizeof(Skip) +
         tail_.capacity() * sizeof(uint32_t) + tf_body_.capacity() + tf_th_.capacity() +
         sizeof(*this);
}

}  // namespace ward::index
