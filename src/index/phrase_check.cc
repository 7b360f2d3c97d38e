#include "phrase_check.h"

#include "ward/text/analyzer.h"

namespace ward::index {

namespace {

bool containsPhrase(const std::vector<text::Token>& tokens,
                    const std::vector<std::string>& phrase) {
  if (phrase.empty()) return true;
  std::vector<const text::Token*> seq;
  seq.reserve(tokens.size());
  for (const auto& t : tokens)
    if (!t.identifier) seq.push_back(&t);
  for (size_t i = 0; i + phrase.size() <= seq.size(); ++i) {
    bool ok = true;
    for (size_t j = 0; j < phrase.size() && ok; ++j) {
      ok = seq[i + j]->term == phrase[j] && seq[i + j]->position == seq[i]->position + j;
    }
    if (ok) return true;
  }
  return false;
}

}  // namespace

bool chunkHasPhrases(store::Store& store, int64_t chunk_id,
                     const std::vector<std::vector<std::string>>& phrases) {
  auto chunk = store.getChunk(chunk_id);
  if (!chunk.ok()) return false;
  auto doc = store.getDocumentById(chunk->doc_id);
  std::vector<text::Token> body, title, heading;
  text::Analyzer& analyzer = text::threadAnalyzer();
  analyzer.analyze(chunk->text, body);
  analyzer.analyze(chunk->heading_path, heading);
  if (doc.ok()) analyzer.analyze(doc->title, title);
  for (const auto& phrase : phrases) {
    if (!containsPhrase(body, phrase) && !containsPhrase(title, phrase) &&
        !containsPhrase(heading, phrase)) {
      return false;
    }
  }
  return true;
}

}  // namespace ward::index
