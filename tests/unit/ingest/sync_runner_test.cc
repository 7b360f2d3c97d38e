// SyncRunner over the folder connector: coverage counters, free re-syncs, deletions only after a
// complete clean pass, the mass-deletion and exposure guards with their approvals, refusals, and
// resuming a run whose process died.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "../../../src/ingest/sync_pipeline.h"
#include "testutil/test_env.h"
#include "ward/common/clock.h"
#include "ward/ingest/sync_runner.h"
#include "ward/store/sync_store.h"
#include "ward/store/tool_store.h"

namespace ward::testing {
namespace {

namespace fs = std::filesystem;
using store::SyncRunState;

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

class SyncRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ward_ = WardInstance::open(tmp_.file("data"));
    auto sync = store::openSqliteSyncStore(tmp_.file("data/ward.db"));
    ASSERT_TRUE(sync.ok()) << sync.status().toString();
    sync_ = std::move(sync).value();
    auto tools = store::openSqliteToolStore(tmp_.file("data/ward.db"));
    ASSERT_TRUE(tools.ok()) << tools.status().toString();
    tools_ = std::move(tools).value();
    fs::create_directories(tmp_.file("locks"));
    root_ = tmp_.file("src");
    for (int i = 0; i < 10; ++i) {
      write(root_ + "/doc" + std::to_string(i) + ".md",
            "# Doc " + std::to_string(i) + "\n\nzebra" + std::to_string(i) + " text.\n");
    }
    source_.name = "hb";
    source_.connector = "folder";
    source_.root = root_;
    source_.page_items = 3;
    source_.acl_rules.push_back({"*", store::Acl{{}, {"staff"}, false}});
  }

  ingest::SyncRunner runner() {
    ingest::SyncDeps d;
    d.store = ward_->store.get();
    d.sync = sync_.get();
    d.approvals = tools_.get();
    d.index = ward_->index.get();
    d.traces = ward_->traces.get();
    d.env.refused_dirs = {tmp_.file("data")};
    d.env.max_file_bytes = 1 << 20;
    d.lock_dir = tmp_.file("locks");
    return ingest::SyncRunner(std::move(d));
  }

  store::SyncRunRecord sync(const ingest::SyncRequest& req = {}) {
    auto r = runner().run(ward_->tenant, source_, req);
    EXPECT_TRUE(r.ok()) << r.status().toString();
    return r.ok() ? r->run : store::SyncRunRecord{};
  }

  int64_t live() { return *sync_->liveDocuments(ward_->tenant, "hb"); }

  TempDir tmp_;
  std::unique_ptr<WardInstance> ward_;
  std::unique_ptr<store::SyncStore> sync_;
  std::unique_ptr<store::ToolStore> tools_;
  std::string root_;
  ingest::SourceConfig source_;
};

TEST_F(SyncRunnerTest, FirstRunIndexesEverythingAndASecondIsFree) {
  // Files changed within 2 s of a pass get no version (racy timestamps): age them first.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto r = sync();
  EXPECT_EQ(r.state, SyncRunState::kCompleted);
  EXPECT_EQ(r.listed, 10);
  EXPECT_EQ(r.fetched, 10);
  EXPECT_EQ(r.indexed, 10);
  EXPECT_EQ(r.pages, 4);  // 3 + 3 + 3 + 1
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(live(), 10);
  auto doc = ward_->store->getDocument(ward_->tenant, "hb:doc3.md");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->acl.groups, std::vector<std::string>{"staff"});
  auto again = sync();
  EXPECT_EQ(again.listed, 10);
  EXPECT_EQ(again.fetched, 0);  // same versions: nothing read
  EXPECT_EQ(again.unchanged, 10);
}

