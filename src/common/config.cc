#include "ward/common/config.h"
#include "ward/common/config_keys.h"
#include "ward/common/toml_file.h"

#include <map>
#include <toml++/toml.h>

namespace ward {

namespace {

using config::Key;

// The keys of each section (docs/formats/ward-toml.md's key table is generated from these).
const std::vector<Key<WardConfig>>& topKeys() {
  static const std::vector<Key<WardConfig>> keys = {
      {"tenant", &WardConfig::tenant, 0, 0, "a name",
       "tenant the CLI acts in; `ward init` creates it",
       "tenant used by the CLI when none is given"},
  };
  return keys;
}

const std::vector<Key<ServerConfig>>& serverKeys() {
  static const std::vector<Key<ServerConfig>> keys = {
      {"listen", &ServerConfig::listen, 0, 0, "`HOST:PORT` or `[v6]:PORT`",
       "`ward serve` address (checked at start)", "ward serve; loopback by default"},
      {"max_body_bytes", &ServerConfig::max_body_bytes, 1024, 1e9, "",
       "larger request bodies get 413", "larger request bodies get HTTP 413"},
      {"threads", &ServerConfig::threads, 1, 256, "", "HTTP worker threads"},
      {"metrics_data_gauges", &ServerConfig::metrics_data_gauges, 0, 0, "",
       "`/metrics` (no authentication) also shows the store and index gauges "
       "(`ward_store_documents`, `_tombstones`, `_chunks`, `_last_change_seq`, "
       "`ward_index_chunks`, `_segments`, `_applied_seq`, `ward_index_lag`), which count every "
       "tenant's data; off, they are left out",
       "/metrics (unauthenticated) shows document/chunk counts if true"},
  };
  return keys;
}

const std::vector<Key<IngestConfig>>& ingestKeys() {
  static const std::vector<Key<IngestConfig>> keys = {
      {"max_file_bytes", &IngestConfig::max_file_bytes, 1, 4e9, "",
       "larger files are reported and skipped", "larger files are reported and skipped"},
      {"max_record_bytes", &IngestConfig::max_record_bytes, 1, 1e9, "",
       "max `text` of one JSONL record or pushed document", "one JSONL record or pushed document"},
      {"chunk_tokens", &IngestConfig::chunk_tokens, 16, 8192, "", "target chunk size in tokens",
       "target chunk size in tokens"},
      {"chunk_max_tokens", &IngestConfig::chunk_max_tokens, 16, 16384, "and ≥ `chunk_tokens`",
       "hard cap per chunk", "hard cap (a chunk is cut at a word boundary past this)"},
      {"table_rows_per_chunk", &IngestConfig::table_rows_per_chunk, 1, 10000, "",
       "longer tables are split by rows, header repeated",
       "longer tables are split by rows, header repeated"},
  };
  return keys;
}

const std::vector<Key<SearchConfig>>& searchKeys() {
  static const std::vector<Key<SearchConfig>> keys = {
      {"k1", &SearchConfig::k1, 0, 10, "", "BM25F term-frequency saturation",
       "BM25F term-frequency saturation"},
      {"b", &SearchConfig::b, 0, 1, "", "BM25F length normalisation (shared by all fields)",
       "BM25F length normalisation (all fields)"},
      {"title_weight", &SearchConfig::title_weight, 0, 100, "", "field weight"},
      {"heading_weight", &SearchConfig::heading_weight, 0, 100, "", "field weight"},
      {"body_weight", &SearchConfig::body_weight, 0, 100, "", "field weight"},
      {"default_k", &SearchConfig::default_k, 1, 10000, "", "results when `k` is not given"},
      {"max_k", &SearchConfig::max_k, 1, 100000, "", "largest accepted `k`"},
      {"max_query_bytes", &SearchConfig::max_query_bytes, 16, 1 << 20, "",
       "longer queries are rejected"},
      {"max_query_terms", &SearchConfig::max_query_terms, 1, kMaxQueryTermsCeiling, "",
       "queries with more analyzed terms are rejected"},
  };
  return keys;
}

const std::vector<Key<IndexConfig>>& indexKeys() {
  static const std::vector<Key<IndexConfig>> keys = {
      {"segment_chunks", &IndexConfig::segment_chunks, 64, 16383, "",
       "the open index segment is frozen after this many chunks",
       "the open segment is frozen after this many chunks"},
      {"merge_factor", &IndexConfig::merge_factor, 2, 64, "",
       "frozen segments of one size tier are merged when this many exist",
       "frozen segments of one size tier merged when this many exist"},
      {"checkpoint_changes", &IndexConfig::checkpoint_changes, 0, 1e9, "",
       "the index writer persists `index/` after this many applied changes; 0: only when it "
       "opens behind the store or closes (see index-segments.md)",
       "write index/ after this many changes; 0: only when closing"},
  };
  return keys;
}

const std::vector<Key<AuditConfig>>& auditKeys() {
  static const std::vector<Key<AuditConfig>> keys = {
      {"segment_bytes", &AuditConfig::segment_bytes, 1 << 20, 1 << 30, "",
       "the audit log starts a new segment file once the active one is this big",
       "the audit log starts a new segment file past this size"},
      {"max_record_bytes", &AuditConfig::max_record_bytes, 1024, 16 << 20, "",
       "a larger trace event is refused (`ResourceExhausted`), and the operation that records it "
       "fails",
       "larger trace events are refused"},
      {"checkpoint_records", &AuditConfig::checkpoint_records, 1, 1e9, "",
       "a signed checkpoint every this many records",
       "sign a checkpoint every this many records..."},
      {"checkpoint_seconds", &AuditConfig::checkpoint_seconds, 1, 86400, "",
       "and at the first commit this long after the last checkpoint",
       "...or this often while records are being added"},
      {"encrypt_subjects", &AuditConfig::encrypt_subjects, 0, 0, "",
       "seal each event's principal and attributes under a per-subject and a per-tenant-day key, "
       "so that erasure and retention can destroy them ([audit-keys.md](audit-keys.md))",
       "seal who/what of each event under per-subject + per-day keys"},
      {"retention_days", &AuditConfig::retention_days, 0, 36500, "",
       "day keys older than this many days are destroyed by `ward audit retention` and hourly by "
       "`ward serve`; 0 keeps everything",
       "destroy day keys older than this many days; 0 = keep forever"},
      {"tenant_retention_days", &AuditConfig::tenant_retention_days, 0, 36500, "",
       "per-tenant override of `retention_days`, e.g. `[audit.tenant_retention_days]` then "
       "`acme = 30`",
       "per-tenant override, e.g. { acme = 30 }"},
  };
  return keys;
}

const std::vector<Key<AuditConfig>>& auditExportKeys() {
  static const std::vector<Key<AuditConfig>> keys = {
      {"queue_events", &AuditConfig::export_queue_events, 1, 1e7, "",
       "events each exporter's queue holds; more are dropped and counted "
       "(`ward_audit_export_events_total{outcome=\"dropped_queue_full\"}`)",
       "per exporter; more pending events are dropped"},
      {"otlp_endpoint", &AuditConfig::otlp_endpoint, 0, 0, "`http(s)://host[:port][/path]`",
       "OpenTelemetry collector; Ward POSTs to `<endpoint>/v1/traces` "
       "([otlp-export.md](otlp-export.md)); empty = no OTLP export",
       "\"\" = no OTLP export; POST <endpoint>/v1/traces"},
      {"otlp_timeout_ms", &AuditConfig::otlp_timeout_ms, 100, 600000, "",
       "connect + whole request"},
      {"otlp_retries", &AuditConfig::otlp_retries, 0, 20, "",
       "extra attempts of a batch on 429/502/503/504 or a network error, with backoff from 200 ms "
       "to 5 s (also used for JSONL I/O errors)"},
      {"otlp_allow_loopback", &AuditConfig::otlp_allow_loopback, 0, 0, "",
       "loopback collectors (127/8, ::1) are refused unless this is true"},
      {"otlp_include_content", &AuditConfig::otlp_include_content, 0, 0, "",
       "also export the opt-in GenAI content attributes (tool arguments and results, query text, "
       "retrieved ids)",
       "opt-in gen_ai content (tool arguments, query text)"},
      {"otlp_service_name", &AuditConfig::otlp_service_name, 0, 0, "",
       "the resource's `service.name`"},
      {"jsonl_path", &AuditConfig::jsonl_path, 0, 0,
       "a path; relative = inside the data dir; its directory must exist",
       "JSONL file for SIEMs ([audit-jsonl-export.md](audit-jsonl-export.md)); empty = no JSONL "
       "export",
       "\"\" = no JSONL export; relative to the data dir"},
      {"jsonl_max_bytes", &AuditConfig::jsonl_max_bytes, 4096, 1e12, "",
       "the file is rotated before a batch would take it past this"},
      {"jsonl_keep_files", &AuditConfig::jsonl_keep_files, 0, 1000, "",
       "rotated files kept (`<path>.1` .. `<path>.N`)"},
  };
  return keys;
}

const std::vector<Key<GatewayConfig>>& gatewayKeys() {
  static const std::vector<Key<GatewayConfig>> keys = {
      {"idempotency_ttl_s", &GatewayConfig::idempotency_ttl_s, 1, 1e8, "",
       "idempotency keys expire after this many seconds",
       "idempotency keys expire after this many seconds"},
      {"approval_ttl_s", &GatewayConfig::approval_ttl_s, 1, 1e8, "",
       "pending approvals expire after this many seconds",
       "pending approvals expire after this many seconds"},
      {"max_wait_s", &GatewayConfig::max_wait_s, 0, 3600, "", "upper bound of `?wait=SECONDS`",
       "upper bound of ?wait=SECONDS"},
      {"max_args_bytes", &GatewayConfig::max_args_bytes, 64, 1e8, "",
       "serialized tool arguments larger than this are refused (400)",
       "serialized tool arguments larger than this are refused"},
      {"max_response_bytes", &GatewayConfig::max_response_bytes, 64, 1e9, "",
       "backend responses larger than this fail the call",
       "backend responses larger than this fail the call"},
      {"timeout_ms", &GatewayConfig::timeout_ms, 1, 600000, "", "per backend attempt",
       "per backend attempt"},
      {"retries", &GatewayConfig::retries, 0, 10, "", "extra attempts, read tools only",
       "extra attempts for read tools only"},
      {"approve_risk", &GatewayConfig::approve_risk, 0, 0,
       "`\"\"`, `\"write\"` or `\"destructive\"`",
       "tools of this risk or a higher one need approval even where no policy rule asks; `\"\"` = "
       "only the policy's rules",
       "\"write\" or \"destructive\": those risks always need approval"},
  };
  return keys;
}

const std::vector<Key<OAuthConfig>>& oauthKeys() {
  static const std::vector<Key<OAuthConfig>> keys = {
      {"issuer", &OAuthConfig::issuer, 0, 0, "an issuer URL",
       "OAuth 2.1 bearer JWTs are accepted besides API keys when set: the required `iss`; "
       "`\"\"` = OAuth off",
       "\"\" = OAuth off; the required \"iss\""},
      {"audience", &OAuthConfig::audience, 0, 0, "required with `issuer`",
       "must be in the token's `aud` (this server)", "required with issuer: must be in \"aud\""},
      {"jwks_file", &OAuthConfig::jwks_file, 0, 0, "exactly one of `jwks_file` and `jwks_url`",
       "the signing keys (a JWKS file)", "exactly one of jwks_file and jwks_url"},
      {"jwks_url", &OAuthConfig::jwks_url, 0, 0, "an http(s) URL", "the signing keys (a JWKS URL)"},
      {"principal_claim", &OAuthConfig::principal_claim, 0, 0, "not empty",
       "the claim naming the Ward principal", "the claim naming the Ward principal"},
      {"leeway_s", &OAuthConfig::leeway_s, 0, 300, "", "clock skew allowed on `exp` / `nbf`",
       "clock skew on exp/nbf"},
      {"jwks_refresh_s", &OAuthConfig::jwks_refresh_s, 1, 86400, "",
       "min seconds between JWKS reloads (on an unknown `kid`)",
       "min seconds between JWKS reloads"},
      {"resource", &OAuthConfig::resource, 0, 0, "",
       "RFC 9728 `resource`; `\"\"` = `http://<Host>` of the request",
       "RFC 9728 \"resource\"; \"\" = http://<Host>"},
      {"resource_metadata_url", &OAuthConfig::resource_metadata_url, 0, 0, "",
       "in `WWW-Authenticate`; `\"\"` = derived from the Host",
       "in WWW-Authenticate; \"\" = derived from Host"},
      {"scopes", &OAuthConfig::scopes, 0, 0, "",
       "`scopes_supported` in the metadata (informational)", "scopes_supported in the metadata"},
  };
  return keys;
}

// Every scalar key of ward.toml's WardConfig sections, bound to `c`, in the docs' order.
std::vector<config::BoundKey> boundKeys(WardConfig& c) {
  std::vector<config::BoundKey> out;
  config::bind("", topKeys(), &c, &out);
  config::bind("server", serverKeys(), &c.server, &out);
  config::bind("ingest", ingestKeys(), &c.ingest, &out);
  config::bind("search", searchKeys(), &c.search, &out);
  config::bind("index", indexKeys(), &c.index, &out);
  config::bind("audit", auditKeys(), &c.audit, &out);
  config::bind("audit.export", auditExportKeys(), &c.audit, &out);
  config::bind("gateway", gatewayKeys(), &c.gateway, &out);
  config::bind("oauth", oauthKeys(), &c.oauth, &out);
  return out;
}

std::map<std::string, const config::BoundKey*> byName(const std::vector<config::BoundKey>& keys) {
  std::map<std::string, const config::BoundKey*> m;
  for (const config::BoundKey& k : keys) m[k.key] = &k;
  return m;
}

Status applyTable(const toml::table& t, const std::string& prefix,
                  const std::map<std::string, const config::BoundKey*>& setters) {
  for (const auto& [k, node] : t) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (key == "upstreams") continue;        // parsed (strictly) by upstream::loadUpstreamConfigs
    if (key == "models") continue;           // parsed (strictly) by models::loadModelConfigs
    if (key == "model_budgets") continue;    // parsed (strictly) by models::loadBudgetConfigs
    if (key == "answer") continue;           // parsed (strictly) by answer::loadAnswerConfig
    if (key == "sources") continue;          // parsed (strictly) by ingest::loadSourceConfigs
    if (key == "runtime_sources") continue;  // parsed by ingest::loadRuntimeSourceRoots
    if (key == "sync_alerts") continue;      // parsed (strictly) by ingest::loadAlertWebhookConfig
    // The untrusted-content gate's keys are parsed (strictly) by gateway::loadUntrustedGateConfig.
    if (key == "gateway.untrusted_writes" || key == "gateway.untrusted_gate" ||
        key == "gateway.trusted_sources") {
      continue;
    }
    if (key == "proxy") continue;  // parsed (strictly) by models::loadProxyProviderState
    if (key == "store") continue;  // parsed (strictly) by store::loadStoreUrl
    if (node.is_table() && setters.count(key)) {  // a table-valued setting
      WARD_RETURN_IF_ERROR(config::applyKey(*setters.at(key), node));
      continue;
    }
    if (node.is_table()) {
      WARD_RETURN_IF_ERROR(applyTable(*node.as_table(), key, setters));
      continue;
    }
    auto it = setters.find(key);
    if (it == setters.end()) return Status::invalidArgument("ward.toml: unknown key '" + key + "'");
    WARD_RETURN_IF_ERROR(config::applyKey(*it->second, node));
  }
  return Status();
}

}  // namespace

