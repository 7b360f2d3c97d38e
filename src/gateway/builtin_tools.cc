// The built-in `search`, `fetch` and `ask` every tenant gets once (issue 19, item 26; issue 13):
// registered at `ward init` and when a data dir without them is opened, granted to every user
// and service account of the tenant ("users:*"). They run as the caller (builtin_executor.cc), so
// they reach only what the caller may read; an agent still needs its own grant and reads only
// inside its document scope. An admin withdraws them like any tool or grant, and they are not
// re-added: the store remembers that the tenant was provisioned (ToolStore::provisionOnce).
#include "gateway_impl.h"
#include "ward/gateway/grant_subject.h"

namespace ward::gateway {

namespace {

constexpr char kProvisionedAs[] = "builtin_tools";
constexpr char kAskProvisionedAs[] = "builtin_tools_ask";

Result<bool> provisionBuiltinSet(ToolGateway::Impl& impl, const std::string& tenant,
                                 const char* provisioned_as, const std::vector<Json>& set);

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

// The answer loop as a tool (issue 13): run by the handler the server registers for "ask"
// (answer::askToolHandler); its limits are the answer module's (kMaxQuestionBytes,
// kAnswerMaxKCeiling; answer.max_k is checked by the answer service).
const Json& askDefinition() {
  static const Json d = {
      {"name", "ask"},
      {"version", "1.0.0"},
      {"description",
       "Answer a question from the company's documents the caller may read, with verified "
       "citations (document id, version, chunk, character span, quote) and the trace id."},
      {"risk", "read"},
      {"input_schema",
       {{"type", "object"},
        {"properties",
         {{"question", {{"type", "string"}, {"minLength", 1}, {"maxLength", 4096}}},
          {"k", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}},
          {"model", {{"type", "string"}, {"minLength", 1}, {"maxLength", 256}}}}},
        {"required", {"question"}},
        {"additionalProperties", false}}},
      {"backend", {{"type", "builtin"}, {"name", "ask"}}}};
  return d;
}

// Each set is provisioned once per tenant under its own key: a set added in a later release
// reaches tenants provisioned before it, and an admin's withdrawal of either is never undone.
struct BuiltinSet {
  const char* provisioned_as;
  std::vector<Json> definitions;
};

const std::vector<BuiltinSet>& builtinToolSets() {
  static const std::vector<BuiltinSet> all = {
      {kProvisionedAs, {searchDefinition(), fetchDefinition()}},
      {kAskProvisionedAs, {askDefinition()}}};
  return all;
}

}  // namespace

Result<bool> ToolGateway::provisionBuiltinTools(const std::string& tenant) {
  WARD_RETURN_IF_ERROR(identity::validateName("tenant", tenant));
  bool any = false;
  for (const BuiltinSet& set : builtinToolSets()) {
    WARD_ASSIGN_OR_RETURN(bool added,
                          provisionBuiltinSet(*impl_, tenant, set.provisioned_as, set.definitions));
    any = any || added;
  }
  return any;
}

void ToolGateway::registerBuiltin(const std::string& name, BuiltinHandler handler) {
  impl_->builtins.set(name, std::move(handler));
}

namespace {

Result<bool> provisionBuiltinSet(ToolGateway::Impl& impl, const std::string& tenant,
                                 const char* provisioned_as, const std::vector<Json>& set) {
  const int64_t now = impl.now();
  std::vector<store::ToolRecord> tools;
  std::vector<store::GrantRecord> grants;
  for (const Json& definition : set) {
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
    g.subject_kind = store::GrantSubjectKind::kUsers;
    g.subject = "*";
    g.tool = def.name;
    g.constraints = Json::object();
    g.created_by = "ward";
    g.created_at = now;
    grants.push_back(std::move(g));
  }
  // Like the admin user at `ward init`, these are a tenant's defaults, not an admin's change: no
  // trace event. `ward tools list` and `ward grants list` show them (created_by "ward").
  return impl.options.tools->provisionOnce(tenant, provisioned_as, tools, grants);
}

}  // namespace

}  // namespace ward::gateway
