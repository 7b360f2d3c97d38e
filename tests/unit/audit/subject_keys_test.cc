// audit: the content key store, sealed events, erasure by subject and retention by day
// (docs/formats/audit-keys.md), over the in-memory file system and the real audit log.
#include "ward/audit/subject_keys.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "ward/audit/audit_trace_sink.h"
#include "ward/audit/log_verifier.h"
#include "ward/audit/trace_batch.h"
#include "ward/common/clock.h"
#include "ward/io/mem_file_system.h"

namespace ward::audit {
namespace {

const std::string kDir = "/data/audit";
const std::string kKeys = "/data/audit/keys";
constexpr int64_t kDayUs = 86400LL * 1000000;

trace::TraceEvent event(const std::string& principal, const std::string& query, int64_t time_us) {
  trace::TraceEvent e;
  e.context = trace::TraceContext::generate();
  e.kind = "search";
  e.tenant = "acme";
  e.principal = principal;
  e.time_us = time_us;
  e.attributes = Json{{"query", query}, {"k", 10}};
  return e;
}

class SubjectKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = std::move(SubjectKeyStore::open(*fs_, kKeys, false).value());
    AuditSinkOptions o;
    o.log.dir = kDir;
    o.log.fs = fs_.get();
    o.keys = keys_.get();
    sink_ = std::move(openAuditLogSink(o).value());
  }

  std::vector<StoredTraceEvent> read() {
    auto r = readTraceEvents(kDir, fs_.get());
    EXPECT_TRUE(r.ok()) << r.status().toString();
    return r.ok() ? *r : std::vector<StoredTraceEvent>{};
  }

  std::string rawLog() {
    std::string all;
    std::vector<std::string> names = fs_->list(kDir + "/log").value();
    for (const auto& name : names) {
      all += io::readFile(*fs_, kDir + "/log/" + name).value();
    }
    return all;
  }

  std::unique_ptr<io::FileSystem> fs_ = io::newMemFileSystem();
  std::unique_ptr<SubjectKeyStore> keys_;
  std::unique_ptr<trace::TraceSink> sink_;
  int64_t now_ = SystemClock::instance().nowMicros();
};

TEST_F(SubjectKeysTest, SealedContentIsNotStoredInClearAndReadsBack) {
  ASSERT_TRUE(sink_->record(event("alice", "salary of alice", now_)).ok());
  std::string raw = rawLog();
  EXPECT_EQ(raw.find("alice"), std::string::npos);
  EXPECT_EQ(raw.find("salary"), std::string::npos);
  EXPECT_NE(raw.find("\"sealed\""), std::string::npos);
  auto events = read();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].content, "decrypted");
  EXPECT_EQ(events[0].event.principal, "alice");
  EXPECT_EQ(events[0].event.attributes["query"], "salary of alice");
  EXPECT_EQ(events[0].event.kind, "search");  // routing fields stay in clear
}

TEST_F(SubjectKeysTest, EraseSubjectShredsOnlyItsContentAndTheLogStillVerifies) {
  ASSERT_TRUE(sink_->record(event("alice", "alice query", now_)).ok());
  ASSERT_TRUE(sink_->record(event("bob", "bob query", now_)).ok());
  ASSERT_TRUE(sink_->record(event("alice", "alice again", now_)).ok());

  auto d = eraseSubject(*keys_, *sink_, "acme", "alice", "admin");
  ASSERT_TRUE(d.ok()) << d.status().toString();
  EXPECT_EQ(d->key_ids.size(), 1u);

  auto events = read();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].content, "erased");
  EXPECT_EQ(events[0].event.principal, "[erased]");
  EXPECT_EQ(events[0].event.attributes["reason"], "subject key destroyed");
  EXPECT_EQ(events[1].content, "decrypted");
  EXPECT_EQ(events[1].event.attributes["query"], "bob query");
  EXPECT_EQ(events[2].content, "erased");
  // The tombstone is in clear, names who erased and which keys, never the subject.
  EXPECT_EQ(events[3].event.kind, "erasure");
  EXPECT_EQ(events[3].content, "plain");
  EXPECT_EQ(events[3].event.principal, "admin");
  EXPECT_EQ(events[3].event.attributes["key_ids"][0], d->key_ids[0]);
  EXPECT_EQ(events[3].event.attributes.dump().find("alice"), std::string::npos);
  // The key file is gone and its id is listed as erased.
  EXPECT_FALSE(fs_->exists(kKeys + "/" + d->key_ids[0] + ".key"));
  EXPECT_NE(io::readFile(*fs_, kKeys + "/erased.jsonl")->find(d->key_ids[0]), std::string::npos);

  VerifyOptions v;
  v.fs = fs_.get();
  v.dir = kDir;
  auto report = verifyAuditLog(v);
  ASSERT_TRUE(report.ok()) << report.status().toString();
  EXPECT_EQ(report->records, 4u);
}

