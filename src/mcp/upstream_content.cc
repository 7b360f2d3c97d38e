#include "upstream_content.h"

#include <cctype>
#include <future>
#include <vector>

#include "ward/common/hash.h"
#include "ward/common/log.h"
#include "ward/gateway/grant_subject.h"
#include "ward/gateway/tool_definition.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/http/http_message.h"
#include "ward/upstream/upstream_pool.h"

namespace ward::mcp {

namespace {

constexpr char kUpstreamPrefix[] = "ward://upstreams/";

void encodeChar(unsigned char c, std::string& out) {
  static const char* const kHex = "0123456789ABCDEF";
  if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
    out.push_back(static_cast<char>(c));
  } else {
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
}

}  // namespace

std::string percentEncode(const std::string& in) {
  std::string out;
  for (unsigned char c : in) encodeChar(c, out);
  return out;
}

namespace {

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF): a
// decoded URI goes into JSON sent upstream, and nlohmann refuses to serialise anything else.
bool validUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;  // continuation bytes
    if (c >= 0x80) {
      if ((c >> 5) == 0x6) {
        n = 1;
      } else if ((c >> 4) == 0xE) {
        n = 2;
      } else if ((c >> 3) == 0x1E) {
        n = 3;
      } else {
        return false;
      }
    }
    if (i + n >= s.size()) return false;
    uint32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

Json emptyCompletion() {
  return Json{{"completion", {{"values", Json::array()}, {"total", 0}, {"hasMore", false}}}};
}

// What an upstream said about a resource it does not have: -32602 (the SDKs) becomes
// InvalidArgument in McpClient, -32002 (the spec's "resource not found") Unavailable with the
// code in the message (NotFound is reserved there for an expired session).
bool upstreamSaysMissing(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument ||
         st.message().find(" error -32002:") != std::string::npos;
}

}  // namespace

Json upstreamListedItem(const Json& item, const char* key, const std::string& upstream) {
  if (!item.is_object() || !item.contains(key) || !item[key].is_string() ||
      !item.contains("name") || !item["name"].is_string()) {
    return nullptr;
  }
  Json out = {{key, item[key]}, {"name", item["name"]}};
  for (const char* k : {"title", "description", "mimeType"}) {
    if (item.contains(k) && item[k].is_string()) out[k] = item[k];
  }
  if (item.contains("size") && item["size"].is_number_unsigned()) out["size"] = item["size"];
  if (item.contains("annotations") && item["annotations"].is_object()) {
    out["annotations"] = item["annotations"];
  }
  out["_meta"] =
      item.contains("_meta") && item["_meta"].is_object() ? item["_meta"] : Json::object();
  out["_meta"]["ward/upstream"] = upstream;  // beside the upstream's own _meta keys
  return out;
}

Json upstreamPromptDefinition(const Json& prompt) {
  if (!prompt.is_object() || !prompt.contains("name") || !prompt["name"].is_string()) {
    return nullptr;
  }
  Json def = {{"name", prompt["name"]}};
  for (const char* key : {"title", "description"}) {
    if (prompt.contains(key) && prompt[key].is_string()) def[key] = prompt[key];
  }
  if (prompt.contains("arguments") && prompt["arguments"].is_array()) {
    Json args = Json::array();
    for (const Json& a : prompt["arguments"]) {
      if (!a.is_object() || !a.contains("name") || !a["name"].is_string()) return nullptr;
      Json arg = {{"name", a["name"]}};
      for (const char* key : {"title", "description"}) {
        if (a.contains(key) && a[key].is_string()) arg[key] = a[key];
      }
      if (a.contains("required") && a["required"].is_boolean()) arg["required"] = a["required"];
      args.push_back(std::move(arg));
    }
    def["arguments"] = std::move(args);
  }
  return def;
}

