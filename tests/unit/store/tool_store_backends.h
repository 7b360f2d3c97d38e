// The two ToolStore implementations as GoogleTest type parameters: SQLite (a fresh ward.db per
// test) and PostgreSQL (a fresh schema in the test cluster, pg_test_env.h). The typed suites
// (tool_store_conformance_test.cc, tool_store_transitions_test.cc) are named "<Suite>/Sqlite.*"
// and "<Suite>/Postgres.*", the names CMakeLists.txt routes to the ward_pg fixture.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "pg_test_env.h"
#include "testutil/temp_dir.h"
#include "ward/store/pg_store.h"
#include "ward/store/tool_store.h"

namespace ward::testing {

// The enum of a state the test names (its data tables are the wire strings); fails the test on
// a name the store does not know.
inline store::ApprovalState approvalState(const std::string& name) {
  auto s = store::parseApprovalState(name);
  EXPECT_TRUE(s.ok()) << s.status().toString();
  return s.ok() ? *s : store::ApprovalState::kPending;
}
inline std::string stateName(store::ApprovalState s) { return std::string(store::toString(s)); }

struct SqliteTools {
  static constexpr const char* kName = "Sqlite";
  void prepare() {}
  Result<std::unique_ptr<store::ToolStore>> open() {
    return store::openSqliteToolStore(dir.file("ward.db"));
  }
  TempDir dir;
};

struct PostgresTools {
  static constexpr const char* kName = "Postgres";
  void prepare() { resetPgSchema(); }
  Result<std::unique_ptr<store::ToolStore>> open() { return store::openPgToolStore(pgTestUrl()); }
};

struct ToolBackendName {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
using ToolBackends = ::testing::Types<SqliteTools, PostgresTools>;

}  // namespace ward::testing