TEST_F(SyncRunnerTest, ABackfillFetchesAgainOnlyWhatIsDatedSinceItsTime) {
  const auto now = fs::file_time_type::clock::now();
  for (int i = 0; i < 10; ++i) {
    const int days = i < 8 ? 400 : 10;  // doc8 and doc9 changed recently
    fs::last_write_time(root_ + "/doc" + std::to_string(i) + ".md",
                        now - std::chrono::hours(24 * days));
  }
  // Setting mtime moves ctime: wait out the racy-timestamp window so the files get versions.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(sync().fetched, 10);
  ingest::SyncRequest backfill;
  backfill.full = true;
  backfill.full_since_us = SystemClock::instance().nowMicros() - int64_t{30} * 86400 * 1000000;
  auto r = sync(backfill);
  EXPECT_EQ(r.state, SyncRunState::kCompleted);
  EXPECT_TRUE(r.full);
  EXPECT_EQ(r.listed, 10);
  EXPECT_EQ(r.fetched, 2) << "only the documents dated within the last 30 days";
  EXPECT_EQ(r.unchanged, 10) << "the two read again have the same content";
  ingest::SyncRequest full;
  full.full = true;
  EXPECT_EQ(sync(full).fetched, 10) << "a full run without --since fetches everything";
}

TEST_F(SyncRunnerTest, AResumedBackfillKeepsItsTime) {
  const auto now = fs::file_time_type::clock::now();
  for (int i = 0; i < 10; ++i) {
    const int days = i < 8 ? 400 : 10;  // doc8 and doc9 changed recently
    fs::last_write_time(root_ + "/doc" + std::to_string(i) + ".md",
                        now - std::chrono::hours(24 * days));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_EQ(sync().fetched, 10);
  // What a backfill killed after its first page leaves: a running full row with its time.
  const int64_t since = SystemClock::instance().nowMicros() - int64_t{30} * 86400 * 1000000;
  auto started = sync_->startRun(ward_->tenant, "hb", true, since);
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started->full_since, since);
  store::SyncBatch b;
  b.run = *started;
  b.run.listed = 3;
  b.run.pages = 1;
  b.run.checkpoint = "doc2.md";
  for (int i = 0; i < 3; ++i) {
    b.seen.push_back({"hb:doc" + std::to_string(i) + ".md", "", store::SeenState::kIndexed});
  }
  ASSERT_TRUE(sync_->commitBatch(b).ok());
  // Resumed by a plain `ward sync hb` (no --full, no --since): the run keeps its time.
  auto r = sync();
  EXPECT_EQ(r.id, started->id);
  EXPECT_EQ(r.resumed, 1);
  EXPECT_TRUE(r.full);
  EXPECT_EQ(r.full_since, since);
  EXPECT_EQ(r.state, SyncRunState::kCompleted);
  EXPECT_EQ(r.fetched, 2) << "doc3..doc7 are older than the backfill's time: not fetched again";
  auto listed = sync_->listRuns(ward_->tenant, "hb", 1);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->front().full_since, since);
  EXPECT_TRUE(ingest::syncRunJson(listed->front()).contains("full_since"));
}

TEST_F(SyncRunnerTest, AFileRewrittenInTheSameTickIsStillReadAgain) {
  auto first = sync();
  EXPECT_EQ(first.indexed, 10);
  // Same size, written at once: mtime may not move; the racy rule makes the pass read it.
  write(root_ + "/doc3.md", "# Doc 3\n\nzebrX3 text.\n");
  auto second = sync();
  EXPECT_EQ(second.indexed, 1);
  auto doc = ward_->store->getDocument(ward_->tenant, "hb:doc3.md");
  ASSERT_TRUE(doc.ok());
  auto chunks = ward_->store->chunksOf(doc->id);
  ASSERT_TRUE(chunks.ok() && !chunks->empty());
  EXPECT_NE(chunks->front().text.find("zebrX3"), std::string::npos);
}

TEST_F(SyncRunnerTest, ADeletedFileIsDeletedAndPurgedFromSearch) {
  sync();
  fs::remove(root_ + "/doc4.md");
  auto r = sync();
  EXPECT_EQ(r.state, SyncRunState::kCompleted);
  EXPECT_EQ(r.deleted, 1);
  auto doc = ward_->store->getDocument(ward_->tenant, "hb:doc4.md");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->deleted);
  EXPECT_TRUE(ward_->store->chunksOf(doc->id)->empty());
}

