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
