// The SQLite store: idempotent writes, versions, tombstones, the change feed, principals,
// memberships, API keys and persistence across reopen.
#include <gtest/gtest.h>

#include <algorithm>

#include "test_env.h"
#include "ward/common/hash.h"
#include "ward/identity/directory.h"
#include "ward/ingest/ingest_service.h"
#include "ward/store/store.h"

namespace ward {
namespace {

using identity::PrincipalKind;
using store::WriteOutcome;
using testing::TempDir;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::openSqliteStore(dir_.file("ward.db"));
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

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(StoreTest, SameRecordTwiceIsUnchangedWithoutChange) {
  auto first = commit(write("a", "alpha beta gamma"));
  EXPECT_EQ(first.outcome, WriteOutcome::kCreated);
  EXPECT_EQ(first.version, 1);
  int64_t seq = lastSeq();
  auto second = commit(write("a", "alpha beta gamma"));
  EXPECT_EQ(second.outcome, WriteOutcome::kUnchanged);
  EXPECT_EQ(second.version, 1);
  EXPECT_EQ(second.doc_id, first.doc_id);
  EXPECT_EQ(lastSeq(), seq) << "an unchanged write must not append to the change feed";
  EXPECT_EQ(store_->getDocument("default", "a")->version, 1);
}

TEST_F(StoreTest, ChangedTextIsNewVersionWithNewChunks) {
  auto first = commit(write("a", "alpha beta gamma"));
  std::vector<int64_t> old_ids = chunkIds(first.doc_id);
  ASSERT_FALSE(old_ids.empty());
  int64_t seq = lastSeq();
  auto second = commit(write("a", "alpha beta delta"));
  EXPECT_EQ(second.outcome, WriteOutcome::kUpdated);
  EXPECT_EQ(second.version, 2);
  EXPECT_EQ(lastSeq(), seq + 1);
  std::vector<int64_t> new_ids = chunkIds(first.doc_id);
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

TEST_F(StoreTest, AclOnlyChangeKeepsVersionAndChunks) {
  auto first = commit(write("a", "alpha beta", Json{{"users", {"bob"}}}));
  std::vector<int64_t> ids = chunkIds(first.doc_id);
  int64_t seq = lastSeq();
  auto second = commit(write("a", "alpha beta", Json{{"groups", {"eng"}}}));
  EXPECT_EQ(second.outcome, WriteOutcome::kAclChanged);
  EXPECT_EQ(second.version, 1);
  EXPECT_EQ(chunkIds(first.doc_id), ids);
  auto doc = store_->getDocument("default", "a");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->acl.groups, std::vector<std::string>{"eng"});
  EXPECT_TRUE(doc->acl.users.empty());
  auto changes = store_->changesSince(seq, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].kind, store::Change::Kind::kAcl);
}

TEST_F(StoreTest, SetAclOnMissingDocumentIsNotFound) {
  store::Acl acl;
  acl.is_public = true;
  EXPECT_EQ(store_->setAcl("default", "nope", acl).code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, DeleteLeavesTombstoneAndRecreateIsNewVersion) {
  auto first = commit(write("a", "alpha beta"));
  std::vector<int64_t> ids = chunkIds(first.doc_id);
  int64_t seq = lastSeq();
  ASSERT_TRUE(store_->deleteDocument("default", "a").ok());
  auto changes = store_->changesSince(seq, 10);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].kind, store::Change::Kind::kDelete);
  auto doc = store_->getDocument("default", "a");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->deleted);
  EXPECT_EQ(doc->title, "");
  EXPECT_EQ(doc->url, "");
  EXPECT_TRUE(chunkIds(first.doc_id).empty());
  for (int64_t id : ids) EXPECT_EQ(store_->getChunk(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->deleteDocument("default", "a").code(), StatusCode::kNotFound);
  auto stats = store_->stats();
  EXPECT_EQ(stats->documents, 0);
  EXPECT_EQ(stats->tombstones, 1);

  auto again = commit(write("a", "alpha beta"));
  EXPECT_NE(again.outcome, WriteOutcome::kUnchanged);
  EXPECT_EQ(again.version, 2);
  EXPECT_EQ(again.doc_id, first.doc_id);
  doc = store_->getDocument("default", "a");
  EXPECT_FALSE(doc->deleted);
  EXPECT_EQ(doc->title, "T a");
  EXPECT_FALSE(chunkIds(first.doc_id).empty());
}

TEST_F(StoreTest, BatchResultsAreInInputOrder) {
  std::vector<store::DocumentWrite> batch{write("x", "one"), write("y", "two"), write("x", "one")};
  auto r = store_->writeDocuments(batch);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].outcome, WriteOutcome::kCreated);
  EXPECT_EQ((*r)[1].outcome, WriteOutcome::kCreated);
  EXPECT_EQ((*r)[2].outcome, WriteOutcome::kUnchanged);
  EXPECT_EQ((*r)[0].doc_id, (*r)[2].doc_id);
}

