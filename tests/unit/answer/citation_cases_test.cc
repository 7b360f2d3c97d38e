// Runs tests/cases/answer/citations.case through answer::verifyCitation.
#include <gtest/gtest.h>

#include <set>

#include "case_file.h"
#include "ward/answer/citation.h"

namespace ward::answer {
namespace {

using testing::CaseBlock;

// "DOC CHUNK [VERSION] | TEXT" -> the fields before '|' and the text after it.
std::pair<std::vector<std::string>, std::string> splitHead(const std::string& v) {
  size_t bar = v.find(" | ");
  std::istringstream head(v.substr(0, bar));
  std::vector<std::string> parts;
  std::string p;
  while (head >> p) parts.push_back(p);
  return {parts, bar == std::string::npos ? "" : v.substr(bar + 3)};
}

void runCase(const CaseBlock& c) {
  SCOPED_TRACE(c.name);
  std::vector<Passage> retrieved;
  std::set<std::string> unreadable;
  Citation cite;
  for (const auto& [key, value] : c.fields) {
    if (key == "passage") {
      auto [head, text] = splitHead(value);
      ASSERT_EQ(head.size(), 3u) << value;
      Passage p;
      p.doc_id = head[0];
      p.chunk = std::stoi(head[1]);
      p.version = std::stoll(head[2]);
      p.rank = static_cast<int>(retrieved.size()) + 1;
      p.text = text;
      retrieved.push_back(p);
    } else if (key == "unreadable") {
      unreadable.insert(value);
    } else if (key == "cite") {
      auto [head, quote] = splitHead(value);
      ASSERT_GE(head.size(), 2u) << value;
      cite.doc_id = head[0];
      cite.chunk = std::stoi(head[1]);
      if (head.size() > 2) cite.version = std::stoll(head[2]);
      cite.quote = quote;
    }
  }
  ReadableNow readable = [&](const Passage& p) { return unreadable.count(p.doc_id) == 0; };
  CheckedCitation got = verifyCitation(c.get("sentence"), cite, retrieved, readable);
  std::istringstream expect(c.get("expect"));
  std::string verdict;
  expect >> verdict;
  if (verdict == "ok") {
    int64_t start = 0, end = 0;
    expect >> start >> end;
    EXPECT_TRUE(got.verified()) << "failed " << citationRuleName(*got.failed) << ": " << got.detail;
    EXPECT_EQ(got.citation.char_start, start);
    EXPECT_EQ(got.citation.char_end, end);
    EXPECT_EQ(got.passed.size(), 4u);
  } else {
    ASSERT_EQ(verdict, "fail") << "bad expect line";
    std::string rule;
    expect >> rule;
    ASSERT_FALSE(got.verified()) << "expected the " << rule << " rule to drop it";
    EXPECT_EQ(citationRuleName(*got.failed), rule) << got.detail;
  }
}

TEST(CitationCases, AllCasesHold) {
  auto cases = testing::readCases(WARD_ANSWER_CASES);
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) runCase(c);
}

TEST(CitationNormalisation, OffsetsPointAtTheQuoteInTheOriginal) {
  const std::string chunk = "Zürich “office” opens at 8:30.";
  auto span = findQuote(chunk, "\"office\" opens");
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(span->first, 7);
  EXPECT_EQ(span->second, 21);
}

TEST(CitationFacts, NumbersIdentifiersAndQuotedNames) {
  auto facts =
      factTokens("Invoice INV-2024-0042 of $1,200 (12% VAT) for \"Atlas Arm\" by AcmeCorp.");
  std::vector<std::string> want = {"\"Atlas Arm\"", "INV-2024-0042", "$1,200",
                                   "12%",           "VAT",           "AcmeCorp"};
  EXPECT_EQ(facts, want);
}

}  // namespace
}  // namespace ward::answer