Result<WardConfig> WardConfig::load(const std::string& path) {
  WardConfig config;
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(path));
  const std::vector<config::BoundKey> keys = boundKeys(config);
  WARD_RETURN_IF_ERROR(applyTable(table, "", byName(keys)));
  if (config.search.default_k > config.search.max_k) {
    return Status::invalidArgument("ward.toml: 'search.default_k' must be <= search.max_k");
  }
  if (!config.gateway.approve_risk.empty() && config.gateway.approve_risk != "write" &&
      config.gateway.approve_risk != "destructive") {
    return Status::invalidArgument(
        "ward.toml: 'gateway.approve_risk' must be \"\", \"write\" or \"destructive\"");
  }
  if (!config.oauth.issuer.empty()) {
    if (config.oauth.audience.empty()) {
      return Status::invalidArgument("ward.toml: 'oauth.audience' is required with oauth.issuer");
    }
    if (config.oauth.jwks_file.empty() == config.oauth.jwks_url.empty()) {
      return Status::invalidArgument(
          "ward.toml: set exactly one of 'oauth.jwks_file' and 'oauth.jwks_url'");
    }
    if (config.oauth.principal_claim.empty()) {
      return Status::invalidArgument("ward.toml: 'oauth.principal_claim' must not be empty");
    }
  }
  if (config.ingest.chunk_max_tokens < config.ingest.chunk_tokens) {
    return Status::invalidArgument("ward.toml: 'ingest.chunk_max_tokens' must be >= chunk_tokens");
  }
  return config;
}

