// WardConfig::load: defaults, unknown keys, wrong types, ranges; the default file round-trips.
#include "ward/common/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testutil/temp_dir.h"

namespace ward {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  Result<WardConfig> load(const std::string& toml) {
    std::string path = dir_.file("ward.toml");
    std::ofstream(path) << toml;
    return WardConfig::load(path);
  }
  testing::TempDir dir_;
};

TEST_F(ConfigTest, MissingFileGivesDefaults) {
  auto c = WardConfig::load(dir_.file("absent.toml"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tenant, "default");
  EXPECT_EQ(c->server.listen, "127.0.0.1:7411");
  EXPECT_EQ(c->search.default_k, 10);
  EXPECT_EQ(c->search.max_k, 1000);
  EXPECT_DOUBLE_EQ(c->search.k1, 1.2);
  EXPECT_EQ(c->ingest.chunk_tokens, 512u);
}

TEST_F(ConfigTest, EmptyFileGivesDefaults) {
  auto c = load("");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->search.default_k, 10);
}

TEST_F(ConfigTest, DefaultTomlLoadsToDefaults) {
  auto c = load(WardConfig::defaultToml());
  ASSERT_TRUE(c.ok()) << c.status().toString();
  WardConfig d;
  EXPECT_EQ(c->tenant, d.tenant);
  EXPECT_EQ(c->server.listen, d.server.listen);
  EXPECT_EQ(c->server.max_body_bytes, d.server.max_body_bytes);
  EXPECT_EQ(c->server.threads, d.server.threads);
  EXPECT_EQ(c->server.metrics_data_gauges, d.server.metrics_data_gauges);
  EXPECT_FALSE(d.server.metrics_data_gauges);  // opt-in: /metrics has no authentication
  EXPECT_EQ(c->ingest.max_file_bytes, d.ingest.max_file_bytes);
  EXPECT_EQ(c->ingest.max_record_bytes, d.ingest.max_record_bytes);
  EXPECT_EQ(c->ingest.chunk_tokens, d.ingest.chunk_tokens);
  EXPECT_EQ(c->ingest.chunk_max_tokens, d.ingest.chunk_max_tokens);
  EXPECT_EQ(c->ingest.table_rows_per_chunk, d.ingest.table_rows_per_chunk);
  EXPECT_EQ(c->search.k1, d.search.k1);
  EXPECT_EQ(c->search.b, d.search.b);
  EXPECT_EQ(c->search.title_weight, d.search.title_weight);
  EXPECT_EQ(c->search.default_k, d.search.default_k);
  EXPECT_EQ(c->search.max_k, d.search.max_k);
  EXPECT_EQ(c->search.max_query_bytes, d.search.max_query_bytes);
  EXPECT_EQ(c->search.max_query_terms, d.search.max_query_terms);
  EXPECT_EQ(c->index.segment_chunks, d.index.segment_chunks);
  EXPECT_EQ(c->index.merge_factor, d.index.merge_factor);
  EXPECT_EQ(c->audit.segment_bytes, d.audit.segment_bytes);
  EXPECT_EQ(c->audit.max_record_bytes, d.audit.max_record_bytes);
  EXPECT_EQ(c->audit.checkpoint_records, d.audit.checkpoint_records);
  EXPECT_EQ(c->audit.checkpoint_seconds, d.audit.checkpoint_seconds);
}

TEST_F(ConfigTest, AuditKeysAreAppliedAndChecked) {
  auto c = load(
      "[audit]\ncheckpoint_records = 50\ncheckpoint_seconds = 5\n"
      "segment_bytes = 2097152\nmax_record_bytes = 4096\n");
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->audit.checkpoint_records, 50);
  EXPECT_EQ(c->audit.checkpoint_seconds, 5);
  EXPECT_EQ(c->audit.segment_bytes, 2097152u);
  EXPECT_EQ(c->audit.max_record_bytes, 4096u);
  for (const char* toml : {"[audit]\ncheckpoint_records = 0\n", "[audit]\nsegment_bytes = 10\n",
                           "[audit]\nmax_record_bytes = 99999999\n"}) {
    auto bad = load(toml);
    ASSERT_FALSE(bad.ok()) << toml;
    EXPECT_NE(bad.status().message().find("audit."), std::string::npos) << bad.status().message();
  }
  EXPECT_FALSE(load("[audit]\ncheckpoint_every = 5\n").ok());
}

TEST_F(ConfigTest, ValuesAreApplied) {
  auto c = load("tenant = \"acme\"\n[search]\nk1 = 1.5\ndefault_k = 25\n[server]\nthreads = 8\n");
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->tenant, "acme");
  EXPECT_DOUBLE_EQ(c->search.k1, 1.5);
  EXPECT_EQ(c->search.default_k, 25);
  EXPECT_EQ(c->server.threads, 8);
}

