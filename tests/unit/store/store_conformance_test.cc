// The Store conformance suite: every test here runs against each implementation of
// store::Store -- SQLite (a fresh file per test) and PostgreSQL (a fresh schema in the test
// cluster, tests/scripts/pg_cluster.sh). Idempotent writes, versions, tombstones, the change
// feed, principals, memberships, API keys, agent scopes, sources, stats and reopening.
// Tests of one implementation only are in tests/unit/store/store_test.cc (SQLite) and
// pg_store_test.cc (PostgreSQL).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "pg_test_env.h"
#include "testutil/temp_dir.h"
#include "ward/common/hash.h"
#include "ward/identity/api_key_cache.h"
#include "ward/identity/directory.h"
#include "ward/ingest/ingest_service.h"
#include "ward/store/pg_store.h"
#include "ward/store/search_reads.h"
#include "ward/store/store.h"

namespace ward {
namespace {

using identity::PrincipalKind;
using store::WriteOutcome;

struct SqliteBackend {
  static constexpr const char* kName = "Sqlite";
  void prepare() {}
  Result<std::unique_ptr<store::Store>> open() {
    return store::openSqliteStore(dir.file("ward.db"));
  }
  testing::TempDir dir;
};

struct PostgresBackend {
  static constexpr const char* kName = "Postgres";
  void prepare() { testing::resetPgSchema(); }
  Result<std::unique_ptr<store::Store>> open() { return store::openPgStore(testing::pgTestUrl()); }
};

template <typename Backend>
class StoreConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(backend_.prepare());
    auto s = backend_.open();
    ASSERT_TRUE(s.ok()) << s.status().toString();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->ensureTenant("default").ok());
  }

  // A write built the way ingest builds it (content hash and chunks from the record).
  store::DocumentWrite write(const std::string& id, const std::string& text, Json acl = nullptr) {
    Json rec{{"id", id}, {"text", text}, {"title", "T " + id}};
    if (!acl.is_null()) rec["acl"] = acl;
    auto w = ingest::IngestService::recordToWrite(rec, "default", "records", IngestConfig{});
    EXPECT_TRUE(w.ok()) << w.status().toString();
    return w.ok() ? std::move(w).value() : store::DocumentWrite{};
  }

  store::WriteResult commit(store::DocumentWrite w) {
    std::vector<store::DocumentWrite> batch{std::move(w)};
    auto r = store_->writeDocuments(batch);
    EXPECT_TRUE(r.ok()) << r.status().toString();
    if (!r.ok() || r->size() != 1) return {};
    return (*r)[0];
  }

  int64_t lastSeq() { return store_->lastChangeSeq().value(); }

  std::vector<int64_t> chunkIds(int64_t doc_id) {
    std::vector<int64_t> ids;
    auto chunks = store_->chunksOf(doc_id);
    EXPECT_TRUE(chunks.ok()) << chunks.status().toString();
    if (!chunks.ok()) return ids;
    for (const auto& c : *chunks) ids.push_back(c.id);
    return ids;
  }

  Backend backend_;
  std::unique_ptr<store::Store> store_;
};

struct BackendName {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(StoreConformance, Backends, BackendName);

TYPED_TEST(StoreConformance, SameRecordTwiceIsUnchangedWithoutChange) {
  auto& store_ = this->store_;
  auto first = this->commit(this->write("a", "alpha beta gamma"));
  EXPECT_EQ(first.outcome, WriteOutcome::kCreated);
  EXPECT_EQ(first.version, 1);
  int64_t seq = this->lastSeq();
  auto second = this->commit(this->write("a", "alpha beta gamma"));
  EXPECT_EQ(second.outcome, WriteOutcome::kUnchanged);
  EXPECT_EQ(second.version, 1);
  EXPECT_EQ(second.doc_id, first.doc_id);
  EXPECT_EQ(this->lastSeq(), seq) << "an unchanged write must not append to the change feed";
  EXPECT_EQ(store_->getDocument("default", "a")->version, 1);
}

TYPED_TEST(StoreConformance, ChangedTextIsNewVersionWithNewChunks) {
  auto& store_ = this->store_;
  auto first = this->commit(this->write("a", "alpha beta gamma"));
  std::vector<int64_t> old_ids = this->chunkIds(first.doc_id);
  ASSERT_FALSE(old_ids.empty());
  int64_t seq = this->lastSeq();
  auto second = this->commit(this->write("a", "alpha beta delta"));
  EXPECT_EQ(second.outcome, WriteOutcome::kUpdated);
  EXPECT_EQ(second.version, 2);
  EXPECT_EQ(this->lastSeq(), seq + 1);
  std::vector<int64_t> new_ids = this->chunkIds(first.doc_id);
  ASSERT_FALSE(new_ids.empty());
  for (int64_t id : old_ids) {
    EXPECT_EQ(store_->getChunk(id).status().code(), StatusCode::kNotFound) << id;
  }
  EXPECT_GT(*std::min_element(new_ids.begin(), new_ids.end()),
            *std::max_element(old_ids.begin(), old_ids.end()));
  auto rechunked = store_->chunksOf(first.doc_id);
  ASSERT_TRUE(rechunked.ok());
  for (const auto& c : *rechunked) EXPECT_EQ(c.version, 2);
  auto changes = store_->changesSince(seq, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].kind, store::Change::Kind::kUpsert);
  EXPECT_EQ((*changes)[0].doc_id, first.doc_id);
}

