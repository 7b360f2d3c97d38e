// Persisted index (docs/formats/index-segments.md): an index reopened from its checkpoint must
// answer exactly as it did before closing and as a fresh rebuild from the store does (hits and
// scores, for several principals), including after deletes, rewrites, ACL and membership
// changes and merges; damaged, foreign or stale files must lead to a rebuild, never to wrong
// results; only the lock holder writes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "testutil/test_env.h"
#include "ward/identity/principal.h"
#include "ward/text/analyzer.h"

namespace ward {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr int kWords = 30;
const std::vector<std::string> kUsers = {"u0", "u1", "u2", "admin"};

std::string word(int i) { return "w" + std::to_string(i) + "x"; }

IndexConfig tinySegments() {
  IndexConfig c;
  c.segment_chunks = 8;  // below the ward.toml minimum, so that a small corpus freezes and merges
  c.merge_factor = 2;
  c.checkpoint_changes = 0;
  return c;
}

// A store, trace sink and ingest service over one data dir; indexes are opened by the tests.
struct Env {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<trace::TraceSink> traces;
  std::mt19937 rng{7};
  int next_doc = 0;

  Env() {
    fs::create_directories(dir.file("index"));
    store = std::move(store::openSqliteStore(dir.file("ward.db"))).value();
    EXPECT_TRUE(store->ensureTenant("default").ok());
    audit::AuditSinkOptions o;
    o.log.dir = dir.file("audit");
    traces = std::move(audit::openAuditLogSink(o)).value();
    for (const char* g : {"g0", "g1", "g2"}) {
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
    EXPECT_TRUE(store->addMembership("default", "g1", "g2").ok());
  }

  std::unique_ptr<index::Index> open(const IndexConfig& config = tinySegments(),
                                     const std::string& index_dir = "index") {
    auto ix = index::openIndex(index_dir.empty() ? "" : dir.file(index_dir), *store, config);
    EXPECT_TRUE(ix.ok()) << ix.status().toString();
    return ix.ok() ? std::move(ix).value() : nullptr;
  }

  store::Acl randomAcl() {
    store::Acl acl;
    switch (rng() % 4) {
      case 0:
        acl.is_public = true;
        break;
      case 1:
        acl.groups = {"g" + std::to_string(rng() % 3)};
        break;
      case 2:
        acl.users = {"u" + std::to_string(rng() % 3)};
        break;
      default:
        acl.groups = {"g0", "g2"};
        break;
    }
    return acl;
  }

  Json randomRecord(const std::string& id) {
    std::string text, title;
    for (int n = 3 + static_cast<int>(rng() % 12); n > 0; --n) text += word(rng() % kWords) + " ";
    title = word(rng() % kWords);
    return Json{{"id", id}, {"title", title}, {"text", text}, {"acl", randomAcl().toJson()}};
  }

  void ingest(index::Index& index, int n) {
    ingest::IngestService service(*store, index, *traces, IngestConfig{});
    Json batch = Json::array();
    for (int i = 0; i < n; ++i) batch.push_back(randomRecord("d" + std::to_string(next_doc++)));
    auto r =
        service.ingestRecords("default", batch, "records", trace::TraceContext::generate(), "test");
    ASSERT_TRUE(r.ok()) << r.status().toString();
  }

  // Deletes, rewrites and ACL changes on existing documents, and a membership change.
  void churn(index::Index& index) {
    ingest::IngestService service(*store, index, *traces, IngestConfig{});
    Json rewrites = Json::array();
    for (int i = 0; i < 6; ++i) {
      const std::string id = "d" + std::to_string(rng() % static_cast<unsigned>(next_doc));
      switch (rng() % 3) {
        case 0:
          (void)store->deleteDocument("default", id);
          break;  // NotFound if already gone
        case 1:
          (void)store->setAcl("default", id, randomAcl());
          break;
        default:
          rewrites.push_back(randomRecord(id));
          break;
      }
    }
    if (!rewrites.empty()) {
      ASSERT_TRUE(service
                      .ingestRecords("default", rewrites, "records",
                                     trace::TraceContext::generate(), "test")
                      .ok());
    }
    ASSERT_TRUE(index.catchUp().ok());
  }
};

// Every user and word: same chunk ids, same scores, same totals.
void expectSameAnswers(Env& env, index::Index& a, index::Index& b) {
  const index::BM25Params params;
  for (const auto& user : kUsers) {
    auto who = identity::resolvePrincipal(*env.store, "default", user);
    ASSERT_TRUE(who.ok());
    for (int w = 0; w < kWords; ++w) {
      index::IndexQuery q;
      q.terms = {index::QueryTerm{word(w), 1.0}, index::QueryTerm{word((w * 7) % kWords), 0.5}};
      q.any_of_tokens = who->acl_tokens;
      q.k = 1000;
      auto ra = a.search(q, params);
      auto rb = b.search(q, params);
      ASSERT_TRUE(ra.ok() && rb.ok());
      ASSERT_EQ(ra->total_matches, rb->total_matches) << user << " " << word(w);
      ASSERT_EQ(ra->top.size(), rb->top.size()) << user << " " << word(w);
      for (size_t i = 0; i < ra->top.size(); ++i) {
        EXPECT_EQ(ra->top[i].chunk_id, rb->top[i].chunk_id) << user << " " << word(w) << " #" << i;
        EXPECT_FLOAT_EQ(ra->top[i].score, rb->top[i].score) << user << " " << word(w) << " #" << i;
      }
    }
  }
}

TEST(IndexPersist, ReopenAnswersLikeBeforeAndLikeARebuild) {
  Env env;
  auto first = env.open();
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->stats().writer);
  for (int round = 0; round < 6; ++round) {
    env.ingest(*first, 20);
    env.churn(*first);
  }
  ASSERT_TRUE(env.store->addMembership("default", "u2", "g0").ok());  // not in the change feed
  ASSERT_GE(first->stats().segments, 2);  // a frozen (merged) segment besides the open one
  ASSERT_TRUE(first->checkpoint().ok());
  EXPECT_EQ(first->stats().persisted_seq, first->stats().applied_seq);

