#include "ward/common/config.h"
#include "ward/common/toml_file.h"

#include <filesystem>
#include <functional>
#include <map>
#include <toml++/toml.h>

namespace ward {

namespace {

using Setter = std::function<Status(const toml::node&)>;

template <typename T>
Setter numberSetter(T* field, const std::string& key, double min, double max) {
  return [field, key, min, max](const toml::node& n) -> Status {
    double v;
    if (auto i = n.value<int64_t>(); i && n.is_integer()) {
      v = static_cast<double>(*i);
    } else if (auto d = n.value<double>(); d && n.is_floating_point()) {
      if constexpr (std::is_integral_v<T>) {
        return Status::invalidArgument("ward.toml: '" + key + "' must be an integer");
      }
      v = *d;
    } else {
      return Status::invalidArgument("ward.toml: '" + key + "' must be a number");
    }
    if (v < min || v > max) {
      return Status::invalidArgument("ward.toml: '" + key + "' must be between " +
                                     std::to_string(min) + " and " + std::to_string(max));
    }
    *field = static_cast<T>(v);
    return Status();
  };
}

Setter stringSetter(std::string* field, const std::string& key) {
  return [field, key](const toml::node& n) -> Status {
    auto s = n.value<std::string>();
    if (!s || !n.is_string())
      return Status::invalidArgument("ward.toml: '" + key + "' must be a string");
    *field = *s;
    return Status();
  };
}

Setter boolSetter(bool* field, const std::string& key) {
  return [field, key](const toml::node& n) -> Status {
    auto b = n.value<bool>();
    if (!b || !n.is_boolean())
      return Status::invalidArgument("ward.toml: '" + key + "' must be a boolean");
    *field = *b;
    return Status();
  };
}

// A table of tenant name -> whole number of days.
Setter tenantDaysSetter(std::map<std::string, int64_t>* field, const std::string& key) {
  return [field, key](const toml::node& n) -> Status {
    if (!n.is_table()) return Status::invalidArgument("ward.toml: '" + key + "' must be a table");
    for (const auto& [tenant, v] : *n.as_table()) {
      auto days = v.value<int64_t>();
      if (!days || !v.is_integer() || *days < 0 || *days > 36500) {
        return Status::invalidArgument("ward.toml: '" + key + "." + std::string(tenant.str()) +
                                       "' must be an integer between 0 and 36500");
      }
      (*field)[std::string(tenant.str())] = *days;
    }
    return Status();
  };
}

std::map<std::string, Setter> settersFor(WardConfig& c) {
  std::map<std::string, Setter> m;
  m["tenant"] = stringSetter(&c.tenant, "tenant");
  m["server.listen"] = stringSetter(&c.server.listen, "server.listen");
  m["server.max_body_bytes"] =
      numberSetter(&c.server.max_body_bytes, "server.max_body_bytes", 1024, 1e9);
  m["server.threads"] = numberSetter(&c.server.threads, "server.threads", 1, 256);
  m["server.metrics_data_gauges"] =
      boolSetter(&c.server.metrics_data_gauges, "server.metrics_data_gauges");
  m["ingest.max_file_bytes"] =
      numberSetter(&c.ingest.max_file_bytes, "ingest.max_file_bytes", 1, 4e9);
  m["ingest.max_record_bytes"] =
      numberSetter(&c.ingest.max_record_bytes, "ingest.max_record_bytes", 1, 1e9);
  m["ingest.chunk_tokens"] = numberSetter(&c.ingest.chunk_tokens, "ingest.chunk_tokens", 16, 8192);
  m["ingest.chunk_max_tokens"] =
      numberSetter(&c.ingest.chunk_max_tokens, "ingest.chunk_max_tokens", 16, 16384);
  m["ingest.table_rows_per_chunk"] =
      numberSetter(&c.ingest.table_rows_per_chunk, "ingest.table_rows_per_chunk", 1, 10000);
  m["search.k1"] = numberSetter(&c.search.k1, "search.k1", 0, 10);
  m["search.b"] = numberSetter(&c.search.b, "search.b", 0, 1);
  m["search.title_weight"] = numberSetter(&c.search.title_weight, "search.title_weight", 0, 100);
  m["search.heading_weight"] =
      numberSetter(&c.search.heading_weight, "search.heading_weight", 0, 100);
  m["search.body_weight"] = numberSetter(&c.search.body_weight, "search.body_weight", 0, 100);
  m["search.default_k"] = numberSetter(&c.search.default_k, "search.default_k", 1, 10000);
  m["search.max_k"] = numberSetter(&c.search.max_k, "search.max_k", 1, 100000);
  m["search.max_query_bytes"] =
      numberSetter(&c.search.max_query_bytes, "search.max_query_bytes", 16, 1 << 20);
  m["search.max_query_terms"] =
      numberSetter(&c.search.max_query_terms, "search.max_query_terms", 1, kMaxQueryTermsCeiling);
  m["index.segment_chunks"] =
      numberSetter(&c.index.segment_chunks, "index.segment_chunks", 64, 16383);
  m["index.merge_factor"] = numberSetter(&c.index.merge_factor, "index.merge_factor", 2, 64);
  m["index.checkpoint_changes"] =
      numberSetter(&c.index.checkpoint_changes, "index.checkpoint_changes", 0, 1e9);
  m["audit.segment_bytes"] =
      numberSetter(&c.audit.segment_bytes, "audit.segment_bytes", 1 << 20, 1 << 30);
  m["audit.max_record_bytes"] =
      numberSetter(&c.audit.max_record_bytes, "audit.max_record_bytes", 1024, 16 << 20);
  m["audit.checkpoint_records"] =
      numberSetter(&c.audit.checkpoint_records, "audit.checkpoint_records", 1, 1e9);
  m["audit.checkpoint_seconds"] =
      numberSetter(&c.audit.checkpoint_seconds, "audit.checkpoint_seconds", 1, 86400);
  m["gateway.idempotency_ttl_s"] =
      numberSetter(&c.gateway.idempotency_ttl_s, "gateway.idempotency_ttl_s", 1, 1e8);
  m["gateway.approval_ttl_s"] =
      numberSetter(&c.gateway.approval_ttl_s, "gateway.approval_ttl_s", 1, 1e8);
  m["gateway.max_wait_s"] = numberSetter(&c.gateway.max_wait_s, "gateway.max_wait_s", 0, 3600);
  m["gateway.max_args_bytes"] =
      numberSetter(&c.gateway.max_args_bytes, "gateway.max_args_bytes", 64, 1e8);
  m["gateway.max_response_bytes"] =
      numberSetter(&c.gateway.max_response_bytes, "gateway.max_response_bytes", 64, 1e9);
  m["gateway.timeout_ms"] = numberSetter(&c.gateway.timeout_ms, "gateway.timeout_ms", 1, 600000);
  m["gateway.retries"] = numberSetter(&c.gateway.retries, "gateway.retries", 0, 10);
  m["gateway.approve_risk"] = stringSetter(&c.gateway.approve_risk, "gateway.approve_risk");
  m["audit.encrypt_subjects"] = boolSetter(&c.audit.encrypt_subjects, "audit.encrypt_subjects");
  m["audit.retention_days"] =
      numberSetter(&c.audit.retention_days, "audit.retention_days", 0, 36500);
  m["audit.tenant_retention_days"] =
      tenantDaysSetter(&c.audit.tenant_retention_days, "audit.tenant_retention_days");
  m["audit.export.queue_events"] =
      numberSetter(&c.audit.export_queue_events, "audit.export.queue_events", 1, 1e7);
  m["audit.export.otlp_endpoint"] =
      stringSetter(&c.audit.otlp_endpoint, "audit.export.otlp_endpoint");
  m["audit.export.otlp_timeout_ms"] =
      numberSetter(&c.audit.otlp_timeout_ms, "audit.export.otlp_timeout_ms", 100, 600000);
  m["audit.export.otlp_retries"] =
      numberSetter(&c.audit.otlp_retries, "audit.export.otlp_retries", 0, 20);
  m["audit.export.otlp_allow_loopback"] =
      boolSetter(&c.audit.otlp_allow_loopback, "audit.export.otlp_allow_loopback");
  m["audit.export.otlp_include_content"] =
      boolSetter(&c.audit.otlp_include_content, "audit.export.otlp_include_content");
  m["audit.export.otlp_service_name"] =
      stringSetter(&c.audit.otlp_service_name, "audit.export.otlp_service_name");
  m["audit.export.jsonl_path"] = stringSetter(&c.audit.jsonl_path, "audit.export.jsonl_path");
  m["audit.export.jsonl_max_bytes"] =
      numberSetter(&c.audit.jsonl_max_bytes, "audit.export.jsonl_max_bytes", 4096, 1e12);
  m["audit.export.jsonl_keep_files"] =
      numberSetter(&c.audit.jsonl_keep_files, "audit.export.jsonl_keep_files", 0, 1000);
  m["oauth.issuer"] = stringSetter(&c.oauth.issuer, "oauth.issuer");
  m["oauth.audience"] = stringSetter(&c.oauth.audience, "oauth.audience");
  m["oauth.jwks_file"] = stringSetter(&c.oauth.jwks_file, "oauth.jwks_file");
  m["oauth.jwks_url"] = stringSetter(&c.oauth.jwks_url, "oauth.jwks_url");
  m["oauth.principal_claim"] = stringSetter(&c.oauth.principal_claim, "oauth.principal_claim");
  m["oauth.leeway_s"] = numberSetter(&c.oauth.leeway_s, "oauth.leeway_s", 0, 300);
  m["oauth.jwks_refresh_s"] =
      numberSetter(&c.oauth.jwks_refresh_s, "oauth.jwks_refresh_s", 1, 86400);
  m["oauth.resource"] = stringSetter(&c.oauth.resource, "oauth.resource");
  m["oauth.resource_metadata_url"] =
      stringSetter(&c.oauth.resource_metadata_url, "oauth.resource_metadata_url");
  m["oauth.scopes"] = [&c](const toml::node& n) -> Status {
    const toml::array* a = n.as_array();
    if (a == nullptr) return Status::invalidArgument("ward.toml: 'oauth.scopes' must be an array");
    c.oauth.scopes.clear();
    for (const toml::node& e : *a) {
      auto s = e.value<std::string>();
      if (!e.is_string() || !s) {
        return Status::invalidArgument("ward.toml: 'oauth.scopes' must hold strings");
      }
      c.oauth.scopes.push_back(*s);
    }
    return Status();
  };
  return m;
}

Status applyTable(const toml::table& t, const std::string& prefix,
                  const std::map<std::string, Setter>& setters) {
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
      WARD_RETURN_IF_ERROR(setters.at(key)(node));
      continue;
    }
    if (node.is_table()) {
      WARD_RETURN_IF_ERROR(applyTable(*node.as_table(), key, setters));
      continue;
    }
    auto it = setters.find(key);
    if (it == setters.end()) return Status::invalidArgument("ward.toml: unknown key '" + key + "'");
    WARD_RETURN_IF_ERROR(it->second(node));
  }
  return Status();
}

}  // namespace