TEST_F(SubjectKeysTest, ErasingAnUnknownSubjectIsNotFoundAndRecordsNothing) {
  ASSERT_TRUE(sink_->record(event("bob", "q", now_)).ok());
  auto d = eraseSubject(*keys_, *sink_, "acme", "carol", "admin");
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(read().size(), 1u);
  EXPECT_EQ(eraseSubject(*keys_, *sink_, "acme", "", "admin").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SubjectKeysTest, SubjectSeenAgainAfterErasureGetsAFreshKey) {
  ASSERT_TRUE(sink_->record(event("alice", "before", now_)).ok());
  ASSERT_TRUE(eraseSubject(*keys_, *sink_, "acme", "alice", "admin").ok());
  ASSERT_TRUE(sink_->record(event("alice", "after", now_)).ok());
  auto events = read();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].content, "erased");
  EXPECT_EQ(events[2].content, "decrypted");
  EXPECT_EQ(events[2].event.attributes["query"], "after");
}

TEST_F(SubjectKeysTest, ErasureByAnotherStoreInstanceIsNoticedBeforeTheNextSeal) {
  ASSERT_TRUE(sink_->record(event("alice", "one", now_)).ok());
  // A second process (here: a second store over the same directory) erases alice.
  auto other = SubjectKeyStore::open(*fs_, kKeys, false).value();
  ASSERT_TRUE(other->destroySubject("acme", "alice").ok());
  ASSERT_TRUE(sink_->record(event("alice", "two", now_)).ok());
  auto events = read();
  EXPECT_EQ(events[0].content, "erased");
  EXPECT_EQ(events[1].content, "decrypted");  // sealed under a new key, not the destroyed one
}

static bool isErasureList(const std::string& p) {
  return p.size() >= 12 && p.compare(p.size() - 12, 12, "erased.jsonl") == 0;
}

// An open file that counts its size() calls in `checks`.
class CountingFile final : public io::File {
 public:
  CountingFile(std::unique_ptr<io::File> base, int& checks)
      : base_(std::move(base)), checks_(checks) {}
  Status append(std::string_view d) override { return base_->append(d); }
  Result<std::string> readAt(uint64_t o, size_t n) const override { return base_->readAt(o, n); }
  Result<uint64_t> size() const override {
    ++checks_;
    return base_->size();
  }
  Status sync() override { return base_->sync(); }
  Status truncate(uint64_t n) override { return base_->truncate(n); }

 private:
  std::unique_ptr<io::File> base_;
  int& checks_;
};

// Forwards to another file system and counts the size checks of the erasure list (by path, or
// through a handle kept open), the one file system call a seal makes when every key is known.
class CountingFileSystem final : public io::FileSystem {
 public:
  explicit CountingFileSystem(io::FileSystem& base) : base_(base) {}
  Status createDirs(const std::string& p) override { return base_.createDirs(p); }
  Result<std::vector<std::string>> list(const std::string& d) const override {
    return base_.list(d);
  }
  bool exists(const std::string& p) const override { return base_.exists(p); }
  Result<std::unique_ptr<io::File>> open(const std::string& p, const io::OpenOptions& o) override {
    WARD_ASSIGN_OR_RETURN(std::unique_ptr<io::File> f, base_.open(p, o));
    if (!isErasureList(p) || o.read_only) return f;  // reads of the list are not checks
    return std::unique_ptr<io::File>(new CountingFile(std::move(f), erased_checks));
  }
  Result<uint64_t> fileSize(const std::string& p) const override {
    if (isErasureList(p)) ++erased_checks;
    return base_.fileSize(p);
  }
  Status rename(const std::string& f, const std::string& t) override { return base_.rename(f, t); }
  Status remove(const std::string& p) override { return base_.remove(p); }
  Status syncDir(const std::string& d) override { return base_.syncDir(d); }
  Result<std::unique_ptr<io::FileLock>> lock(const std::string& p) override {
    return base_.lock(p);
  }
  Result<std::unique_ptr<io::FileLock>> tryLock(const std::string& p) override {
    return base_.tryLock(p);
  }
  mutable int erased_checks = 0;

 private:
  io::FileSystem& base_;
};