  auto reopened = env.open();
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(reopened->stats().loaded);
  EXPECT_FALSE(reopened->stats().writer);  // `first` still holds the lock
  EXPECT_EQ(reopened->stats().segments, first->stats().segments);
  expectSameAnswers(env, *first, *reopened);
  auto rebuilt = env.open(tinySegments(), "");
  expectSameAnswers(env, *reopened, *rebuilt);

  // Changes after the checkpoint: the reopened index catches up from the feed.
  first.reset();  // closes the writer (its checkpoint is current: nothing written)
  for (int round = 0; round < 3; ++round) {
    env.ingest(*reopened, 15);
    env.churn(*reopened);
  }
  ASSERT_TRUE(env.store->removeMembership("default", "u1", "g1").ok());
  rebuilt = env.open(tinySegments(), "");
  expectSameAnswers(env, *reopened, *rebuilt);

  // The reader takes over the lock once the writer has gone, and its checkpoint reopens equal.
  ASSERT_TRUE(reopened->checkpoint().ok());
  EXPECT_TRUE(reopened->stats().writer);
  EXPECT_EQ(reopened->stats().persisted_seq, reopened->stats().applied_seq);
  reopened.reset();
  auto again = env.open();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->stats().loaded);
  expectSameAnswers(env, *again, *rebuilt);
}

TEST(IndexPersist, CheckpointKeepsOnlyTheFilesItsManifestNames) {
  Env env;
  auto index = env.open();
  ASSERT_TRUE(index);
  for (int round = 0; round < 4; ++round) {
    env.ingest(*index, 30);
    env.churn(*index);
    ASSERT_TRUE(index->checkpoint().ok());
  }
  std::ifstream in(env.dir.file("index/MANIFEST"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json m = Json::parse(text);
  std::set<std::string> named{"LOCK", "MANIFEST", m["state"]["file"].get<std::string>()};
  for (const auto& s : m["segments"]) named.insert(s["file"].get<std::string>());
  std::set<std::string> present;
  for (const auto& e : fs::directory_iterator(env.dir.file("index"))) {
    present.insert(e.path().filename().string());
  }
  EXPECT_EQ(present, named);
}

// Every file under `dir` (recursively) whose bytes contain one of `needles`, with the needle.
std::vector<std::string> filesHolding(const std::string& dir,
                                      const std::vector<std::string>& needles) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& n : needles) {
      if (bytes.find(n) != std::string::npos) found.push_back(e.path().string() + " holds " + n);
    }
  }
  return found;
}

