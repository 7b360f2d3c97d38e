// The PostgreSQL the store tests run against: the throwaway cluster that the CTest fixture
// `ward_pg` starts (tests/scripts/pg_cluster.sh) and names in WARD_TEST_PG_URL. Without it the
// PostgreSQL tests FAIL, they never skip.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "pg/pg_conn.h"

namespace ward::testing {

inline std::string pgTestUrl() {
  const char* url = std::getenv("WARD_TEST_PG_URL");
  return url ? url : "";
}

// An empty `public` schema in the test database (the tests run one at a time: RESOURCE_LOCK).
// Fails the test when no cluster is configured or reachable.
inline void resetPgSchema() {
  std::string url = pgTestUrl();
  ASSERT_FALSE(url.empty())
      << "WARD_TEST_PG_URL is not set: run the PostgreSQL tests through ctest (fixture ward_pg) "
         "or start a cluster with tests/scripts/pg_cluster.sh start DIR";
  auto conn = store::pg::PgConn::connect(url);
  ASSERT_TRUE(conn.ok()) << conn.status().toString();
  ASSERT_TRUE(
      (*conn)->script("reset schema", "DROP SCHEMA public CASCADE; CREATE SCHEMA public").ok());
}

}  // namespace ward::testing