std::string WardConfig::markdownKeyTable() {
  WardConfig defaults;
  return config::markdownTable(boundKeys(defaults));
}

std::string WardConfig::defaultToml() {
  WardConfig defaults;
  const std::vector<config::BoundKey> keys = boundKeys(defaults);
  // The keys directly in `section` ("" = top level), not those of a table below it.
  auto lines = [&keys](const std::string& section, bool commented = false) {
    std::vector<config::BoundKey> in;
    for (const config::BoundKey& k : keys) {
      const size_t dot = k.key.rfind('.');
      if ((dot == std::string::npos ? std::string() : k.key.substr(0, dot)) == section) {
        in.push_back(k);
      }
    }
    return config::tomlLines(section, in, commented);
  };
  std::string out =
      "# ward.toml — every key is optional; the values below are the defaults.\n"
      "# An unknown key or a value of the wrong type stops Ward with an error naming it.\n\n" +
      lines("");
  for (const char* section : {"server", "ingest", "search", "index", "audit"}) {
    out += "\n[" + std::string(section) + "]\n" + lines(section);
  }
  // Off by default, so commented out: a [audit.export] or [oauth] table added to the file (as
  // the docs show) must not clash with one written here.
  out += "\n# Audit export (off while both destinations are \"\"):\n# [audit.export]\n" +
         lines("audit.export", true);
  // The untrusted-content gate's keys are parsed by gateway::loadUntrustedGateConfig, [answer] by
  // answer::loadAnswerConfig; the arrays of tables are examples, commented out.
  out +=
      "\n[gateway]\n" + lines("gateway") +
      R"(untrusted_writes = "approve"  # a write/destructive call after untrusted content: "approve" | "deny"
trusted_sources = []          # sources that do not taint a turn: "doc:<id>", "tool:<name>", "upstream:<name>"
# untrusted_gate = "off"      # TEST-ONLY: disables the untrusted-content gate (logged loudly at start)
)";
  out += "\n# OAuth 2.1 bearer JWTs besides API keys (off while issuer is \"\"):\n# [oauth]\n" +
         lines("oauth", true);
  out += R"(