std::string upstreamResourceUri(const std::string& upstream, const std::string& uri) {
  std::string out = std::string(kUpstreamPrefix) + upstream + "/";
  for (unsigned char c : uri) encodeChar(c, out);
  return out;
}

std::string upstreamTemplateUri(const std::string& upstream, const std::string& uri_template) {
  std::string out = std::string(kUpstreamPrefix) + upstream + "/";
  for (size_t i = 0; i < uri_template.size(); ++i) {
    size_t close = uri_template[i] == '{' ? uri_template.find('}', i) : std::string::npos;
    if (close != std::string::npos) {
      out.append(uri_template, i, close - i + 1);  // an expression: the client expands it
      i = close;
    } else {
      encodeChar(static_cast<unsigned char>(uri_template[i]), out);
    }
  }
  return out;
}

std::optional<UpstreamUri> parseUpstreamUri(const std::string& uri) {
  const size_t prefix = sizeof(kUpstreamPrefix) - 1;
  if (uri.compare(0, prefix, kUpstreamPrefix) != 0) return std::nullopt;
  size_t slash = uri.find('/', prefix);
  if (slash == std::string::npos || slash == prefix || slash + 1 == uri.size()) {
    return std::nullopt;
  }
  auto decoded = http::percentDecode(std::string_view(uri).substr(slash + 1));
  if (!decoded.ok() || decoded->empty() || !validUtf8(*decoded)) return std::nullopt;
  return UpstreamUri{uri.substr(prefix, slash - prefix), *decoded};
}

upstream::McpClient* UpstreamContent::visible(const std::string& name, bool prompts,
                                              const Exchange& x) {
  if (pool_ == nullptr || x.principal == nullptr) return nullptr;
  // Upstreams belong to ward.toml's tenant (its secrets authenticate them); subject lists name
  // that tenant's principals and groups, so nobody in another tenant matches.
  if (gateway_ == nullptr || x.principal->tenant != gateway_->configTenant()) return nullptr;
  auto client = pool_->client(name);
  if (!client.ok()) return nullptr;
  const upstream::UpstreamConfig& c = (*client)->config();
  const bool allowed =
      gateway::subjectListAllows(prompts ? c.prompts_for : c.resources_for, *x.principal);
  return allowed ? *client : nullptr;
}

Json UpstreamContent::listAll(const std::string& method, const std::string& field, bool prompts,
                              Exchange& x) {
  Json out = Json::array();
  if (pool_ == nullptr) return out;
  struct Pending {
    std::string upstream;
    std::future<Result<Json>> items;
  };
  std::vector<std::pair<std::string, upstream::McpClient*>> visible_clients;
  for (const std::string& name : pool_->names()) {
    if (upstream::McpClient* c = visible(name, prompts, x)) visible_clients.push_back({name, c});
  }
  // In parallel, so a listing waits for the slowest upstream, not the sum of them. The first
  // runs on this thread (deferred, run at get()): with one visible upstream no thread is made,
  // which on a loaded machine saves the wait for a new thread to be scheduled.
  std::vector<Pending> pending;
  for (size_t i = 0; i < visible_clients.size(); ++i) {
    upstream::McpClient* c = visible_clients[i].second;
    const auto policy = i == 0 ? std::launch::deferred : std::launch::async;
    pending.push_back({visible_clients[i].first, std::async(policy, [c, method, field] {
                         return c->listAll(method, field, kMaxUpstreamItems);
                       })});
  }
  for (Pending& p : pending) {
    Result<Json> items = p.items.get();
    if (!items.ok()) {
      // Skipped: Ward's own items and the other upstreams are still listed.
      logWarn("mcp " + method + ": skipping upstream '" + p.upstream +
              "': " + items.status().message());
      x.log(
          "warning", "ward.upstreams",
          Json{{"upstream", p.upstream}, {"method", method}, {"error", items.status().message()}});
      continue;
    }
    for (Json& item : *items) {
      if (item.is_object())
        out.push_back(Json{{"upstream", p.upstream}, {"item", std::move(item)}});
    }
  }
  return out;
}

