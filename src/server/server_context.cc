// ServerContext; the contract is in include/ward/server/server_context.h.
#include "ward/server/server_context.h"

#include <filesystem>
#include <fstream>

#include "ward/audit/redaction.h"
#include "ward/io/owner_only.h"
#include "ward/store/store_url.h"

namespace ward::server {

namespace fs = std::filesystem;

namespace {

// What Ward keeps in a data dir (docs/formats/data-dir.md): made owner-only at every open. Other
// files that share the folder are left alone.
const std::vector<std::string> kDataDirEntries = {
    "ward.toml", "ward.db", "ward.db-wal", "ward.db-shm", "ward.db-journal", "secrets.key",
    "audit",     "index",   "prompts",     "cassettes",   "redaction"};

// The Store: ward.db, or PostgreSQL when ward.toml [store] url or WARD_STORE_URL names it. ward.db
// is opened (and migrated) either way: the sync and SCIM stores stay on it for now.
Result<std::unique_ptr<store::Store>> openRecordStore(const std::string& toml_path,
                                                      const std::string& db_path) {
  WARD_ASSIGN_OR_RETURN(std::string url, store::loadStoreUrl(toml_path));
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> sqlite, store::openSqliteStore(db_path));
  if (url.empty()) return sqlite;
  sqlite.reset();
  return store::openStoreAt(url, db_path);
}

}  // namespace

Status ServerContext::open() {
  std::error_code ec;
  if (!fs::exists(dbPath(), ec)) {
    return Status::failedPrecondition("no Ward data in '" + data_dir + "': run `ward --data " +
                                      data_dir + " init` first");
  }
  // Before anything is opened: data dirs made by older versions (0755/0644) are fixed too.
  WARD_RETURN_IF_ERROR(io::restrictToOwner(data_dir, kDataDirEntries));
  WARD_ASSIGN_OR_RETURN(config_, WardConfig::load(configPath()));
  audit::setProcessKeyDir(&io::posixFileSystem(), auditDir() + "/keys");
  WARD_ASSIGN_OR_RETURN(store_, openRecordStore(configPath(), dbPath()));
  if (redactor_ == nullptr) {
    WARD_ASSIGN_OR_RETURN(tenant_redactor_, audit::loadTenantRedactor(data_dir, config_.tenant));
    redactor_ = tenant_redactor_.get();
  }
  WARD_RETURN_IF_ERROR(openAuditExtras());
  audit::AuditSinkOptions audit_options;
  audit_options.log = auditLogOptions();
  audit_options.redactor = redactor_;
  audit_options.keys = audit_keys_.get();
  if (!export_queues_.empty()) {
    audit_options.on_recorded = [this](uint64_t index, const trace::TraceEvent& event) {
      for (auto& q : export_queues_) q->offer(index, event);
    };
  }
  WARD_ASSIGN_OR_RETURN(traces_, audit::openAuditLogSink(audit_options));
  WARD_ASSIGN_OR_RETURN(index_, index::openIndex(indexDir(), *store_, config_.index));
  search_ = std::make_unique<search::SearchService>(*store_, *index_, *traces_, config_.search);
  ingest_ = std::make_unique<ingest::IngestService>(*store_, *index_, *traces_, config_.ingest);
  return Status();
}

ServerContext::~ServerContext() { audit::setProcessKeyStore(nullptr); }

Status ServerContext::openAuditExtras() {
  const AuditConfig& a = config_.audit;
  if (a.encrypt_subjects) {
    WARD_ASSIGN_OR_RETURN(audit_keys_, audit::SubjectKeyStore::open(io::posixFileSystem(),
                                                                    auditDir() + "/keys", false));
    // Readers in this process (trace list/show/explain, REST trace routes) open sealed
    // records with it.
    audit::setProcessKeyStore(audit_keys_.get());
  }
  audit::ExportQueueOptions q;
  q.capacity = a.export_queue_events;
  q.retries = a.otlp_retries;
  if (!a.otlp_endpoint.empty()) {
    audit::OtlpOptions o;
    o.endpoint = a.otlp_endpoint;
    o.service_name = a.otlp_service_name;
    o.timeout_ms = a.otlp_timeout_ms;
    o.allow_loopback = a.otlp_allow_loopback;
    o.include_content = a.otlp_include_content;
    WARD_ASSIGN_OR_RETURN(auto exporter, audit::makeOtlpHttpExporter(o));
    export_queues_.push_back(std::make_unique<audit::ExportQueue>(std::move(exporter), q));
  }
  if (!a.jsonl_path.empty()) {
    audit::JsonlOptions j;
    j.path = a.jsonl_path.front() == '/' ? a.jsonl_path : data_dir + "/" + a.jsonl_path;
    j.max_bytes = a.jsonl_max_bytes;
    j.keep_files = a.jsonl_keep_files;
    WARD_ASSIGN_OR_RETURN(auto exporter, audit::makeJsonlFileExporter(j));
    export_queues_.push_back(std::make_unique<audit::ExportQueue>(std::move(exporter), q));
  }
  return Status();
}

