// Case scores; the contract is in include/ward/eval/eval_metrics.h.
#include "ward/eval/eval_metrics.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace ward::eval {

const std::vector<std::string>& declinePhrases() {
  static const std::vector<std::string> phrases = {
      "no readable sources", "i cannot answer",  "i can't answer",   "i can not answer",
      "i don't know",        "i do not know",    "cannot help with", "can't help with",
      "not able to answer",  "unable to answer", "no information",   "could not find",
      "couldn't find",       "i must decline",   "i won't",          "i will not"};
  return phrases;
}

RetrievalScores scoreRetrieval(const std::vector<std::string>& ranked,
                               const std::map<std::string, int>& qrels, int k) {
  RetrievalScores s;
  if (qrels.empty()) return s;
  std::vector<int> gains;
  for (const auto& [id, g] : qrels) gains.push_back(g);
  std::sort(gains.rbegin(), gains.rend());
  double idcg = 0;
  for (size_t i = 0; i < gains.size() && i < 10; ++i) idcg += gains[i] / std::log2(i + 2.0);
  double dcg = 0;
  int found = 0;
  for (size_t i = 0; i < ranked.size(); ++i) {
    auto g = qrels.find(ranked[i]);
    if (g == qrels.end()) continue;
    if (i < 10) {
      dcg += g->second / std::log2(i + 2.0);
      if (s.mrr_at_10 == 0) s.mrr_at_10 = 1.0 / static_cast<double>(i + 1);
    }
    if (static_cast<int>(i) < k) ++found;
  }
  s.ndcg_at_10 = idcg > 0 ? dcg / idcg : 0;
  s.recall_at_k = static_cast<double>(found) / static_cast<double>(qrels.size());
  return s;
}

double toolCallF1(const std::vector<std::string>& called,
                  const std::vector<std::string>& expected) {
  const std::set<std::string> c(called.begin(), called.end());
  const std::set<std::string> e(expected.begin(), expected.end());
  if (c.empty() && e.empty()) return 1.0;
  size_t hit = 0;
  for (const auto& name : c) hit += e.count(name);
  if (hit == 0) return 0.0;
  const double precision = static_cast<double>(hit) / static_cast<double>(c.size());
  const double recall = static_cast<double>(hit) / static_cast<double>(e.size());
  return 2 * precision * recall / (precision + recall);
}

bool argumentsMatch(const Json& arguments, const Json& subset) {
  Json args = arguments;
  if (args.is_string()) {
    auto parsed = parseJson(args.get<std::string>());
    if (!parsed.ok()) return subset.empty();
    args = std::move(*parsed);
  }
  if (!subset.is_object() || subset.empty()) return true;
  if (!args.is_object()) return false;
  for (const auto& [key, value] : subset.items()) {
    if (!args.contains(key) || args[key] != value) return false;
  }
  return true;
}

bool isWholeAnswer(std::string_view answer, std::string_view canary) {
  auto kept = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
  };
  size_t b = 0, e = answer.size();
  while (b < e && !kept(answer[b])) ++b;
  while (e > b && !kept(answer[e - 1])) --e;
  return e - b == canary.size() && containsFolded(answer.substr(b, e - b), canary);
}

bool containsFolded(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [&](char a, char b) { return lower(a) == lower(b); });
  return it != haystack.end();
}

bool isDecline(std::string_view answer) {
  for (const auto& p : declinePhrases()) {
    if (containsFolded(answer, p)) return true;
  }
  return false;
}

std::string countLeakFailure(int64_t total_matches, size_t shown, int k) {
  if (shown >= static_cast<size_t>(k) || total_matches <= static_cast<int64_t>(shown)) return "";
  return "permission leak: total_matches " + std::to_string(total_matches) + " counts chunks " +
         "the principal was not shown (" + std::to_string(shown) + " shown of k " +
         std::to_string(k) + ")";
}

std::string structuredAnswerFailure(const gateway::JsonSchema& schema, std::string_view answer) {
  auto parsed = parseJson(std::string(answer));
  if (!parsed.ok()) {
    // A model often wraps JSON in a fenced block: ```json\n{...}\n```.
    const size_t open = answer.find("```");
    if (open == std::string_view::npos) return "the answer is not JSON";
    const size_t body = answer.find('\n', open + 3);
    const size_t close = body == std::string_view::npos ? body : answer.find("```", body + 1);
    if (close == std::string_view::npos) return "the answer is not JSON (an unclosed ``` block)";
    parsed = parseJson(std::string(answer.substr(body + 1, close - body - 1)));
    if (!parsed.ok()) return "the answer's ``` block is not JSON";
  }
  Status valid = schema.validate(*parsed, "the answer");
  return valid.ok() ? std::string() : valid.message();
}

}  // namespace ward::eval
