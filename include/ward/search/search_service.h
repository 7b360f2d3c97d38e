// Permission-aware search: query -> ACL-filtered BM25F top-k with snippets and citations.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/config.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"
#include "ward/trace/trace.h"

namespace ward::store {
class Store;
}
namespace ward::index {
class Index;
}

namespace ward::search {

struct Filters {
  std::vector<std::string> sources;             // any of these sources
  std::map<std::string, std::string> metadata;  // every key must equal the value (string form)
  std::optional<int64_t> updated_after;         // source updated_at >= (micros)
  std::optional<int64_t> updated_before;        // source updated_at < (micros)
};

struct SearchRequest {
  std::string query;
  int k = 10;
  Filters filters;
};

struct Hit {
  std::string doc_id;  // the document's external id
  int64_t version = 0;
  std::string title;
  std::string url;
  std::string source;
  int64_t chunk_id = 0;
  int ordinal = 0;
  int64_t span_start = 0;
  int64_t span_end = 0;
  int page = 0;
  std::string heading_path;
  std::string kind;
  double score = 0;
  std::string snippet;   // with highlights as «term»
  std::string citation;  // "Title › Heading, p. 3, chars 120-480 (v2)"
  int64_t indexed_at = 0;
  int64_t updated_at = 0;
  // The version's content flags (store/document_flags.h), e.g. "injection:<rule>": the text is
  // data that an ingest-time scanner found suspicious. Shown, never used to hide the hit.
  std::vector<std::string> flags;

  Json toJson() const;
};

struct SearchResponse {
  std::vector<Hit> hits;
  int64_t total_matches = 0;  // chunks the principal may read that match
  double took_ms = 0;
  std::string trace_id;
};

// Thread-safe.
class SearchService {
 public:
  SearchService(store::Store& store, index::Index& index, trace::TraceSink& traces,
                const SearchConfig& config);
  // Validates the request (empty query, k out of range, too long) as InvalidArgument.
  Result<SearchResponse> search(const identity::Principal& who, const SearchRequest& request,
                                const trace::TraceContext& trace);
  // Parses the JSON body of POST /v1/search or a batch line: {"query"|"text","k","filters"}.
  static Result<SearchRequest> requestFromJson(const Json& j, const SearchConfig& config);

 private:
  store::Store& store_;
  index::Index& index_;
  trace::TraceSink& traces_;
  SearchConfig config_;
};

}  // namespace ward::search
