// Gemini requests: Ward's form into a generateContent body, tool schemas into the dialect's subset.
#include <map>
#include <set>

#include "gemini_format.h"

namespace ward::models {

namespace {

// Keywords of Gemini's OpenAPI-subset Schema that Ward passes on (others are dropped).
const std::set<std::string, std::less<>>& keptKeywords() {
  static const std::set<std::string, std::less<>> k = {
      "type",      "format",        "title",         "description",     "nullable",
      "enum",      "maxItems",      "minItems",      "required",        "minLength",
      "maxLength", "pattern",       "minimum",       "maximum",         "default",
      "example",   "minProperties", "maxProperties", "propertyOrdering"};
  return k;
}

Status schemaError(const std::string& tool, const std::string& what) {
  return Status::invalidArgument("tool '" + tool + "': its parameters schema " + what +
                                 ", which the Gemini API does not accept");
}

Result<Json> reduce(const std::string& tool, const Json& s, int depth) {
  if (depth > kMaxGeminiSchemaDepth) {
    return schemaError(tool, "is nested deeper than " + std::to_string(kMaxGeminiSchemaDepth));
  }
  if (!s.is_object()) return s;  // `true`/`false` schemas and the like: left to the provider
  if (s.contains("$ref")) return schemaError(tool, "uses $ref");
  Json out = Json::object();
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "type" && v.is_array()) {
      std::vector<std::string> types;
      bool nullable = false;
      for (const Json& t : v) {
        if (t == "null")
          nullable = true;
        else if (t.is_string())
          types.push_back(t.get<std::string>());
      }
      if (types.size() != 1) return schemaError(tool, "has a type list " + v.dump());
      out["type"] = types[0];
      if (nullable) out["nullable"] = true;
    } else if (k == "const") {
      out["enum"] = Json::array({v});
    } else if (k == "properties" && v.is_object()) {
      Json props = Json::object();
      for (auto p = v.begin(); p != v.end(); ++p) {
        WARD_ASSIGN_OR_RETURN(props[p.key()], reduce(tool, p.value(), depth + 1));
      }
      out["properties"] = std::move(props);
    } else if (k == "items") {
      WARD_ASSIGN_OR_RETURN(out["items"], reduce(tool, v, depth + 1));
    } else if (k == "anyOf" && v.is_array()) {
      Json list = Json::array();
      for (const Json& e : v) {
        WARD_ASSIGN_OR_RETURN(Json r, reduce(tool, e, depth + 1));
        list.push_back(std::move(r));
      }
      out["anyOf"] = std::move(list);
    } else if (keptKeywords().count(k) != 0) {
      out[k] = v;
    }  // additionalProperties, $schema, $id, $defs, strict, ...: dropped
  }
  return out;
}

// The `args` object of a tool call whose arguments are JSON text.
Result<Json> argsObject(const ToolCall& c) {
  if (c.arguments.empty()) return Json::object();
  auto parsed = parseJson(c.arguments);
  if (!parsed.ok() || !parsed->is_object()) {
    return Status::invalidArgument("tool call '" + c.id +
                                   "': its arguments are not a JSON object, which the Gemini "
                                   "API needs");
  }
  return *parsed;
}

std::string signatureOf(const ToolCall& c) {
  if (!c.opaque.is_object()) return "";
  const Json* x = &c.opaque;
  for (const char* k : {"extra_content", "google", "thought_signature"}) {
    if (!x->is_object() || !x->contains(k)) return "";
    x = &(*x)[k];
  }
  return x->is_string() ? x->get<std::string>() : "";
}

// "data:<mime>;base64,<data>" as an inlineData part; other URLs cannot be sent inline.
Result<Json> imagePart(const Json& raw) {
  const std::string url = raw["image_url"].is_object() ? raw["image_url"].value("url", "") : "";
  const size_t comma = url.find(',');
  if (url.rfind("data:", 0) != 0 || comma == std::string::npos ||
      url.substr(0, comma).find(";base64") == std::string::npos) {
    return Status::invalidArgument(
        "an image_url part: the Gemini adapter takes images only as data: URLs (base64)");
  }
  const std::string mime = url.substr(5, url.find(';') - 5);
  return Json{{"inlineData", {{"mimeType", mime}, {"data", url.substr(comma + 1)}}}};
}

Result<Json> contentParts(const Message& m) {
  Json parts = Json::array();
  for (const ContentPart& p : m.content) {
    if (p.kind == ContentPart::Kind::kText) {
      if (!p.text.empty()) parts.push_back({{"text", p.text}});
    } else if (p.raw.is_object() && p.raw.value("type", "") == "image_url") {
      WARD_ASSIGN_OR_RETURN(Json part, imagePart(p.raw));
      parts.push_back(std::move(part));
    } else {
      const std::string type = p.raw.is_object() ? p.raw.value("type", "?") : "?";
      return Status::invalidArgument("a content part of type '" + type.substr(0, 40) +
                                     "' is not supported by the Gemini adapter");
    }
  }
  return parts;
}

Result<Json> toolConfig(const ChatRequest& r) {
  Json cfg;
  if (r.tool_choice.is_string()) {
    const std::string s = r.tool_choice.get<std::string>();
    if (s == "auto")
      cfg = {{"mode", "AUTO"}};
    else if (s == "required")
      cfg = {{"mode", "ANY"}};
    else if (s == "none")
      cfg = {{"mode", "NONE"}};
    else
      return Status::invalidArgument("field 'tool_choice': unknown value '" + s + "'");
  } else if (r.tool_choice.is_object()) {
    const Json& f = r.tool_choice.value("function", Json::object());
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) {
      return Status::invalidArgument("field 'tool_choice' must name a function for Gemini");
    }
    cfg = {{"mode", "ANY"}, {"allowedFunctionNames", Json::array({f["name"]})}};
  }
  if (cfg.is_null()) return cfg;
  return Json{{"functionCallingConfig", std::move(cfg)}};
}

