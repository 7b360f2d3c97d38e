#include "chunk_analysis.h"

#include <unordered_map>

#include "ward/text/analyzer.h"

namespace ward::index {

AnalyzedChunk analyzeChunk(uint32_t chunk_id, const std::string& title,
                           const std::string& heading_path, const std::string& body) {
  thread_local std::vector<std::string> scratch;
  thread_local std::unordered_map<std::string, FieldTf> tfs;
  tfs.clear();
  text::Analyzer& analyzer = text::threadAnalyzer();
  AnalyzedChunk out;
  out.chunk_id = chunk_id;
  auto field = [&](const std::string& text, uint32_t* len, int which) {
    scratch.clear();
    analyzer.terms(text, scratch);
    *len = static_cast<uint32_t>(scratch.size());
    for (const std::string& t : scratch) {
      FieldTf& tf = tfs[t];
      if (which == 0 && tf.title < 15) ++tf.title;
      if (which == 1 && tf.heading < 15) ++tf.heading;
      if (which == 2 && tf.body < 255) ++tf.body;
    }
  };
  field(title, &out.len_title, 0);
  field(heading_path, &out.len_heading, 1);
  field(body, &out.len_body, 2);
  out.terms.reserve(tfs.size());
  for (auto& [term, tf] : tfs) out.terms.emplace_back(term, tf);
  return out;
}

}  // namespace ward::index
