#include "chunk_analysis.h"

#include "ward/common/string_table.h"
#include "ward/text/analyzer.h"

namespace ward::index {

AnalyzedChunk analyzeChunk(uint32_t chunk_id, const std::string& title,
                           const std::string& heading_path, const std::string& body) {
  // Reused across chunks (its arrays keep their capacity). A term's hash comes from the analyzer
  // (a stem's is computed once per distinct word) and travels with the term to the term
  // dictionary.
  struct Counted {
    FieldTf tf;
    uint64_t hash;
  };
  thread_local StringTable<Counted> tfs;
  tfs.clear();
  text::Analyzer& analyzer = text::threadAnalyzer();
  AnalyzedChunk out;
  out.chunk_id = chunk_id;
  auto field = [&](const std::string& text, uint32_t* len, int which) {
    uint32_t n = 0;
    analyzer.forEachHashedTerm(text, [&](const std::string& t, uint64_t h) {
      ++n;
      FieldTf& tf = tfs.insert(t, h, Counted{FieldTf{}, h}).first->value.tf;
      if (which == 0 && tf.title < 15) ++tf.title;
      if (which == 1 && tf.heading < 15) ++tf.heading;
      if (which == 2 && tf.body < 255) ++tf.body;
    });
    *len = n;
  };
  field(title, &out.len_title, 0);
  field(heading_path, &out.len_heading, 1);
  field(body, &out.len_body, 2);
  out.terms.reserve(tfs.size());
  out.hashes.reserve(tfs.size());
  for (const auto& e : tfs.entries()) {
    out.terms.emplace_back(e.key, e.value.tf);
    out.hashes.push_back(e.value.hash);
  }
  return out;
}

}  // namespace ward::index
