// Test scaffolding shared by the core unit tests: a private temp directory per test and a fully
// wired Ward instance (store, trace sink, index, search and ingest services) inside it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "ward/audit/audit_trace_sink.h"
#include "ward/common/config.h"
#include "ward/common/json.h"
#include "ward/identity/directory.h"
#include "ward/index/index.h"
#include "ward/ingest/ingest_service.h"
#include "ward/search/search_service.h"
#include "ward/store/store.h"

namespace ward::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ward_test_XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Ward wired the way the CLI wires it (src/cli/cli_context.cc), over a data directory.
// Members are destroyed in reverse order: services, index, traces, store.
struct WardInstance {
  std::string tenant = "default";
  std::unique_ptr<store::Store> store;
  std::unique_ptr<trace::TraceSink> traces;
  std::unique_ptr<index::Index> index;
  std::unique_ptr<search::SearchService> search;
  std::unique_ptr<ingest::IngestService> ingest;

  static std::unique_ptr<WardInstance> open(const std::string& dir) {
    auto w = std::make_unique<WardInstance>();
    std::filesystem::create_directories(dir + "/index");
    auto st = store::openSqliteStore(dir + "/ward.db");
    if (!st.ok()) throw std::runtime_error("openSqliteStore: " + st.status().toString());
    w->store = std::move(st).value();
    Status t = w->store->ensureTenant(w->tenant);
    if (!t.ok()) throw std::runtime_error("ensureTenant: " + t.toString());
    audit::AuditSinkOptions audit_options;
    audit_options.log.dir = dir + "/audit";
    auto tr = audit::openAuditLogSink(audit_options);
    if (!tr.ok()) throw std::runtime_error("openAuditLogSink: " + tr.status().toString());
    w->traces = std::move(tr).value();
    auto ix = index::openIndex(dir + "/index", *w->store, IndexConfig{});
    if (!ix.ok()) throw std::runtime_error("openIndex: " + ix.status().toString());
    w->index = std::move(ix).value();
    w->search =
        std::make_unique<search::SearchService>(*w->store, *w->index, *w->traces, SearchConfig{});
    w->ingest =
        std::make_unique<ingest::IngestService>(*w->store, *w->index, *w->traces, IngestConfig{});
    return w;
  }

  Result<ingest::IngestReport> ingestRecords(const Json& records,
                                             const std::string& source = "records") {
    return ingest->ingestRecords(tenant, records, source, trace::TraceContext::generate(), "test");
  }

  Result<search::SearchResponse> searchAs(const std::string& who,
                                          const search::SearchRequest& request) {
    auto p = identity::resolvePrincipal(*store, tenant, who);
    if (!p.ok()) return p.status();
    return search->search(*p, request, trace::TraceContext::generate());
  }

  Result<search::SearchResponse> searchAs(const std::string& who, const std::string& query,
                                          int k = 10) {
    search::SearchRequest r;
    r.query = query;
    r.k = k;
    return searchAs(who, r);
  }
};

}  // namespace ward::testing