Json UpstreamContent::listResources(Exchange& x) {
  Json out = Json::array();
  for (Json& e : listAll("resources/list", "resources", false, x)) {
    const std::string up = e["upstream"];
    Json item = upstreamListedItem(e["item"], "uri", up);
    if (item.is_null()) continue;
    item["uri"] = upstreamResourceUri(up, item["uri"].get<std::string>());
    out.push_back(std::move(item));
  }
  return out;
}

Json UpstreamContent::listTemplates(Exchange& x) {
  Json out = Json::array();
  for (Json& e : listAll("resources/templates/list", "resourceTemplates", false, x)) {
    const std::string up = e["upstream"];
    Json item = upstreamListedItem(e["item"], "uriTemplate", up);
    if (item.is_null()) continue;
    item["uriTemplate"] = upstreamTemplateUri(up, item["uriTemplate"].get<std::string>());
    out.push_back(std::move(item));
  }
  return out;
}

std::optional<Reply> UpstreamContent::read(const std::string& uri, const Reply& missing,
                                           Exchange& x) {
  if (uri.rfind(kUpstreamPrefix, 0) != 0) return std::nullopt;
  auto parsed = parseUpstreamUri(uri);
  if (!parsed) return missing;
  upstream::McpClient* c = visible(parsed->upstream, false, x);
  if (c == nullptr) return missing;  // exactly like a forbidden document
  x.record_extra["upstream"] = parsed->upstream;
  auto r = c->request("resources/read", Json{{"uri", parsed->uri}});
  if (!r.ok()) {
    if (upstreamSaysMissing(r.status())) return missing;
    return Reply::fail(kInternalError, r.status().message());
  }
  if (!r->contains("contents") || !(*r)["contents"].is_array()) {
    return Reply::fail(kInternalError, "upstream '" + parsed->upstream +
                                           "': resources/read returned no contents array");
  }
  Json contents = std::move((*r)["contents"]);
  if (dumpJson(contents).size() > kMaxUpstreamReadBytes) {
    return Reply::fail(kInternalError, "upstream '" + parsed->upstream +
                                           "': the resource is larger than Ward's 4 MiB limit");
  }
  for (Json& item : contents) {
    if (item.is_object() && item.contains("uri") && item["uri"].is_string()) {
      item["uri"] = upstreamResourceUri(parsed->upstream, item["uri"].get<std::string>());
    }
  }
  return Reply::ok(
      Json{{"contents", std::move(contents)}, {"_meta", {{"ward/upstream", parsed->upstream}}}});
}

std::map<std::string, Json> UpstreamContent::definitions(const std::string& upstream,
                                                         const Json& prompts) {
  std::map<std::string, Json> out;
  for (const Json& p : prompts) {
    Json def = upstreamPromptDefinition(p);
    if (def.is_null()) {
      logWarn("mcp: upstream '" + upstream + "' lists a malformed prompt; skipped");
      continue;
    }
    // A name listed twice keeps its last definition: the one pinned is the one served.
    const std::string name = def["name"];  // before the move: operator= takes its argument first
    out[name] = std::move(def);
  }
  return out;
}

Result<std::map<std::string, std::pair<std::string, bool>>> UpstreamContent::pin(
    const std::string& upstream, const std::map<std::string, Json>& definitions,
    const Exchange& x) {
  if (gateway_ == nullptr) return Status::failedPrecondition("no tool gateway to pin prompts");
  return gateway_->pinUpstreamPrompts(x.principal->tenant, upstream, definitions);
}

