// GET /healthz, GET /metrics, GET /v1/status, and the store/index gauges behind /metrics.
#include "handlers.h"
#include "ward/common/process_memory.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/index/index.h"
#include "ward/store/store.h"

namespace ward::http {

namespace {

Json storeStatsJson(const store::StoreStats& st) {
  return Json{{"documents", st.documents},   {"tombstones", st.tombstones},
              {"chunks", st.chunks},         {"sources", st.sources},
              {"principals", st.principals}, {"last_change_seq", st.last_change_seq},
              {"text_bytes", st.text_bytes}};
}

Json indexStatsJson(const index::IndexStats& st) {
  return Json{{"chunks", st.chunks},
              {"segments", st.segments},
              {"terms", st.terms},
              {"applied_seq", st.applied_seq},
              {"memory_bytes", st.memory_bytes}};
}

// A gauge reading one field of the store's stats (no samples while the store is failing).
GaugeFn storeGauge(store::Store* st, int64_t store::StoreStats::*field) {
  return [st, field]() -> std::vector<GaugeSample> {
    auto stats = st->stats();
    if (!stats.ok()) return {};
    return {GaugeSample{{}, static_cast<double>((*stats).*field)}};
  };
}

GaugeFn indexGauge(index::Index* ix, int64_t index::IndexStats::*field) {
  return [ix, field]() -> std::vector<GaugeSample> {
    return {GaugeSample{{}, static_cast<double>(ix->stats().*field)}};
  };
}

}  // namespace

Result<HttpResponse> healthz(const Services&, const HttpRequest&) {
  return HttpResponse::json(Json{{"status", "ok"}});
}

Result<HttpResponse> metricsText(const Services&, const HttpRequest&) {
  return HttpResponse::text(metrics().renderPrometheus(),
                            "text/plain; version=0.0.4; charset=utf-8");
}

// GET /v1/status
Result<HttpResponse> statusGet(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(store::StoreStats st, s.store->stats());
  index::IndexStats ix = s.index->stats();
  WARD_ASSIGN_OR_RETURN(std::vector<store::SourceRecord> sources,
                        s.store->listSources(who->tenant));
  Json source_list = Json::array();
  for (const store::SourceRecord& src : sources) {
    source_list.push_back(Json{{"name", src.name},
                               {"documents", src.documents},
                               {"last_updated_at", timeJson(src.last_updated_at)},
                               {"last_indexed_at", timeJson(src.last_indexed_at)}});
  }
  return HttpResponse::json(
      Json{{"tenant", who->tenant},
           {"principal", who->name},
           {"store", storeStatsJson(st)},
           {"index", indexStatsJson(ix)},
           {"index_lag", std::max<int64_t>(0, st.last_change_seq - ix.applied_seq)},
           {"sources", std::move(source_list)}});
}

std::vector<GaugeRegistration> registerServiceGauges(const Services& s) {
  std::vector<GaugeRegistration> out;
  Metrics& m = metrics();
  store::Store* st = s.store;
  index::Index* ix = s.index;
  out.push_back(m.registerGauge("ward_store_documents", "Live documents in the store.",
                                storeGauge(st, &store::StoreStats::documents)));
  out.push_back(m.registerGauge("ward_store_tombstones", "Deleted (tombstoned) documents.",
                                storeGauge(st, &store::StoreStats::tombstones)));
  out.push_back(m.registerGauge("ward_store_chunks", "Chunks in the store.",
                                storeGauge(st, &store::StoreStats::chunks)));
  out.push_back(m.registerGauge("ward_store_text_bytes", "Bytes of live documents' text.",
                                storeGauge(st, &store::StoreStats::text_bytes)));
  out.push_back(m.registerGauge("ward_store_last_change_seq", "Last change-feed sequence number.",
                                storeGauge(st, &store::StoreStats::last_change_seq)));
  out.push_back(m.registerGauge("ward_index_chunks", "Live chunks in the search index.",
                                indexGauge(ix, &index::IndexStats::chunks)));
  out.push_back(m.registerGauge("ward_index_segments", "Index segments.",
                                indexGauge(ix, &index::IndexStats::segments)));
  out.push_back(m.registerGauge("ward_index_applied_seq", "Last store change applied by the index.",
                                indexGauge(ix, &index::IndexStats::applied_seq)));
  out.push_back(m.registerGauge("ward_index_terms", "Distinct terms in the search index.",
                                indexGauge(ix, &index::IndexStats::terms)));
  out.push_back(m.registerGauge("ward_index_memory_bytes",
                                "Bytes the search index holds in memory (its own estimate).",
                                indexGauge(ix, &index::IndexStats::memory_bytes)));
  // The process's memory beside what explains it (docs/design/http.md, "Metrics").
  auto process = [](int64_t ProcessMemory::*field) -> GaugeFn {
    return [field]() -> std::vector<GaugeSample> {
      return {GaugeSample{{}, static_cast<double>(readProcessMemory().*field)}};
    };
  };
  out.push_back(m.registerGauge("ward_process_resident_bytes", "Resident memory (VmRSS).",
                                process(&ProcessMemory::resident_bytes)));
  out.push_back(m.registerGauge("ward_process_heap_in_use_bytes",
                                "Heap allocated and not freed (glibc mallinfo2).",
                                process(&ProcessMemory::heap_in_use_bytes)));
  out.push_back(m.registerGauge("ward_process_heap_held_bytes",
                                "Heap obtained from the kernel, free or not (glibc mallinfo2).",
                                process(&ProcessMemory::heap_held_bytes)));
  out.push_back(m.registerGauge("ward_process_open_fds", "Open file descriptors.",
                                process(&ProcessMemory::open_fds)));
  out.push_back(m.registerGauge("ward_process_threads", "Threads of the process.",
                                process(&ProcessMemory::threads)));
  out.push_back(m.registerGauge("ward_index_lag", "Store changes not yet applied by the index.",
                                [st, ix]() -> std::vector<GaugeSample> {
                                  auto stats = st->stats();
                                  if (!stats.ok()) return {};
                                  double lag = static_cast<double>(stats->last_change_seq -
                                                                   ix->stats().applied_seq);
                                  return {GaugeSample{{}, lag < 0 ? 0 : lag}};
                                }));
  return out;
}

std::vector<GaugeRegistration> registerGatewayGauges(const Services& s) {
  std::vector<GaugeRegistration> out;
  if (gateway::ToolGateway* gw = s.gateway) {
    out.push_back(metrics().registerGauge(
        "ward_gateway_approval_waiters", "Requests waiting for an approval decision (?wait=).",
        [gw]() -> std::vector<GaugeSample> {
          return {GaugeSample{{}, static_cast<double>(gw->approvalWaiters())}};
        }));
  }
  return out;
}

}  // namespace ward::http