TYPED_TEST(StoreConformance, AclOnlyChangeKeepsVersionAndChunks) {
  auto& store_ = this->store_;
  auto first = this->commit(this->write("a", "alpha beta", Json{{"users", {"bob"}}}));
  std::vector<int64_t> ids = this->chunkIds(first.doc_id);
  int64_t seq = this->lastSeq();
  auto second = this->commit(this->write("a", "alpha beta", Json{{"groups", {"eng"}}}));
  EXPECT_EQ(second.outcome, WriteOutcome::kAclChanged);
  EXPECT_EQ(second.version, 1);
  EXPECT_EQ(this->chunkIds(first.doc_id), ids);
  auto doc = store_->getDocument("default", "a");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->acl.groups, std::vector<std::string>{"eng"});
  EXPECT_TRUE(doc->acl.users.empty());
  auto changes = store_->changesSince(seq, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].kind, store::Change::Kind::kAcl);
}

TYPED_TEST(StoreConformance, SetAclOnMissingDocumentIsNotFound) {
  auto& store_ = this->store_;
  store::Acl acl;
  acl.is_public = true;
  EXPECT_EQ(store_->setAcl("default", "nope", acl).code(), StatusCode::kNotFound);
}

TYPED_TEST(StoreConformance, DeleteLeavesTombstoneAndRecreateIsNewVersion) {
  auto& store_ = this->store_;
  auto first = this->commit(this->write("a", "alpha beta"));
  std::vector<int64_t> ids = this->chunkIds(first.doc_id);
  int64_t seq = this->lastSeq();
  ASSERT_TRUE(store_->deleteDocument("default", "a").ok());
  auto changes = store_->changesSince(seq, 10);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].kind, store::Change::Kind::kDelete);
  auto doc = store_->getDocument("default", "a");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->deleted);
  EXPECT_EQ(doc->title, "");
  EXPECT_EQ(doc->url, "");
  EXPECT_TRUE(this->chunkIds(first.doc_id).empty());
  for (int64_t id : ids) EXPECT_EQ(store_->getChunk(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->deleteDocument("default", "a").code(), StatusCode::kNotFound);
  auto stats = store_->stats();
  EXPECT_EQ(stats->documents, 0);
  EXPECT_EQ(stats->tombstones, 1);

  auto again = this->commit(this->write("a", "alpha beta"));
  EXPECT_NE(again.outcome, WriteOutcome::kUnchanged);
  EXPECT_EQ(again.version, 2);
  EXPECT_EQ(again.doc_id, first.doc_id);
  doc = store_->getDocument("default", "a");
  EXPECT_FALSE(doc->deleted);
  EXPECT_EQ(doc->title, "T a");
  EXPECT_FALSE(this->chunkIds(first.doc_id).empty());
}