TEST_F(SyncRunnerTest, ATruncatedListingDeletesNothing) {
  sync();
  fs::remove(root_ + "/doc4.md");
  source_.max_entries = 5;  // the walk stops before the end
  auto r = sync();
  EXPECT_EQ(r.state, SyncRunState::kPartial);
  EXPECT_FALSE(r.exhausted);
  EXPECT_EQ(r.deleted, 0);
  EXPECT_EQ(live(), 10);
}

TEST_F(SyncRunnerTest, AFailedItemBlocksDeletions) {
  sync();
  fs::remove(root_ + "/doc4.md");
  source_.max_file_bytes = 40;  // doc*.md are smaller; a bigger file fails
  write(root_ + "/big.md", std::string(100, 'x'));
  auto r = sync();
  EXPECT_EQ(r.state, SyncRunState::kPartial);
  EXPECT_GE(r.failed, 1);
  EXPECT_EQ(r.deleted, 0);
  EXPECT_FALSE(ward_->store->getDocument(ward_->tenant, "hb:doc4.md")->deleted);
}

TEST_F(SyncRunnerTest, AMassDeletionIsHeldUntilApproved) {
  sync();
  for (int i = 0; i < 3; ++i) fs::remove(root_ + "/doc" + std::to_string(i) + ".md");  // 30%
  auto held = sync();
  EXPECT_EQ(held.state, SyncRunState::kHeld);
  EXPECT_EQ(held.deleted, 0);
  ASSERT_FALSE(held.approval_id.empty());
  EXPECT_EQ(live(), 10);
  auto a = tools_->getApproval(ward_->tenant, held.approval_id);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->state, store::ApprovalState::kPending);
  EXPECT_EQ(a->tool, ingest::kSyncApprovalTool);
  // Held again: the same approval, not a second one.
  EXPECT_EQ(sync().approval_id, held.approval_id);
  ingest::SyncRequest req;
  req.approve = held.approval_id;
  req.reviewer = "admin";
  auto approved = sync(req);
  EXPECT_EQ(approved.state, SyncRunState::kCompleted);
  EXPECT_EQ(approved.deleted, 3);
  EXPECT_EQ(live(), 7);
  EXPECT_EQ(tools_->getApproval(ward_->tenant, held.approval_id)->state,
            store::ApprovalState::kExecuted);
  // Used up.
  EXPECT_FALSE(runner().run(ward_->tenant, source_, req).ok());
}

TEST_F(SyncRunnerTest, AnApprovalIsUsedUpOnlyByARunThatCompletes) {
  sync();
  for (int i = 0; i < 3; ++i) fs::remove(root_ + "/doc" + std::to_string(i) + ".md");
  auto held = sync();
  ASSERT_EQ(held.state, SyncRunState::kHeld);
  source_.max_file_bytes = 40;  // a bigger file fails: the approved run ends partial
  write(root_ + "/big.md", std::string(100, 'x'));
  ingest::SyncRequest req;
  req.approve = held.approval_id;
  req.reviewer = "admin";
  auto partial = sync(req);
  EXPECT_EQ(partial.state, SyncRunState::kPartial);
  EXPECT_EQ(partial.deleted, 0);
  EXPECT_EQ(tools_->getApproval(ward_->tenant, held.approval_id)->state,
            store::ApprovalState::kApproved);
  fs::remove(root_ + "/big.md");
  auto done = sync(req);
  EXPECT_EQ(done.state, SyncRunState::kCompleted);
  EXPECT_EQ(done.deleted, 3);
  EXPECT_EQ(tools_->getApproval(ward_->tenant, held.approval_id)->state,
            store::ApprovalState::kExecuted);
}

TEST_F(SyncRunnerTest, ADeletionUnderTheShareIsNotHeld) {
  sync();
  fs::remove(root_ + "/doc1.md");
  fs::remove(root_ + "/doc2.md");  // 20%: not more than the share
  auto r = sync();
  EXPECT_EQ(r.state, SyncRunState::kCompleted);
  EXPECT_EQ(r.deleted, 2);
}