Status ServerContext::loadConfig() {
  std::error_code ec;
  if (!fs::exists(dbPath(), ec)) {
    return Status::failedPrecondition("no Ward data in '" + data_dir + "': run `ward --data " +
                                      data_dir + " init` first");
  }
  WARD_ASSIGN_OR_RETURN(config_, WardConfig::load(configPath()));
  audit::setProcessKeyDir(&io::posixFileSystem(), auditDir() + "/keys");
  return Status();
}

audit::AuditLogOptions ServerContext::auditLogOptions() const {
  audit::AuditLogOptions o;
  o.dir = auditDir();
  o.segment_bytes = config_.audit.segment_bytes;
  o.max_record_bytes = config_.audit.max_record_bytes;
  o.checkpoint_records = static_cast<uint64_t>(config_.audit.checkpoint_records);
  o.checkpoint_seconds = config_.audit.checkpoint_seconds;
  return o;
}

Result<std::unique_ptr<store::ToolStore>> openConfiguredToolStore(const ServerContext& ctx) {
  WARD_ASSIGN_OR_RETURN(std::string url, store::loadStoreUrl(ctx.configPath()));
  return store::openToolStoreAt(url, ctx.dbPath());
}

Result<gateway::ToolGateway*> ServerContext::gateway() {
  if (gateway_) return gateway_.get();
  if (!store_) return Status::internal("ServerContext::gateway() before open()");
  WARD_ASSIGN_OR_RETURN(tool_store_, openConfiguredToolStore(*this));
  WARD_ASSIGN_OR_RETURN(std::vector<upstream::UpstreamConfig> upstream_configs,
                        upstream::loadUpstreamConfigs(configPath()));
  upstreams_ = std::make_unique<upstream::UpstreamPool>(std::move(upstream_configs));
  gateway::GatewayOptions options;
  options.store = store_.get();
  options.tools = tool_store_.get();
  options.traces = traces_.get();
  options.redactor = redactor_;
  options.search = search_.get();
  options.config = config_.gateway;
  options.approve_risk = config_.gateway.approve_risk;
  WARD_ASSIGN_OR_RETURN(options.untrusted, gateway::loadUntrustedGateConfig(configPath()));
  options.secrets_key_path = secretsKeyPath();
  options.upstreams = upstreams_.get();
  options.config_tenant = config_.tenant;
  WARD_ASSIGN_OR_RETURN(gateway_, gateway::ToolGateway::create(options));
  // Every tenant gets the built-in search and fetch once: at `ward init`, and here when a data
  // dir from before them is opened (an upgrade). A tenant provisioned before is left as is.
  WARD_ASSIGN_OR_RETURN(std::vector<std::string> tenants, store_->listTenants());
  for (const std::string& tenant : tenants) {
    WARD_ASSIGN_OR_RETURN(bool provisioned, gateway_->provisionBuiltinTools(tenant));
    (void)provisioned;
  }
  return gateway_.get();
}

Status ServerContext::recordAdminChange(const std::string& action, Json attributes) {
  if (!traces_) return Status::internal("ServerContext::recordAdminChange() before open()");
  trace::TraceEvent e;
  e.context = trace::TraceContext::generate();
  e.kind = "admin_change";
  e.tenant = config_.tenant;
  e.principal = "cli";
  e.time_us = SystemClock::instance().nowMicros();
  attributes["action"] = action;
  attributes["via"] = "cli";
  e.attributes = std::move(attributes);
  return traces_->record(e);
}

