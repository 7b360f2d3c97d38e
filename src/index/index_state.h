// Everything the in-process index holds apart from postings: the term dictionary, ACL
// partitions, per-chunk arrays, the live-chunk bitset, token bitmaps and per-document state.
// MemoryIndex owns one and guards it with its lock; index_files.cc persists it.
#pragma once

#include <roaring/roaring.hh>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "dense_bitset.h"
#include "ward/common/string_table.h"

namespace ward::index {

// Chunks are grouped into partitions by their document's ACL, so a search skips every partition
// whose documents carry no token the principal holds. `tokens` only grows (a document whose ACL
// changes stays where its chunks are and adds its new tokens), so skipping is always safe; the
// visibility bitmap still decides per chunk.
struct Partition {
  std::vector<std::string> tokens;  // sorted union of the ACL tokens of its documents
};

constexpr size_t kMaxPartitions = 256;  // further ACL sets share the last partition

struct DocState {
  std::vector<uint32_t> chunks;
  std::vector<std::string> tokens;
};

struct IndexState {
  StringTable<uint32_t> term_ids;  // a term's id is its value and its position: 0..size-1
  std::vector<Partition> partitions;
  std::unordered_map<std::string, uint16_t> partition_by_acl;  // ACL tokens joined by '\n'
  std::vector<uint16_t> chunk_partition;
  std::vector<int64_t> chunk_doc;
  std::vector<int64_t> chunk_updated;
  std::vector<uint16_t> len_title;
  std::vector<uint16_t> len_heading;
  std::vector<uint32_t> len_body;
  DenseBitset live;
  uint64_t live_count = 0;
  uint32_t max_chunk = 0;
  std::unordered_map<std::string, Roaring> token_bitmaps;
  std::unordered_map<int64_t, DocState> docs;
  int64_t applied_seq = 0;  // last change-feed sequence applied
};

}  // namespace ward::index
