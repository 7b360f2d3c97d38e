#include "builtin_executor.h"

#include "ward/identity/directory.h"
#include "ward/search/search_service.h"
#include "ward/store/document_access.h"
#include "ward/store/store.h"

namespace ward::gateway {

namespace {

constexpr size_t kMaxFetchChars = 256 << 10;

}  // namespace

void BuiltinHandlers::set(const std::string& name, BuiltinHandler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handlers_[name] = std::move(handler);
}

BuiltinHandler BuiltinHandlers::find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = handlers_.find(name);
  return it == handlers_.end() ? BuiltinHandler() : it->second;
}

Result<Json> BuiltinExecutor::execute(CallContext& call) {
  const std::string& name = call.tool->definition.backend.builtin;
  const Json& args = call.request.args;
  call.backend_contacted = true;
  // An agent acting for the user reads only what both may read: the user's ACL narrowed by the
  // agent's document scope (identity/document_scope.h).
  identity::Principal who = call.request.principal;
  if (call.request.agent) {
    if (store_ == nullptr) return Status::unavailable("builtin tools are not available here");
    WARD_ASSIGN_OR_RETURN(
        who, identity::resolveActingFor(*store_, call.request.principal, *call.request.agent));
  }
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
    if (!store::mayReadDocument(who, *doc)) return missing;
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
  if (BuiltinHandler handler = handlers_ ? handlers_->find(name) : BuiltinHandler()) {
    const BuiltinCall builtin{who, call.request.agent, args, call.request.trace, call.request.via};
    return handler(builtin);
  }
  if (name == "ask") return Status::unavailable("builtin 'ask' is not available here");
  return Status::internal("unknown builtin backend '" + name + "'");
}

}  // namespace ward::gateway
