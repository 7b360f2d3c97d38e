// A data directory opened for serving: its config, store, index, trace sink, gateway, trace and
// model services, opened lazily (open() first, the rest on first use) so `ward --help` and
// `ward init` touch nothing. Every `ward` command and `ward serve` (server.h) work through one.
#pragma once

#include <memory>
#include <string>

#include "ward/audit/audit_trace_sink.h"
#include "ward/audit/trace_service.h"
#include "ward/audit/subject_keys.h"
#include "ward/audit/trace_export.h"
#include "ward/common/config.h"
#include "ward/common/status.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/identity/principal.h"
#include "ward/index/index.h"
#include "ward/models/model_service.h"
#include "ward/ingest/ingest_service.h"
#include "ward/search/search_service.h"
#include "ward/store/store.h"
#include "ward/store/tool_store.h"
#include "ward/upstream/upstream_pool.h"

namespace ward::server {

class ServerContext {
 public:
  ServerContext() = default;
  ~ServerContext();  // withdraws its audit key store from audit::processKeyStore()

  // --data, else $WARD_DATA, else ./ward-data.
  std::string data_dir;

  std::string dbPath() const { return data_dir + "/ward.db"; }
  std::string configPath() const { return data_dir + "/ward.toml"; }
  std::string indexDir() const { return data_dir + "/index"; }
  std::string auditDir() const { return data_dir + "/audit"; }
  std::string secretsKeyPath() const { return data_dir + "/secrets.key"; }

  // Opens everything; FailedPrecondition if the data dir was never initialised.
  Status open();
  // Only checks the data dir and loads ward.toml (for commands that need no store or index).
  Status loadConfig();
  // The audit log of this data dir, as configured in ward.toml.
  audit::AuditLogOptions auditLogOptions() const;
  // Applied to trace attributes before they are written. By default open() loads the tenant's
  // redactor (built-in rules + <data>/redaction/<tenant>.toml, keyed by <tenant>.key); a redactor
  // set before open() replaces it and must outlive the context.
  void setRedactor(const trace::Redactor* redactor) { redactor_ = redactor; }
  const trace::Redactor& redactor() const { return *redactor_; }
  // Creates the data dir layout, ward.toml, the default tenant and the admin user (idempotent).
  Status init(bool* created);

  const WardConfig& config() const { return config_; }
  store::Store& store() { return *store_; }
  index::Index& index() { return *index_; }
  trace::TraceSink& traces() { return *traces_; }
  // The audit content key store (null when audit.encrypt_subjects is false).
  audit::SubjectKeyStore* auditKeys() { return audit_keys_.get(); }
  // The configured export queues (empty when no exporter is configured).
  const std::vector<std::unique_ptr<audit::ExportQueue>>& exportQueues() const {
    return export_queues_;
  }
  search::SearchService& search() { return *search_; }
  ingest::IngestService& ingest() { return *ingest_; }
  // The tool gateway over the same data dir (opened on first use, after open()).
  Result<gateway::ToolGateway*> gateway();
  const std::string& tenant() const { return config_.tenant; }
  // Records an `admin_change` event (principal "cli", attributes {action, via: "cli", ...}).
  Status recordAdminChange(const std::string& action, Json attributes);
  // Permissioned, recorded trace reads, feedback and spans (after open()).
  Result<audit::TraceService*> traceService();
  std::string promptsDir() const { return data_dir + "/prompts"; }
  // The [[upstreams]] of ward.toml (loaded with the gateway; null before gateway()).
  upstream::UpstreamPool* upstreams() { return upstreams_.get(); }

  // The [[models]] of ward.toml behind the governed call path (after open(); opens the gateway
  // for the API keys, which are tenant secrets, and the trace service for the prompt store).
  Result<models::ModelService*> models();

  // Resolves --as NAME in the configured tenant.
  Result<identity::Principal> principal(const std::string& name);

 private:
  WardConfig config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<index::Index> index_;
  std::unique_ptr<trace::Redactor> tenant_redactor_;
  const trace::Redactor* redactor_ = nullptr;
  Status openAuditExtras();  // key store and export queues, before the sink
  // Declared before traces_ so that they outlive the sink that feeds them.
  std::unique_ptr<audit::SubjectKeyStore> audit_keys_;
  std::vector<std::unique_ptr<audit::ExportQueue>> export_queues_;
  std::unique_ptr<trace::TraceSink> traces_;
  std::unique_ptr<search::SearchService> search_;
  std::unique_ptr<ingest::IngestService> ingest_;
  std::unique_ptr<store::ToolStore> tool_store_;
  std::unique_ptr<upstream::UpstreamPool> upstreams_;  // outlives gateway_ (declared before it)
  std::unique_ptr<gateway::ToolGateway> gateway_;
  std::unique_ptr<audit::TraceReader> trace_reader_;
  std::unique_ptr<audit::PromptStore> prompt_store_;
  std::unique_ptr<audit::CassetteStore> cassette_store_;  // model-call cassettes (sealed)
  std::unique_ptr<audit::TraceService> trace_service_;
  std::unique_ptr<models::ModelService> models_;  // last: it borrows the sink and prompt store
};

// The tool store of a data dir: PostgreSQL when ward.toml [store] url / WARD_STORE_URL names it
// (the same database as the Store), else ward.db's tool tables (docs/design/store.md). A new
// connection (pool) to it, migrating like the Store; after ctx.open().
Result<std::unique_ptr<store::ToolStore>> openConfiguredToolStore(const ServerContext& ctx);

}  // namespace ward::server