Result<audit::TraceService*> ServerContext::traceService() {
  if (trace_service_) return trace_service_.get();
  if (!traces_) return Status::internal("ServerContext::traceService() before open()");
  trace_reader_ = std::make_unique<audit::TraceReader>(auditDir());
  prompt_store_ = std::make_unique<audit::PromptStore>(promptsDir());
  // Sealed under the subject and day keys when audit.encrypt_subjects (the writer's store, or the
  // read-only one of this data dir for readers).
  audit::SubjectKeyStore* keys =
      audit_keys_ ? audit_keys_.get()
                  : (config_.audit.encrypt_subjects ? audit::processKeyStore() : nullptr);
  cassette_store_ = std::make_unique<audit::CassetteStore>(data_dir + "/cassettes", nullptr, keys);
  audit::TraceServiceOptions options;
  options.reader = trace_reader_.get();
  options.sink = traces_.get();
  options.prompts = prompt_store_.get();
  options.cassettes = cassette_store_.get();
  options.redactor = redactor_;
  trace_service_ = std::make_unique<audit::TraceService>(options);
  return trace_service_.get();
}

Result<models::ModelService*> ServerContext::models() {
  if (models_) return models_.get();
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, gateway());
  WARD_RETURN_IF_ERROR(traceService().status());
  models::ModelServiceOptions options;
  WARD_ASSIGN_OR_RETURN(options.models, models::loadModelConfigs(configPath()));
  WARD_ASSIGN_OR_RETURN(options.budgets, models::loadBudgetConfigs(configPath()));
  WARD_ASSIGN_OR_RETURN(options.provider_state, models::loadProxyProviderState(configPath()));
  options.traces = traces_.get();
  options.prompts = prompt_store_.get();
  options.cassettes = cassette_store_.get();
  options.redactor = redactor_;
  const std::string tenant = config_.tenant;
  options.secrets = [gw, tenant](const std::string& name) { return gw->secretValue(tenant, name); };
  // A tool call naming a gateway tool the caller may not call is refused (docs/design/models.md).
  options.tool_policy = [gw](const identity::Principal& p, const std::string& name) -> Status {
    auto risk = gw->riskOf(p.tenant, name);
    if (!risk.ok()) {
      return risk.status().code() == StatusCode::kNotFound ? Status() : risk.status();
    }
    WARD_ASSIGN_OR_RETURN(std::vector<gateway::CallableTool> tools, gw->callableTools(p, nullptr));
    for (const gateway::CallableTool& t : tools) {
      if (t.name == name) return Status();
    }
    return Status::permissionDenied("no grant for tool '" + name + "'");
  };
  models_ = std::make_unique<models::ModelService>(std::move(options));
  return models_.get();
}

Status ServerContext::init(bool* created) {
  std::error_code ec;
  *created = !fs::exists(dbPath(), ec);
  // The umask first: everything created below is owner-only.
  WARD_RETURN_IF_ERROR(io::restrictToOwner(data_dir, kDataDirEntries));
  fs::create_directories(data_dir, ec);
  if (ec) return Status::unavailable("cannot create " + data_dir + ": " + ec.message());
  fs::create_directories(auditDir(), ec);
  fs::create_directories(indexDir(), ec);
  if (!fs::exists(configPath(), ec)) {
    std::ofstream out(configPath());
    out << WardConfig::defaultToml();
    if (!out) return Status::unavailable("cannot write " + configPath());
  }
  WARD_ASSIGN_OR_RETURN(config_, WardConfig::load(configPath()));
  {
    // Creates the audit log and its signing key, so `ward audit pubkey` works from the start.
    WARD_ASSIGN_OR_RETURN(auto log, audit::AuditLog::open(auditLogOptions()));
  }
  WARD_ASSIGN_OR_RETURN(store_, openRecordStore(configPath(), dbPath()));
  WARD_RETURN_IF_ERROR(store_->ensureTenant(config_.tenant));
  auto admin = store_->findPrincipal(config_.tenant, "admin");
  if (!admin.ok()) {
    auto made =
        store_->createPrincipal(config_.tenant, "admin", identity::PrincipalKind::kUser, true);
    if (!made.ok()) return made.status();
  }
  return Status();
}

Result<identity::Principal> ServerContext::principal(const std::string& name) {
  if (name.empty()) return Status::invalidArgument("--as USER is required");
  return identity::resolvePrincipal(*store_, config_.tenant, name);
}

}  // namespace ward::server
