// GroupUpdate events (connector.h) through the real sync runner, the jsonl connector's group
// lines and the SQLite sync store: a source's group gets exactly the members of its last line, a
// member removed at the source is gone from the next search, a group of a Ward admin, of another
// source or of a role is refused, unknown members are skipped with a problem line, and the
// membership lag appears for sources that manage groups (docs/design/ingest.md, "Group
// membership").
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "testutil/test_env.h"
#include "ward/ingest/sync_runner.h"
#include "ward/store/sync_store.h"
#include "ward/store/tool_store.h"

namespace ward::testing {
namespace {

namespace fs = std::filesystem;

class GroupSyncTest : public ::testing::Test {
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
    for (const char* user : {"alice", "bob"}) {
      ASSERT_TRUE(
          ward_->store->createPrincipal(ward_->tenant, user, identity::PrincipalKind::kUser, false)
              .ok());
    }
    ASSERT_TRUE(
        ward_->store
            ->createPrincipal(ward_->tenant, "staff", identity::PrincipalKind::kGroup, false)
            .ok());
  }

  ingest::SourceConfig jsonlSource(const std::string& name, const std::string& lines) {
    const std::string path = tmp_.file(name + ".jsonl");
    std::ofstream(path) << lines;
    ingest::SourceConfig s;
    s.name = name;
    s.connector = "jsonl";
    s.root = path;
    s.page_items = 2;
    return s;
  }

  Result<ingest::SyncResult> sync(const ingest::SourceConfig& source) {
    ingest::SyncDeps d;
    d.store = ward_->store.get();
    d.sync = sync_.get();
    d.approvals = tools_.get();
    d.index = ward_->index.get();
    d.traces = ward_->traces.get();
    d.env.refused_dirs = {tmp_.file("data")};
    d.env.max_file_bytes = 1 << 20;
    d.lock_dir = tmp_.file("locks");
    return ingest::SyncRunner(std::move(d)).run(ward_->tenant, source, {});
  }

  std::vector<std::string> groupsOf(const std::string& who) {
    auto p = identity::resolvePrincipal(*ward_->store, ward_->tenant, who);
    EXPECT_TRUE(p.ok()) << p.status().toString();
    return p.ok() ? p->groups : std::vector<std::string>{};
  }
  static bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  std::vector<std::string> hits(const std::string& who) {
    auto r = ward_->searchAs(who, "quokka");
    EXPECT_TRUE(r.ok()) << r.status().toString();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const auto& h : r->hits) ids.push_back(h.doc_id);
    }
    return ids;
  }
  static bool mentions(const std::vector<ingest::IngestProblem>& problems,
                       const std::string& text) {
    return std::any_of(problems.begin(), problems.end(), [&](const ingest::IngestProblem& p) {
      return p.message.find(text) != std::string::npos;
    });
  }

  TempDir tmp_;
  std::unique_ptr<WardInstance> ward_;
  std::unique_ptr<store::SyncStore> sync_;
  std::unique_ptr<store::ToolStore> tools_;
};

constexpr const char* kDoc =
    R"({"id": "eng-plan", "text": "The quokka plan.", "acl": {"groups": ["eng"]}})"
    "\n";

TEST_F(GroupSyncTest, TheSourcesGroupFollowsItsLastLine) {
  auto first = sync(jsonlSource(
      "hr", std::string(kDoc) + R"({"group": "eng", "members": ["alice", "bob", "ghost"]})"
                                "\n"));
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_EQ(first->run.state, store::SyncRunState::kCompleted);
  EXPECT_TRUE(has(groupsOf("alice"), "eng"));
  EXPECT_TRUE(has(groupsOf("bob"), "eng"));
  EXPECT_EQ(hits("alice"), std::vector<std::string>{"eng-plan"});
  EXPECT_TRUE(mentions(first->problems, "member 'ghost' is not a principal of the tenant"));
  EXPECT_EQ(*sync_->groupManager(ward_->tenant, "eng"), std::optional<std::string>("hr"));

  // Alice leaves the group at the source: the next search no longer finds the group's document.
  auto second = sync(jsonlSource("hr", std::string(kDoc) + R"({"group": "eng", "members": ["bob"]})"
                                                           "\n"));
  ASSERT_TRUE(second.ok()) << second.status().toString();
  EXPECT_FALSE(has(groupsOf("alice"), "eng"));
  EXPECT_TRUE(has(groupsOf("bob"), "eng"));
  EXPECT_TRUE(hits("alice").empty());
  EXPECT_EQ(hits("bob"), std::vector<std::string>{"eng-plan"});

  // The membership lag is shown beside the others for a source that manages groups.
  auto sources = ingest::sourcesJson(*sync_, ward_->tenant, {jsonlSource("hr", kDoc)},
                                     SystemClock::instance().nowMicros());
  ASSERT_TRUE(sources.ok());
  EXPECT_TRUE((*sources)[0]["lag_s"]["membership"].is_number()) << (*sources)[0].dump();
  auto none = ingest::sourcesJson(*sync_, ward_->tenant, {jsonlSource("docs", kDoc)},
                                  SystemClock::instance().nowMicros());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)[0]["lag_s"]["membership"].is_null());
}