Result<WardConfig> WardConfig::load(const std::string& path) {
  WardConfig config;
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(path));
  auto setters = settersFor(config);
  WARD_RETURN_IF_ERROR(applyTable(table, "", setters));
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

std::string WardConfig::defaultToml() {
  return R"(# ward.toml — every key is optional; the values below are the defaults.
# An unknown key or a value of the wrong type stops Ward with an error naming it.

tenant = "default"            # tenant used by the CLI when none is given

[server]
listen = "127.0.0.1:7411"     # ward serve; loopback by default
max_body_bytes = 16777216     # larger request bodies get HTTP 413
threads = 2
metrics_data_gauges = false   # /metrics (unauthenticated) shows document/chunk counts if true

[ingest]
max_file_bytes = 67108864     # larger files are reported and skipped
max_record_bytes = 8388608    # one JSONL record or pushed document
chunk_tokens = 512            # target chunk size in tokens
chunk_max_tokens = 768        # hard cap (a chunk is cut at a word boundary past this)
table_rows_per_chunk = 20     # longer tables are split by rows, header repeated

[search]
k1 = 1.2                      # BM25F term-frequency saturation
b = 0.75                      # BM25F length normalisation (all fields)
title_weight = 2.0
heading_weight = 1.5
body_weight = 1.0
default_k = 10
max_k = 1000
max_query_bytes = 65536
max_query_terms = 1024

[index]
segment_chunks = 4000         # the open segment is frozen after this many chunks (max 16383)
merge_factor = 4              # frozen segments of one size tier merged when this many exist
checkpoint_changes = 50000    # write index/ after this many changes; 0: only when closing

[audit]
segment_bytes = 67108864      # the audit log starts a new segment file past this size
max_record_bytes = 1048576    # larger trace events are refused
checkpoint_records = 1000     # sign a checkpoint every this many records...
checkpoint_seconds = 60       # ...or this often while records are being added
encrypt_subjects = true       # seal who/what of each event under per-subject + per-day keys
retention_days = 0            # destroy day keys older than this many days; 0 = keep forever

[gateway]
idempotency_ttl_s = 86400     # idempotency keys expire after this many seconds
approval_ttl_s = 86400        # pending approvals expire after this many seconds
max_wait_s = 60               # upper bound of ?wait=SECONDS
max_args_bytes = 1048576      # serialized tool arguments larger than this are refused
max_response_bytes = 4194304  # backend responses larger than this fail the call
timeout_ms = 10000            # per backend attempt
retries = 2                   # extra attempts for read tools only
approve_risk = ""             # "write" or "destructive": those risks always need approval
untrusted_writes = "approve"  # a write/destructive call after untrusted content: "approve" | "deny"
trusted_sources = []          # sources that do not taint a turn: "doc:<id>", "tool:<name>", "upstream:<name>"

[answer]
default_k = 8                 # passages retrieved per answer (ward ask, POST /v1/answers)
max_k = 20                    # the most a request may ask for (at most 100)
model = ""                    # default [[models]] name; "" = extractive answers
link_hosts = []               # hosts answer links/images may point at; others are removed

# The OpenAI-compatible proxy: requests asking a provider to keep state (store: true,
# previous_response_id) are "refuse"d (a recorded 400) or, for store, "record"ed:
# [proxy]
# provider_state = "refuse"

# OAuth 2.1 bearer JWTs besides API keys (off while issuer is ""):
# [oauth]
# issuer = "https://auth.example.com"
# audience = "https://ward.example.com"
# jwks_file = "/etc/ward/jwks.json"   # or jwks_url = "https://auth.example.com/jwks.json"
# principal_claim = "sub"
# leeway_s = 60

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
}

}  // namespace ward
