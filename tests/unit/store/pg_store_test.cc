// What only the PostgreSQL store does: versioned migrations (a newer schema is refused), the
// change feed under concurrent transactions (a late commit is never skipped), and a first insert
// of one document racing another writer (retried, not an error).
#include <gtest/gtest.h>

#include <thread>

#include "pg/pg_conn.h"
#include "pg/pg_documents.h"
#include "pg/pg_listener.h"
#include "pg_test_env.h"
#include "ward/common/clock.h"
#include "ward/ingest/ingest_service.h"
#include "ward/store/pg_store.h"

namespace ward {
namespace {

using store::pg::PgConn;
using store::pg::PgParams;
using store::pg::PgTransaction;

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::resetPgSchema());
    auto s = store::openPgStore(testing::pgTestUrl());
    ASSERT_TRUE(s.ok()) << s.status().toString();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->ensureTenant("default").ok());
    auto c = PgConn::connect(testing::pgTestUrl());
    ASSERT_TRUE(c.ok()) << c.status().toString();
    raw_ = std::move(c).value();
  }

  store::DocumentWrite write(const std::string& id, const std::string& text) {
    Json rec{{"id", id}, {"text", text}, {"title", "T " + id}, {"acl", {{"public", true}}}};
    auto w = ingest::IngestService::recordToWrite(rec, "default", "records", IngestConfig{});
    EXPECT_TRUE(w.ok()) << w.status().toString();
    return w.ok() ? std::move(w).value() : store::DocumentWrite{};
  }

  int64_t docId(const std::string& ext_id) {
    auto d = store_->getDocument("default", ext_id);
    EXPECT_TRUE(d.ok()) << d.status().toString();
    return d.ok() ? d->id : -1;
  }

  // Waits (bounded) until some other backend waits on a lock: the writer thread is blocked.
  bool someoneWaitsOnALock() {
    for (int i = 0; i < 2000; ++i) {
      auto r = raw_->query("waiters",
                           "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type='Lock'");
      if (r.ok() && r->int64(0, 0) > 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<PgConn> raw_;  // a second session, for transactions held open by the test
};

TEST_F(PgStoreTest, MigrationsAreRecordedOnceAndANewerSchemaIsRefused) {
  auto versions = raw_->query("versions",
                              "SELECT version, name FROM schema_migrations "
                              "ORDER BY version");
  ASSERT_TRUE(versions.ok()) << versions.status().toString();
  ASSERT_EQ(versions->rows(), store::pgSchemaVersion());
  EXPECT_EQ(versions->int64(versions->rows() - 1, 0), store::pgSchemaVersion());
  // Opening again applies nothing twice.
  auto again = store::openPgStore(testing::pgTestUrl());
  ASSERT_TRUE(again.ok()) << again.status().toString();
  EXPECT_EQ(raw_->query("count", "SELECT COUNT(*) FROM schema_migrations")->int64(0, 0),
            store::pgSchemaVersion());

  ASSERT_TRUE(raw_->query("future", "INSERT INTO schema_migrations VALUES($1,'future',0)",
                          PgParams().add(store::pgSchemaVersion() + 1))
                  .ok());
  auto newer = store::openPgStore(testing::pgTestUrl());
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("newer than this ward"), std::string::npos);
}

TEST_F(PgStoreTest, ABadUrlIsUnavailableAndNamesNoPassword) {
  auto s = store::openPgStore("postgresql://ward:s3cret-pw@127.0.0.1:1/ward?connect_timeout=2");
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().message().find("s3cret-pw"), std::string::npos) << s.status().toString();
  EXPECT_TRUE(store::isPostgresUrl("postgresql://h/db"));
  EXPECT_TRUE(store::isPostgresUrl("postgres://h/db"));
  EXPECT_FALSE(store::isPostgresUrl("/var/lib/ward/ward.db"));
}