TYPED_TEST(StoreConformance, SearchReadsGiveChunksWithTheirDocumentsInTheAskedOrder) {
  auto& store_ = this->store_;
  auto wa = this->write("a", "alpha beta", Json{{"groups", {"staff"}}});
  wa.metadata = Json{{"owner", "olga"}, {"ward_flags", Json::array({"injection"})}};
  auto a = this->commit(std::move(wa));
  auto b = this->commit(this->write("b", "gamma delta"));
  auto c = this->commit(this->write("c", "epsilon zeta"));
  std::vector<int64_t> ca = this->chunkIds(a.doc_id), cb = this->chunkIds(b.doc_id),
                       cc = this->chunkIds(c.doc_id);
  ASSERT_FALSE(ca.empty());
  ASSERT_FALSE(cb.empty());
  ASSERT_FALSE(cc.empty());
  ASSERT_TRUE(store_->deleteDocument("default", "c").ok());

  // Each store answers a page of hits with its own joined read, not the per-hit fallback.
  EXPECT_NE(dynamic_cast<store::SearchReads*>(store_.get()), nullptr);
  auto got = store::readForResults(*store_, {cb[0], 987654321, ca[0], cc[0]});
  ASSERT_TRUE(got.ok()) << got.status().toString();
  ASSERT_EQ(got->size(), 2u);  // the unknown id and the deleted document's chunk are left out
  const store::ChunkWithDocument& first = (*got)[0];
  const store::ChunkWithDocument& second = (*got)[1];
  EXPECT_EQ(first.chunk.id, cb[0]);
  EXPECT_EQ(first.document.ext_id, "b");
  EXPECT_EQ(first.document.metadata, Json::object());
  EXPECT_EQ(second.chunk.id, ca[0]);
  EXPECT_EQ(second.chunk.text, store_->getChunk(ca[0])->text);
  EXPECT_EQ(second.chunk.doc_id, a.doc_id);
  EXPECT_EQ(second.document.id, a.doc_id);
  EXPECT_EQ(second.document.tenant, "default");
  EXPECT_EQ(second.document.ext_id, "a");
  EXPECT_EQ(second.document.title, "T a");
  EXPECT_EQ(second.document.version, a.version);
  EXPECT_FALSE(second.document.deleted);
  // No ACL, and of the metadata only the content flags: a result shows nothing else.
  EXPECT_TRUE(second.document.acl.groups.empty());
  EXPECT_TRUE(second.document.acl.users.empty());
  EXPECT_FALSE(second.document.acl.is_public);
  EXPECT_EQ(second.document.metadata, (Json{{"ward_flags", Json::array({"injection"})}}));

  auto none = store::readForResults(*store_, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(StoreConformance, BatchResultsAreInInputOrder) {
  auto& store_ = this->store_;
  std::vector<store::DocumentWrite> batch{this->write("x", "one"), this->write("y", "two"),
                                          this->write("x", "one")};
  auto r = store_->writeDocuments(batch);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].outcome, WriteOutcome::kCreated);
  EXPECT_EQ((*r)[1].outcome, WriteOutcome::kCreated);
  EXPECT_EQ((*r)[2].outcome, WriteOutcome::kUnchanged);
  EXPECT_EQ((*r)[0].doc_id, (*r)[2].doc_id);
}

