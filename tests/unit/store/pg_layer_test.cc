// The libpq layer (src/store/pg): results and parameters, the SQLSTATE -> Status mapping,
// transactions that roll back unless committed, the pool (reuse, a terminated connection is
// dropped and replaced) and the retry of serialization failures. Against the test cluster.
#include <gtest/gtest.h>

#include "pg/pg_conn.h"
#include "pg/pg_pool.h"
#include "pg_test_env.h"
#include "testutil/temp_dir.h"

namespace ward {
namespace {

using store::pg::PgConn;
using store::pg::PgParams;
using store::pg::PgPool;
using store::pg::PgResult;
using store::pg::PgTransaction;

class PgLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::resetPgSchema());
    auto c = PgConn::connect(testing::pgTestUrl());
    ASSERT_TRUE(c.ok()) << c.status().toString();
    conn_ = std::move(c).value();
    ASSERT_TRUE(conn_->script("create", "CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT)").ok());
  }

  int64_t count() {
    auto r = conn_->query("count", "SELECT COUNT(*) FROM t");
    EXPECT_TRUE(r.ok()) << r.status().toString();
    return r.ok() ? r->int64(0, 0) : -1;
  }

  std::unique_ptr<PgConn> conn_;
};

TEST_F(PgLayerTest, ParametersRoundTripTextQuotesAndNull) {
  std::string odd = "it's \"quoted\"; DROP TABLE t; -- ünïcode";
  ASSERT_TRUE(
      conn_->query("insert", "INSERT INTO t(k,v) VALUES($1,$2)", PgParams().add(odd).addNull())
          .ok());
  auto r = conn_->query("read", "SELECT k, v, v IS NULL FROM t WHERE k=$1", PgParams().add(odd));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_EQ(r->rows(), 1);
  EXPECT_EQ(r->text(0, 0), odd);
  EXPECT_TRUE(r->isNull(0, 1));
  EXPECT_TRUE(r->boolean(0, 2));
  auto n = conn_->query("numbers", "SELECT $1::bigint + 1, $2::boolean",
                        PgParams().add(int64_t{9'000'000'000}).add(false));
  ASSERT_TRUE(n.ok()) << n.status().toString();
  EXPECT_EQ(n->int64(0, 0), 9'000'000'001);
  EXPECT_FALSE(n->boolean(0, 1));
}

TEST_F(PgLayerTest, ErrorsMapToStatusCodes) {
  ASSERT_TRUE(conn_->query("insert", "INSERT INTO t(k) VALUES('a')").ok());
  auto dup = conn_->query("insert again", "INSERT INTO t(k) VALUES('a')");
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists) << dup.status().toString();
  EXPECT_EQ(conn_->lastSqlState(), "23505");
  EXPECT_NE(dup.status().message().find("insert again"), std::string::npos);
  auto bad = conn_->query("cast", "SELECT $1::integer", PgParams().add("not a number"));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << bad.status().toString();
  auto syntax = conn_->query("typo", "SELEKT 1");
  EXPECT_EQ(syntax.status().code(), StatusCode::kInternal);
  EXPECT_TRUE(conn_->query("after errors", "SELECT 1").ok()) << "the connection stays usable";

  EXPECT_EQ(store::pg::statusForSqlState("40001", "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store::pg::statusForSqlState("40P01", "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store::pg::statusForSqlState("08006", "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store::pg::statusForSqlState("57P01", "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store::pg::statusForSqlState("XX001", "x").code(), StatusCode::kCorruption);
  EXPECT_TRUE(store::pg::isRetryableSqlState("40001"));
  EXPECT_TRUE(store::pg::isRetryableSqlState("40P01"));
  EXPECT_FALSE(store::pg::isRetryableSqlState("23505"));
}

TEST_F(PgLayerTest, UnreachableServerIsUnavailable) {
  testing::TempDir empty;
  auto c = PgConn::connect("postgresql:///ward_test?host=" + empty.path() + "&connect_timeout=2");
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable) << c.status().toString();
  auto pool = PgPool::open("postgresql:///ward_test?host=" + empty.path());
  EXPECT_EQ(pool.status().code(), StatusCode::kUnavailable);
  // TLS options pass through to libpq untouched: it reads (and here refuses) the sslmode.
  auto tls = PgConn::connect(testing::pgTestUrl() + "&sslmode=bogus");
  EXPECT_EQ(tls.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(tls.status().message().find("sslmode"), std::string::npos) << tls.status().toString();
}

TEST_F(PgLayerTest, TransactionRollsBackUnlessCommitted) {
  {
    PgTransaction tx(*conn_);
    ASSERT_TRUE(tx.begin().ok());
    ASSERT_TRUE(conn_->query("insert", "INSERT INTO t(k) VALUES('gone')").ok());
  }
  EXPECT_FALSE(conn_->inTransaction());
  EXPECT_EQ(count(), 0);
  {
    PgTransaction tx(*conn_);
    ASSERT_TRUE(tx.begin().ok());
    ASSERT_TRUE(conn_->query("insert", "INSERT INTO t(k) VALUES('kept')").ok());
    ASSERT_TRUE(tx.commit().ok());
  }
  EXPECT_EQ(count(), 1);
}

TEST_F(PgLayerTest, PoolRetriesSerializationFailuresOnly) {
  auto pool = PgPool::open(testing::pgTestUrl(), 2);
  ASSERT_TRUE(pool.ok()) << pool.status().toString();
  int runs = 0;
  Status s = (*pool)->transaction([&](PgConn& db) -> Status {
    ++runs;
    WARD_RETURN_IF_ERROR(db.query("insert", "INSERT INTO t(k) VALUES($1)",
                                  PgParams().add("r" + std::to_string(runs)))
                             .status());
    if (runs == 1) {
      return db.script("fail",
                       "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; "
                       "END $$");
    }
    return Status();
  });
  EXPECT_TRUE(s.ok()) << s.toString();
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(count(), 1) << "the failed run rolled back";

  runs = 0;
  s = (*pool)->transaction([&](PgConn& db) -> Status {
    ++runs;
    return db.query("dup", "INSERT INTO t(k) VALUES('r2')").status();
  });
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(runs, 1) << "a unique violation is not retried unless the caller asks";

  runs = 0;
  s = (*pool)->transaction([&](PgConn& db) -> Status {
    ++runs;
    return db.script("fail",
                     "DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; "
                     "END $$");
  });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(runs, store::pg::kTransactionAttempts);
}

TEST_F(PgLayerTest, PoolDropsATerminatedConnectionAndReconnects) {
  auto pool = PgPool::open(testing::pgTestUrl(), 1);
  ASSERT_TRUE(pool.ok()) << pool.status().toString();
  {
    auto lease = (*pool)->acquire();
    ASSERT_TRUE(lease.ok());
    auto pid = (*lease)->query("pid", "SELECT pg_backend_pid()");
    ASSERT_TRUE(pid.ok());
    ASSERT_TRUE(conn_
                    ->query("kill", "SELECT pg_terminate_backend($1::int)",
                            PgParams().add(pid->int64(0, 0)))
                    .ok());
    auto after = (*lease)->query("after kill", "SELECT 1");
    EXPECT_EQ(after.status().code(), StatusCode::kUnavailable) << after.status().toString();
    EXPECT_TRUE((*lease)->broken());
  }
  EXPECT_EQ((*pool)->openConnections(), 0u) << "the broken connection is dropped";
  auto lease = (*pool)->acquire();
  ASSERT_TRUE(lease.ok()) << lease.status().toString();
  EXPECT_TRUE((*lease)->query("fresh", "SELECT 1").ok());
}

TEST_F(PgLayerTest, ATransactionOnAnIdleConnectionTheServerDroppedRunsOnANewOne) {
  auto pool = PgPool::open(testing::pgTestUrl(), 1);
  ASSERT_TRUE(pool.ok()) << pool.status().toString();
  int64_t pid = 0;
  {
    auto lease = (*pool)->acquire();
    ASSERT_TRUE(lease.ok());
    pid = (*lease)->query("pid", "SELECT pg_backend_pid()")->int64(0, 0);
  }
  ASSERT_TRUE(
      conn_->query("kill", "SELECT pg_terminate_backend($1::int, 5000)", PgParams().add(pid)).ok());
  int runs = 0;
  Status s = (*pool)->transaction([&](PgConn& db) -> Status {
    ++runs;
    return db.query("insert", "INSERT INTO t(k) VALUES('after restart')").status();
  });
  EXPECT_TRUE(s.ok()) << s.toString();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(count(), 1);
}

TEST_F(PgLayerTest, PoolReusesConnectionsUpToItsLimit) {
  auto pool = PgPool::open(testing::pgTestUrl(), 2);
  ASSERT_TRUE(pool.ok());
  {
    auto a = (*pool)->acquire();
    auto b = (*pool)->acquire();
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ((*pool)->openConnections(), 2u);
  }
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*pool)->acquire().ok());
  EXPECT_EQ((*pool)->openConnections(), 2u);
}

}  // namespace
}  // namespace ward
