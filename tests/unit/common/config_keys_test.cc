// The configuration descriptors (include/ward/common/config_keys.h): the key table of
// docs/formats/ward-toml.md and its default file are the generated ones, the generated default
// file loads to the defaults, and the generated setters' errors read as before.
#include "ward/common/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "testutil/temp_dir.h"

namespace ward {
namespace {

std::string readDoc() {
  std::ifstream in(WARD_WARD_TOML_DOC);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// With `end` empty: the paragraph of `doc` that starts with `first` (up to its blank line).
// Otherwise: the text between `first` and the next `end`. "" when absent.
std::string section(const std::string& doc, const std::string& first, const std::string& end) {
  size_t from = doc.find(first);
  if (from == std::string::npos) return "";
  if (end.empty()) {
    size_t to = doc.find("\n\n", from);
    return to == std::string::npos ? "" : doc.substr(from, to + 1 - from);
  }
  from += first.size();
  size_t to = doc.find(end, from);
  return to == std::string::npos ? "" : doc.substr(from, to - from);
}

TEST(ConfigKeysTest, TheDocumentedKeyTableIsTheGeneratedOne) {
  const std::string expected = WardConfig::markdownKeyTable();
  const std::string documented = section(readDoc(), "| key | type | default |", "");
  EXPECT_EQ(documented, expected)
      << "docs/formats/ward-toml.md's key table differs from the descriptors in "
         "src/common/config.cc; the generated table is:\n"
      << expected;
}

TEST(ConfigKeysTest, TheDocumentedDefaultFileIsTheGeneratedOne) {
  const std::string expected = WardConfig::defaultToml();
  const std::string documented = section(readDoc(), "The default file:\n\n```toml\n", "```\n");
  EXPECT_EQ(documented, expected)
      << "docs/formats/ward-toml.md's default file differs from WardConfig::defaultToml(); the "
         "generated file is:\n"
      << expected;
}

class ConfigKeysLoadTest : public ::testing::Test {
 protected:
  Result<WardConfig> load(const std::string& toml) {
    std::string path = dir_.file("ward.toml");
    std::ofstream(path) << toml;
    return WardConfig::load(path);
  }
  testing::TempDir dir_;
};

// Every field of `c` equals the default.
void expectDefaults(const WardConfig& c) {
  WardConfig d;
  EXPECT_EQ(c.tenant, d.tenant);
  EXPECT_EQ(c.server.listen, d.server.listen);
  EXPECT_EQ(c.server.max_body_bytes, d.server.max_body_bytes);
  EXPECT_EQ(c.server.threads, d.server.threads);
  EXPECT_EQ(c.server.metrics_data_gauges, d.server.metrics_data_gauges);
  EXPECT_EQ(c.ingest.max_file_bytes, d.ingest.max_file_bytes);
  EXPECT_EQ(c.ingest.max_record_bytes, d.ingest.max_record_bytes);
  EXPECT_EQ(c.ingest.chunk_tokens, d.ingest.chunk_tokens);
  EXPECT_EQ(c.ingest.chunk_max_tokens, d.ingest.chunk_max_tokens);
  EXPECT_EQ(c.ingest.table_rows_per_chunk, d.ingest.table_rows_per_chunk);
  EXPECT_EQ(c.search.k1, d.search.k1);
  EXPECT_EQ(c.search.b, d.search.b);
  EXPECT_EQ(c.search.title_weight, d.search.title_weight);
  EXPECT_EQ(c.search.heading_weight, d.search.heading_weight);
  EXPECT_EQ(c.search.body_weight, d.search.body_weight);
  EXPECT_EQ(c.search.default_k, d.search.default_k);
  EXPECT_EQ(c.search.max_k, d.search.max_k);
  EXPECT_EQ(c.search.max_query_bytes, d.search.max_query_bytes);
  EXPECT_EQ(c.search.max_query_terms, d.search.max_query_terms);
  EXPECT_EQ(c.index.segment_chunks, d.index.segment_chunks);
  EXPECT_EQ(c.index.merge_factor, d.index.merge_factor);
  EXPECT_EQ(c.index.checkpoint_changes, d.index.checkpoint_changes);
  const AuditConfig& a = c.audit;
  EXPECT_EQ(a.segment_bytes, d.audit.segment_bytes);
  EXPECT_EQ(a.max_record_bytes, d.audit.max_record_bytes);
  EXPECT_EQ(a.checkpoint_records, d.audit.checkpoint_records);
  EXPECT_EQ(a.checkpoint_seconds, d.audit.checkpoint_seconds);
  EXPECT_EQ(a.encrypt_subjects, d.audit.encrypt_subjects);
  EXPECT_EQ(a.retention_days, d.audit.retention_days);
  EXPECT_EQ(a.tenant_retention_days, d.audit.tenant_retention_days);
  EXPECT_EQ(a.export_queue_events, d.audit.export_queue_events);
  EXPECT_EQ(a.otlp_endpoint, d.audit.otlp_endpoint);
  EXPECT_EQ(a.otlp_timeout_ms, d.audit.otlp_timeout_ms);
  EXPECT_EQ(a.otlp_retries, d.audit.otlp_retries);
  EXPECT_EQ(a.otlp_allow_loopback, d.audit.otlp_allow_loopback);
  EXPECT_EQ(a.otlp_include_content, d.audit.otlp_include_content);
  EXPECT_EQ(a.otlp_service_name, d.audit.otlp_service_name);
  EXPECT_EQ(a.jsonl_path, d.audit.jsonl_path);
  EXPECT_EQ(a.jsonl_max_bytes, d.audit.jsonl_max_bytes);
  EXPECT_EQ(a.jsonl_keep_files, d.audit.jsonl_keep_files);
  const GatewayConfig& g = c.gateway;
  EXPECT_EQ(g.idempotency_ttl_s, d.gateway.idempotency_ttl_s);
  EXPECT_EQ(g.approval_ttl_s, d.gateway.approval_ttl_s);
  EXPECT_EQ(g.max_wait_s, d.gateway.max_wait_s);
  EXPECT_EQ(g.max_args_bytes, d.gateway.max_args_bytes);
  EXPECT_EQ(g.max_response_bytes, d.gateway.max_response_bytes);
  EXPECT_EQ(g.timeout_ms, d.gateway.timeout_ms);
  EXPECT_EQ(g.retries, d.gateway.retries);
  EXPECT_EQ(g.approve_risk, d.gateway.approve_risk);
  const OAuthConfig& o = c.oauth;
  EXPECT_EQ(o.issuer, d.oauth.issuer);
  EXPECT_EQ(o.audience, d.oauth.audience);
  EXPECT_EQ(o.jwks_file, d.oauth.jwks_file);
  EXPECT_EQ(o.jwks_url, d.oauth.jwks_url);
  EXPECT_EQ(o.principal_claim, d.oauth.principal_claim);
  EXPECT_EQ(o.leeway_s, d.oauth.leeway_s);
  EXPECT_EQ(o.jwks_refresh_s, d.oauth.jwks_refresh_s);
  EXPECT_EQ(o.resource, d.oauth.resource);
  EXPECT_EQ(o.resource_metadata_url, d.oauth.resource_metadata_url);
  EXPECT_EQ(o.scopes, d.oauth.scopes);
}

TEST_F(ConfigKeysLoadTest, TheGeneratedDefaultFileLoadsToEveryDefault) {
  const std::string file = WardConfig::defaultToml();
  auto c = load(file);
  ASSERT_TRUE(c.ok()) << c.status().toString();
  expectDefaults(*c);
  // The sections written commented out ([audit.export], [oauth], audit.tenant_retention_days)
  // hold the defaults too: uncommented, they load to the same config. (The other modules'
  // example sections uncommented are skipped by WardConfig::load.)
  const std::string uncommented =
      std::regex_replace(file, std::regex("(^|\n)# ([a-z_]+ = |\\[)"), "$1$2");
  ASSERT_NE(uncommented.find("\n[oauth]\nissuer = \"\""), std::string::npos) << uncommented;
  ASSERT_NE(uncommented.find("\n[audit.export]\nqueue_events = "), std::string::npos);
  auto all = load(uncommented);
  ASSERT_TRUE(all.ok()) << all.status().toString() << "\n" << uncommented;
  expectDefaults(*all);
}

// The setters are generated now; their messages are the ones the hand-written setters gave.
TEST_F(ConfigKeysLoadTest, TheGeneratedSettersSayWhatTheHandWrittenOnesSaid) {
  auto expect = [this](const std::string& toml, const std::string& message) {
    auto c = load(toml);
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_EQ(c.status().message(), message) << toml;
  };
  expect("[server]\nthreads = 0\n",
         "ward.toml: 'server.threads' must be between 1.000000 and 256.000000");
  expect("[server]\nthreads = 2.5\n", "ward.toml: 'server.threads' must be an integer");
  expect("[server]\nthreads = \"2\"\n", "ward.toml: 'server.threads' must be a number");
  expect("[server]\nlisten = 7411\n", "ward.toml: 'server.listen' must be a string");
  expect("[audit]\nencrypt_subjects = 1\n",
         "ward.toml: 'audit.encrypt_subjects' must be a boolean");
  expect("[audit]\ntenant_retention_days = 3\n",
         "ward.toml: 'audit.tenant_retention_days' must be a table");
  expect("[audit.tenant_retention_days]\nacme = 40000\n",
         "ward.toml: 'audit.tenant_retention_days.acme' must be an integer between 0 and 36500");
  expect("[oauth]\nscopes = \"a\"\n", "ward.toml: 'oauth.scopes' must be an array");
  expect("[oauth]\nscopes = [1]\n", "ward.toml: 'oauth.scopes' must hold strings");
  expect("[search]\nk1 = 11\n", "ward.toml: 'search.k1' must be between 0.000000 and 10.000000");
  expect("[audit.export]\nnope = 1\n", "ward.toml: unknown key 'audit.export.nope'");
}

}  // namespace
}  // namespace ward
