// The embedded default answerer (docs/design/answer.md, "Extractive answers"): with no model
// configured or granted, the answer is the best supporting sentences of the top passages, each
// cited with its exact text. Deterministic: a sentence scores the number of distinct question
// terms (the search analyzer's terms: stemmed, stopwords dropped) it contains; ties go to the
// better-ranked passage, then to the earlier sentence. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ward/answer/citation.h"

namespace ward::answer {

constexpr int kExtractivePassages = 3;               // passages the sentences are taken from
constexpr int kExtractiveSentences = 3;              // sentences in an extractive answer
constexpr size_t kMaxExtractiveSentenceBytes = 600;  // a longer sentence is cut at a word
constexpr std::string_view kNoReadableSources = "no readable sources";

// A sentence of a draft answer with the citations its answerer offers (not yet verified). An
// extractive sentence is shown with its white space collapsed; its quote keeps the source's.
struct DraftSentence {
  std::string text;
  std::vector<Citation> citations;
};

struct Draft {
  std::string answer;
  std::vector<DraftSentence> sentences;
};

// The sentences of a chunk, split after '.', '!' or '?' followed by space, at blank lines and
// at line breaks before a Markdown block (heading, list item, quote, table row, numbered item);
// other line breaks are wrapped lines (PDF text) inside a sentence. Leading Markdown markers
// ('#', '>', '-', '*', '|') are trimmed; each sentence is a substring of `text`.
std::vector<std::string_view> splitSentences(std::string_view text);

// The extractive answer to `question` from `passages` (rank order). No passages: the answer is
// kNoReadableSources with no sentences.
Draft extractiveAnswer(std::string_view question, const std::vector<Passage>& passages);

}  // namespace ward::answer
