// Resources and prompts of upstream MCP servers re-exposed through Ward's MCP server
// (docs/design/mcp.md "Upstream resources and prompts", docs/design/upstream.md).
//
// Deny by default: an upstream's resources are visible only to the subjects in its
// `resources_for`, its prompts only to those in `prompts_for` (grant subjects, matched like tool
// grants). A caller who may not see them never gets them listed, and reading one is "not found"
// exactly like a forbidden document. Resources are namespaced as
// `ward://upstreams/<upstream>/<percent-encoded upstream URI>`, prompts as `<upstream>.<prompt>`.
// Prompt definitions (name, title, description, arguments) are pinned in the tool store through
// the gateway (ToolGateway::pinUpstreamPrompts): all of an upstream's prompts on first sight, then
// a changed or added definition is refused until an admin approves it.
// Upstream text (resource contents, prompt messages) is passed on as data, never acted on.
//
// One upstream failing or slow never breaks a listing: it is skipped with a warning (logged and
// sent as notifications/message when the client asked for logs). Listings ask the upstreams
// in parallel; each request is bounded by the upstream's timeout_ms.
//
// Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "mcp_impl.h"

namespace ward::gateway {
class ToolGateway;
}
namespace ward::upstream {
class UpstreamPool;
class McpClient;
}  // namespace ward::upstream

namespace ward::mcp {

// Bounds of the upstream content (documented in docs/design/mcp.md "Limits").
constexpr size_t kMaxUpstreamItems = 1000;         // resources, templates or prompts per upstream
constexpr size_t kMaxUpstreamReadBytes = 4 << 20;  // one proxied resources/read or prompts/get
constexpr size_t kMaxCompletionValues = 100;       // values in one completion/complete answer

// A namespaced upstream resource URI, split.
struct UpstreamUri {
  std::string upstream;
  std::string uri;  // the upstream's own URI (or URI template)
};

// "ward://upstreams/<upstream>/<percent-encoded uri>".
std::string upstreamResourceUri(const std::string& upstream, const std::string& uri);
// RFC 3986 percent-encoding of everything but unreserved characters (also Ward's document URIs).
std::string percentEncode(const std::string& in);
// The same for an RFC 6570 URI template: literal text is percent-encoded, `{...}` expressions
// are kept, so a client's expansion of the result decodes to the upstream's expanded URI.
std::string upstreamTemplateUri(const std::string& upstream, const std::string& uri_template);
// Splits a namespaced URI (or template); nullopt when it is not one or is badly encoded.
std::optional<UpstreamUri> parseUpstreamUri(const std::string& uri);

// The fields of an upstream's listed resource or template that Ward passes on (`key` is "uri"
// or "uriTemplate"), each only with the type the protocol gives it, `_meta["ward/upstream"]`
// added: a malformed item from one upstream must not make a client reject Ward's whole list.
// Null when the item lacks a string `key` or name.
Json upstreamListedItem(const Json& item, const char* key, const std::string& upstream);
// A prompt's definition as pinned and shown: name, title, description, arguments (each argument
// name, title, description, required), each only with its protocol type. Null when malformed
// (no string name, or an argument without one).
Json upstreamPromptDefinition(const Json& prompt);

class UpstreamContent {
 public:
  UpstreamContent(upstream::UpstreamPool* pool, gateway::ToolGateway* gateway)
      : pool_(pool), gateway_(gateway) {}

  // Every resource (or template) of the upstreams whose resources the caller may see.
  Json listResources(Exchange& x);
  Json listTemplates(Exchange& x);
  // resources/read of a `ward://upstreams/` URI; nullopt when `uri` is not one. `missing` is
  // the answer for a resource the caller may not see or the upstream does not have.
  std::optional<Reply> read(const std::string& uri, const Reply& missing, Exchange& x);
  // Every pinned, unchanged prompt of the upstreams whose prompts the caller may see.
  Json listPrompts(Exchange& x);
  // prompts/get of `<upstream>.<prompt>`; nullopt when `name` names no configured upstream.
  std::optional<Reply> getPrompt(const std::string& name, const Json& arguments, Exchange& x);
  // completion/complete of an upstream prompt or resource template, forwarded with the
  // un-namespaced ref; nullopt when the ref is not an upstream one.
  std::optional<Reply> complete(const Json& params, Exchange& x);

 private:
  // The client of `name` when the caller may see its resources (or prompts); else null.
  upstream::McpClient* visible(const std::string& name, bool prompts, const Exchange& x);
  // Lists `method` of every visible upstream in parallel; failures are skipped and logged.
  Json listAll(const std::string& method, const std::string& field, bool prompts, Exchange& x);
  // The definitions (name, title, description, arguments) of an upstream's prompts/list items,
  // by name; malformed items are skipped.
  static std::map<std::string, Json> definitions(const std::string& upstream, const Json& prompts);
  // Re-lists the upstream's prompts and offers them to the pins: `prompt`'s (definition hash,
  // whether it is the pinned one), or nullopt when the upstream does not offer it.
  Result<std::optional<std::pair<std::string, bool>>> currentPin(upstream::McpClient* c,
                                                                 const std::string& upstream,
                                                                 const std::string& prompt,
                                                                 const Exchange& x);
  // Offers them to the pins: prompt name -> (definition hash, whether it is the pinned one).
  Result<std::map<std::string, std::pair<std::string, bool>>> pin(
      const std::string& upstream, const std::map<std::string, Json>& definitions,
      const Exchange& x);

  upstream::UpstreamPool* pool_;
  gateway::ToolGateway* gateway_;
};

}  // namespace ward::mcp
