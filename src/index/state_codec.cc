#include "state_codec.h"

#include <algorithm>
#include <bit>

namespace ward::index {

namespace {

void encodeStrings(ByteWriter& w, const std::vector<std::string>& strings) {
  w.put<uint32_t>(static_cast<uint32_t>(strings.size()));
  for (const auto& s : strings) w.putString(s);
}

bool decodeStrings(ByteReader& r, std::vector<std::string>& out) {
  const uint32_t n = r.getCount(4);
  out.reserve(n);
  for (uint32_t i = 0; i < n && r.ok(); ++i) out.push_back(r.getString());
  return r.ok();
}

// The highest set bit of a bitset, or -1.
int64_t highestBit(const std::vector<uint64_t>& words) {
  for (size_t w = words.size(); w-- > 0;) {
    if (words[w]) return static_cast<int64_t>(w * 64 + 63 - std::countl_zero(words[w]));
  }
  return -1;
}

}  // namespace

void encodeState(const IndexState& st, const SegmentSet& segments, std::string& out) {
  ByteWriter w(out);
  const uint32_t slots = static_cast<uint32_t>(st.chunk_doc.size());
  w.put<int64_t>(st.applied_seq);
  w.put<uint32_t>(st.max_chunk);
  w.put<uint64_t>(st.live_count);
  w.put<uint32_t>(slots);

  // In id order. A term that no live chunk holds any more is written empty (a hole), so the text
  // of deleted documents leaves the index files with the first checkpoint after the delete.
  w.put<uint32_t>(static_cast<uint32_t>(st.term_ids.size()));
  for (const auto& e : st.term_ids.entries()) {
    w.putString(segments.hasLivePosting(e.value) ? std::string_view(e.key) : std::string_view());
  }

  w.put<uint32_t>(static_cast<uint32_t>(st.partitions.size()));
  for (const Partition& p : st.partitions) encodeStrings(w, p.tokens);
  w.put<uint32_t>(static_cast<uint32_t>(st.partition_by_acl.size()));
  for (const auto& [key, id] : st.partition_by_acl) {
    w.putString(key);
    w.put<uint16_t>(id);
  }

  w.putArray(st.chunk_partition.data(), slots);
  w.putArray(st.chunk_doc.data(), slots);
  w.putArray(st.chunk_updated.data(), slots);
  w.putArray(st.len_title.data(), slots);
  w.putArray(st.len_heading.data(), slots);
  w.putArray(st.len_body.data(), slots);

  const auto& words = st.live.words();
  w.put<uint32_t>(static_cast<uint32_t>(words.size()));
  w.putArray(words.data(), words.size());

  w.put<uint32_t>(static_cast<uint32_t>(st.token_bitmaps.size()));
  for (const auto& [token, bitmap] : st.token_bitmaps) {
    w.putString(token);
    w.putBitmap(bitmap);
  }

  w.put<uint32_t>(static_cast<uint32_t>(st.docs.size()));
  for (const auto& [id, doc] : st.docs) {
    w.put<int64_t>(id);
    w.put<uint32_t>(static_cast<uint32_t>(doc.chunks.size()));
    w.putArray(doc.chunks.data(), doc.chunks.size());
    encodeStrings(w, doc.tokens);
  }
  segments.encodeOpen(w);
}

bool decodeState(ByteReader& r, IndexState* st) {
  st->applied_seq = r.get<int64_t>();
  st->max_chunk = r.get<uint32_t>();
  st->live_count = r.get<uint64_t>();
  const uint32_t slots = r.get<uint32_t>();
  if (!r.ok() || st->applied_seq < 0) return false;

  const uint32_t terms = r.getCount(4);
  st->term_ids.reserve(terms);
  for (uint32_t i = 0; i < terms && r.ok(); ++i) {
    const std::string term = r.getString();
    if (term.empty()) {
      st->term_ids.appendHole(i);  // purged: no live chunk held it at the checkpoint
    } else if (!st->term_ids.insert(term, StringTable<uint32_t>::hash(term), i).second) {
      return false;
    }
  }

  const uint32_t parts = r.getCount(4);
  if (parts > kMaxPartitions) return false;
  st->partitions.resize(parts);
  for (Partition& p : st->partitions) {
    if (!decodeStrings(r, p.tokens)) return false;
  }
  const uint32_t keys = r.getCount(6);
  for (uint32_t i = 0; i < keys && r.ok(); ++i) {
    std::string key = r.getString();
    const uint16_t id = r.get<uint16_t>();
    if (id >= parts) return false;
    st->partition_by_acl.emplace(std::move(key), id);
  }

  r.getArray(st->chunk_partition, slots);
  r.getArray(st->chunk_doc, slots);
  r.getArray(st->chunk_updated, slots);
  r.getArray(st->len_title, slots);
  r.getArray(st->len_heading, slots);
  r.getArray(st->len_body, slots);
  if (!r.ok()) return false;
  for (uint16_t p : st->chunk_partition) {
    if (p >= std::max<uint32_t>(parts, 1)) return false;
  }

  std::vector<uint64_t> words;
  r.getArray(words, r.get<uint32_t>());
  if (!r.ok()) return false;
  // Every live chunk must have its per-chunk slots: searches index them by chunk id.
  const int64_t top = highestBit(words);
  if (top >= static_cast<int64_t>(slots) || (top >= 0 && top > st->max_chunk)) return false;
  if (slots > 0 && st->max_chunk >= slots) return false;
  uint64_t live = 0;
  for (uint64_t word : words) live += static_cast<uint64_t>(std::popcount(word));
  if (live != st->live_count) return false;
  st->live.setWords(std::move(words));

  const uint32_t tokens = r.getCount(8);
  for (uint32_t i = 0; i < tokens && r.ok(); ++i) {
    std::string token = r.getString();
    st->token_bitmaps.emplace(std::move(token), r.getBitmap());
  }

  const uint32_t docs = r.getCount(16);
  st->docs.reserve(docs);
  for (uint32_t i = 0; i < docs && r.ok(); ++i) {
    const int64_t id = r.get<int64_t>();
    DocState doc;
    r.getArray(doc.chunks, r.get<uint32_t>());
    if (!decodeStrings(r, doc.tokens)) return false;
    for (uint32_t c : doc.chunks) {
      if (c >= slots) return false;
    }
    st->docs.emplace(id, std::move(doc));
  }
  return r.ok();
}

}  // namespace ward::index
