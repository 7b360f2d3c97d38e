#include "builtin_executor.h"

#include <algorithm>

#include "ward/search/search_service.h"
#include "ward/store/store.h"

namespace ward::gateway {

namespace {

constexpr size_t kMaxFetchChars = 256 << 10;

bool mayRead(const identity::Principal& who, const store::DocumentRecord& doc) {
  for (const std::string& t : doc.acl.tokens(doc.tenant)) {
    if (std::binary_search(who.acl_tokens.begin(), who.acl_tokens.end(), t)) return true;
  }
  return false;
}

}  // namespace

Result<Json> BuiltinExecutor::execute(CallContext& call) {
  const std::string& name = call.tool->definition.backend.builtin;
  const identity::Principal& who = call.request.principal;
  const Json& args = call.request.args;
  call.backend_contacted = true;
  if (name == "search") {
    if (search_ == nullptr) return Status::unavailable("builtin search is not available here");
    Json body = Json::object();
    body["query"] = args.value("query", "");
    if (args.contains("k")) body["k"] = args["k"];
    if (args.contains("filters")) body["filters"] = args["filters"];
    WARD_ASSIGN_OR_RETURN(search::SearchRequest req,
                          search::SearchService::requestFromJson(body, SearchConfig{}));
    WARD_ASSIGN_OR_RETURN(search::SearchResponse resp,
                          search_->search(who, req, call.request.trace));
    Json hits = Json::array();
    for (const search::Hit& h : resp.hits) hits.push_back(h.toJson());
    return Json{{"hits", std::move(hits)}, {"total_matches", resp.total_matches}};
  }
  if (name == "fetch") {
    if (store_ == nullptr) return Status::unavailable("builtin fetch is not available here");
    if (!args.contains("id") || !args["id"].is_string()) {
      return Status::invalidArgument("argument 'id' must be a string");
    }
    const std::string id = args["id"].get<std::string>();
    const Status missing = Status::notFound("document '" + id + "' not found");
    auto doc = store_->getDocument(who.tenant, id);
    if (!doc.ok()) return doc.status().code() == StatusCode::kNotFound ? missing : doc.status();
    if (doc->deleted || !mayRead(who, *doc)) return missing;
    WARD_ASSIGN_OR_RETURN(std::vector<store::ChunkRecord> chunks, store_->chunksOf(doc->id));
    std::string text;
    bool truncated = false;
    for (const store::ChunkRecord& c : chunks) {
      if (text.size() + c.text.size() > kMaxFetchChars) {
        truncated = true;
        break;
      }
      if (!text.empty()) text += "\n\n";
      text += c.text;
    }
    return Json{{"id", doc->ext_id},     {"title", doc->title}, {"version", doc->version},
                {"source", doc->source}, {"url", doc->url},     {"text", text},
                {"truncated", truncated}};
  }
  return Status::internal("unknown builtin backend '" + name + "'");
}

}  // namespace ward::gateway