TEST_F(GroupSyncTest, AGroupThatDisappearsFromACompletePassIsEmptied) {
  const std::string groups = R"({"group": "eng", "members": ["alice", "bob"]})"
                             "\n"
                             R"({"group": "ops", "members": ["bob"]})"
                             "\n";
  auto first = sync(jsonlSource("hr", std::string(kDoc) + groups));
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_EQ(hits("alice"), std::vector<std::string>{"eng-plan"});

  // eng is gone from the source, but the pass had a failure: an incomplete pass changes nothing.
  auto partial =
      sync(jsonlSource("hr", std::string(kDoc) + R"({"group": "ops", "members": ["bob"]})"
                                                 "\nnot json\n"));
  ASSERT_TRUE(partial.ok()) << partial.status().toString();
  EXPECT_EQ(partial->run.state, store::SyncRunState::kPartial);
  EXPECT_TRUE(has(groupsOf("alice"), "eng"));
  EXPECT_EQ(hits("alice"), std::vector<std::string>{"eng-plan"});

  // A complete, clean pass that no longer reports eng empties it with its final row.
  auto complete =
      sync(jsonlSource("hr", std::string(kDoc) + R"({"group": "ops", "members": ["bob"]})"
                                                 "\n"));
  ASSERT_TRUE(complete.ok()) << complete.status().toString();
  EXPECT_EQ(complete->run.state, store::SyncRunState::kCompleted);
  EXPECT_FALSE(has(groupsOf("alice"), "eng"));
  EXPECT_FALSE(has(groupsOf("bob"), "eng"));
  EXPECT_TRUE(has(groupsOf("bob"), "ops")) << "a group the pass reported keeps its members";
  EXPECT_TRUE(hits("alice").empty()) << "the group's document is no longer readable through it";
  EXPECT_TRUE(hits("bob").empty());
  // The group stays the source's (a later line may fill it again).
  EXPECT_EQ(*sync_->groupManager(ward_->tenant, "eng"), std::optional<std::string>("hr"));
  auto again = sync(jsonlSource("hr", std::string(kDoc) + groups));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(hits("alice"), std::vector<std::string>{"eng-plan"});
}

TEST_F(GroupSyncTest, GroupsTheSourceDoesNotManageAreRefused) {
  auto own = sync(jsonlSource("hr", R"({"group": "eng", "members": ["bob"]})"
                                    "\n"));
  ASSERT_TRUE(own.ok());
  auto r = sync(jsonlSource("wiki", R"({"group": "staff", "members": ["alice"]})"
                                    "\n"
                                    R"({"group": "approvers", "members": ["alice"]})"
                                    "\n"
                                    R"({"group": "eng", "members": ["alice"]})"
                                    "\n"
                                    R"({"group": "alice", "members": ["bob"]})"
                                    "\n"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->run.refused, 4);
  EXPECT_TRUE(mentions(r->problems, "grants a role"));
  EXPECT_TRUE(mentions(r->problems, "managed by source 'hr'"));
  EXPECT_TRUE(mentions(r->problems, "not a group this source manages"));
  EXPECT_TRUE(groupsOf("alice").empty());  // not in staff, approvers or eng
  EXPECT_FALSE(ward_->store->findPrincipal(ward_->tenant, "approvers").ok());
  EXPECT_EQ(groupsOf("bob"), std::vector<std::string>{"eng"});
}

TEST_F(GroupSyncTest, ABadGroupLineIsAFailureNotAGroup) {
  auto r = sync(jsonlSource("hr", R"({"group": "eng", "members": ["alice"], "extra": 1})"
                                  "\n"
                                  R"({"group": "bad name", "members": []})"
                                  "\n"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->run.failed, 2);
  EXPECT_TRUE(mentions(r->problems, "a group line is exactly"));
  EXPECT_FALSE(ward_->store->findPrincipal(ward_->tenant, "eng").ok());
}

}  // namespace
}  // namespace ward::testing
