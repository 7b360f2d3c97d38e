// POST /v1/search and GET /v1/search: permission-aware search as the calling principal.
#include "handlers.h"
#include "ward/search/search_service.h"

namespace ward::http {

namespace {

Json responseJson(const search::SearchResponse& response) {
  Json hits = Json::array();
  for (const search::Hit& hit : response.hits) hits.push_back(hit.toJson());
  return Json{{"hits", std::move(hits)},
              {"total_matches", response.total_matches},
              {"took_ms", response.took_ms},
              {"trace_id", response.trace_id}};
}

Result<HttpResponse> runSearch(const Services& s, const HttpRequest& r, const Json& body) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  if (!body.is_object()) return Status::invalidArgument("search request must be a JSON object");
  WARD_ASSIGN_OR_RETURN(search::SearchRequest request,
                        search::SearchService::requestFromJson(body, s.config->search));
  WARD_ASSIGN_OR_RETURN(search::SearchResponse response, s.search->search(*who, request, r.trace));
  return HttpResponse::json(responseJson(response));
}

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

Result<HttpResponse> searchPost(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  return runSearch(s, r, body);
}

// GET /v1/search?q=...&k=...&source=a,b&updated_after=...&updated_before=...
Result<HttpResponse> searchGet(const Services& s, const HttpRequest& r) {
  Json body = Json::object();
  body["query"] = r.queryParam("q");
  std::string k = r.queryParam("k");
  if (!k.empty()) {
    if (k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos) {
      return Status::invalidArgument("query parameter 'k' must be a positive integer");
    }
    body["k"] = std::stoi(k);
  }
  Json filters = Json::object();
  std::string sources = r.queryParam("source");
  if (!sources.empty()) filters["sources"] = splitCommas(sources);
  for (const char* key : {"updated_after", "updated_before"}) {
    std::string v = r.queryParam(key);
    if (!v.empty()) filters[key] = v;
  }
  if (!filters.empty()) body["filters"] = std::move(filters);
  return runSearch(s, r, body);
}

}  // namespace ward::http
