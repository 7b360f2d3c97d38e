// Versions handed to the index by their writer (index/written_docs.h, docs/design/index.md "Data
// flow"): an index fed that way must answer exactly as a rebuild from the store's change feed
// does; a handed-over version whose document changed since (an ACL change, a rewrite, a delete)
// must never bring back what the store no longer holds.
#include <gtest/gtest.h>

#include <random>

#include "testutil/test_env.h"
#include "ward/identity/principal.h"
#include "ward/index/written_docs.h"

namespace ward {
namespace {

using testing::TempDir;

constexpr int kWords = 40;
const std::vector<std::string> kUsers = {"u0", "u1", "u2", "admin"};

std::string word(int i) { return "w" + std::to_string(i) + "x"; }

struct Env {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<trace::TraceSink> traces;
  std::mt19937 rng{11};

  Env() {
    store = std::move(store::openSqliteStore(dir.file("ward.db"))).value();
    EXPECT_TRUE(store->ensureTenant("default").ok());
    audit::AuditSinkOptions o;
    o.log.dir = dir.file("audit");
    traces = std::move(audit::openAuditLogSink(o)).value();
    for (const char* g : {"g0", "g1"}) {
      EXPECT_TRUE(
          store->createPrincipal("default", g, identity::PrincipalKind::kGroup, false).ok());
    }
    for (const char* u : {"u0", "u1", "u2"}) {
      EXPECT_TRUE(store->createPrincipal("default", u, identity::PrincipalKind::kUser, false).ok());
    }
    EXPECT_TRUE(
        store->createPrincipal("default", "admin", identity::PrincipalKind::kUser, true).ok());
    EXPECT_TRUE(store->addMembership("default", "u0", "g0").ok());
    EXPECT_TRUE(store->addMembership("default", "u1", "g1").ok());
  }

  std::unique_ptr<index::Index> open() {
    IndexConfig config;
    config.segment_chunks = 8;  // freezes and merges on a small corpus
    config.merge_factor = 2;
    auto ix = index::openIndex("", *store, config);
    EXPECT_TRUE(ix.ok()) << ix.status().toString();
    return ix.ok() ? std::move(ix).value() : nullptr;
  }

  std::string words(int n) {
    std::string s;
    for (; n > 0; --n) s += word(static_cast<int>(rng() % kWords)) + " ";
    return s;
  }

  // A record with headings (several chunks), metadata of every scalar kind and a random ACL.
  Json record(const std::string& id) {
    std::string text =
        "# " + words(2) + "\n\n" + words(30) + "\n\n## " + words(1) + "\n\n" + words(20) + "\n";
    Json acl = Json::object();
    switch (rng() % 3) {
      case 0:
        acl["public"] = true;
        break;
      case 1:
        acl["groups"] = {"g" + std::to_string(rng() % 2)};
        break;
      default:
        acl["users"] = {"u" + std::to_string(rng() % 3)};
        break;
    }
    return Json{{"id", id},
                {"title", words(2)},
                {"text", text},
                {"format", "markdown"},
                {"acl", acl},
                {"metadata",
                 {{"team", "t" + std::to_string(rng() % 3)},
                  {"rank", static_cast<int>(rng() % 5)},
                  {"score", 0.25 * static_cast<double>(rng() % 4)},
                  {"draft", rng() % 2 == 0}}}};
  }

  void ingest(index::Index& index, int from, int n) {
    ingest::IngestService service(*store, index, *traces, IngestConfig{});
    Json batch = Json::array();
    for (int i = from; i < from + n; ++i) batch.push_back(record("d" + std::to_string(i)));
    auto r =
        service.ingestRecords("default", batch, "records", trace::TraceContext::generate(), "test");
    ASSERT_TRUE(r.ok()) << r.status().toString();
  }

