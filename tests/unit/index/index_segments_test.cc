// Segment invariance: how postings are split into segments (freezing, tiered merges, compaction
// of dead postings, rebuilding from the change feed in batches) must never change what a search
// returns. A random corpus with rewrites and deletions is searched through an index with tiny
// segments and through one with a single open segment; both must agree, hit for hit and score
// for score, and agree with the test's own model of which documents contain a word.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "testutil/test_env.h"

namespace ward {
namespace {

using testing::TempDir;
using testing::WardInstance;

constexpr int kWords = 40;

std::string word(int i) { return "w" + std::to_string(i) + "x"; }

index::IndexQuery queryFor(const std::string& term) {
  index::IndexQuery q;
  q.terms.push_back(index::QueryTerm{term, 1.0});
  q.any_of_tokens = {"default/*"};
  q.k = 1000000;
  return q;
}

// doc id -> words it contains now (absent: deleted or never written).
using Model = std::map<std::string, std::set<int>>;

Json record(const std::string& id, const std::set<int>& words) {
  std::string text;
  for (int w : words) text += word(w) + " ";
  return Json{{"id", id}, {"text", text}, {"acl", {{"public", true}}}};
}

void expectSameResults(index::Index& a, index::Index& b, store::Store& store, const Model& model) {
  const index::BM25Params params;
  for (int w = 0; w < kWords; ++w) {
    auto ra = a.search(queryFor(word(w)), params);
    auto rb = b.search(queryFor(word(w)), params);
    ASSERT_TRUE(ra.ok() && rb.ok());
    ASSERT_EQ(ra->top.size(), rb->top.size()) << word(w);
    for (size_t i = 0; i < ra->top.size(); ++i) {
      EXPECT_EQ(ra->top[i].chunk_id, rb->top[i].chunk_id) << word(w) << " hit " << i;
      EXPECT_FLOAT_EQ(ra->top[i].score, rb->top[i].score) << word(w) << " hit " << i;
    }
    std::set<std::string> found, expected;
    for (const auto& hit : ra->top) {
      auto chunk = store.getChunk(hit.chunk_id);
      ASSERT_TRUE(chunk.ok());
      auto doc = store.getDocumentById(chunk->doc_id);
      ASSERT_TRUE(doc.ok());
      found.insert(doc->ext_id);
    }
    for (const auto& [id, words] : model) {
      if (words.count(w)) expected.insert(id);
    }
    EXPECT_EQ(found, expected) << word(w);
  }
}

class IndexSegmentsTest : public ::testing::TestWithParam<int> {};

TEST_P(IndexSegmentsTest, SegmentLayoutNeverChangesResults) {
  TempDir dir;
  auto ward = WardInstance::open(dir.path());
  IndexConfig tiny;
  tiny.segment_chunks = 7;
  tiny.merge_factor = 2;
  IndexConfig single;
  single.segment_chunks = 1000000;
  auto small = index::openIndex(dir.file("index"), *ward->store, tiny);
  auto whole = index::openIndex(dir.file("index"), *ward->store, single);
  ASSERT_TRUE(small.ok() && whole.ok());

  std::mt19937 rng(static_cast<uint32_t>(GetParam()));
  Model model;
  for (int round = 0; round < 12; ++round) {
    Json batch = Json::array();
    std::set<std::string> in_batch;
    for (int i = 0; i < 25; ++i) {
      std::string id = "d" + std::to_string(rng() % 80);
      if (!in_batch.insert(id).second) continue;
      std::set<int> words;
      for (int n = 1 + static_cast<int>(rng() % 6); n > 0; --n)
        words.insert(static_cast<int>(rng() % kWords));
      model[id] = words;
      batch.push_back(record(id, words));
    }
    ASSERT_TRUE(ward->ingestRecords(batch).ok());
    for (int i = 0; i < 4; ++i) {
      std::string id = "d" + std::to_string(rng() % 80);
      if (!model.count(id)) continue;
      ASSERT_TRUE(ward->store->deleteDocument(ward->tenant, id).ok());
      model.erase(id);
    }
    ASSERT_TRUE((*small)->catchUp().ok());
    ASSERT_TRUE((*whole)->catchUp().ok());
    expectSameResults(**small, **whole, *ward->store, model);
  }
  // Rebuilt from the change feed in one go.
  auto rebuilt = index::openIndex(dir.file("index"), *ward->store, tiny);
  ASSERT_TRUE(rebuilt.ok());
  expectSameResults(**rebuilt, **whole, *ward->store, model);
}

INSTANTIATE_TEST_SUITE_P(Seeds, IndexSegmentsTest, ::testing::Range(0, 5));

// A rebuild reads the change feed in batches and each document's current chunks: a document
// rewritten late in the feed arrives (with its newest, highest chunk ids) before documents whose
// only change comes later with lower ids. Postings must still decode correctly.
TEST(IndexSegmentsRebuild, ChunksArrivingOutOfIdOrderAreIndexed) {
  TempDir dir;
  auto ward = WardInstance::open(dir.path());
  ASSERT_TRUE(ward->ingestRecords(Json::array({record("early", {1, 2})})).ok());
  Json many = Json::array();
  for (int i = 0; i < 2500; ++i) many.push_back(record("m" + std::to_string(i), {3, 4}));
  ASSERT_TRUE(ward->ingestRecords(many).ok());
  ASSERT_TRUE(ward->ingestRecords(Json::array({record("early", {1, 5})})).ok());

  for (size_t segment_chunks : {size_t{100000}, size_t{100}}) {
    SCOPED_TRACE(segment_chunks);
    IndexConfig config;
    config.segment_chunks = segment_chunks;
    auto rebuilt = index::openIndex(dir.file("index"), *ward->store, config);
    ASSERT_TRUE(rebuilt.ok());
    const index::BM25Params params;
    auto r3 = (*rebuilt)->search(queryFor(word(3)), params);
    ASSERT_TRUE(r3.ok());
    EXPECT_EQ(r3->total_matches, 2500);
    auto r5 = (*rebuilt)->search(queryFor(word(5)), params);
    ASSERT_TRUE(r5.ok());
    EXPECT_EQ(r5->total_matches, 1);
    auto r2 = (*rebuilt)->search(queryFor(word(2)), params);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(r2->total_matches, 0);
  }
}

}  // namespace
}  // namespace ward
