#include "ward/gateway/tool_definition.h"

#include <set>

#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/gateway/json_schema.h"
#include "ward/gateway/tool_examples.h"
#include "ward/identity/principal.h"

namespace ward::gateway {

std::string_view riskName(Risk r) {
  switch (r) {
    case Risk::kRead:
      return "read";
    case Risk::kWrite:
      return "write";
    case Risk::kDestructive:
      return "destructive";
  }
  return "read";
}

Result<Risk> parseRisk(std::string_view name) {
  if (name == "read") return Risk::kRead;
  if (name == "write") return Risk::kWrite;
  if (name == "destructive") return Risk::kDestructive;
  return Status::invalidArgument("risk must be one of read, write, destructive");
}

namespace {

bool parseNumber(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  if (s.size() > 1 && s[0] == '0') return false;  // no leading zeros
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

Status fieldError(const std::string& field, const std::string& rule) {
  return Status::invalidArgument("tool definition field '" + field + "': " + rule);
}

Result<std::string> stringField(const Json& j, const std::string& key, const std::string& path,
                                bool required, size_t max_len = 4096) {
  if (!j.contains(key)) {
    if (required) return fieldError(path, "is required");
    return std::string();
  }
  if (!j[key].is_string()) return fieldError(path, "must be a string");
  std::string v = j[key].get<std::string>();
  if (v.size() > max_len) return fieldError(path, "longer than " + std::to_string(max_len));
  return v;
}

Status checkKeys(const Json& j, const std::string& path, const std::set<std::string>& allowed) {
  for (const auto& [k, v] : j.items()) {
    if (!allowed.count(k)) {
      return fieldError(path.empty() ? k : path + "." + k, "unknown field");
    }
  }
  return Status();
}

Result<std::optional<RateSpec>> rateSpec(const Json& j, const std::string& key) {
  if (!j.contains(key)) return std::optional<RateSpec>();
  const std::string path = "rate_limit." + key;
  const Json& r = j[key];
  if (!r.is_object()) return fieldError(path, "must be an object {rate, burst}");
  WARD_RETURN_IF_ERROR(checkKeys(r, path, {"rate", "burst"}));
  if (!r.contains("rate") || !r["rate"].is_number() || r["rate"].get<double>() <= 0) {
    return fieldError(path + ".rate", "must be a number > 0 (tokens per second)");
  }
  RateSpec s;
  s.rate = r["rate"].get<double>();
  s.burst = s.rate;
  if (r.contains("burst")) {
    if (!r["burst"].is_number() || r["burst"].get<double>() < 1) {
      return fieldError(path + ".burst", "must be a number >= 1");
    }
    s.burst = r["burst"].get<double>();
  }
  return std::optional<RateSpec>(s);
}

Result<Backend> parseBackend(const Json& j) {
  if (!j.contains("backend")) return fieldError("backend", "is required");
  const Json& b = j["backend"];
  if (!b.is_object()) return fieldError("backend", "must be an object");
  Backend out;
  WARD_ASSIGN_OR_RETURN(out.type, stringField(b, "type", "backend.type", true));
  if (out.type == "http") {
    WARD_RETURN_IF_ERROR(checkKeys(
        b, "backend", {"type", "method", "url", "headers", "allow_private", "auth", "timeout_ms"}));
    HttpBackend& h = out.http;
    WARD_ASSIGN_OR_RETURN(std::string method, stringField(b, "method", "backend.method", false));
    if (!method.empty()) h.method = method;
    static const std::set<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    if (!kMethods.count(h.method)) {
      return fieldError("backend.method", "must be one of GET, POST, PUT, PATCH, DELETE");
    }
    WARD_ASSIGN_OR_RETURN(h.url_template, stringField(b, "url", "backend.url", true));
    if (h.url_template.rfind("http://", 0) != 0 && h.url_template.rfind("https://", 0) != 0) {
      return fieldError("backend.url", "must start with http:// or https://");
    }
    if (b.contains("headers")) {
      if (!b["headers"].is_object()) return fieldError("backend.headers", "must be an object");
      for (const auto& [k, v] : b["headers"].items()) {
        if (!v.is_string()) return fieldError("backend.headers." + k, "must be a string");
        std::string value = v.get<std::string>();
        if (k.find_first_of("\r\n:") != std::string::npos ||
            value.find_first_of("\r\n") != std::string::npos) {
          return fieldError("backend.headers." + k, "must not contain CR, LF or ':' in the name");
        }
        h.headers[k] = value;
      }
    }
    if (b.contains("allow_private")) {
      if (!b["allow_private"].is_boolean()) {
        return fieldError("backend.allow_private", "must be a boolean");
      }
      h.allow_private = b["allow_private"].get<bool>();
    }
    if (b.contains("timeout_ms")) {
      if (!b["timeout_ms"].is_number_integer() || b["timeout_ms"].get<int64_t>() < 1 ||
          b["timeout_ms"].get<int64_t>() > 600000) {
        return fieldError("backend.timeout_ms", "must be an integer 1..600000");
      }
      h.timeout_ms = b["timeout_ms"].get<int64_t>();
    }
    if (b.contains("auth")) {
      const Json& a = b["auth"];
      if (!a.is_object()) return fieldError("backend.auth", "must be an object");
      WARD_RETURN_IF_ERROR(checkKeys(a, "backend.auth", {"secret", "header", "scheme"}));
      WARD_ASSIGN_OR_RETURN(h.auth_secret, stringField(a, "secret", "backend.auth.secret", true));
      WARD_RETURN_IF_ERROR(identity::validateName("backend.auth.secret", h.auth_secret));
      if (a.contains("header")) {
        WARD_ASSIGN_OR_RETURN(h.auth_header, stringField(a, "header", "backend.auth.header", true));
      }
      if (a.contains("scheme")) {
        WARD_ASSIGN_OR_RETURN(h.auth_scheme, stringField(a, "scheme", "backend.auth.scheme", true));
      }
    }
  } else if (out.type == "builtin") {
    WARD_RETURN_IF_ERROR(checkKeys(b, "backend", {"type", "name"}));
    WARD_ASSIGN_OR_RETURN(out.builtin, stringField(b, "name", "backend.name", true));
    if (out.builtin != "search" && out.builtin != "fetch" && out.builtin != "ask") {
      return fieldError("backend.name", "builtin backends are 'search', 'fetch' and 'ask'");
    }
  } else if (out.type == "mcp") {
    WARD_RETURN_IF_ERROR(checkKeys(b, "backend", {"type", "server", "tool"}));
    WARD_ASSIGN_OR_RETURN(out.mcp_server, stringField(b, "server", "backend.server", true));
    WARD_ASSIGN_OR_RETURN(out.mcp_tool, stringField(b, "tool", "backend.tool", true));
  } else {
    return fieldError("backend.type", "must be one of http, builtin, mcp");
  }
  return out;
}

Result<std::vector<ApprovalRule>> parseApproval(const Json& j) {
  std::vector<ApprovalRule> rules;
  if (!j.contains("approval")) return rules;
  const Json& a = j["approval"];
  if (!a.is_array()) return fieldError("approval", "must be an array of rules");
  static const std::set<std::string> kOps = {">", ">=", "<", "<=", "==", "!="};
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string path = "approval[" + std::to_string(i) + "]";
    const Json& r = a[i];
    if (!r.is_object()) return fieldError(path, "must be an object");
    WARD_RETURN_IF_ERROR(checkKeys(r, path, {"name", "always", "when"}));
    ApprovalRule rule;
    WARD_ASSIGN_OR_RETURN(rule.name, stringField(r, "name", path + ".name", true, 128));
    if (r.contains("always")) {
      if (!r["always"].is_boolean()) return fieldError(path + ".always", "must be a boolean");
      rule.always = r["always"].get<bool>();
    }
    if (r.contains("when")) {
      const Json& w = r["when"];
      if (!w.is_object()) return fieldError(path + ".when", "must be {arg, op, value}");
      WARD_RETURN_IF_ERROR(checkKeys(w, path + ".when", {"arg", "op", "value"}));
      WARD_ASSIGN_OR_RETURN(rule.arg, stringField(w, "arg", path + ".when.arg", true, 256));
      WARD_ASSIGN_OR_RETURN(rule.op, stringField(w, "op", path + ".when.op", true, 2));
      if (!kOps.count(rule.op)) return fieldError(path + ".when.op", "must be > >= < <= == !=");
      if (!w.contains("value")) return fieldError(path + ".when.value", "is required");
      rule.value = w["value"];
      if (rule.op != "==" && rule.op != "!=" && !rule.value.is_number()) {
        return fieldError(path + ".when.value", "must be a number for " + rule.op);
      }
    }
    if (!rule.always && rule.arg.empty()) {
      return fieldError(path, "needs \"always\": true or a \"when\" condition");
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace

Result<SemVer> SemVer::parse(std::string_view text) {
  const Status bad = Status::invalidArgument("version '" + std::string(text) +
                                             "' is not semver MAJOR.MINOR.PATCH");
  std::string_view core = text;
  SemVer v;
  if (size_t plus = core.find('+'); plus != std::string_view::npos) core = core.substr(0, plus);
  if (size_t dash = core.find('-'); dash != std::string_view::npos) {
    v.prerelease = std::string(core.substr(dash + 1));
    core = core.substr(0, dash);
    if (v.prerelease.empty()) return bad;
  }
  size_t d1 = core.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : core.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return bad;
  if (!parseNumber(core.substr(0, d1), &v.major) ||
      !parseNumber(core.substr(d1 + 1, d2 - d1 - 1), &v.minor) ||
      !parseNumber(core.substr(d2 + 1), &v.patch)) {
    return bad;
  }
  return v;
}

int SemVer::compare(const SemVer& o) const {
  if (major != o.major) return major < o.major ? -1 : 1;
  if (minor != o.minor) return minor < o.minor ? -1 : 1;
  if (patch != o.patch) return patch < o.patch ? -1 : 1;
  if (prerelease == o.prerelease) return 0;
  if (prerelease.empty()) return 1;
  if (o.prerelease.empty()) return -1;
  return prerelease < o.prerelease ? -1 : 1;
}

bool ApprovalRule::matches(const Json& args) const {
  if (always) return true;
  if (!args.is_object() || !args.contains(arg)) return false;
  const Json& v = args[arg];
  if (op == "==") return v == value;
  if (op == "!=") return v != value;
  if (!v.is_number()) return false;
  double a = v.get<double>(), b = value.get<double>();
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  return false;
}

std::string ApprovalRule::describe() const {
  if (always) return "every call";
  return arg + " " + op + " " + dumpJson(value);
}

std::string canonicalJson(const Json& j) { return dumpJson(j); }  // nlohmann objects are sorted

std::string ToolDefinition::canonicalHash() const {
  Json core = {{"name", name},
               {"version", version},
               {"description", description},
               {"input_schema", input_schema},
               {"output_schema", output_schema}};
  return sha256Hex(canonicalJson(core));
}

// Parameters mirrored into HTTP headers (MCP SEP-2243, "x-mcp-header": NAME on a top-level
// property): NAME is a non-empty HTTP token without ':' (visible ASCII), unique ignoring case,
// on a string, integer or boolean property. Clients refuse a tool that breaks these rules, so
// Ward refuses it at registration.
static Status checkHeaderParameters(const Json& input_schema) {
  if (!input_schema.contains("properties") || !input_schema["properties"].is_object()) {
    return Status();
  }
  std::set<std::string> seen;
  for (const auto& [prop, schema] : input_schema["properties"].items()) {
    if (!schema.is_object() || !schema.contains("x-mcp-header")) continue;
    const std::string field = "input_schema.properties." + prop + ".x-mcp-header";
    const Json& h = schema["x-mcp-header"];
    if (!h.is_string() || h.get<std::string>().empty()) {
      return fieldError(field, "must be a non-empty header name");
    }
    std::string lowered;
    for (char c : h.get<std::string>()) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f || c == ':') {
        return fieldError(field, "must be visible ASCII without spaces or ':'");
      }
      lowered.push_back(static_cast<char>(std::tolower(u)));
    }
    const std::string type = schema.value("type", Json("")).is_string()
                                 ? schema.value("type", std::string())
                                 : std::string();
    if (type != "string" && type != "integer" && type != "boolean") {
      return fieldError(field, "only a string, integer or boolean property may be a header");
    }
    if (!seen.insert(lowered).second) {
      return fieldError(field, "'" + h.get<std::string>() + "' is used twice (ignoring case)");
    }
  }
  return Status();
}

Result<ToolDefinition> parseToolDefinition(const Json& j) {
  if (!j.is_object()) return Status::invalidArgument("tool definition must be a JSON object");
  WARD_RETURN_IF_ERROR(checkKeys(
      j, "",
      {"name", "version", "description", "risk", "input_schema", "output_schema", "backend",
       "rate_limit", "approval", "deprecation", "format_assertion", "examples"}));
  ToolDefinition d;
  WARD_ASSIGN_OR_RETURN(d.name, stringField(j, "name", "name", true, 64));
  if (d.name.empty() ||
      d.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != std::string::npos) {
    return fieldError("name", "must be 1-64 of [A-Za-z0-9_.-]");
  }
  WARD_ASSIGN_OR_RETURN(d.version, stringField(j, "version", "version", true, 64));
  auto sv = SemVer::parse(d.version);
  if (!sv.ok()) return fieldError("version", sv.status().message());
  d.semver = *sv;
  WARD_ASSIGN_OR_RETURN(d.description, stringField(j, "description", "description", true, 8192));
  WARD_ASSIGN_OR_RETURN(std::string risk, stringField(j, "risk", "risk", true));
  auto r = parseRisk(risk);
  if (!r.ok()) return fieldError("risk", r.status().message());
  d.risk = *r;
  if (!j.contains("input_schema")) return fieldError("input_schema", "is required");
  d.input_schema = j["input_schema"];
  if (!d.input_schema.is_object() || d.input_schema.value("type", "") != "object") {
    return fieldError("input_schema", "must be a JSON Schema object with \"type\": \"object\"");
  }
  auto fa = j.find("format_assertion");
  if (fa != j.end() && !fa->is_boolean())
    return fieldError("format_assertion", "must be a boolean");
  SchemaOptions schema_options;
  schema_options.format_assertion = fa != j.end() && fa->get<bool>();
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const JsonSchema> input,
                        JsonSchema::compile(d.input_schema, "input_schema", schema_options));
  WARD_RETURN_IF_ERROR(checkHeaderParameters(d.input_schema));
  d.output_schema = j.contains("output_schema") ? j["output_schema"] : Json(nullptr);
  std::shared_ptr<const JsonSchema> output;
  if (!d.output_schema.is_null()) {
    if (!d.output_schema.is_object() && !d.output_schema.is_boolean()) {
      return fieldError("output_schema", "must be a JSON Schema");
    }
    WARD_ASSIGN_OR_RETURN(output,
                          JsonSchema::compile(d.output_schema, "output_schema", schema_options));
  }
  // The examples are the definition's contract tests: they must agree with its schemas.
  WARD_ASSIGN_OR_RETURN(std::vector<ToolExample> examples, parseToolExamples(j));
  WARD_RETURN_IF_ERROR(checkToolExamples(examples, *input, output.get()));
  WARD_ASSIGN_OR_RETURN(d.backend, parseBackend(j));
  if (j.contains("rate_limit")) {
    const Json& rl = j["rate_limit"];
    if (!rl.is_object()) return fieldError("rate_limit", "must be an object");
    WARD_RETURN_IF_ERROR(
        checkKeys(rl, "rate_limit", {"per_tool", "per_principal", "per_principal_tool"}));
    WARD_ASSIGN_OR_RETURN(d.rate_limits.per_tool, rateSpec(rl, "per_tool"));
    WARD_ASSIGN_OR_RETURN(d.rate_limits.per_principal, rateSpec(rl, "per_principal"));
    WARD_ASSIGN_OR_RETURN(d.rate_limits.per_principal_tool, rateSpec(rl, "per_principal_tool"));
  }
  WARD_ASSIGN_OR_RETURN(d.approval_rules, parseApproval(j));
  if (j.contains("deprecation")) {
    const Json& dep = j["deprecation"];
    if (!dep.is_object()) return fieldError("deprecation", "must be an object");
    WARD_RETURN_IF_ERROR(checkKeys(dep, "deprecation", {"deprecated", "sunset", "replacement"}));
    d.deprecation.deprecated = true;
    if (dep.contains("deprecated")) {
      if (!dep["deprecated"].is_boolean()) {
        return fieldError("deprecation.deprecated", "must be a boolean");
      }
      d.deprecation.deprecated = dep["deprecated"].get<bool>();
    }
    WARD_ASSIGN_OR_RETURN(std::string sunset,
                          stringField(dep, "sunset", "deprecation.sunset", false, 64));
    if (!sunset.empty() && !parseRfc3339(sunset, &d.deprecation.sunset_us)) {
      return fieldError("deprecation.sunset", "must be an RFC 3339 date");
    }
    WARD_ASSIGN_OR_RETURN(d.deprecation.replacement,
                          stringField(dep, "replacement", "deprecation.replacement", false, 256));
  }
  d.raw = j;
  return d;
}

SchemaOptions schemaOptionsOf(const ToolDefinition& d) {
  SchemaOptions options;
  auto it = d.raw.is_object() ? d.raw.find("format_assertion") : d.raw.end();
  options.format_assertion = it != d.raw.end() && it->is_boolean() && it->get<bool>();
  return options;
}

}  // namespace ward::gateway