TEST_F(ConfigTest, IntegerAcceptedForFloatingSetting) {
  auto c = load("[search]\nk1 = 2\n");
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_DOUBLE_EQ(c->search.k1, 2.0);
}

TEST_F(ConfigTest, UnknownKeyIsNamed) {
  auto c = load("[search]\ndefault_kk = 5\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("search.default_kk"), std::string::npos)
      << c.status().message();
  auto top = load("colour = \"red\"\n");
  ASSERT_FALSE(top.ok());
  EXPECT_NE(top.status().message().find("colour"), std::string::npos);
  auto section = load("[serch]\nk1 = 1.0\n");
  ASSERT_FALSE(section.ok());
  EXPECT_NE(section.status().message().find("serch.k1"), std::string::npos);
}

TEST_F(ConfigTest, WrongTypeIsNamed) {
  for (const char* toml :
       {"[search]\ndefault_k = \"ten\"\n", "[search]\ndefault_k = 2.5\n",
        "[server]\nlisten = 7411\n", "tenant = true\n", "[search]\nk1 = \"x\"\n"}) {
    auto c = load(toml);
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << toml;
    EXPECT_NE(c.status().message().find("must be"), std::string::npos) << c.status().message();
  }
  auto c = load("[search]\ndefault_k = \"ten\"\n");
  EXPECT_NE(c.status().message().find("search.default_k"), std::string::npos);
}

TEST_F(ConfigTest, OutOfRangeIsNamed) {
  for (const char* toml : {"[search]\ndefault_k = 0\n", "[search]\nb = 1.5\n",
                           "[server]\nthreads = 0\n", "[server]\nthreads = 100000\n",
                           "[index]\nmerge_factor = 1\n", "[ingest]\nchunk_tokens = -5\n"}) {
    auto c = load(toml);
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << toml;
    EXPECT_NE(c.status().message().find("between"), std::string::npos) << c.status().message();
  }
}

TEST_F(ConfigTest, ChunkMaxBelowTargetIsRejected) {
  auto c = load("[ingest]\nchunk_tokens = 512\nchunk_max_tokens = 100\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("chunk_max_tokens"), std::string::npos);
}

TEST_F(ConfigTest, SyntaxErrorNamesTheLine) {
  auto c = load("tenant = \"a\"\n[search\nk1 = 1\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("line 2"), std::string::npos) << c.status().message();
}

TEST_F(ConfigTest, AuditExportAndRetentionKeys) {
  auto c = load(
      "[audit]\nencrypt_subjects = false\nretention_days = 90\n"
      "[audit.tenant_retention_days]\nacme = 30\n"
      "[audit.export]\notlp_endpoint = \"http://collector:4318\"\notlp_allow_loopback = true\n"
      "otlp_include_content = true\nqueue_events = 500\njsonl_path = \"siem/a.jsonl\"\n"
      "jsonl_keep_files = 0\n");
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_FALSE(c->audit.encrypt_subjects);
  EXPECT_EQ(c->audit.retentionDaysFor("acme"), 30);
  EXPECT_EQ(c->audit.retentionDaysFor("other"), 90);
  EXPECT_EQ(c->audit.otlp_endpoint, "http://collector:4318");
  EXPECT_TRUE(c->audit.otlp_allow_loopback);
  EXPECT_TRUE(c->audit.otlp_include_content);
  EXPECT_EQ(c->audit.export_queue_events, 500u);
  EXPECT_EQ(c->audit.jsonl_path, "siem/a.jsonl");
  EXPECT_EQ(c->audit.jsonl_keep_files, 0);
  auto defaults = load("");
  EXPECT_TRUE(defaults->audit.encrypt_subjects);
  EXPECT_TRUE(defaults->audit.otlp_endpoint.empty());
  EXPECT_EQ(defaults->audit.retentionDaysFor("any"), 0);
  for (const char* toml :
       {"[audit]\nencrypt_subjects = 1\n", "[audit.tenant_retention_days]\nacme = \"30\"\n",
        "[audit.tenant_retention_days]\nacme = -1\n", "[audit]\ntenant_retention_days = 5\n",
        "[audit.export]\nqueue_events = 0\n", "[audit.export]\notlp_allow_loopback = \"yes\"\n",
        "[audit.export]\notlp_endpoint_x = \"a\"\n"}) {
    auto bad = load(toml);
    ASSERT_FALSE(bad.ok()) << toml;
    EXPECT_NE(bad.status().message().find("audit."), std::string::npos) << bad.status().message();
  }
}

}  // namespace
}  // namespace ward
