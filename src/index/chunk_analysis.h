// Turns a stored chunk into what the index keeps: per-term field frequencies and field lengths.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "field_tf.h"

namespace ward::index {

struct AnalyzedChunk {
  uint32_t chunk_id = 0;
  std::vector<std::pair<std::string, FieldTf>> terms;  // unique terms
  std::vector<uint64_t> hashes;    // StringTable::hash of each term, computed once here
  std::vector<uint32_t> term_ids;  // the index's ids of `terms`, where already known
  uint32_t len_title = 0;
  uint32_t len_heading = 0;
  uint32_t len_body = 0;
};

// Analyzes the three fields of one chunk with the thread's analyzer.
AnalyzedChunk analyzeChunk(uint32_t chunk_id, const std::string& title,
                           const std::string& heading_path, const std::string& body);

}  // namespace ward::index
