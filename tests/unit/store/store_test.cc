// What only the SQLite store does: two opens of one file (two processes), snapshots, a garbage
// file, the index over a reopened store; and principal name validation. The behaviour every
// Store shares (SQLite and PostgreSQL) is in tests/unit/store/store_conformance_test.cc.
#include <gtest/gtest.h>

#include <algorithm>

#include "testutil/test_env.h"
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

TEST_F(StoreTest, InvalidPrincipalNamesAreRejected) {
  for (const char* bad : {"", ".hidden", "-dash", "sp ace", "slash/x"}) {
    EXPECT_FALSE(identity::validateName("user", bad).ok()) << bad;
  }
  EXPECT_TRUE(identity::validateName("user", "a.b_c-d@e").ok());
  EXPECT_FALSE(identity::validateName("user", std::string(65, 'a')).ok());
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
