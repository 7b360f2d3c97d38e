// The built-in `search` and `fetch` every tenant gets once (issue 19, item 26): registered at
// `ward init` and when a data dir without them is opened, granted to every user and service
// account of the tenant ("users:*"). They run as the caller (builtin_executor.cc), so they reach
// only what the caller may read; an agent still needs its own grant and reads only inside its
// document scope. An admin withdraws them like any tool or grant, and they are not re-added:
// the store remembers that the tenant was provisioned (ToolStore::provisionOnce).
#include "gateway_impl.h"
#include "ward/gateway/grant_subject.h"

namespace ward::gateway {

namespace {

constexpr char kProvisionedAs[] = "builtin_tools";

const Json& searchDefinition() {
  static const Json d = {
      {"name", "search"},
      {"version", "1.0.0"},
      {"description",
       "Search the company's documents the caller may read. Returns passages with citations "
       "(document id, version, page, character span) to quote and to fetch."},
      {"risk", "read"},
      {"input_schema",
       {{"type", "object"},
        {"properties",
         {{"query", {{"type", "string"}, {"minLength", 1}, {"maxLength", 4096}}},
          {"k", {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}}},
          {"filters",
           {{"type", "object"},
            {"properties",
             {{"sources", {{"type", "array"}, {"items", {{"type", "string"}}}}},
              {"updated_after", {{"type", "string"}}},
              {"updated_before", {{"type", "string"}}}}},
            {"additionalProperties", false}}}}},
        {"required", {"query"}},
        {"additionalProperties", false}}},
      {"backend", {{"type", "builtin"}, {"name", "search"}}}};
  return d;
}

const Json& fetchDefinition() {
  static const Json d = {
      {"name", "fetch"},
      {"version", "1.0.0"},
      {"description",
       "Fetch the text of one document by its id (as search returns it), if the caller may "
       "read it."},
      {"risk", "read"},
      {"input_schema",
       {{"type", "object"},
        {"properties", {{"id", {{"type", "string"}, {"minLength", 1}, {"maxLength", 4096}}}}},
        {"required", {"id"}},
        {"additionalProperties", false}}},
      {"backend", {{"type", "builtin"}, {"name", "fetch"}}}};
  return d;
}

const std::vector<Json>& builtinToolDefinitions() {
  static const std::vector<Json> all = {searchDefinition(), fetchDefinition()};
  return all;
}

}  // namespace

Result<bool> ToolGateway::provisionBuiltinTools(const std::string& tenant) {
  WARD_RETURN_IF_ERROR(identity::validateName("tenant", tenant));
  const int64_t now = impl_->now();
  std::vector<store::ToolRecord> tools;
  std::vector<store::GrantRecord> grants;
  for (const Json& definition : builtinToolDefinitions()) {
    WARD_ASSIGN_OR_RETURN(ToolDefinition def, parseToolDefinition(definition));
    store::ToolRecord rec;
    rec.tenant = tenant;
    rec.name = def.name;
    rec.version = def.version;
    rec.definition = def.raw;
    rec.canonical_hash = def.canonicalHash();
    rec.created_at = now;
    tools.push_back(std::move(rec));
    store::GrantRecord g;
    g.tenant = tenant;
    g.subject_kind = kEveryUserKind;
    g.subject = "*";
    g.tool = def.name;
    g.constraints = Json::object();
    g.created_by = "ward";
    g.created_at = now;
    grants.push_back(std::move(g));
  }
  // Like the admin user at `ward init`, these are a tenant's defaults, not an admin's change: no
  // trace event. `ward tools list` and `ward grants list` show them (created_by "ward").
  return impl_->options.tools->provisionOnce(tenant, kProvisionedAs, tools, grants);
}

}  // namespace ward::gateway