Json UpstreamContent::listPrompts(Exchange& x) {
  std::map<std::string, Json> by_upstream;  // the upstreams' prompts/list items
  for (Json& e : listAll("prompts/list", "prompts", true, x)) {
    Json& list = by_upstream[e["upstream"].get<std::string>()];
    if (list.is_null()) list = Json::array();
    list.push_back(std::move(e["item"]));
  }
  Json out = Json::array();
  for (auto& [up, prompts] : by_upstream) {
    const std::map<std::string, Json> defs = definitions(up, prompts);
    auto pins = pin(up, defs, x);
    if (!pins.ok()) {
      logWarn("mcp prompts/list: skipping upstream '" + up + "': " + pins.status().message());
      x.log("warning", "ward.upstreams",
            Json{{"upstream", up}, {"method", "prompts/list"}, {"error", pins.status().message()}});
      continue;
    }
    for (const auto& [name, pinned_def] : defs) {
      auto it = pins->find(name);
      if (it == pins->end()) continue;
      if (!it->second.second) {
        logWarn("mcp prompts/list: upstream '" + up + "' prompt '" + name +
                "' differs from its pinned definition; not served until an admin approves it");
        x.log("warning", "ward.upstreams",
              Json{{"upstream", up},
                   {"prompt", name},
                   {"error", "definition not approved (changed or added since the pin)"}});
        continue;
      }
      Json def = pinned_def;
      def["name"] = up + "." + name;
      def["_meta"] = Json{{"ward/upstream", up}, {"ward/definitionHash", it->second.first}};
      out.push_back(std::move(def));
    }
  }
  return out;
}

Result<std::optional<std::pair<std::string, bool>>> UpstreamContent::currentPin(
    upstream::McpClient* c, const std::string& upstream, const std::string& prompt,
    const Exchange& x) {
  WARD_ASSIGN_OR_RETURN(Json prompts, c->listAll("prompts/list", "prompts", kMaxUpstreamItems));
  WARD_ASSIGN_OR_RETURN(auto pins, pin(upstream, definitions(upstream, prompts), x));
  auto it = pins.find(prompt);
  if (it == pins.end()) return std::optional<std::pair<std::string, bool>>();
  return std::optional<std::pair<std::string, bool>>(it->second);
}

std::optional<Reply> UpstreamContent::getPrompt(const std::string& name, const Json& arguments,
                                                Exchange& x) {
  const size_t dot = name.find('.');
  if (pool_ == nullptr || dot == std::string::npos) return std::nullopt;
  const std::string up = name.substr(0, dot), prompt = name.substr(dot + 1);
  if (!pool_->client(up).ok()) return std::nullopt;
  const Reply not_found = Reply::fail(kInvalidParams, "prompt '" + name + "' not found");
  upstream::McpClient* c = visible(up, true, x);
  if (c == nullptr) return not_found;
  x.record_extra["upstream"] = up;
  // The definition served now must be the pinned one (as the gateway checks tool definitions
  // before every call), so a prompt changed after it was listed never reaches the caller.
  auto current = currentPin(c, up, prompt, x);
  if (!current.ok()) return Reply::fail(kInternalError, current.status().message());
  if (!*current) return not_found;
  const std::string digest = (*current)->first;
  x.record_extra["definition_hash"] = digest;
  if (!(*current)->second) {
    logWarn("mcp prompts/get: upstream '" + up + "' prompt '" + prompt +
            "' differs from its pinned definition; refused");
    return Reply::fail(kInvalidParams, "prompt '" + name +
                                           "' changed upstream since Ward pinned its definition "
                                           "(or was added after); it is refused until an admin "
                                           "approves it (ward upstream approve-prompt)");
  }
  Json params = {{"name", prompt}};
  if (!arguments.empty()) params["arguments"] = arguments;
  auto r = c->request("prompts/get", params);
  if (!r.ok()) {
    return Reply::fail(
        r.status().code() == StatusCode::kInvalidArgument ? kInvalidParams : kInternalError,
        r.status().message());
  }
  if (!r->contains("messages") || !(*r)["messages"].is_array()) {
    return Reply::fail(kInternalError,
                       "upstream '" + up + "': prompts/get returned no messages array");
  }
  // Passed on as-is: the messages are untrusted data for the client, never run by Ward.
  Json messages = std::move((*r)["messages"]);
  const std::string text = gateway::canonicalJson(messages);
  if (text.size() > kMaxUpstreamReadBytes) {
    return Reply::fail(kInternalError,
                       "upstream '" + up + "': the prompt is larger than Ward's 4 MiB limit");
  }
  const std::string hash = sha256Hex(text);
  x.record_extra["prompt_hash"] = hash;
  Json result = {
      {"messages", std::move(messages)},
      {"_meta",
       {{"ward/upstream", up}, {"ward/definitionHash", digest}, {"ward/promptHash", hash}}}};
  if (r->contains("description") && (*r)["description"].is_string()) {
    result["description"] = (*r)["description"];
  }
  return Reply::ok(std::move(result));
}