// Events recorded together (one append, e.g. a proxy call's model_call and response_sent) are
// sealed together: the erasure list is checked once for the append, each event still gets its
// own subject's key and its own nonce, and an erasure made before the append is seen by all.
TEST_F(SubjectKeysTest, EventsRecordedTogetherAreSealedAfterOneErasureCheck) {
  CountingFileSystem counting(*fs_);
  auto keys = SubjectKeyStore::open(counting, kKeys, false).value();
  AuditSinkOptions o;
  o.log.dir = kDir;
  o.log.fs = fs_.get();
  o.keys = keys.get();
  auto sink = std::move(openAuditLogSink(o).value());
  ASSERT_TRUE(sink->record(event("alice", "zero", now_)).ok());
  // Another process erases alice; the next append must not seal under her destroyed key.
  auto other = SubjectKeyStore::open(*fs_, kKeys, false).value();
  ASSERT_TRUE(other->destroySubject("acme", "alice").ok());
  const int before = counting.erased_checks;
  std::vector<trace::TraceEvent> batch = {event("alice", "one", now_), event("bob", "two", now_),
                                          event("alice", "three", now_)};
  ASSERT_TRUE(recordAll(*sink, batch).ok());
  EXPECT_EQ(counting.erased_checks - before, 1);  // one per append, not one per event
  auto events = read();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].content, "erased");
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(events[i].content, "decrypted") << i;
    EXPECT_EQ(events[i].event.principal, batch[i - 1].principal) << i;
    EXPECT_EQ(events[i].event.attributes["query"], batch[i - 1].attributes["query"]) << i;
  }
  // Each record has its own nonce; alice's two share her new key, bob has his own.
  std::vector<Json> raw;
  ASSERT_TRUE(forEachAuditRecord(*fs_, kDir, [&](uint64_t, std::string_view body) {
                raw.push_back(parseJson(std::string(body)).value()["sealed"]);
                return Status();
              }).ok());
  ASSERT_EQ(raw.size(), 4u);
  EXPECT_NE(raw[1]["nonce"], raw[2]["nonce"]);
  EXPECT_NE(raw[1]["nonce"], raw[3]["nonce"]);
  EXPECT_EQ(raw[1]["subject_key"], raw[3]["subject_key"]);
  EXPECT_NE(raw[1]["subject_key"], raw[2]["subject_key"]);
  EXPECT_NE(raw[1]["subject_key"], raw[0]["subject_key"]);  // not the destroyed key
}

TEST_F(SubjectKeysTest, RetentionDestroysOldDayKeysOnly) {
  ASSERT_TRUE(sink_->record(event("alice", "old", now_ - 40 * kDayUs)).ok());
  ASSERT_TRUE(sink_->record(event("", "anonymous old", now_ - 35 * kDayUs)).ok());
  ASSERT_TRUE(sink_->record(event("alice", "recent", now_ - 2 * kDayUs)).ok());
  ASSERT_EQ(keys_->days("acme").size(), 3u);

  auto none = applyRetention(*keys_, *sink_, "acme", 0, now_);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->key_ids.empty());  // 0 = keep forever

  auto d = applyRetention(*keys_, *sink_, "acme", 30, now_);
  ASSERT_TRUE(d.ok()) << d.status().toString();
  EXPECT_EQ(d->key_ids.size(), 2u);
  EXPECT_EQ(keys_->days("acme").size(), 1u);

  auto events = read();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].content, "erased");
  EXPECT_EQ(events[0].event.attributes["reason"], "day key destroyed (retention)");
  EXPECT_EQ(events[1].content, "erased");
  EXPECT_EQ(events[2].content, "decrypted");
  EXPECT_EQ(events[2].event.attributes["query"], "recent");
  EXPECT_EQ(events[3].event.kind, "erasure");
  EXPECT_EQ(events[3].event.attributes["scope"], "retention");
  EXPECT_EQ(events[3].event.principal, "retention");

  // A second run finds nothing more and records no second tombstone.
  ASSERT_TRUE(applyRetention(*keys_, *sink_, "acme", 30, now_).ok());
  EXPECT_EQ(read().size(), 4u);
}

TEST_F(SubjectKeysTest, SealedContentIsBoundToItsRecord) {
  trace::TraceEvent e = event("alice", "q", now_);
  Json sealed = keys_->seal(e).value();
  trace::TraceEvent moved = e;
  moved.tenant = "other";  // the same ciphertext presented as another tenant's record
  EXPECT_EQ(keys_->unseal(sealed, moved).status().code(), StatusCode::kCorruption);
  trace::TraceEvent same = e;
  same.principal.clear();
  same.attributes = Json::object();
  ASSERT_TRUE(keys_->unseal(sealed, same).value());
  EXPECT_EQ(same.principal, "alice");
  Json tampered = sealed;
  std::string ct = tampered["ct"];
  ct[0] = ct[0] == 'A' ? 'B' : 'A';
  tampered["ct"] = ct;
  EXPECT_EQ(keys_->unseal(tampered, same).status().code(), StatusCode::kCorruption);
}