Result<Json> generationConfig(const Sampling& s) {
  Json g = Json::object();
  if (s.temperature) g["temperature"] = *s.temperature;
  if (s.top_p) g["topP"] = *s.top_p;
  if (s.max_tokens) g["maxOutputTokens"] = *s.max_tokens;
  if (s.seed) g["seed"] = *s.seed;
  if (s.presence_penalty) g["presencePenalty"] = *s.presence_penalty;
  if (s.frequency_penalty) g["frequencyPenalty"] = *s.frequency_penalty;
  if (s.n) g["candidateCount"] = *s.n;
  if (!s.stop.is_null()) g["stopSequences"] = s.stop.is_string() ? Json::array({s.stop}) : s.stop;
  if (s.reasoning_effort.is_string()) {
    g["thinkingConfig"] = {{"thinkingLevel", s.reasoning_effort}};
  }
  if (s.response_format.is_object()) {
    const std::string type = s.response_format.value("type", "");
    if (type == "json_object") {
      g["responseMimeType"] = "application/json";
    } else if (type == "json_schema") {
      const Json& js = s.response_format.value("json_schema", Json::object());
      g["responseMimeType"] = "application/json";
      if (js.is_object() && js.contains("schema")) g["responseJsonSchema"] = js["schema"];
    } else if (type != "text") {
      return Status::invalidArgument("field 'response_format': type '" + type.substr(0, 40) +
                                     "' is not supported by the Gemini adapter");
    }
  }
  return g;
}

}  // namespace

Result<Json> geminiSchema(const std::string& tool, const Json& schema) {
  if (!schema.is_object() || (schema.contains("type") && schema["type"] != "object")) {
    return schemaError(tool, "is not an object schema at the top level");
  }
  return reduce(tool, schema, 0);
}

Result<Json> geminiRequestJson(const ChatRequest& r) {
  Json body = Json::object();
  std::string system;
  Json contents = Json::array();
  std::map<std::string, std::string> names;  // tool-call id -> function name
  auto append = [&](const char* role, Json parts) {
    if (parts.empty()) return;
    // Neighbouring turns of one role are merged (parallel results go in one user turn).
    if (!contents.empty() && contents.back()["role"] == role) {
      for (Json& p : parts) contents.back()["parts"].push_back(std::move(p));
    } else {
      contents.push_back({{"role", role}, {"parts", std::move(parts)}});
    }
  };
  for (const Message& m : r.messages) {
    switch (m.role) {
      case Role::kSystem:
      case Role::kDeveloper:
        system += (system.empty() ? "" : "\n\n") + m.text();
        break;
      case Role::kUser: {
        WARD_ASSIGN_OR_RETURN(Json parts, contentParts(m));
        append("user", std::move(parts));
        break;
      }
      case Role::kTool: {
        auto it = names.find(m.tool_call_id);
        if (it == names.end()) {
          return Status::invalidArgument("tool result '" + m.tool_call_id.substr(0, 64) +
                                         "' answers no earlier assistant tool call (Gemini "
                                         "needs the function's name)");
        }
        append("user", Json::array({{{"functionResponse",
                                      {{"id", m.tool_call_id},
                                       {"name", it->second},
                                       {"response", {{"output", m.text()}}}}}}}));
        break;
      }
      case Role::kAssistant: {
        WARD_ASSIGN_OR_RETURN(Json parts, contentParts(m));
        bool first = true;
        for (const ToolCall& c : m.tool_calls) {
          WARD_ASSIGN_OR_RETURN(Json args, argsObject(c));
          names[c.id] = c.name;
          Json part = {
              {"functionCall", {{"id", c.id}, {"name", c.name}, {"args", std::move(args)}}}};
          std::string sig = signatureOf(c);
          if (sig.empty() && first) sig = kGeminiSkipSignature;
          if (!sig.empty()) part["thoughtSignature"] = sig;
          parts.push_back(std::move(part));
          first = false;
        }
        append("model", std::move(parts));
        break;
      }
    }
  }
  if (!system.empty()) body["systemInstruction"] = {{"parts", Json::array({{{"text", system}}})}};
  body["contents"] = std::move(contents);
  if (!r.tools.empty()) {
    Json decls = Json::array();
    for (const ToolSpec& t : r.tools) {
      Json d = {{"name", t.name}};
      if (!t.description.empty()) d["description"] = t.description;
      if (t.parameters.is_object()) {
        WARD_ASSIGN_OR_RETURN(Json p, geminiSchema(t.name, t.parameters));
        // A function without parameters has no `parameters` (an empty object schema is refused).
        if (p.contains("properties") && !p["properties"].empty()) d["parameters"] = std::move(p);
      }
      decls.push_back(std::move(d));
    }
    body["tools"] = Json::array({{{"functionDeclarations", std::move(decls)}}});
  }
  WARD_ASSIGN_OR_RETURN(Json tc, toolConfig(r));
  if (!tc.is_null()) body["toolConfig"] = std::move(tc);
  WARD_ASSIGN_OR_RETURN(Json g, generationConfig(r.sampling));
  if (!g.empty()) body["generationConfig"] = std::move(g);
  return body;
}

}  // namespace ward::models