TEST_F(StoreTest, PrincipalsAndMemberships) {
  ASSERT_TRUE(store_->createPrincipal("default", "alice", PrincipalKind::kUser, false).ok());
  ASSERT_TRUE(store_->createPrincipal("default", "eng", PrincipalKind::kGroup, false).ok());
  ASSERT_TRUE(store_->createPrincipal("default", "platform", PrincipalKind::kGroup, false).ok());
  EXPECT_EQ(store_->createPrincipal("default", "alice", PrincipalKind::kUser, false).status().code(),
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
  for (const auto& t : {identity::userToken("default", "alice"),
                        identity::groupToken("default", "eng"),
                        identity::groupToken("default", "platform"),
                        identity::publicToken("default")}) {
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

TEST_F(StoreTest, InvalidPrincipalNamesAreRejected) {
  for (const char* bad : {"", ".hidden", "-dash", "sp ace", "slash/x"}) {
    EXPECT_FALSE(identity::validateName("user", bad).ok()) << bad;
  }
  EXPECT_TRUE(identity::validateName("user", "a.b_c-d@e").ok());
  EXPECT_FALSE(identity::validateName("user", std::string(65, 'a')).ok());
}

TEST_F(StoreTest, ApiKeys) {
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

  ASSERT_TRUE(store_->revokeApiKey(key.key_id).ok());
  EXPECT_EQ(identity::authenticateApiKey(*store_, key.plaintext).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(StoreTest, AKeyStoredForAGroupDoesNotAuthenticate) {
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

TEST_F(StoreTest, DataPersistsAcrossReopen) {
  ASSERT_TRUE(store_->createPrincipal("default", "alice", PrincipalKind::kUser, false).ok());
  auto first = commit(write("a", "alpha beta", Json{{"users", {"alice"}}}));
  int64_t seq = lastSeq();
  store_.reset();

  auto reopened = store::openSqliteStore(dir_.file("ward.db"));
  ASSERT_TRUE(reopened.ok()) << reopened.status().toString();
  store_ = std::move(reopened).value();
  auto doc = store_->getDocument("default", "a");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->id, first.doc_id);
  EXPECT_EQ(doc->acl.users, std::vector<std::string>{"alice"});
  EXPECT_FALSE(chunkIds(doc->id).empty());
  EXPECT_EQ(lastSeq(), seq);
  EXPECT_TRUE(store_->findPrincipal("default", "alice").ok());
  // The same record after reopen is still unchanged.
  EXPECT_EQ(commit(write("a", "alpha beta", Json{{"users", {"alice"}}})).outcome,
            WriteOutcome::kUnchanged);
}

// Two Store instances on one file stand for two processes (`ward serve` and the CLI beside it).
// BUG (src/store/sqlite_store.cc + sqlite_db.cc): single-row reads (init()'s schema check at
// sqlite_store.cc:69-70, findPrincipal via
// readPrincipal, findApiKey, readDocument, getChunk, lastChangeSeq, identityGeneration, stats)
// step a cached statement once and never reset it, so the connection keeps an open read
// transaction. In WAL mode that pins an old snapshot: commits by another process (the CLI beside
// `ward serve`) stay invisible to this connection, and its next write fails at once with
// SQLITE_BUSY_SNAPSHOT ("database is locked", HTTP 503) -- busy_timeout does not help. Reproduce
// end to end: `ward serve`, push a record, `ward ingest` another from the CLI, then the server
// neither finds the new record nor accepts pushes. Fix: reset statements when a read is done (a
// scoped handle from Database::prepare that calls sqlite3_reset in its destructor, or
// st->reset() after copying the row out).
TEST_F(StoreTest, SecondOpenCanWriteAfterFirstWrites) {
  auto other = store::openSqliteStore(dir_.file("ward.db"));  // init() leaves a read open
  ASSERT_TRUE(other.ok());
  commit(write("a", "alpha"));
  std::vector<store::DocumentWrite> batch{write("b", "beta")};
  auto r = (*other)->writeDocuments(batch);
  EXPECT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE((*other)->getDocument("default", "a").ok());
}

TEST_F(StoreTest, SingleRowReadDoesNotPinSnapshot) {
  ASSERT_TRUE(store_->createPrincipal("default", "alice", PrincipalKind::kUser, false).ok());
  auto other = store::openSqliteStore(dir_.file("ward.db"));
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->lastChangeSeq().ok());
  ASSERT_TRUE(store_->findPrincipal("default", "alice").ok());  // leaves its statement active
  std::vector<store::DocumentWrite> batch{write("b", "beta")};
  ASSERT_TRUE((*other)->writeDocuments(batch).ok());
  EXPECT_TRUE(store_->getDocument("default", "b").ok()) << "another connection's commit is hidden";
  std::vector<store::DocumentWrite> mine{write("c", "gamma")};
  auto r = store_->writeDocuments(mine);
  EXPECT_TRUE(r.ok()) << r.status().toString();
}

TEST_F(StoreTest, GarbageFileIsAnErrorNotAReset) {
  std::string path = dir_.file("garbage.db");
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string junk(8192, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  EXPECT_FALSE(store::openSqliteStore(path).ok());
}

TEST_F(StoreTest, IndexFollowsStoreAcrossReopen) {
  // A new index over an existing store rebuilds from the change feed.
  auto first = commit(write("a", "zephyr quarterly roadmap", Json{{"public", true}}));
  (void)first;
  ASSERT_TRUE(store_->createPrincipal("default", "bob", PrincipalKind::kUser, false).ok());
  store_.reset();
  auto ward = testing::WardInstance::open(dir_.path());
  auto r = ward->searchAs("bob", "roadmap");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].doc_id, "a");
}

}  // namespace
}  // namespace ward