TEST_F(SubjectKeysTest, CorruptKeyFileIsReportedByName) {
  ASSERT_TRUE(sink_->record(event("alice", "q", now_)).ok());
  std::string victim;
  std::vector<std::string> names = fs_->list(kKeys).value();
  for (const auto& name : names) {
    if (name.size() > 4 && name.substr(name.size() - 4) == ".key") victim = name;
  }
  std::string text = io::readFile(*fs_, kKeys + "/" + victim).value();
  text[20] = text[20] == '1' ? '2' : '1';
  ASSERT_TRUE(io::writeFileAtomic(*fs_, kKeys + "/" + victim, text).ok());
  auto reopened = SubjectKeyStore::open(*fs_, kKeys, true);
  ASSERT_EQ(reopened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(reopened.status().message().find(victim), std::string::npos);
}

TEST_F(SubjectKeysTest, ReadOnlyStoreRefusesToSealOrDestroy) {
  auto ro = SubjectKeyStore::open(*fs_, kKeys, true).value();
  EXPECT_EQ(ro->seal(event("a", "q", now_)).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SubjectKeysTest, DecodeTraceEventOpensSealedBodiesWithTheProcessKeyStore) {
  ASSERT_TRUE(sink_->record(event("alice", "secret plan", now_)).ok());
  std::string body;
  ASSERT_TRUE(forEachAuditRecord(*fs_, kDir, [&](uint64_t, std::string_view b) {
                body = std::string(b);
                return Status();
              }).ok());
  // No key store registered: the body decodes, its content shown as sealed.
  setProcessKeyStore(nullptr);
  setProcessKeyDir(nullptr, "");
  auto sealed = decodeTraceEvent(body);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->principal, "[sealed]");
  // A registered key dir is opened read-only on first use.
  setProcessKeyDir(fs_.get(), kKeys);
  auto open = decodeTraceEvent(body);
  ASSERT_TRUE(open.ok()) << open.status().toString();
  EXPECT_EQ(open->principal, "alice");
  EXPECT_EQ(open->attributes["query"], "secret plan");
  // The long-lived read-only store notices an erasure made through another store.
  ASSERT_TRUE(eraseSubject(*keys_, *sink_, "acme", "alice", "admin").ok());
  auto erased = decodeTraceEvent(body);
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(erased->principal, "[erased]");
  setProcessKeyDir(nullptr, "");
}

// On disk, as two processes meet it: the writer keeps erased.jsonl open (created empty) and a
// destruction by another store over the same directory is seen through that handle, so the
// next seal never uses the destroyed key.
TEST(SubjectKeysOnDiskTest, ErasureByAnotherStoreIsSeenThroughTheHeldErasureList) {
  char tmpl[] = "/tmp/ward_keys_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/keys";
  io::FileSystem& fs = io::posixFileSystem();
  {
    auto keys = SubjectKeyStore::open(fs, dir, false).value();
    EXPECT_TRUE(fs.exists(dir + "/erased.jsonl"));
    const trace::TraceEvent e = event("alice", "one", SystemClock::instance().nowMicros());
    const Json first = keys->seal(e).value();
    const Json again = keys->seal(e).value();
    EXPECT_EQ(again["subject_key"], first["subject_key"]);  // no erasure: the same key
    auto other = SubjectKeyStore::open(fs, dir, false).value();
    ASSERT_TRUE(other->destroySubject("acme", "alice").ok());
    const Json second = keys->seal(e).value();
    EXPECT_NE(second["subject_key"], first["subject_key"]);
    trace::TraceEvent opened = e;
    EXPECT_TRUE(keys->unseal(second, opened).value());
    EXPECT_EQ(opened.attributes["query"], "one");
    trace::TraceEvent shredded = e;
    EXPECT_FALSE(keys->unseal(first, shredded).value());
    // And the other way round: this store erases, the other one notices before its next seal.
    const Json third = other->seal(e).value();
    ASSERT_TRUE(keys->destroySubject("acme", "alice").ok());
    EXPECT_NE(other->seal(e).value()["subject_key"], third["subject_key"]);
  }
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}

TEST(UtcDayTest, FormatsUtcDates) {
  EXPECT_EQ(utcDay(0), "1970-01-01");
  EXPECT_EQ(utcDay(86400LL * 1000000 - 1), "1970-01-01");
  EXPECT_EQ(utcDay(1764000000LL * 1000000), "2025-11-24");
}

}  // namespace
}  // namespace ward::audit
