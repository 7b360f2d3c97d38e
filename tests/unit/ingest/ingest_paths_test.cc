// IngestService::ingestPaths: folder ids, links, Ward's data dir and hostile files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testutil/test_env.h"

namespace ward::testing {
namespace {

namespace fs = std::filesystem;

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

bool anyProblem(const ingest::IngestReport& r, std::string_view item_part,
                std::string_view message_part) {
  for (const auto& p : r.problems) {
    if (p.item.find(item_part) != std::string::npos &&
        p.message.find(message_part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

class IngestPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ward_ = WardInstance::open(tmp_.file("data"));
    ASSERT_TRUE(
        ward_->store
            ->createPrincipal(ward_->tenant, "reader", identity::PrincipalKind::kUser, false)
            .ok());
  }

  Result<ingest::IngestReport> ingest(const std::vector<std::string>& paths,
                                      const std::string& source = "handbook",
                                      const std::string& root = "") {
    ingest::PathIngestOptions o;
    o.source = source;
    o.root = root;
    o.acl.is_public = true;
    o.refused_dirs = {tmp_.file("data")};
    return ward_->ingest->ingestPaths(ward_->tenant, paths, o, nullptr);
  }

  TempDir tmp_;
  std::unique_ptr<WardInstance> ward_;
};

// Ids, urls and citations used to carry the server's absolute path.
TEST_F(IngestPathsTest, IdsAreRelativeToTheRootAndQualifiedBySource) {
  std::string docs = tmp_.file("docs");
  write(docs + "/leave/parental.md", "# Parental leave\n\nSixteen weeks of parental leave.\n");
  write(docs + "/expenses.txt", "Expenses are reimbursed monthly.\n");
  auto r = ingest({docs});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->created, 2);
  for (const char* id : {"handbook:expenses.txt", "handbook:leave/parental.md"}) {
    auto d = ward_->store->getDocument(ward_->tenant, id);
    ASSERT_TRUE(d.ok()) << id;
    EXPECT_EQ(d->url, "");
  }
  auto hits = ward_->searchAs("reader", "parental leave");
  ASSERT_TRUE(hits.ok()) << hits.status().message();
  ASSERT_FALSE(hits->hits.empty());
  for (const auto& h : hits->hits) {
    std::string shown = h.toJson().dump();
    EXPECT_EQ(shown.find(tmp_.path()), std::string::npos) << shown;
  }

  // Re-ingest is idempotent, and so is ingesting the same folder after it moved.
  auto again = ingest({docs});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(again->created, 0);
  std::string moved = tmp_.file("moved");
  fs::rename(docs, moved);
  auto after_move = ingest({moved});
  ASSERT_TRUE(after_move.ok());
  EXPECT_EQ(after_move->unchanged, 2);
  EXPECT_EQ(after_move->created, 0);

  // A file on its own is relative to its folder, or to --root.
  auto with_root = ingest({moved + "/leave/parental.md"}, "handbook", moved);
  ASSERT_TRUE(with_root.ok());
  EXPECT_EQ(with_root->unchanged, 1);
  auto alone = ingest({moved + "/leave/parental.md"});
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->created, 1);
  EXPECT_TRUE(ward_->store->getDocument(ward_->tenant, "handbook:parental.md").ok());
  write(tmp_.file("other/x.md"), "Elsewhere.\n");
  auto outside = ingest({tmp_.file("other")}, "handbook", moved);
  ASSERT_TRUE(outside.ok());
  EXPECT_EQ(outside->skipped, 1);
  EXPECT_TRUE(anyProblem(*outside, "other", "not beneath the ingest root"));
}

// Documents ingested before ids were relative carry the file's absolute path; ingesting the
// file again replaces them, so a re-ingest after an upgrade leaves no duplicate.
TEST_F(IngestPathsTest, AnOldAbsolutePathIdIsReplaced) {
  std::string docs = tmp_.file("docs");
  write(docs + "/faq.md", "Frequently asked questions about narwhals.\n");
  std::string old_id = fs::canonical(docs + "/faq.md").string();
  Json records = Json::array();
  records.push_back({{"id", old_id}, {"text", "Frequently asked questions about narwhals."}});
  ASSERT_TRUE(ward_->ingestRecords(records, "files").ok());
  auto r = ingest({docs}, "files");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->created, 1);
  auto old_doc = ward_->store->getDocument(ward_->tenant, old_id);
  EXPECT_TRUE(!old_doc.ok() || old_doc->deleted);
  EXPECT_TRUE(ward_->store->getDocument(ward_->tenant, "files:faq.md").ok());
}

// A link planted in an ingested folder published Ward's signing key and config to every user.
TEST_F(IngestPathsTest, PlantedLinksAndWardsDataDirAreNotIngested) {
  std::string docs = tmp_.file("docs");
  write(docs + "/doc.md", "Ordinary document.\n");
  write(tmp_.file("data/notes.md"), "Inside the data dir.\n");
  write(tmp_.file("secret/key.md"), "TOPSECRET signing key\n");
  fs::create_symlink(tmp_.file("secret/key.md"), docs + "/key.md");
  fs::create_symlink(tmp_.file("data"), docs + "/data-link");
  auto r = ingest({docs});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->created, 1);
  EXPECT_TRUE(anyProblem(*r, "key.md", "symbolic link: not followed"));
  EXPECT_TRUE(anyProblem(*r, "data-link", "symbolic link: not followed"));
  auto hits = ward_->searchAs("reader", "TOPSECRET");
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->hits.empty());

  // The data dir itself, named or found inside an ingested folder, is never read.
  auto named = ingest({tmp_.file("data")});
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->created, 0);
  EXPECT_TRUE(anyProblem(*named, "data", "Ward's data directory"));
  auto parent = ingest({tmp_.path()}, "all");
  ASSERT_TRUE(parent.ok());
  EXPECT_TRUE(anyProblem(*parent, "data", "Ward's data directory: never ingested"));
  EXPECT_FALSE(ward_->store->getDocument(ward_->tenant, "all:data/notes.md").ok());
  EXPECT_TRUE(ward_->store->getDocument(ward_->tenant, "all:docs/doc.md").ok());
}

// One hostile file is one problem; the files around it are ingested.
TEST_F(IngestPathsTest, AFileAtAParseLimitIsSkippedAndTheRestIsIngested) {
  std::string docs = tmp_.file("docs");
  std::string deep = "<html><body>";
  for (int i = 0; i < 1000; ++i) deep += "<div>";
  write(docs + "/a.md", "Before.\n");
  write(docs + "/deep.html", deep + "hidden text");
  write(docs + "/z.md", "After.\n");
  auto r = ingest({docs});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->created, 2);
  EXPECT_EQ(r->skipped, 1);
  EXPECT_TRUE(anyProblem(*r, "deep.html", "nested deeper than 256"));
}

}  // namespace
}  // namespace ward::testing
