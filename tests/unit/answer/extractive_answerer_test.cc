// The extractive answerer: deterministic sentence choice, exact quotes, no invention.
#include <gtest/gtest.h>

#include "ward/answer/citation.h"
#include "ward/answer/extractive_answerer.h"

namespace ward::answer {
namespace {

Passage passage(std::string doc, int rank, std::string text) {
  Passage p;
  p.doc_id = std::move(doc);
  p.version = 1;
  p.chunk = 0;
  p.rank = rank;
  p.text = std::move(text);
  return p;
}

TEST(ExtractiveAnswerer, NoPassagesMeansNoReadableSources) {
  Draft d = extractiveAnswer("what is the termination notice?", {});
  EXPECT_EQ(d.answer, kNoReadableSources);
  EXPECT_TRUE(d.sentences.empty());
}

TEST(ExtractiveAnswerer, PicksTheSentencesSharingMostQuestionTerms) {
  std::vector<Passage> ps = {
      passage("contract", 1,
              "# Termination\nThis agreement starts on signature. Either party may terminate "
              "the agreement with 30 days written notice. Fees are due monthly."),
      passage("handbook", 2, "Notice periods for employees are described in section 4."),
  };
  Draft d = extractiveAnswer("How much notice to terminate the agreement?", ps);
  ASSERT_FALSE(d.sentences.empty());
  EXPECT_EQ(d.sentences[0].text,
            "Either party may terminate the agreement with 30 days written notice.");
  // Every sentence is cited with itself, an exact quote of its passage.
  for (const DraftSentence& s : d.sentences) {
    ASSERT_EQ(s.citations.size(), 1u);
    EXPECT_EQ(s.citations[0].quote, s.text);  // no wrapped lines here: shown as quoted
    bool found = false;
    for (const Passage& p : ps) {
      if (p.doc_id == s.citations[0].doc_id) found = p.text.find(s.text) != std::string::npos;
    }
    EXPECT_TRUE(found) << s.text;
    CheckedCitation c =
        verifyCitation(s.text, s.citations[0], ps, [](const Passage&) { return true; });
    EXPECT_TRUE(c.verified()) << c.detail;
  }
  EXPECT_LE(d.sentences.size(), static_cast<size_t>(kExtractiveSentences));
}

TEST(ExtractiveAnswerer, TiesGoToTheBetterRankedPassage) {
  std::vector<Passage> ps = {passage("b", 1, "The robot arm weighs 12 kg."),
                             passage("a", 2, "The robot arm weighs 14 kg.")};
  Draft d = extractiveAnswer("robot arm weight", ps);
  ASSERT_GE(d.sentences.size(), 2u);
  EXPECT_EQ(d.sentences[0].citations[0].doc_id, "b");
  EXPECT_EQ(d.sentences[1].citations[0].doc_id, "a");
  // Deterministic: the same input gives the same answer.
  EXPECT_EQ(extractiveAnswer("robot arm weight", ps).answer, d.answer);
}

// A heading that shares the question's terms does not open the answer ahead of a sentence
// that shares as many (the example company's leave policy did, for "terminate").
TEST(ExtractiveAnswerer, AtEqualScoresSentencesComeBeforeHeadings) {
  std::vector<Passage> ps = {passage("leave", 1,
                                     "Termination of employment and unused leave\n\n"
                                     "On termination of employment, accrued but unused PTO is "
                                     "paid out in the final paycheque.")};
  Draft d = extractiveAnswer("termination of employment", ps);
  ASSERT_EQ(d.sentences.size(), 2u);
  EXPECT_EQ(d.sentences[0].text,
            "On termination of employment, accrued but unused PTO is paid out in the final "
            "paycheque.");
  EXPECT_EQ(d.sentences[1].text, "Termination of employment and unused leave");
}

TEST(ExtractiveAnswerer, WithoutSharedTermsTheTopPassageStillSpeaks) {
  std::vector<Passage> ps = {passage("faq", 1, "Opening hours are nine to five. Closed Sundays.")};
  Draft d = extractiveAnswer("zebra", ps);
  ASSERT_EQ(d.sentences.size(), 1u);
  EXPECT_EQ(d.sentences[0].text, "Opening hours are nine to five.");
}

TEST(ExtractiveAnswerer, WrappedLinesStayOneSentenceShownOnOneLine) {
  std::vector<Passage> ps = {passage("msa", 1,
                                     "Either party may terminate this\nAgreement on written "
                                     "notice.\n1. Notice must be\n   in writing.")};
  auto s = splitSentences(ps[0].text);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(std::string(s[0]), "Either party may terminate this\nAgreement on written notice.");
  EXPECT_EQ(std::string(s[1]), "1. Notice must be\n   in writing.");
  Draft d = extractiveAnswer("terminate agreement notice", ps);
  ASSERT_FALSE(d.sentences.empty());
  EXPECT_EQ(d.sentences[0].text, "Either party may terminate this Agreement on written notice.");
  EXPECT_EQ(d.sentences[0].citations[0].quote,
            "Either party may terminate this\nAgreement on written notice.");
  CheckedCitation c = verifyCitation(d.sentences[0].text, d.sentences[0].citations[0], ps,
                                     [](const Passage&) { return true; });
  EXPECT_TRUE(c.verified()) << c.detail;
}

TEST(ExtractiveAnswerer, SplitsSentencesAndTrimsMarkdownMarkers) {
  auto s = splitSentences("## Leave\n- Staff get 25 days. Unused days expire!\n> Ask HR? Yes");
  std::vector<std::string> want = {"Leave", "Staff get 25 days.", "Unused days expire!", "Ask HR?",
                                   "Yes"};
  ASSERT_EQ(s.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(std::string(s[i]), want[i]);
}

}  // namespace
}  // namespace ward::answer