// The feed gap (issue 17): transaction S starts first (lower xid) and commits last; F commits in
// between. A reader that followed ids would read F, move its cursor past S's row, and never see
// S. The sequencer gives positions only below the xid horizon, so while S runs the reader sees
// neither; once S commits it reads S then F, and nothing is skipped.
TEST_F(PgStoreTest, ALateCommitIsNeverSkipped) {
  std::vector<store::DocumentWrite> first{write("before", "first document")};
  ASSERT_TRUE(store_->writeDocuments(first).ok());
  auto seen = store_->changesSince(0, 100);
  ASSERT_TRUE(seen.ok()) << seen.status().toString();
  ASSERT_EQ(seen->size(), 1u);
  int64_t cursor = seen->back().seq;

  auto slow = std::make_unique<PgTransaction>(*raw_);
  ASSERT_TRUE(slow->begin().ok());
  store::DocumentWrite s = write("slow", "started first, commits last");
  ASSERT_TRUE(store::pg::writeDocument(*raw_, s, SystemClock::instance().nowMicros()).ok());

  std::vector<store::DocumentWrite> fast{write("fast", "started second, commits first")};
  ASSERT_TRUE(store_->writeDocuments(fast).ok());
  EXPECT_TRUE(store_->getDocument("default", "fast").ok()) << "committed and readable";

  auto during = store_->changesSince(cursor, 100);
  ASSERT_TRUE(during.ok()) << during.status().toString();
  EXPECT_TRUE(during->empty()) << "a change was given a position while an older transaction runs";
  EXPECT_EQ(store_->lastChangeSeq().value(), cursor);

  ASSERT_TRUE(slow->commit().ok());
  slow.reset();
  auto after = store_->changesSince(cursor, 100);
  ASSERT_TRUE(after.ok()) << after.status().toString();
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].doc_id, docId("slow"));
  EXPECT_EQ((*after)[0].seq, cursor + 1);
  EXPECT_EQ((*after)[1].doc_id, docId("fast"));
  EXPECT_EQ((*after)[1].seq, cursor + 2);
  EXPECT_EQ(store_->lastChangeSeq().value(), cursor + 2);
}

// A transaction that rolls back leaves no feed row, and holds the feed only while it runs.
TEST_F(PgStoreTest, ARolledBackWriteLeavesNoChange) {
  int64_t cursor = store_->lastChangeSeq().value();
  {
    PgTransaction tx(*raw_);
    ASSERT_TRUE(tx.begin().ok());
    store::DocumentWrite w = write("never", "rolled back");
    ASSERT_TRUE(store::pg::writeDocument(*raw_, w, SystemClock::instance().nowMicros()).ok());
  }
  std::vector<store::DocumentWrite> next{write("next", "committed")};
  ASSERT_TRUE(store_->writeDocuments(next).ok());
  auto changes = store_->changesSince(cursor, 100);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].doc_id, docId("next"));
  EXPECT_EQ(store_->getDocument("default", "never").status().code(), StatusCode::kNotFound);
}

// Two writers create one new document at once: the second waits on the first's uncommitted
// row, fails with a unique violation when it commits, and its batch is run again (unchanged).
TEST_F(PgStoreTest, ConcurrentFirstWritesOfOneDocumentBothSucceed) {
  PgTransaction tx(*raw_);
  ASSERT_TRUE(tx.begin().ok());
  store::DocumentWrite mine = write("same", "one text");
  ASSERT_TRUE(store::pg::writeDocument(*raw_, mine, SystemClock::instance().nowMicros()).ok());

  Result<std::vector<store::WriteResult>> theirs = Status::internal("not run");
  std::thread other([&] {
    std::vector<store::DocumentWrite> batch{write("same", "one text")};
    theirs = store_->writeDocuments(batch);
  });
  bool blocked = someoneWaitsOnALock();
  Status committed = tx.commit();
  other.join();
  ASSERT_TRUE(committed.ok()) << committed.toString();
  ASSERT_TRUE(blocked) << "the second writer never waited on the first";
  ASSERT_TRUE(theirs.ok()) << theirs.status().toString();
  EXPECT_EQ((*theirs)[0].outcome, store::WriteOutcome::kUnchanged);
  EXPECT_EQ((*theirs)[0].doc_id, docId("same"));
}