  store::DocumentWrite write(const std::string& id, const std::string& text, bool is_public) {
    store::DocumentWrite w;
    w.tenant = "default";
    w.ext_id = id;
    w.source = "records";
    w.title = id;
    w.format = "text";
    w.content_hash = text;
    w.acl.is_public = is_public;
    store::ChunkRecord c;
    c.text = text;
    w.chunks.push_back(c);
    return w;
  }
};

// Hits and scores of every user for every word (and a metadata filter), compared between `a`
// and `b`.
void expectSameAnswers(Env& env, index::Index& a, index::Index& b) {
  const index::BM25Params params;
  for (const auto& user : kUsers) {
    auto who = identity::resolvePrincipal(*env.store, "default", user);
    ASSERT_TRUE(who.ok());
    for (int w = 0; w < kWords; ++w) {
      index::IndexQuery q;
      q.terms = {index::QueryTerm{word(w), 1.0}, index::QueryTerm{word((w * 7) % kWords), 0.5}};
      q.any_of_tokens = who->acl_tokens;
      if (w % 4 == 0) q.filter_token_groups = {{"default/m:rank=" + std::to_string(w % 5)}};
      if (w % 4 == 1) q.filter_token_groups = {{"default/m:draft=true", "default/m:score=0.5"}};
      q.k = 1000;
      auto ra = a.search(q, params);
      auto rb = b.search(q, params);
      ASSERT_TRUE(ra.ok() && rb.ok());
      ASSERT_EQ(ra->total_matches, rb->total_matches) << user << " " << word(w);
      ASSERT_EQ(ra->top.size(), rb->top.size()) << user << " " << word(w);
      for (size_t i = 0; i < ra->top.size(); ++i) {
        EXPECT_EQ(ra->top[i].chunk_id, rb->top[i].chunk_id) << user << " " << word(w) << " #" << i;
        EXPECT_EQ(ra->top[i].score, rb->top[i].score) << user << " " << word(w) << " #" << i;
      }
    }
  }
}

TEST(IndexWritten, AnIndexFedByItsWritersAnswersLikeARebuildFromTheStore) {
  Env env;
  auto fed = env.open();
  ASSERT_TRUE(fed);
  env.ingest(*fed, 0, 60);
  env.ingest(*fed, 30, 60);  // rewrites of half of them, and new ones
  ASSERT_TRUE(env.store->setAcl("default", "d3", store::Acl{{"u2"}, {}, false}).ok());
  ASSERT_TRUE(env.store->deleteDocument("default", "d4").ok());
  env.ingest(*fed, 80, 20);  // the ACL change and the delete come from the store
  const index::IndexStats stats = fed->stats();
  EXPECT_GE(index::writtenDocsUsed(*fed), 90 + 20);  // the writers' chunks were used...
  EXPECT_GE(stats.segments, 2);

  auto rebuilt = env.open();  // ...and a rebuild from the feed reads the store alone
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(index::writtenDocsUsed(*rebuilt), 0);
  EXPECT_EQ(rebuilt->stats().chunks, stats.chunks);
  EXPECT_EQ(rebuilt->stats().terms, stats.terms);
  EXPECT_EQ(rebuilt->stats().applied_seq, stats.applied_seq);
  expectSameAnswers(env, *fed, *rebuilt);
}

// Handed-over versions after the store moved on: "a" had its ACL narrowed to u2 (same version:
// its chunks are still good, its ACL must come from the store), "b" was rewritten, "d" deleted.
TEST(IndexWritten, AVersionTheStoreNoLongerHoldsIsNeverApplied) {
  Env env;
  auto index = env.open();
  ASSERT_TRUE(index);
  std::vector<store::DocumentWrite> writes = {
      env.write("a", "alpha text", true), env.write("b", "beta text", true),
      env.write("c", "gamma text", true), env.write("d", "epsilon text", true)};
  auto results = env.store->writeDocuments(writes);
  ASSERT_TRUE(results.ok());
  ASSERT_TRUE(env.store->setAcl("default", "a", store::Acl{{"u2"}, {}, false}).ok());
  std::vector<store::DocumentWrite> later = {env.write("b", "delta text", true)};
  ASSERT_TRUE(env.store->writeDocuments(later).ok());
  ASSERT_TRUE(env.store->deleteDocument("default", "d").ok());

  ASSERT_TRUE(index::catchUpWritten(*index, index::writtenDocs(*results, writes)).ok());
  EXPECT_EQ(index::writtenDocsUsed(*index), 2);  // "a" and "c" are still those versions

  auto search = [&](const std::string& user, const std::string& term) {
    auto who = identity::resolvePrincipal(*env.store, "default", user);
    EXPECT_TRUE(who.ok());
    index::IndexQuery q;
    q.terms = {index::QueryTerm{term, 1.0}};
    q.any_of_tokens = who->acl_tokens;
    auto r = index->search(q, index::BM25Params{});
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->total_matches : -1;
  };
  EXPECT_EQ(search("u0", "alpha"), 0);  // narrowed: the handed-over public ACL is stale
  EXPECT_EQ(search("u2", "alpha"), 1);
  EXPECT_EQ(search("u0", "beta"), 0);  // rewritten: the handed-over text is stale
  EXPECT_EQ(search("u0", "delta"), 1);
  EXPECT_EQ(search("u0", "gamma"), 1);
  EXPECT_EQ(search("admin", "epsilon"), 0);  // deleted
  EXPECT_EQ(index->stats().chunks, 3);
}

}  // namespace
}  // namespace ward