// Issue 15's contract: a document's id, ACL, source and owner come from the connector and the
// source's rules, never from its bytes, whatever the bytes claim (front matter, HTML meta tags, a JSON body).
TEST_F(SyncRunnerTest, TheBytesNeverSetADocumentsIdAclSourceOrOwner) {
  const std::string claims =
      "---\nid: other:doc\nacl: public\npublic: true\nsource: finance\nowner: mallory\n"
      "tenant: other\ngroups: [everyone]\n---\n"
      "# Claims\n\nquokka text.\n\n"
      "{\"id\": \"hb:doc0.md\", \"acl\": {\"public\": true}, \"source\": \"finance\"}\n";
  write(root_ + "/claims.md", claims);
  write(root_ + "/claims.html",
        "<html><head><title>Claims</title><meta name=\"id\" content=\"other:doc\">"
        "<meta name=\"acl\" content=\"public\"><meta name=\"source\" content=\"finance\">"
        "<meta name=\"owner\" content=\"mallory\"></head><body><p>quokka</p></body></html>\n");
  auto r = sync();
  EXPECT_EQ(r.state, SyncRunState::kCompleted);
  for (const char* id : {"hb:claims.md", "hb:claims.html"}) {
    auto doc = ward_->store->getDocument(ward_->tenant, id);
    ASSERT_TRUE(doc.ok()) << id << ": " << doc.status().toString();
    EXPECT_EQ(doc->source, "hb") << id;
    EXPECT_FALSE(doc->acl.is_public) << id;
    EXPECT_EQ(doc->acl.groups, std::vector<std::string>{"staff"}) << id;
    EXPECT_TRUE(doc->acl.users.empty()) << id;
    EXPECT_FALSE(doc->metadata.contains("owner")) << id << ": " << doc->metadata.dump();
  }
  EXPECT_FALSE(ward_->store->getDocument(ward_->tenant, "other:doc").ok());
  // The document the body names keeps its own ACL.
  EXPECT_FALSE(ward_->store->getDocument(ward_->tenant, "hb:doc0.md")->acl.is_public);
  EXPECT_EQ(live(), 12);
}

TEST_F(SyncRunnerTest, AFlipToPublicIsHeldAndTheDocumentKeepsItsAcl) {
  sync();
  source_.acl_rules.insert(source_.acl_rules.begin(), {"doc7.md", store::Acl{{}, {}, true}});
  auto r = sync();
  EXPECT_EQ(r.state, SyncRunState::kHeld);
  EXPECT_EQ(r.held, 1);
  EXPECT_FALSE(ward_->store->getDocument(ward_->tenant, "hb:doc7.md")->acl.is_public);
  ingest::SyncRequest req;
  req.approve = r.approval_id;
  req.reviewer = "admin";
  auto ok = sync(req);
  EXPECT_EQ(ok.state, SyncRunState::kCompleted);
  EXPECT_TRUE(ward_->store->getDocument(ward_->tenant, "hb:doc7.md")->acl.is_public);
}

TEST_F(SyncRunnerTest, WideningManyAclsIsHeldButAFewGoThrough) {
  sync();
  source_.acl_rules.insert(source_.acl_rules.begin(),
                           {"doc[01].md", store::Acl{{}, {"staff", "contractors"}, false}});
  auto few = sync();  // 2 of 10: the share
  EXPECT_EQ(few.state, SyncRunState::kCompleted);
  EXPECT_EQ(few.widened, 2);
  source_.acl_rules.front().glob = "doc[0-5].md";
  auto many = sync();  // 4 more of 10
  EXPECT_EQ(many.state, SyncRunState::kHeld);
  EXPECT_EQ(many.widened, 2);
  EXPECT_EQ(many.held, 2);
}

TEST_F(SyncRunnerTest, LinksAndFifosAreRefusedAndTheRestIsSynced) {
  write(tmp_.file("outside/secret.md"), "# Secret\n\nplutonium\n");
  fs::create_symlink(tmp_.file("outside/secret.md"), root_ + "/escape.md");
  ASSERT_EQ(::mkfifo((root_ + "/pipe.md").c_str(), 0600), 0);
  auto r = runner().run(ward_->tenant, source_, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->run.state, SyncRunState::kCompleted);
  EXPECT_EQ(r->run.refused, 2);
  EXPECT_EQ(r->run.indexed, 10);
  bool link = false, fifo = false;
  for (const auto& p : r->problems) {
    link |= p.item == "escape.md" && p.message.find("symbolic link") != std::string::npos;
    fifo |= p.item == "pipe.md" && p.message.find("FIFO") != std::string::npos;
  }
  EXPECT_TRUE(link);
  EXPECT_TRUE(fifo);
  EXPECT_FALSE(ward_->store->getDocument(ward_->tenant, "hb:escape.md").ok());
}

