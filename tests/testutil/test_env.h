// A fully wired Ward instance (store, trace sink, index, search and ingest services) over a data
// directory, for the unit tests of the modules it wires (index, search, ingest, store). A test
// that needs only a temp directory includes testutil/temp_dir.h instead.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "testutil/temp_dir.h"
#include "ward/audit/audit_trace_sink.h"
#include "ward/common/config.h"
#include "ward/common/json.h"
#include "ward/identity/directory.h"
#include "ward/index/index.h"
#include "ward/ingest/ingest_service.h"
#include "ward/search/search_service.h"
#include "ward/store/store.h"

namespace ward::testing {

// Ward wired the way the CLI wires it (src/server/server_context.cc), over a data directory.
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