// Big batches (PostgreSQL writes them with COPY and array statements, pg_bulk.h): every
// outcome, version, chunk and feed row as one-by-one writes give, text with every character COPY
// escapes, and a document named twice in one batch.
TYPED_TEST(StoreConformance, BigBatchesKeepEveryOutcomeChunkAndChange) {
  auto& store_ = this->store_;
  constexpr int kDocs = 1200;
  auto text = [](int i, int round) {
    return "Paragraph " + std::to_string(i) + " round " + std::to_string(round) +
           " with a tab\there, a backslash \\ and \\N, \"quotes\", CR\r\nand a newline.\n\n" +
           std::string(300 + (i % 7) * 40, 'x') + "\n\nSecond paragraph of " + std::to_string(i);
  };
  auto name = [](int i) { return "doc\t\"" + std::to_string(i) + "\\"; };
  std::vector<store::DocumentWrite> batch;
  for (int i = 0; i < kDocs; ++i) batch.push_back(this->write(name(i), text(i, 1)));
  int64_t from = this->lastSeq();
  auto first = store_->writeDocuments(batch);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  ASSERT_EQ(first->size(), size_t(kDocs));
  std::set<int64_t> ids;
  for (const auto& r : *first) {
    EXPECT_EQ(r.outcome, WriteOutcome::kCreated);
    EXPECT_EQ(r.version, 1);
    ids.insert(r.doc_id);
  }
  EXPECT_EQ(ids.size(), size_t(kDocs));
  EXPECT_EQ(this->lastSeq(), from + kDocs);
  for (int i = 0; i < kDocs; i += 97) {
    auto doc = store_->getDocument("default", name(i));
    ASSERT_TRUE(doc.ok()) << doc.status().toString();
    EXPECT_EQ(doc->id, (*first)[i].doc_id);
    EXPECT_EQ(doc->title, "T " + name(i));
    auto chunks = store_->chunksOf(doc->id);
    ASSERT_TRUE(chunks.ok()) << chunks.status().toString();
    ASSERT_EQ(chunks->size(), batch[i].chunks.size());
    for (size_t c = 0; c < chunks->size(); ++c) {
      EXPECT_EQ((*chunks)[c].id, batch[i].chunks[c].id);
      EXPECT_EQ((*chunks)[c].text, batch[i].chunks[c].text);
      EXPECT_EQ((*chunks)[c].heading_path, batch[i].chunks[c].heading_path);
    }
  }
  std::vector<int64_t> kept = this->chunkIds((*first)[2].doc_id);

  // Again: a third new text, a third a new ACL only, a third the same; then d1 twice more.
  std::vector<store::DocumentWrite> again;
  for (int i = 0; i < kDocs; ++i) {
    if (i % 3 == 0) again.push_back(this->write(name(i), text(i, 2)));
    if (i % 3 == 1) again.push_back(this->write(name(i), text(i, 1), Json{{"public", true}}));
    if (i % 3 == 2) again.push_back(this->write(name(i), text(i, 1)));
  }
  again.push_back(this->write(name(1), text(1, 3), Json{{"public", true}}));
  again.push_back(this->write(name(1), text(1, 3), Json{{"public", true}}));
  from = this->lastSeq();
  auto second = store_->writeDocuments(again);
  ASSERT_TRUE(second.ok()) << second.status().toString();
  ASSERT_EQ(second->size(), size_t(kDocs + 2));
  for (int i = 0; i < kDocs; ++i) {
    const auto& r = (*second)[i];
    EXPECT_EQ(r.doc_id, (*first)[i].doc_id);
    EXPECT_EQ(r.outcome, i % 3 == 0   ? WriteOutcome::kUpdated
                         : i % 3 == 1 ? WriteOutcome::kAclChanged
                                      : WriteOutcome::kUnchanged);
    EXPECT_EQ(r.version, i % 3 == 0 ? 2 : 1);
  }
  EXPECT_EQ((*second)[kDocs].outcome, WriteOutcome::kUpdated);
  EXPECT_EQ((*second)[kDocs].version, 2);
  EXPECT_EQ((*second)[kDocs + 1].outcome, WriteOutcome::kUnchanged);
  EXPECT_EQ(this->lastSeq(), from + kDocs / 3 * 2 + 1);
  EXPECT_EQ(this->chunkIds((*first)[2].doc_id), kept);
  auto updated = store_->chunksOf((*first)[0].doc_id);
  ASSERT_TRUE(updated.ok());
  ASSERT_EQ(updated->size(), again[0].chunks.size());
  EXPECT_EQ(updated->front().text, again[0].chunks.front().text);
  EXPECT_EQ(updated->front().version, 2);
  EXPECT_TRUE(store_->getDocument("default", name(1))->acl.is_public);
  EXPECT_EQ(store_->getDocument("default", name(1))->version, 2);
}

TYPED_TEST(StoreConformance, PrincipalsAndMemberships) {
  auto& store_ = this->store_;
  ASSERT_TRUE(store_->createPrincipal("default", "alice", PrincipalKind::kUser, false).ok());
  ASSERT_TRUE(store_->createPrincipal("default", "eng", PrincipalKind::kGroup, false).ok());
  ASSERT_TRUE(store_->createPrincipal("default", "platform", PrincipalKind::kGroup, false).ok());
  EXPECT_EQ(
      store_->createPrincipal("default", "alice", PrincipalKind::kUser, false).status().code(),
      StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->createPrincipal("default", "eng", PrincipalKind::kUser, false).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->addMembership("default", "eng", "alice").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->addMembership("default", "ghost", "eng").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->addMembership("default", "alice", "ghost").code(), StatusCode::kNotFound);

  int64_t gen = store_->identityGeneration().value();
  ASSERT_TRUE(store_->addMembership("default", "platform", "eng").ok());
  ASSERT_TRUE(store_->addMembership("default", "alice", "platform").ok());
  EXPECT_GT(store_->identityGeneration().value(), gen);

  auto p = identity::resolvePrincipal(*store_, "default", "alice");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->groups, (std::vector<std::string>{"eng", "platform"}));
  for (const auto& t :
       {identity::userToken("default", "alice"), identity::groupToken("default", "eng"),
        identity::groupToken("default", "platform"), identity::publicToken("default")}) {
    EXPECT_TRUE(std::binary_search(p->acl_tokens.begin(), p->acl_tokens.end(), t)) << t;
  }
  EXPECT_FALSE(std::binary_search(p->acl_tokens.begin(), p->acl_tokens.end(),
                                  identity::adminToken("default")));

  // A membership cycle is tolerated.
  ASSERT_TRUE(store_->addMembership("default", "eng", "platform").ok());
  EXPECT_TRUE(identity::resolvePrincipal(*store_, "default", "alice").ok());

  ASSERT_TRUE(store_->removeMembership("default", "alice", "platform").ok());
  p = identity::resolvePrincipal(*store_, "default", "alice");
  EXPECT_TRUE(p->groups.empty());
}

