// Pruning never changes a ranking: on random corpora (Zipfian words, titles, multi-chunk
// documents, ACL groups, sources, dates, deletions, tiny segments so that frozen, merged and open
// segments all hold postings), random principals and random queries from one word to several
// hundred (repeated words, quoted boosts), the pruned top k (docs/design/index.md "Pruning") is
// the exhaustive one: the same chunks, bit-identical scores, the same order, totals and ACL
// counts. Pruning must also actually skip work on long queries, or this test would prove nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "testutil/test_env.h"
#include "ward/identity/principal.h"

namespace ward {
namespace {

using testing::TempDir;
using testing::WardInstance;

constexpr int kVocabulary = 400;
constexpr int kGroups = 6;

std::string word(int i) { return "p" + std::to_string(i) + "q"; }

// Zipf-like: word i is drawn with weight 1/(i+1), as in natural text.
class ZipfWords {
 public:
  ZipfWords() {
    double sum = 0;
    for (int i = 0; i < kVocabulary; ++i) cumulative_.push_back(sum += 1.0 / (i + 1));
  }
  int draw(std::mt19937& rng) const {
    std::uniform_real_distribution<double> u(0, cumulative_.back());
    double x = u(rng);
    return static_cast<int>(std::lower_bound(cumulative_.begin(), cumulative_.end(), x) -
                            cumulative_.begin());
  }

 private:
  std::vector<double> cumulative_;
};

std::string randomWords(std::mt19937& rng, const ZipfWords& zipf, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i) out += (rng() % 13 == 0) ? ". " : " ";
    out += word(zipf.draw(rng));
  }
  return out;
}

Json randomDoc(std::mt19937& rng, const ZipfWords& zipf, int id) {
  // Mostly short; some long enough for several chunks; a few empty of common words.
  int len =
      rng() % 10 == 0 ? 400 + static_cast<int>(rng() % 800) : 1 + static_cast<int>(rng() % 120);
  Json acl = {{"users", Json::array()}, {"groups", Json::array()}, {"public", rng() % 9 == 0}};
  for (int g = 0; g < kGroups; ++g) {
    if (rng() % 4 == 0) acl["groups"].push_back("g" + std::to_string(g));
  }
  Json doc{{"id", "d" + std::to_string(id)},
           {"text", randomWords(rng, zipf, len)},
           {"acl", acl},
           {"source", rng() % 2 ? "wiki" : "code"},
           {"updated_at", "2026-0" + std::to_string(1 + rng() % 9) + "-01T00:00:00Z"}};
  if (rng() % 3 == 0) doc["title"] = randomWords(rng, zipf, 1 + static_cast<int>(rng() % 6));
  return doc;
}

index::IndexQuery randomQuery(std::mt19937& rng, const ZipfWords& zipf) {
  index::IndexQuery q;
  // One to four words, or a paragraph: up to 400 words (repeats add up their weights).
  int n = rng() % 2 ? 1 + static_cast<int>(rng() % 4) : 5 + static_cast<int>(rng() % 400);
  for (int i = 0; i < n; ++i) {
    // Mostly the corpus's own distribution, sometimes a rare or absent word.
    int w = rng() % 5 ? zipf.draw(rng) : static_cast<int>(rng() % (kVocabulary + 50));
    q.terms.push_back(index::QueryTerm{word(w), rng() % 8 == 0 ? 2.0 : 1.0});
  }
  for (int g = 0; g < kGroups; ++g) {
    if (rng() % 3 == 0)
      q.any_of_tokens.push_back(identity::groupToken("default", "g" + std::to_string(g)));
  }
  if (rng() % 2 == 0) q.any_of_tokens.push_back(identity::publicToken("default"));
  if (rng() % 6 == 0) q.any_of_tokens.push_back(identity::adminToken("default"));
  if (rng() % 6 == 0) q.filter_token_groups.push_back({"default/src:wiki"});
  if (rng() % 6 == 0) q.updated_after = int64_t{1777593600} * 1000000;  // 2026-05-01
  const int ks[] = {1, 2, 3, 10, 10, 10, 25, 100};
  q.k = ks[rng() % 8];
  return q;
}

void expectSameRanking(index::Index& ix, const index::IndexQuery& pruned_query,
                       const index::BM25Params& params, int64_t* pruned_scored, int64_t* all_scored,
                       const std::string& where) {
  index::IndexQuery exhaustive_query = pruned_query;
  exhaustive_query.exhaustive = true;
  auto pruned = ix.search(pruned_query, params);
  auto all = ix.search(exhaustive_query, params);
  ASSERT_TRUE(pruned.ok() && all.ok()) << where;
  ASSERT_EQ(pruned->top.size(), all->top.size()) << where;
  for (size_t i = 0; i < all->top.size(); ++i) {
    EXPECT_EQ(pruned->top[i].chunk_id, all->top[i].chunk_id) << where << " hit " << i;
    EXPECT_EQ(pruned->top[i].score, all->top[i].score) << where << " hit " << i;  // bit-identical
  }
  EXPECT_EQ(pruned->total_matches, all->total_matches) << where;
  EXPECT_EQ(pruned->acl_removed, all->acl_removed) << where;
  EXPECT_EQ(pruned->acl_skipped_postings, all->acl_skipped_postings) << where;
  EXPECT_LE(pruned->postings_scored, all->postings_scored) << where;
  *pruned_scored += pruned->postings_scored;
  *all_scored += all->postings_scored;
}