// A deleted document's text and unique terms leave every file of the data dir when the delete
// returns (docs/design/index.md, "Purging deleted text"): the index writes a checkpoint whose
// state file no longer names the terms only dead chunks held, and the store truncates its WAL.
// The purged terms stay holes across a reopen; the same words ingested again are found again.
TEST(IndexPersist, ADeleteLeavesNoFileHoldingItsTextOrUniqueTerms) {
  Env env;
  auto index = env.open();
  ASSERT_TRUE(index);
  env.ingest(*index, 40);
  const std::string canary = "Quokkaberries";
  const std::string meta_canary = "zanzibarflux";
  std::vector<std::string> needles = {canary, "quokkaberries", meta_canary};
  std::vector<text::Token> tokens;
  text::threadAnalyzer().analyze(canary, tokens);
  ASSERT_FALSE(tokens.empty());
  for (const auto& t : tokens) needles.push_back(t.term);  // the stem
  const std::string stem = tokens.front().term;
  Json doc = {{"id", "to-delete"},
              {"title", canary + " report"},
              {"text", "The " + canary + " harvest was counted twice. " + word(1)},
              {"metadata", {{"project", meta_canary}}},
              {"acl", {{"public", true}}}};
  ingest::IngestService service(*env.store, *index, *env.traces, IngestConfig{});
  ASSERT_TRUE(service
                  .ingestRecords("default", Json::array({doc}), "records",
                                 trace::TraceContext::generate(), "test")
                  .ok());
  env.ingest(*index, 20);  // the document's chunk ends up in a frozen segment
  ASSERT_TRUE(index->checkpoint().ok());
  ASSERT_FALSE(filesHolding(env.dir.path(), needles).empty());  // the test can see them

  ASSERT_TRUE(
      service.removeDocument("default", "to-delete", trace::TraceContext::generate(), "test").ok());
  EXPECT_EQ(index->stats().persisted_seq, index->stats().applied_seq);
  for (const auto& f : filesHolding(env.dir.path(), needles)) ADD_FAILURE() << f;

  // Reopened from the purged checkpoint: it loads, answers like a rebuild, and the purged term
  // is simply unknown until a document brings it back.
  index.reset();
  auto reopened = env.open();
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(reopened->stats().loaded);
  auto rebuilt = env.open(tinySegments(), "");
  expectSameAnswers(env, *reopened, *rebuilt);
  index::IndexQuery q;
  q.terms = {index::QueryTerm{stem, 1.0}};
  q.any_of_tokens = {"default/*"};
  q.k = 10;
  auto gone = reopened->search(q, index::BM25Params{});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->total_matches, 0);
  ingest::IngestService again(*env.store, *reopened, *env.traces, IngestConfig{});
  doc["id"] = "back";
  ASSERT_TRUE(again
                  .ingestRecords("default", Json::array({doc}), "records",
                                 trace::TraceContext::generate(), "test")
                  .ok());
  auto back = reopened->search(q, index::BM25Params{});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->total_matches, 1);
}

// Damage to the files, a manifest from another format version and one from another store all
// lead to a rebuild (loaded = false) with the right answers, and the writer replaces the files.
class IndexPersistDamage : public ::testing::TestWithParam<std::string> {};

void flipByte(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(at));
  f.put(static_cast<char>(c ^ 0x5a));
}