TYPED_TEST(StoreConformance, ApiKeys) {
  auto& store_ = this->store_;
  auto alice = store_->createPrincipal("default", "alice", PrincipalKind::kUser, false);
  ASSERT_TRUE(alice.ok());
  identity::NewApiKey key = identity::generateApiKey();
  EXPECT_TRUE(key.plaintext.starts_with("wk_" + key.key_id + "_"));
  EXPECT_EQ(key.plaintext.size(), 3 + 16 + 1 + 40u);
  ASSERT_TRUE(store_->storeApiKey({key.key_id, alice->id, key.secret_hash, 0, false}).ok());

  auto who = identity::authenticateApiKey(*store_, key.plaintext);
  ASSERT_TRUE(who.ok()) << who.status().toString();
  EXPECT_EQ(who->name, "alice");

  std::string wrong = key.plaintext;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_EQ(identity::authenticateApiKey(*store_, wrong).status().code(),
            StatusCode::kUnauthenticated);
  for (const char* garbage : {"", "wk_", "garbage", "wk_zz_zz", "Bearer x"}) {
    EXPECT_EQ(identity::authenticateApiKey(*store_, garbage).status().code(),
              StatusCode::kUnauthenticated)
        << garbage;
  }
  identity::NewApiKey unknown = identity::generateApiKey();
  EXPECT_EQ(identity::authenticateApiKey(*store_, unknown.plaintext).status().code(),
            StatusCode::kUnauthenticated);

  auto keys = store_->listApiKeys(alice->id);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].key_id, key.key_id);
  EXPECT_TRUE((*keys)[0].secret_hash.empty()) << "listings must not carry the secret hash";

  // Revoking moves the identity generation: identity::ApiKeyCache keeps verified keys per
  // generation, so this is what makes a revoked key fail on the server's next request.
  const int64_t gen = store_->identityGeneration().value();
  ASSERT_TRUE(store_->revokeApiKey(key.key_id).ok());
  EXPECT_GT(store_->identityGeneration().value(), gen);
  EXPECT_EQ(identity::authenticateApiKey(*store_, key.plaintext).status().code(),
            StatusCode::kUnauthenticated);
  // An unknown key moves nothing.
  const int64_t after = store_->identityGeneration().value();
  EXPECT_EQ(store_->revokeApiKey(unknown.key_id).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->identityGeneration().value(), after);
}