std::optional<Reply> UpstreamContent::complete(const Json& params, Exchange& x) {
  if (pool_ == nullptr) return std::nullopt;
  const Json& ref = params["ref"];
  const std::string type = stringField(ref, "type");
  Json forwarded_ref;
  upstream::McpClient* c = nullptr;
  std::string up;
  if (type == "ref/prompt") {
    const std::string name = stringField(ref, "name");
    const size_t dot = name.find('.');
    if (dot == std::string::npos || !pool_->client(name.substr(0, dot)).ok()) return std::nullopt;
    up = name.substr(0, dot);
    c = visible(up, true, x);
    // Only a prompt that is served (pinned, unchanged) is completed, as prompts/get would.
    if (c != nullptr) {
      auto current = currentPin(c, up, name.substr(dot + 1), x);
      if (!current.ok()) {
        logWarn("mcp completion/complete: upstream '" + up + "': " + current.status().message());
        x.log("warning", "ward.upstreams",
              Json{{"upstream", up},
                   {"method", "completion/complete"},
                   {"error", current.status().message()}});
      }
      if (!current.ok() || !*current || !(*current)->second) c = nullptr;
    }
    forwarded_ref = Json{{"type", type}, {"name", name.substr(dot + 1)}};
  } else if (type == "ref/resource") {
    auto parsed = parseUpstreamUri(stringField(ref, "uri"));
    if (!parsed) return std::nullopt;
    up = parsed->upstream;
    c = visible(up, false, x);
    forwarded_ref = Json{{"type", type}, {"uri", parsed->uri}};
  } else {
    return std::nullopt;
  }
  if (c == nullptr) return Reply::ok(emptyCompletion());  // as for an unknown ref
  Json fwd = {{"ref", forwarded_ref}, {"argument", params["argument"]}};
  if (params.contains("context") && params["context"].is_object())
    fwd["context"] = params["context"];
  auto r = c->request("completion/complete", fwd);
  if (!r.ok() || !r->contains("completion") || !(*r)["completion"].is_object()) {
    const std::string why = r.ok() ? "no completion object" : r.status().message();
    logWarn("mcp completion/complete: upstream '" + up + "': " + why);
    x.log("warning", "ward.upstreams",
          Json{{"upstream", up}, {"method", "completion/complete"}, {"error", why}});
    return Reply::ok(emptyCompletion());
  }
  const Json& got = (*r)["completion"];
  Json values = Json::array();
  bool has_more = got.contains("hasMore") && got["hasMore"] == true;
  if (got.contains("values") && got["values"].is_array()) {
    for (const Json& v : got["values"]) {
      if (!v.is_string()) continue;
      if (values.size() == kMaxCompletionValues) {
        has_more = true;
        break;
      }
      values.push_back(v);
    }
  }
  Json completion = {{"values", values}, {"hasMore", has_more}};
  if (got.contains("total") && got["total"].is_number_integer()) completion["total"] = got["total"];
  return Reply::ok(Json{{"completion", std::move(completion)}});
}

}  // namespace ward::mcp