[answer]
default_k = 8                 # passages retrieved per answer (ward ask, POST /v1/answers)
max_k = 20                    # the most a request may ask for (at most 100)
model = ""                    # default [[models]] name; "" = extractive answers
link_hosts = []               # hosts answer links/images may point at; others are removed

# The OpenAI-compatible proxy: requests asking a provider to keep state (store: true,
# previous_response_id) are "refuse"d (a recorded 400) or, for store, "record"ed:
# [proxy]
# provider_state = "refuse"

# Upstream MCP servers whose tools Ward imports and fences (docs/design/upstream.md):
# [[upstreams]]
# name = "files"
# transport = "stdio"                 # or "http" with url = "..." and headers = { ... }
# command = "mcp-server-filesystem"
# args = ["/srv/shared"]

# Models the OpenAI-compatible proxy serves (/v1/chat/completions; docs/design/models.md). The
# API key is a tenant secret (`ward secrets set openai_key`), never a value here:
# [[models]]
# name = "gpt"                        # what clients send as "model"
# provider = "openai"                 # or "anthropic"
# base_url = "https://api.openai.com/v1"
# model = "gpt-4o-mini"
# api_key_secret = "openai_key"
# allow = ["group:eng"]               # who may call it; [] = nobody
# Token budgets per principal (or "tenant"):
# [[model_budgets]]
# subject = "group:eng"
# tokens_per_day = 2000000
)";
  return out;
}

}  // namespace ward
