// ward.toml: every setting with its default. Missing file or key = default; an unknown key or a
// value of the wrong type is an InvalidArgument naming the key, so typos never pass silently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ward/common/status.h"

namespace ward {

struct ServerConfig {
  std::string listen = "127.0.0.1:7411";
  size_t max_body_bytes = 16 << 20;  // request bodies larger than this get 413
  int threads = 2;
  // /metrics needs no authentication, so gauges that count what the store holds (documents,
  // chunks, tombstones, change sequence, index size and lag) are left out unless this is set.
  bool metrics_data_gauges = false;
};

struct IngestConfig {
  size_t max_file_bytes = 64 << 20;   // larger files are reported and skipped
  size_t max_record_bytes = 8 << 20;  // one JSONL record / pushed document
  size_t chunk_tokens = 512;
  size_t chunk_max_tokens = 768;
  size_t table_rows_per_chunk = 20;
};

// Query limits (docs/design/search.md, "Limits"): a RAG system sends paragraphs as queries, so
// the default term limit is Lucene's default clause limit, and the byte limit leaves room for it.
constexpr size_t kDefaultMaxQueryBytes = 65536;
constexpr int kDefaultMaxQueryTerms = 1024;
constexpr int kMaxQueryTermsCeiling = 16384;  // the largest search.max_query_terms accepted

struct SearchConfig {
  double k1 = 1.2;
  double b = 0.75;
  double title_weight = 2.0;
  double heading_weight = 1.5;
  double body_weight = 1.0;
  int default_k = 10;
  int max_k = 1000;
  size_t max_query_bytes = kDefaultMaxQueryBytes;
  int max_query_terms = kDefaultMaxQueryTerms;
};

struct IndexConfig {
  size_t segment_chunks = 4000;        // the open segment is frozen after this many chunks
  int merge_factor = 4;                // merge when this many frozen segments of one tier exist
  int64_t checkpoint_changes = 50000;  // persist index/ after this many changes (0: only at close)
};

struct AuditConfig {
  size_t segment_bytes = 64 << 20;    // a new log segment starts past this size
  size_t max_record_bytes = 1 << 20;  // larger trace events are refused (ResourceExhausted)
  int64_t checkpoint_records = 1000;  // sign a checkpoint every this many records...
  int64_t checkpoint_seconds = 60;    // ...or this often while records are being added
  // Crypto-shredding and retention (docs/formats/audit-keys.md).
  bool encrypt_subjects = true;  // seal principal + attributes under subject/day keys
  int64_t retention_days = 0;    // day keys older than this are destroyed; 0 = forever
  std::map<std::string, int64_t> tenant_retention_days;  // per-tenant override of retention_days
  // Export (docs/formats/otlp-export.md, docs/formats/audit-jsonl-export.md).
  size_t export_queue_events = 10000;  // per exporter; more pending events are dropped
  std::string otlp_endpoint;           // "" = no OTLP export; POST <endpoint>/v1/traces
  int64_t otlp_timeout_ms = 5000;
  int otlp_retries = 3;
  bool otlp_allow_loopback = false;
  bool otlp_include_content = false;  // opt-in gen_ai content (tool arguments, query text)
  std::string otlp_service_name = "ward";
  std::string jsonl_path;  // "" = no JSONL export; relative to the data dir
  size_t jsonl_max_bytes = 100 << 20;
  int jsonl_keep_files = 5;

  int64_t retentionDaysFor(const std::string& tenant) const {
    auto it = tenant_retention_days.find(tenant);
    return it != tenant_retention_days.end() ? it->second : retention_days;
  }
};

// The tool gateway (docs/design/gateway.md).
struct GatewayConfig {
  int64_t idempotency_ttl_s = 86400;    // idempotency keys expire after this
  int64_t approval_ttl_s = 86400;       // pending approvals expire after this
  int64_t max_wait_s = 60;              // bound of ?wait=SECONDS on calls and approvals
  size_t max_args_bytes = 1 << 20;      // serialized arguments larger than this are refused
  size_t max_response_bytes = 4 << 20;  // backend responses larger than this fail the call
  int64_t timeout_ms = 10000;           // per backend attempt
  int retries = 2;                      // extra attempts, read tools only
  std::string approve_risk;  // "", "write" or "destructive": risks that always need approval
};

// OAuth 2.1 resource server (docs/design/http.md "Bearer JWTs"): when `issuer` is set, the HTTP
// API also accepts bearer JWTs (RS256/ES256) besides API keys.
struct OAuthConfig {
  std::string issuer;     // "" = OAuth off; the required "iss"
  std::string audience;   // required "aud" (this server), needed with issuer
  std::string jwks_file;  // the signing keys: exactly one of jwks_file / jwks_url
  std::string jwks_url;
  std::string principal_claim = "sub";  // the claim naming the Ward principal
  int64_t leeway_s = 60;                // clock skew allowed on exp / nbf
  int64_t jwks_refresh_s = 300;         // min seconds between JWKS reloads (unknown kid)
  std::string resource;                 // RFC 9728 "resource"; "" = http://<Host> of the request
  std::string resource_metadata_url;    // in WWW-Authenticate; "" = derived from the Host
  std::vector<std::string> scopes;      // scopes_supported in the metadata (informational)
};

struct WardConfig {
  std::string tenant = "default";
  ServerConfig server;
  IngestConfig ingest;
  SearchConfig search;
  IndexConfig index;
  AuditConfig audit;
  GatewayConfig gateway;
  OAuthConfig oauth;

  // Loads a ward.toml; a file that does not exist yields the defaults.
  static Result<WardConfig> load(const std::string& path);
  // The commented default file written by `ward init`, generated from the key descriptors
  // (include/ward/common/config_keys.h) of the sections above.
  static std::string defaultToml();
  // The key table of docs/formats/ward-toml.md, generated from the same descriptors.
  static std::string markdownKeyTable();
};

}  // namespace ward
