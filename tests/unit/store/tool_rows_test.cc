// A tool-store row whose state, subject kind or scope is none of the enum's strings (written by
// something other than Ward) is refused as Corruption naming the value, on read and in listings,
// instead of being taken for some other value. SQLite only: the rows are edited through sqlite3.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "testutil/temp_dir.h"
#include "ward/store/tool_store.h"

namespace ward::store {
namespace {

class ToolRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = openSqliteToolStore(dir_.file("ward.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().toString();
    tools_ = std::move(opened).value();
  }

  // Runs one statement on ward.db behind the store's back.
  void rawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.file("ward.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string why = err != nullptr ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << why;
  }

  static void expectCorruption(const Status& s, const std::string& value) {
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.toString();
    EXPECT_NE(s.message().find("'" + value + "'"), std::string::npos) << s.toString();
  }

  testing::TempDir dir_;
  std::unique_ptr<ToolStore> tools_;
};

TEST_F(ToolRowsTest, AnApprovalInAnUnknownStateIsCorruption) {
  ApprovalRecord a;
  a.id = "apr_1";
  a.tenant = "default";
  a.tool = "refund";
  a.version = "1.0.0";
  a.requester = "alice";
  a.state = ApprovalState::kPending;
  a.expires_at = 1'000'000;
  ASSERT_TRUE(tools_->createApproval(a).ok());
  ASSERT_EQ(tools_->getApproval("default", "apr_1")->state, ApprovalState::kPending);
  rawExec("UPDATE approvals SET state='on_hold' WHERE id='apr_1'");
  expectCorruption(tools_->getApproval("default", "apr_1").status(), "on_hold");
  expectCorruption(tools_->listApprovals("default", std::nullopt, 10).status(), "on_hold");
  // A filter by state does not see it, and a move from any state is refused without a write.
  EXPECT_TRUE(tools_->listApprovals("default", ApprovalState::kPending, 10)->empty());
  ApprovalRecord to;
  to.state = ApprovalState::kApproved;
  EXPECT_FALSE(tools_->transitionApproval("default", "apr_1", ApprovalState::kPending, to).ok());
}

TEST_F(ToolRowsTest, AGrantOfAnUnknownSubjectKindIsCorruption) {
  GrantRecord g;
  g.tenant = "default";
  g.subject_kind = GrantSubjectKind::kGroup;
  g.subject = "eng";
  g.tool = "refund";
  ASSERT_TRUE(tools_->addGrant(g).ok());
  auto listed = tools_->listGrants("default");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].subject_kind, GrantSubjectKind::kGroup);
  rawExec("UPDATE tool_grants SET subject_kind='team'");
  expectCorruption(tools_->listGrants("default").status(), "team");
}

TEST_F(ToolRowsTest, AModeOfAnUnknownScopeIsCorruption) {
  ModeRecord m;
  m.scope = ModeScope::kTenant;
  m.tenant = "default";
  m.read_only = true;
  ASSERT_TRUE(tools_->setMode(m).ok());
  auto listed = tools_->listModes("default");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].scope, ModeScope::kTenant);
  rawExec("UPDATE tool_modes SET scope='region'");
  expectCorruption(tools_->listModes("default").status(), "region");
}

}  // namespace
}  // namespace ward::store