TEST_F(SyncRunnerTest, ARunWhoseProcessDiedIsResumedFromItsCheckpoint) {
  // What a killed run leaves: a running row whose first page (doc0..doc2) is committed.
  auto started = sync_->startRun(ward_->tenant, "hb", false);
  ASSERT_TRUE(started.ok());
  store::SyncBatch b;
  b.run = *started;
  b.run.listed = 3;
  b.run.pages = 1;
  b.run.checkpoint = "doc2.md";
  for (int i = 0; i < 3; ++i) {
    b.seen.push_back({"hb:doc" + std::to_string(i) + ".md", "", store::SeenState::kIndexed});
  }
  ASSERT_TRUE(sync_->commitBatch(b).ok());
  auto r = sync();
  EXPECT_EQ(r.id, started->id);
  EXPECT_EQ(r.resumed, 1);
  EXPECT_EQ(r.listed, 10);  // 3 before, 7 after the checkpoint
  EXPECT_EQ(r.fetched, 7);
  EXPECT_EQ(r.deleted, 0);  // the ids seen before the crash are not deleted
  EXPECT_EQ(live(), 7);     // doc0..doc2 were never written in this fake first page
}

// Items are parsed beside the event thread (sync_pipeline.h): one that fails to parse is still a
// failed item of its page, its problem line keeps its place among the page's, its version is not
// stored (so the next run reads it again) and it blocks deletions.
TEST_F(SyncRunnerTest, AnItemThatFailsToParseIsAFailedItemInItsPlace) {
  source_.page_items = 100;  // one page
  source_.max_file_bytes = 4000;
  write(root_ + "/doc5.html", "<html><body><p>fine</p></body></html>");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // versions for every file
  ASSERT_EQ(sync().state, SyncRunState::kCompleted);
  std::string deep = "<html><body>";
  for (int i = 0; i < 300; ++i) deep += "<div>";
  write(root_ + "/doc5.html", deep + "hidden text");     // fails to parse
  write(root_ + "/doc6big.md", std::string(5000, 'x'));  // fails before it is read
  ASSERT_EQ(::symlink("/etc/passwd", (root_ + "/doc7link.md").c_str()), 0);  // refused first
  fs::remove(root_ + "/doc2.md");
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  for (int round = 0; round < 2; ++round) {
    auto r = runner().run(ward_->tenant, source_, {});
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->run.state, SyncRunState::kPartial);
    EXPECT_EQ(r->run.failed, 2);
    EXPECT_EQ(r->run.refused, 1);
    EXPECT_EQ(r->run.fetched, 1) << "round " << round;  // doc5.html, read again each time
    EXPECT_EQ(r->run.deleted, 0);
    ASSERT_EQ(r->problems.size(), 3u);
    EXPECT_NE(r->problems[0].item.find("doc7link.md"), std::string::npos);
    EXPECT_EQ(r->problems[1].item, "hb:doc5.html");
    EXPECT_NE(r->problems[1].message.find("nested deeper than 256"), std::string::npos);
    EXPECT_EQ(r->problems[2].item, "hb:doc6big.md");
  }
  auto kept = ward_->store->getDocument(ward_->tenant, "hb:doc5.html");
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(kept->deleted);  // the version before the bad one stays
  EXPECT_FALSE(ward_->store->getDocument(ward_->tenant, "hb:doc2.md")->deleted);
}