// Another process, or another node (here: a second store over the same database), moves the
// generation and this store sees it on its next read: SQLite keeps the value in memory behind
// PRAGMA data_version, and a stale value would let a key revoked elsewhere authenticate here.
TYPED_TEST(StoreConformance, IdentityGenerationSeesAnotherConnectionsChangeAtOnce) {
  auto& store_ = this->store_;
  auto opened = this->backend_.open();
  ASSERT_TRUE(opened.ok()) << opened.status().toString();
  std::unique_ptr<store::Store> other = std::move(opened).value();
  auto alice = other->createPrincipal("default", "alice", PrincipalKind::kUser, false);
  ASSERT_TRUE(alice.ok()) << alice.status().toString();
  identity::NewApiKey key = identity::generateApiKey();
  ASSERT_TRUE(other->storeApiKey({key.key_id, alice->id, key.secret_hash, 0, false}).ok());

  identity::ApiKeyCache cache(*store_, [&] { return store_->identityGeneration(); });
  ASSERT_TRUE(cache.authenticate(key.plaintext).ok());
  const int64_t gen = store_->identityGeneration().value();
  EXPECT_EQ(store_->identityGeneration().value(), gen);  // nothing committed in between
  // A commit elsewhere that is no identity change: read again, the same value.
  ASSERT_TRUE(other->ensureTenant("other").ok());
  EXPECT_EQ(store_->identityGeneration().value(), gen);

  ASSERT_TRUE(other->revokeApiKey(key.key_id).ok());
  EXPECT_GT(store_->identityGeneration().value(), gen);
  EXPECT_EQ(cache.authenticate(key.plaintext).status().code(), StatusCode::kUnauthenticated);

  // This store's own change moves it too (the other store sees it the same way).
  const int64_t before_own = other->identityGeneration().value();
  EXPECT_EQ(store_->identityGeneration().value(), before_own);
  ASSERT_TRUE(store_->createPrincipal("default", "bob", PrincipalKind::kUser, false).ok());
  EXPECT_GT(store_->identityGeneration().value(), before_own);
  EXPECT_EQ(other->identityGeneration().value(), store_->identityGeneration().value());
}

TYPED_TEST(StoreConformance, AKeyStoredForAGroupDoesNotAuthenticate) {
  auto& store_ = this->store_;
  // Issue 19 item 10: only users, service accounts and agents authenticate.
  auto staff = store_->createPrincipal("default", "staff", PrincipalKind::kGroup, false);
  ASSERT_TRUE(staff.ok());
  identity::NewApiKey key = identity::generateApiKey();
  ASSERT_TRUE(store_->storeApiKey({key.key_id, staff->id, key.secret_hash, 0, false}).ok());
  auto who = identity::authenticateApiKey(*store_, key.plaintext);
  EXPECT_EQ(who.status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(identity::canAuthenticate(PrincipalKind::kGroup));
  for (PrincipalKind k :
       {PrincipalKind::kUser, PrincipalKind::kServiceAccount, PrincipalKind::kAgent}) {
    EXPECT_TRUE(identity::canAuthenticate(k));
  }
}

TYPED_TEST(StoreConformance, DataPersistsAcrossReopen) {
  auto& store_ = this->store_;
  ASSERT_TRUE(store_->createPrincipal("default", "alice", PrincipalKind::kUser, false).ok());
  auto first = this->commit(this->write("a", "alpha beta", Json{{"users", {"alice"}}}));
  int64_t seq = this->lastSeq();
  store_.reset();

  auto reopened = this->backend_.open();
  ASSERT_TRUE(reopened.ok()) << reopened.status().toString();
  store_ = std::move(reopened).value();
  auto doc = store_->getDocument("default", "a");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->id, first.doc_id);
  EXPECT_EQ(doc->acl.users, std::vector<std::string>{"alice"});
  EXPECT_FALSE(this->chunkIds(doc->id).empty());
  EXPECT_EQ(this->lastSeq(), seq);
  EXPECT_TRUE(store_->findPrincipal("default", "alice").ok());
  // The same record after reopen is still unchanged.
  EXPECT_EQ(this->commit(this->write("a", "alpha beta", Json{{"users", {"alice"}}})).outcome,
            WriteOutcome::kUnchanged);
}

TYPED_TEST(StoreConformance, ChangesAreReadInOrderWithinTheLimit) {
  auto& store_ = this->store_;
  int64_t from = this->lastSeq();
  for (const char* id : {"a", "b", "c"}) this->commit(this->write(id, std::string("text ") + id));
  ASSERT_TRUE(store_->deleteDocument("default", "b").ok());
  EXPECT_EQ(this->lastSeq(), from + 4);
  auto first = store_->changesSince(from, 3);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  ASSERT_EQ(first->size(), 3u);
  for (size_t i = 0; i < first->size(); ++i) EXPECT_EQ((*first)[i].seq, from + 1 + int64_t(i));
  auto rest = store_->changesSince((*first)[2].seq, 3);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].kind, store::Change::Kind::kDelete);
  EXPECT_EQ((*rest)[0].doc_id, store_->getDocument("default", "b")->id);
  EXPECT_TRUE(store_->changesSince(this->lastSeq(), 10)->empty());
}

