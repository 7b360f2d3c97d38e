// Deterministic scores for eval cases (docs/formats/eval-suite.md "Scoring"). Pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ward::eval {

// The phrases that make an answer a decline (lowercase; matched case-insensitively).
const std::vector<std::string>& declinePhrases();

struct RetrievalScores {
  double ndcg_at_10 = 0;
  double recall_at_k = 0;
  double mrr_at_10 = 0;
};

// `ranked`: distinct doc ids in rank order; `qrels`: doc id -> grade (> 0). Graded nDCG@10
// (gain = grade, discount log2(rank + 1)), Recall@k (relevant ids in the top k / relevant ids),
// MRR@10 (1 / rank of the first relevant id in the top 10, else 0).
RetrievalScores scoreRetrieval(const std::vector<std::string>& ranked,
                               const std::map<std::string, int>& qrels, int k);

// ASCII-case-insensitive substring test.
bool containsFolded(std::string_view haystack, std::string_view needle);

// Whether an answer declines: it contains one of declinePhrases().
bool isDecline(std::string_view answer);

}  // namespace ward::eval