// Pages are committed on a background thread while the next page is read (sync_pipeline.h): an
// item of the next page that the page in flight wrote is decided on what that page committed. Here
// the second line flips the first line's document public: the guard must see it live and hold it.
TEST_F(SyncRunnerTest, AnItemWrittenByThePageInFlightIsDecidedOnItsCommittedState) {
  const std::string path = tmp_.file("push.jsonl");
  std::ofstream(path) << R"({"id": "hb:x", "text": "alpha", "acl": {"groups": ["staff"]}})"
                      << "\n"
                      << R"({"id": "hb:x", "text": "beta", "acl": {"public": true}})"
                      << "\n";
  source_.connector = "jsonl";
  source_.root = path;
  source_.page_items = 1;
  source_.acl_rules.clear();
  for (int i = 0; i < 5; ++i) {
    auto r = sync();
    EXPECT_EQ(r.state, SyncRunState::kHeld) << "round " << i;
    EXPECT_EQ(r.held, 1);
    auto x = ward_->store->getDocument(ward_->tenant, "hb:x");
    ASSERT_TRUE(x.ok());
    EXPECT_FALSE(x->acl.is_public);
    EXPECT_EQ(x->acl.groups, std::vector<std::string>{"staff"});
  }
}

TEST_F(SyncRunnerTest, OneRunOfASourceAtATime) {
  std::string lock = tmp_.file("locks/default.hb.lock");
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  auto r = runner().run(ward_->tenant, source_, {});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  ::close(fd);
}

// A root that is gone is a failed run (not an error), so it counts: five in a row put the source
// in the error state, and a run that completes clears it.
TEST_F(SyncRunnerTest, FiveFailedRunsPutTheSourceInTheErrorStateAndASuccessClearsIt) {
  ASSERT_EQ(sync().state, SyncRunState::kCompleted);
  fs::rename(root_, root_ + ".away");
  auto state = [&] {
    auto j = ingest::sourcesJson(*sync_, ward_->tenant, {source_}, 0);
    EXPECT_TRUE(j.ok());
    return j.ok() ? (*j)[0] : Json();
  };
  for (int i = 1; i <= 5; ++i) {
    auto r = sync();
    EXPECT_EQ(r.state, SyncRunState::kFailed);
    EXPECT_NE(r.message.find("the connector could not start"), std::string::npos) << r.message;
    EXPECT_EQ(r.deleted, 0);
    EXPECT_EQ(state()["consecutive_failures"], i);
    EXPECT_EQ(state()["state"], i < 5 ? "ok" : "error") << i;
  }
  EXPECT_EQ(live(), 10);  // nothing deleted by the failures
  fs::rename(root_ + ".away", root_);
  EXPECT_EQ(sync().state, SyncRunState::kCompleted);
  EXPECT_EQ(state()["state"], "ok");
  EXPECT_EQ(state()["consecutive_failures"], 0);
}

// A canary (`ward sync canary`) is admins only whatever the rules, and its deletion is not
// counted by the mass-deletion guard (a canary in a small source is always cleaned up).
TEST_F(SyncRunnerTest, ACanaryIsAdminOnlyAndItsDeletionIsNotGuarded) {
  const std::string canary = root_ + "/" + ingest::kCanaryPrefix + "abc.md";
  write(canary, "# Canary\n\ncanarytoken\n");
  write(root_ + "/sub/" + ingest::kCanaryPrefix + "deep.md", "# Not a canary\n");
  ASSERT_EQ(sync().state, SyncRunState::kCompleted);
  auto doc = ward_->store->getDocument(ward_->tenant, "hb:ward-canary-abc.md");
  ASSERT_TRUE(doc.ok()) << doc.status().toString();
  EXPECT_TRUE(doc->acl.groups.empty() && doc->acl.users.empty() && !doc->acl.is_public);
  auto deep = ward_->store->getDocument(ward_->tenant, "hb:sub/ward-canary-deep.md");
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(deep->acl.groups, std::vector<std::string>{"staff"});  // only top-level names
  source_.max_delete_share = 0.0;                                  // any other deletion is held
  fs::remove(canary);
  auto r = sync();
  EXPECT_EQ(r.state, SyncRunState::kCompleted) << r.message;
  EXPECT_EQ(r.deleted, 1);
  fs::remove(root_ + "/sub/" + std::string(ingest::kCanaryPrefix) + "deep.md");
  EXPECT_EQ(sync().state, SyncRunState::kHeld);
}

}  // namespace
}  // namespace ward::testing