TEST_P(IndexPersistDamage, LeadsToARebuild) {
  Env env;
  {
    auto index = env.open();
    ASSERT_TRUE(index);
    for (int round = 0; round < 4; ++round) {
      env.ingest(*index, 25);
      env.churn(*index);
    }
  }  // closing writes the checkpoint
  std::ifstream in(env.dir.file("index/MANIFEST"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json m = Json::parse(text);
  ASSERT_FALSE(m["segments"].empty());
  const std::string seg = env.dir.file("index/" + m["segments"][0]["file"].get<std::string>());
  const std::string state = env.dir.file("index/" + m["state"]["file"].get<std::string>());
  const std::string how = GetParam();
  auto writeManifest = [&](const Json& j) {
    std::ofstream out(env.dir.file("index/MANIFEST"), std::ios::trunc);
    out << j.dump();
  };
  if (how == "flip-segment") flipByte(seg, fs::file_size(seg) / 2);
  if (how == "flip-state") flipByte(state, fs::file_size(state) - 3);
  if (how == "truncate-segment") fs::resize_file(seg, fs::file_size(seg) - 10);
  if (how == "truncate-state") fs::resize_file(state, 40);
  if (how == "missing-segment") fs::remove(seg);
  if (how == "garbage-manifest") writeManifest(Json("not a manifest"));
  if (how == "version") {
    m["version"] = 2;
    writeManifest(m);
  }
  if (how == "other-store") {
    m["store_id"] = "0123456789abcdef0123456789abcdef";
    writeManifest(m);
  }
  if (how == "ahead-of-store") {
    m["applied_seq"] = m["applied_seq"].get<int64_t>() + 5;
    writeManifest(m);
  }
  if (how == "other-change") {
    m["applied_change"]["doc_id"] = m["applied_change"]["doc_id"].get<int64_t>() + 1000;
    writeManifest(m);
  }

  auto damaged = env.open();
  ASSERT_TRUE(damaged);
  EXPECT_FALSE(damaged->stats().loaded) << how;
  auto rebuilt = env.open(tinySegments(), "");
  expectSameAnswers(env, *damaged, *rebuilt);
  damaged.reset();  // it was the writer: it rewrote the files at open
  auto healed = env.open();
  ASSERT_TRUE(healed);
  EXPECT_TRUE(healed->stats().loaded) << how;
  expectSameAnswers(env, *healed, *rebuilt);
}

INSTANTIATE_TEST_SUITE_P(Ways, IndexPersistDamage,
                         ::testing::Values("flip-segment", "flip-state", "truncate-segment",
                                           "truncate-state", "missing-segment", "garbage-manifest",
                                           "version", "other-store", "ahead-of-store",
                                           "other-change"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) c = c == '-' ? '_' : c;
                           return n;
                         });

// A store re-created from scratch gets a new store_id, even when its change feed has the same
// length and kinds as the one the files were written for.
TEST(IndexPersist, ARecreatedStoreIsNotMistakenForTheOld) {
  TempDir dir;
  fs::create_directories(dir.file("index"));
  // The same one-document history in two databases: only store_id tells them apart.
  auto make = [&](const std::string& text, const std::string& index_dir) {
    auto st = store::openSqliteStore(dir.file("ward.db"));
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE((*st)->ensureTenant("default").ok());
    audit::AuditSinkOptions o;
    o.log.dir = dir.file("audit");
    auto traces = audit::openAuditLogSink(o);
    ASSERT_TRUE(traces.ok());
    auto ix = index::openIndex(index_dir, **st, IndexConfig{});
    ASSERT_TRUE(ix.ok());
    ingest::IngestService service(**st, **ix, **traces, IngestConfig{});
    Json recs = Json::array({Json{{"id", "a"}, {"text", text}, {"acl", {{"public", true}}}}});
    ASSERT_TRUE(
        service.ingestRecords("default", recs, "r", trace::TraceContext::generate(), "t").ok());
  };
  make("alpha", dir.file("index"));
  for (const char* f : {"ward.db", "ward.db-wal", "ward.db-shm"}) fs::remove(dir.file(f));
  make("bravo", "");  // in memory only: the files on disk still describe the first database
  auto st = store::openSqliteStore(dir.file("ward.db"));
  ASSERT_TRUE(st.ok());
  auto ix = index::openIndex(dir.file("index"), **st, IndexConfig{});
  ASSERT_TRUE(ix.ok());
  EXPECT_FALSE((*ix)->stats().loaded);
  index::IndexQuery q;
  q.terms = {index::QueryTerm{"alpha", 1.0}};
  q.any_of_tokens = {"default/*"};
  auto alpha = (*ix)->search(q, index::BM25Params{});
  q.terms = {index::QueryTerm{"bravo", 1.0}};
  auto bravo = (*ix)->search(q, index::BM25Params{});
  ASSERT_TRUE(alpha.ok() && bravo.ok());
  EXPECT_EQ(alpha->total_matches, 0);
  EXPECT_EQ(bravo->total_matches, 1);
}

}  // namespace
}  // namespace ward