// A batch that fails half way, in the middle of its chunk COPY (a chunk with bytes that are not
// UTF-8, past the first piece streamed): the transaction rolls back as a whole, so none of the
// new documents, no new version of the existing one and no feed row is left.
TEST_F(PgStoreTest, ABatchThatFailsHalfWayWritesNothing) {
  std::vector<store::DocumentWrite> seed{write("kept", "the first version")};
  ASSERT_TRUE(store_->writeDocuments(seed).ok());
  int64_t kept_id = docId("kept");
  int64_t cursor = store_->lastChangeSeq().value();
  auto chunk_count = [&] {
    return raw_->query("count", "SELECT COUNT(*) FROM chunks")->int64(0, 0);
  };
  int64_t chunks_before = chunk_count();

  std::vector<store::DocumentWrite> batch{write("kept", "a second version")};
  for (int i = 0; i < 80; ++i) {
    batch.push_back(write("new" + std::to_string(i), std::string(30'000, 'a' + i % 26)));
  }
  ASSERT_GT(80 * 30'000, static_cast<int>(store::pg::kCopyPieceBytes));
  ASSERT_FALSE(batch[60].chunks.empty());
  batch[60].chunks.back().text = "not UTF-8: \xff\xfe";
  auto r = store_->writeDocuments(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().toString();
  EXPECT_NE(r.status().message().find("copy chunks"), std::string::npos) << r.status().toString();

  EXPECT_EQ(store_->getDocument("default", "new0").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->getDocument("default", "new79").status().code(), StatusCode::kNotFound);
  auto kept = store_->getDocument("default", "kept");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->version, 1);
  EXPECT_EQ(kept->id, kept_id);
  EXPECT_EQ(chunk_count(), chunks_before);
  EXPECT_EQ(store_->lastChangeSeq().value(), cursor);
  EXPECT_TRUE(store_->changesSince(cursor, 10)->empty());

  // The pool's connection is usable again: the same batch without the bad chunk goes in whole.
  batch[60].chunks.back().text = "UTF-8 now";
  auto fixed = store_->writeDocuments(batch);
  ASSERT_TRUE(fixed.ok()) << fixed.status().toString();
  EXPECT_EQ((*fixed)[0].outcome, store::WriteOutcome::kUpdated);
  EXPECT_EQ(store_->lastChangeSeq().value(), cursor + 81);
}

// NOTIFY wake-ups: a write committed through another store (another node) wakes a listener at
// once; a rolled-back write sends nothing; interrupt() ends a wait. The waits are an hour long,
// so a missing wake-up fails the test (by ctest's timeout) instead of passing by a poll.
TEST_F(PgStoreTest, ACommittedChangeWakesAListenerAndARollbackDoesNot) {
  auto* source = dynamic_cast<store::ChangeListenerSource*>(store_.get());
  ASSERT_NE(source, nullptr) << "the PostgreSQL store has wake-ups";
  auto opened = source->listenForChanges();
  ASSERT_TRUE(opened.ok()) << opened.status().toString();
  ASSERT_NE(*opened, nullptr);
  std::unique_ptr<store::ChangeListener> listener = std::move(opened).value();
  EXPECT_FALSE(listener->wait(std::chrono::milliseconds(0)).value()) << "nothing written yet";

  auto other = store::openPgStore(testing::pgTestUrl());
  ASSERT_TRUE(other.ok()) << other.status().toString();
  std::vector<store::DocumentWrite> batch{write("woken", "a change from another node")};
  ASSERT_TRUE((*other)->writeDocuments(batch).ok());
  auto woke = listener->wait(std::chrono::hours(1));
  ASSERT_TRUE(woke.ok()) << woke.status().toString();
  EXPECT_TRUE(*woke);

  // An unchanged write is no change: no wake-up. Nor is a write that rolls back.
  ASSERT_TRUE((*other)->writeDocuments(batch).ok());
  {
    PgTransaction tx(*raw_);
    ASSERT_TRUE(tx.begin().ok());
    store::DocumentWrite w = write("never", "rolled back");
    ASSERT_TRUE(store::pg::writeDocument(*raw_, w, SystemClock::instance().nowMicros()).ok());
    ASSERT_TRUE(store::pg::notifyFollowers(*raw_).ok());
  }
  // A wake-up of this session's own store marks the end of what the two above could have sent.
  ASSERT_TRUE((*other)->setAcl("default", "woken", store::Acl{}).ok());
  ASSERT_TRUE(listener->wait(std::chrono::hours(1)).value());
  EXPECT_FALSE(listener->wait(std::chrono::milliseconds(0)).value())
      << "a wake-up came from an unchanged write or a rolled-back one";

  ASSERT_TRUE((*other)->deleteDocument("default", "woken").ok());
  EXPECT_TRUE(listener->wait(std::chrono::hours(1)).value());

  listener->interrupt();
  auto interrupted = listener->wait(std::chrono::hours(1));
  ASSERT_TRUE(interrupted.ok());
  EXPECT_FALSE(*interrupted);
}

}  // namespace
}  // namespace ward