class IndexPruningTest : public ::testing::TestWithParam<int> {};

TEST_P(IndexPruningTest, PrunedTopKIsTheExhaustiveTopK) {
  TempDir dir;
  auto ward = WardInstance::open(dir.path());
  std::mt19937 rng(static_cast<uint32_t>(1000 + GetParam()));
  const ZipfWords zipf;
  IndexConfig config;
  config.segment_chunks = 64;  // many frozen segments, merges and an open segment
  config.merge_factor = 2;
  auto ix = index::openIndex(dir.file("index2"), *ward->store, config);
  ASSERT_TRUE(ix.ok());

  const int docs = 150 + static_cast<int>(rng() % 250);
  Json batch = Json::array();
  for (int i = 0; i < docs; ++i) batch.push_back(randomDoc(rng, zipf, i));
  ASSERT_TRUE(ward->ingestRecords(batch).ok());
  for (int i = 0; i < docs / 10; ++i) {  // deletions and rewrites leave dead postings behind
    std::string id = "d" + std::to_string(rng() % docs);
    (void)ward->store->deleteDocument(ward->tenant, id);
  }
  Json rewrites = Json::array();
  for (int i = 0; i < docs / 10; ++i) rewrites.push_back(randomDoc(rng, zipf, rng() % docs));
  ASSERT_TRUE(ward->ingestRecords(rewrites).ok());
  ASSERT_TRUE((*ix)->catchUp().ok());

  index::BM25Params params;
  int64_t pruned_scored = 0, all_scored = 0;
  for (int i = 0; i < 60; ++i) {
    if (i == 40) params = index::BM25Params{0.0, 1.0, 0.0, 3.0, 0.5};  // edge of each range
    index::IndexQuery q = randomQuery(rng, zipf);
    expectSameRanking(**ix, q, params, &pruned_scored, &all_scored,
                      "seed " + std::to_string(GetParam()) + " query " + std::to_string(i) + " (" +
                          std::to_string(q.terms.size()) + " words, k " + std::to_string(q.k) +
                          ")");
  }
  EXPECT_LT(pruned_scored, all_scored);
}

INSTANTIATE_TEST_SUITE_P(Seeds, IndexPruningTest, ::testing::Range(0, 12));

// Every chunk scores the same whatever order its terms are added in, so a score does not depend
// on where its query words stand: a permutation of the query gives the same ranking.
TEST(IndexPruning, ScoresDoNotDependOnTermOrder) {
  TempDir dir;
  auto ward = WardInstance::open(dir.path());
  std::mt19937 rng(7);
  const ZipfWords zipf;
  Json batch = Json::array();
  for (int i = 0; i < 200; ++i) batch.push_back(randomDoc(rng, zipf, i));
  ASSERT_TRUE(ward->ingestRecords(batch).ok());
  index::IndexQuery q = randomQuery(rng, zipf);
  while (q.terms.size() < 50) q = randomQuery(rng, zipf);
  q.any_of_tokens = {identity::adminToken("default")};
  q.k = 50;
  for (bool exhaustive : {false, true}) {
    q.exhaustive = exhaustive;
    index::IndexQuery reversed = q;
    std::reverse(reversed.terms.begin(), reversed.terms.end());
    auto a = ward->index->search(q, index::BM25Params{});
    auto b = ward->index->search(reversed, index::BM25Params{});
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->top.size(), b->top.size());
    ASSERT_FALSE(a->top.empty());
    for (size_t i = 0; i < a->top.size(); ++i) {
      EXPECT_EQ(a->top[i].chunk_id, b->top[i].chunk_id) << i;
      EXPECT_EQ(a->top[i].score, b->top[i].score) << i;
    }
  }
}

TEST(IndexPruning, NegativeOrNonFiniteWeightsAreRefused) {
  TempDir dir;
  auto ward = WardInstance::open(dir.path());
  ASSERT_TRUE(ward->ingestRecords(Json::array({Json{
                                      {"id", "d"}, {"text", "word"}, {"acl", {{"public", true}}}}}))
                  .ok());
  for (double w : {-1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    index::IndexQuery q;
    q.terms.push_back(index::QueryTerm{"word", w});
    q.any_of_tokens = {identity::adminToken("default")};
    auto r = ward->index->search(q, index::BM25Params{});
    ASSERT_FALSE(r.ok()) << w;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("weight"), std::string::npos);
  }
}

}  // namespace
}  // namespace ward