TYPED_TEST(StoreConformance, AgentScopes) {
  auto& store_ = this->store_;
  ASSERT_TRUE(store_->createPrincipal("default", "bot", PrincipalKind::kAgent, false).ok());
  ASSERT_TRUE(store_->createPrincipal("default", "alice", PrincipalKind::kUser, false).ok());
  identity::ScopeEntry wiki{identity::ScopeKind::kSource, "wiki"};
  int64_t gen = store_->identityGeneration().value();
  ASSERT_TRUE(store_->addScopeEntry("default", "bot", wiki, "admin").ok());
  EXPECT_GT(store_->identityGeneration().value(), gen);
  EXPECT_EQ(store_->addScopeEntry("default", "bot", wiki, "admin").code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->addScopeEntry("default", "alice", wiki, "admin").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->addScopeEntry("default", "ghost", wiki, "admin").code(), StatusCode::kNotFound);
  auto scope = store_->agentScope("default", "bot");
  ASSERT_TRUE(scope.ok());
  EXPECT_EQ(*scope, std::vector<identity::ScopeEntry>{wiki});
  ASSERT_TRUE(store_->removeScopeEntry("default", "bot", wiki).ok());
  EXPECT_EQ(store_->removeScopeEntry("default", "bot", wiki).code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->agentScope("default", "bot")->empty());
  for (size_t i = 0; i < identity::kMaxScopeEntries; ++i) {
    identity::ScopeEntry e{identity::ScopeKind::kSource, "s" + std::to_string(i)};
    ASSERT_TRUE(store_->addScopeEntry("default", "bot", e, "admin").ok()) << i;
  }
  identity::ScopeEntry over{identity::ScopeKind::kSource, "one-more"};
  EXPECT_EQ(store_->addScopeEntry("default", "bot", over, "admin").code(),
            StatusCode::kResourceExhausted);
}

TYPED_TEST(StoreConformance, TenantsSourcesAndStats) {
  auto& store_ = this->store_;
  ASSERT_TRUE(store_->ensureTenant("acme").ok());
  ASSERT_TRUE(store_->ensureTenant("acme").ok());
  EXPECT_FALSE(store_->ensureTenant("bad name").ok());
  EXPECT_EQ(*store_->listTenants(), (std::vector<std::string>{"acme", "default"}));
  this->commit(this->write("a", "alpha"));
  this->commit(this->write("b", "beta"));
  ASSERT_TRUE(store_->deleteDocument("default", "b").ok());
  ASSERT_TRUE(store_->createPrincipal("default", "alice", PrincipalKind::kUser, false).ok());
  auto sources = store_->listSources("default");
  ASSERT_TRUE(sources.ok()) << sources.status().toString();
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ((*sources)[0].name, "records");
  EXPECT_EQ((*sources)[0].documents, 1);
  EXPECT_GT((*sources)[0].last_indexed_at, 0);
  EXPECT_TRUE(store_->listSources("acme")->empty());
  auto stats = store_->stats();
  ASSERT_TRUE(stats.ok()) << stats.status().toString();
  EXPECT_EQ(stats->documents, 1);
  EXPECT_EQ(stats->tombstones, 1);
  EXPECT_EQ(stats->chunks,
            static_cast<int64_t>(this->chunkIds(store_->getDocument("default", "a")->id).size()));
  EXPECT_EQ(stats->sources, 1);
  EXPECT_EQ(stats->principals, 1);
  EXPECT_EQ(stats->last_change_seq, this->lastSeq());
  EXPECT_GE(stats->text_bytes, 5);  // at least "alpha"
  auto doc = store_->getDocumentById(store_->getDocument("default", "a")->id);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->ext_id, "a");
  EXPECT_EQ(store_->getDocumentById(987654).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->getDocument("default", "zzz").status().code(), StatusCode::kNotFound);
}

TYPED_TEST(StoreConformance, StoreIdIsStableAcrossReopen) {
  auto& store_ = this->store_;
  auto id = store_->storeId();
  ASSERT_TRUE(id.ok()) << id.status().toString();
  EXPECT_EQ(id->size(), 32u);
  store_.reset();
  auto reopened = this->backend_.open();
  ASSERT_TRUE(reopened.ok()) << reopened.status().toString();
  store_ = std::move(reopened).value();
  EXPECT_EQ(*store_->storeId(), *id);
  EXPECT_EQ(store_->identityGeneration().value(), 0);
}

}  // namespace
}  // namespace ward
