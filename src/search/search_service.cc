#include "ward/search/search_service.h"

#include "query_parser.h"
#include "snippet.h"
#include "ward/common/clock.h"
#include "ward/index/index.h"
#include "ward/store/document_flags.h"
#include "ward/store/search_reads.h"
#include "ward/store/store.h"

namespace ward::search {

namespace {

std::string citationFor(const Hit& h) {
  std::string c = h.title.empty() ? h.doc_id : h.title;
  if (!h.heading_path.empty()) c += " › " + h.heading_path;
  if (h.page > 0) c += ", p. " + std::to_string(h.page);
  c += ", chars " + std::to_string(h.span_start) + "-" + std::to_string(h.span_end);
  c += " (" + h.doc_id + " v" + std::to_string(h.version) + ")";
  return c;
}

Result<int64_t> dateField(const Json& j, const char* name) {
  if (!j.is_string()) {
    return Status::invalidArgument(std::string("filters.") + name + " must be an RFC 3339 string");
  }
  int64_t micros;
  if (!parseRfc3339(j.get<std::string>(), &micros)) {
    return Status::invalidArgument(std::string("filters.") + name + " is not an RFC 3339 date");
  }
  return micros;
}

}  // namespace

Json Hit::toJson() const {
  return Json{{"doc_id", doc_id},
              {"version", version},
              {"title", title},
              {"url", url},
              {"source", source},
              {"chunk_id", chunk_id},
              {"ordinal", ordinal},
              {"span_start", span_start},
              {"span_end", span_end},
              {"page", page},
              {"heading_path", heading_path},
              {"kind", kind},
              {"score", score},
              {"snippet", snippet},
              {"citation", citation},
              {"indexed_at", indexed_at ? formatRfc3339(indexed_at) : ""},
              {"updated_at", updated_at ? formatRfc3339(updated_at) : ""},
              {"flags", flags}};
}

SearchService::SearchService(store::Store& store, index::Index& index, trace::TraceSink& traces,
                             const SearchConfig& config)
    : store_(store), index_(index), traces_(traces), config_(config) {}

Result<SearchRequest> SearchService::requestFromJson(const Json& j, const SearchConfig& config) {
  if (!j.is_object()) return Status::invalidArgument("request body must be a JSON object");
  SearchRequest r;
  r.k = config.default_k;
  const Json* q = j.contains("query") ? &j["query"] : j.contains("text") ? &j["text"] : nullptr;
  if (!q) return Status::invalidArgument("field 'query' is required");
  if (!q->is_string()) return Status::invalidArgument("field 'query' must be a string");
  r.query = q->get<std::string>();
  if (j.contains("k")) {
    if (!j["k"].is_number_integer()) return Status::invalidArgument("field 'k' must be an integer");
    int64_t k = j["k"].get<int64_t>();
    if (k < 1 || k > config.max_k) {
      return Status::invalidArgument("field 'k' must be between 1 and " +
                                     std::to_string(config.max_k));
    }
    r.k = static_cast<int>(k);
  }
  if (j.contains("filters")) {
    const Json& f = j["filters"];
    if (!f.is_object()) return Status::invalidArgument("field 'filters' must be an object");
    for (auto it = f.begin(); it != f.end(); ++it) {
      const std::string& key = it.key();
      if (key == "sources" || key == "source") {
        const Json& s = it.value();
        if (s.is_string()) {
          r.filters.sources.push_back(s.get<std::string>());
        } else if (s.is_array()) {
          for (const auto& e : s) {
            if (!e.is_string()) return Status::invalidArgument("filters.sources must be strings");
            r.filters.sources.push_back(e.get<std::string>());
          }
        } else {
          return Status::invalidArgument("filters.sources must be an array of strings");
        }
      } else if (key == "metadata") {
        if (!it.value().is_object()) {
          return Status::invalidArgument("filters.metadata must be an object");
        }
        for (auto m = it.value().begin(); m != it.value().end(); ++m) {
          const Json& v = m.value();
          if (v.is_string())
            r.filters.metadata[m.key()] = v.get<std::string>();
          else if (v.is_number() || v.is_boolean())
            r.filters.metadata[m.key()] = v.dump();
          else
            return Status::invalidArgument("filters.metadata." + m.key() + " must be a scalar");
        }
      } else if (key == "updated_after") {
        WARD_ASSIGN_OR_RETURN(int64_t v, dateField(it.value(), "updated_after"));
        r.filters.updated_after = v;
      } else if (key == "updated_before") {
        WARD_ASSIGN_OR_RETURN(int64_t v, dateField(it.value(), "updated_before"));
        r.filters.updated_before = v;
      } else {
        return Status::invalidArgument("unknown filter '" + key + "'");
      }
    }
  }
  return r;
}

Result<SearchResponse> SearchService::search(const identity::Principal& who,
                                             const SearchRequest& request,
                                             const trace::TraceContext& trace) {
  const int64_t started = SystemClock::instance().monotonicNanos();
  if (request.k < 1 || request.k > config_.max_k) {
    return Status::invalidArgument("k must be between 1 and " + std::to_string(config_.max_k));
  }
  WARD_ASSIGN_OR_RETURN(ParsedQuery parsed, parseQuery(request.query, config_));
  // A document committed by another process (the CLI beside a server) becomes visible here.
  WARD_ASSIGN_OR_RETURN(int64_t ignored, index_.catchUp());
  (void)ignored;

  index::IndexQuery q;
  q.terms = parsed.terms;
  q.phrases = parsed.phrases;
  q.required_terms = parsed.required;
  q.any_of_tokens = who.acl_tokens;
  q.scope_tokens = who.scope_tokens;  // an agent acting for `who`: the intersection
  q.k = request.k;
  if (!request.filters.sources.empty()) {
    std::vector<std::string> group;
    for (const auto& s : request.filters.sources) group.push_back(who.tenant + "/src:" + s);
    q.filter_token_groups.push_back(std::move(group));
  }
  for (const auto& [k, v] : request.filters.metadata) {
    q.filter_token_groups.push_back({who.tenant + "/m:" + k + "=" + v});
  }
  q.updated_after = request.filters.updated_after;
  q.updated_before = request.filters.updated_before;

  index::BM25Params params{config_.k1, config_.b, config_.title_weight, config_.heading_weight,
                           config_.body_weight};
  WARD_ASSIGN_OR_RETURN(index::IndexResult found, index_.search(q, params));

  SearchResponse response;
  response.total_matches = found.total_matches;
  response.trace_id = trace.trace_id;
  // The hits' chunks and documents in one call (a chunk deleted, or whose document became a
  // tombstone, between the index read and this one is left out: a response can hold fewer than
  // k hits).
  std::vector<int64_t> chunk_ids;
  chunk_ids.reserve(found.top.size());
  for (const auto& sc : found.top) chunk_ids.push_back(sc.chunk_id);
  WARD_ASSIGN_OR_RETURN(std::vector<store::ChunkWithDocument> rows,
                        store::readForResults(store_, chunk_ids));
  size_t next_row = 0;
  for (const auto& sc : found.top) {
    if (next_row >= rows.size() || rows[next_row].chunk.id != sc.chunk_id) continue;
    const store::ChunkRecord& chunk = rows[next_row].chunk;
    const store::DocumentRecord& doc = rows[next_row].document;
    ++next_row;
    Hit h;
    h.doc_id = doc.ext_id;
    h.version = chunk.version;
    h.title = doc.title;
    h.url = doc.url;
    h.source = doc.source;
    h.chunk_id = chunk.id;
    h.ordinal = chunk.ordinal;
    h.span_start = chunk.span_start;
    h.span_end = chunk.span_end;
    h.page = chunk.page;
    h.heading_path = chunk.heading_path;
    h.kind = chunk.kind;
    h.score = sc.score;
    h.snippet = makeSnippet(chunk.text, parsed.highlight_terms);
    h.indexed_at = doc.indexed_at;
    h.updated_at = doc.updated_at;
    h.citation = citationFor(h);
    h.flags = store::documentFlags(doc.metadata);
    response.hits.push_back(std::move(h));
  }
  response.took_ms = static_cast<double>(SystemClock::instance().monotonicNanos() - started) / 1e6;

  trace::TraceEvent ev;
  ev.context = trace;
  ev.kind = "search";
  ev.tenant = who.tenant;
  ev.principal = who.name;
  ev.time_us = SystemClock::instance().nowMicros();
  Json hits = Json::array();
  for (const auto& h : response.hits) {
    Json hit = {
        {"doc_id", h.doc_id}, {"version", h.version}, {"chunk_id", h.chunk_id}, {"score", h.score}};
    // When the cited version was indexed and last changed: a replay can tell stale sources.
    if (h.indexed_at != 0) hit["indexed_at"] = formatRfc3339(h.indexed_at);
    if (h.updated_at != 0) hit["updated_at"] = formatRfc3339(h.updated_at);
    if (!h.flags.empty()) hit["flags"] = h.flags;
    hits.push_back(std::move(hit));
  }
  ev.attributes = {{"query", request.query},
                   {"k", request.k},
                   {"hits", hits},
                   {"total_matches", response.total_matches},
                   {"acl",
                    {{"rule", "document_acl"},
                     {"candidates_removed", found.acl_removed},
                     {"postings_skipped", found.acl_skipped_postings}}},
                   {"took_ms", response.took_ms}};
  if (who.scope_tokens) {
    ev.attributes["agent"] = who.acting_agent;
    ev.attributes["acl"]["rule"] = "document_acl_and_agent_scope";
  }
  WARD_RETURN_IF_ERROR(traces_.record(ev));
  return response;
}

}  // namespace ward::search
