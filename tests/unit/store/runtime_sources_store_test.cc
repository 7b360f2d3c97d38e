// Schema step 9 (docs/formats/ward-db.md): the runtime sources' table (create, clash, limit,
// replace, remove), and a schema-8 database migrated forward with its runs kept.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "testutil/temp_dir.h"
#include "ward/store/sync_store.h"

namespace ward::testing {
namespace {

store::RuntimeSourceRecord record(const std::string& name, const std::string& config) {
  store::RuntimeSourceRecord r;
  r.tenant = "default";
  r.name = name;
  r.config = config;
  r.created_by = "admin";
  return r;
}

std::string metaSchema(const std::string& path) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema'", -1, &st, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

TEST(RuntimeSourcesStoreTest, CreateClashLimitReplaceAndRemove) {
  TempDir dir;
  auto sync = store::openSqliteSyncStore(dir.file("ward.db"));
  ASSERT_TRUE(sync.ok()) << sync.status().toString();
  auto& s = **sync;
  ASSERT_TRUE(s.createSource(record("wiki", R"({"name":"wiki"})"), 2).ok());
  EXPECT_EQ(s.createSource(record("wiki", "{}"), 2).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(s.createSource(record("crm", R"({"name":"crm"})"), 2).ok());
  Status full = s.createSource(record("hr", "{}"), 2);
  EXPECT_EQ(full.code(), StatusCode::kFailedPrecondition) << full.toString();
  auto listed = s.listSources("default");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "crm");  // by name
  EXPECT_EQ((*listed)[1].created_by, "admin");
  EXPECT_GT((*listed)[1].created_at, 0);
  EXPECT_TRUE(s.listSources("other")->empty()) << "per tenant";

  ASSERT_TRUE(s.replaceSource(record("wiki", R"({"name":"wiki","schedule_s":60})")).ok());
  auto wiki = s.getSource("default", "wiki");
  ASSERT_TRUE(wiki.ok() && wiki->has_value());
  EXPECT_EQ((*wiki)->config, R"({"name":"wiki","schedule_s":60})");
  EXPECT_GE((*wiki)->updated_at, (*wiki)->created_at);
  EXPECT_EQ(s.replaceSource(record("nope", "{}")).code(), StatusCode::kNotFound);

  ASSERT_TRUE(s.setSourceRemoving("default", "wiki").ok());
  EXPECT_TRUE((*s.getSource("default", "wiki"))->removing);
  ASSERT_TRUE(s.deleteSource("default", "wiki").ok());
  EXPECT_FALSE(s.getSource("default", "wiki")->has_value());
  EXPECT_EQ(s.deleteSource("default", "wiki").code(), StatusCode::kNotFound);
}

TEST(RuntimeSourcesStoreTest, ASchema8DatabaseIsMigrated) {
  TempDir dir;
  const std::string path = dir.file("ward.db");
  int64_t run_id = 0;
  {
    auto sync = store::openSqliteSyncStore(path);
    ASSERT_TRUE(sync.ok()) << sync.status().toString();
    auto run = (*sync)->startRun("default", "hb", false);
    ASSERT_TRUE(run.ok());
    run_id = run->id;
  }
  EXPECT_EQ(metaSchema(path), "10");
  {
    // Back to what schema step 8 left: no step-9 tables or column (nor step 10's).
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TABLE sources; DROP TABLE sync_run_groups; "
                           "ALTER TABLE sync_runs DROP COLUMN full_since; "
                           "ALTER TABLE sync_runs DROP COLUMN requests; "
                           "UPDATE meta SET value='8' WHERE key='schema';",
                           nullptr, nullptr, &err),
              SQLITE_OK)
        << err;
    sqlite3_close(db);
  }
  EXPECT_EQ(metaSchema(path), "8");
  auto sync = store::openSqliteSyncStore(path);
  ASSERT_TRUE(sync.ok()) << sync.status().toString();
  EXPECT_EQ(metaSchema(path), "10");
  auto runs = (*sync)->listRuns("default", "hb", 10);
  ASSERT_TRUE(runs.ok()) << runs.status().toString();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().id, run_id);
  EXPECT_EQ(runs->front().full_since, 0) << "a run from before step 9 is no backfill";
  EXPECT_TRUE((*sync)->createSource(record("wiki", "{}"), 64).ok());
  auto backfill = (*sync)->startRun("default", "wiki", true, 123);
  ASSERT_TRUE(backfill.ok());
  EXPECT_EQ((*(*sync)->runningRun("default", "wiki"))->full_since, 123);
}

TEST(RuntimeSourcesStoreTest, ASchema9DatabaseGetsTheRequestsColumn) {
  TempDir dir;
  const std::string path = dir.file("ward.db");
  {
    auto sync = store::openSqliteSyncStore(path);
    ASSERT_TRUE(sync.ok()) << sync.status().toString();
    ASSERT_TRUE((*sync)->startRun("default", "old", false).ok());
  }
  {
    // Back to what schema step 9 left: no `requests` column.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db,
                           "ALTER TABLE sync_runs DROP COLUMN requests; "
                           "UPDATE meta SET value='9' WHERE key='schema';",
                           nullptr, nullptr, &err),
              SQLITE_OK)
        << err;
    sqlite3_close(db);
  }
  auto sync = store::openSqliteSyncStore(path);
  ASSERT_TRUE(sync.ok()) << sync.status().toString();
  EXPECT_EQ(metaSchema(path), "10");
  auto old = (*sync)->listRuns("default", "old", 1);
  ASSERT_TRUE(old.ok() && old->size() == 1u);
  EXPECT_EQ(old->front().requests, 0) << "a run from before step 10 counted no requests";
  // A finished run keeps the requests the connector reported.
  auto run = (*sync)->startRun("default", "slack", false);
  ASSERT_TRUE(run.ok());
  run->state = store::SyncRunState::kCompleted;
  run->requests = 463;
  ASSERT_TRUE((*sync)->finishRun(*run, {}, false, nullptr).ok());
  auto back = (*sync)->listRuns("default", "slack", 1);
  ASSERT_TRUE(back.ok() && back->size() == 1u);
  EXPECT_EQ(back->front().requests, 463);
}

}  // namespace
}  // namespace ward::testing
