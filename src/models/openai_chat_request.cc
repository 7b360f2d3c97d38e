// Chat Completions requests: a client's body into Ward's form, Ward's form into an upstream body.
#include <set>

#include "ward/models/openai_chat_format.h"

namespace ward::models {

namespace {

Status fieldError(const std::string& field, const std::string& what) {
  return Status::invalidArgument("field '" + field + "' " + what);
}

Result<std::string> stringField(const Json& j, const char* key, const std::string& where,
                                bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return fieldError(where + key, "is required");
    return std::string();
  }
  if (!it->is_string()) return fieldError(where + key, "must be a string");
  return it->get<std::string>();
}

Result<std::optional<double>> numberField(const Json& j, const char* key, double lo, double hi) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return fieldError(key, "must be a number");
  double v = it->get<double>();
  if (!(v >= lo && v <= hi)) {
    return fieldError(key, "must be between " + Json(lo).dump() + " and " + Json(hi).dump());
  }
  return std::optional<double>(v);
}

Result<std::optional<int64_t>> integerField(const Json& j, const char* key, int64_t lo) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer() || it->get<int64_t>() < lo) {
    return fieldError(key, "must be an integer >= " + std::to_string(lo));
  }
  return std::optional<int64_t>(it->get<int64_t>());
}

Status parseContent(const Json& m, const std::string& where, Message& msg) {
  auto it = m.find("content");
  if (it == m.end() || it->is_null()) {
    msg.content_null = true;
    return Status();
  }
  if (it->is_string()) {
    msg.content.push_back(ContentPart{ContentPart::Kind::kText, it->get<std::string>(), nullptr});
    return Status();
  }
  if (!it->is_array()) return fieldError(where + "content", "must be a string, a list or null");
  if (it->size() > kMaxContentParts) {
    return fieldError(where + "content",
                      "has more than " + std::to_string(kMaxContentParts) + " parts");
  }
  msg.content_is_string = false;
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& part = (*it)[i];
    const std::string pw = where + "content[" + std::to_string(i) + "].";
    if (!part.is_object()) return fieldError(pw.substr(0, pw.size() - 1), "must be an object");
    WARD_ASSIGN_OR_RETURN(std::string type, stringField(part, "type", pw, true));
    if (type == "text") {
      WARD_ASSIGN_OR_RETURN(std::string text, stringField(part, "text", pw, true));
      msg.content.push_back(ContentPart{ContentPart::Kind::kText, std::move(text), nullptr});
    } else {
      msg.content.push_back(ContentPart{ContentPart::Kind::kOther, "", part});
    }
  }
  return Status();
}

Status parseToolCalls(const Json& m, const std::string& where, Message& msg) {
  auto it = m.find("tool_calls");
  if (it == m.end() || it->is_null()) return Status();
  if (!it->is_array()) return fieldError(where + "tool_calls", "must be a list");
  if (it->size() > kMaxToolCallsPerMessage) {
    return fieldError(where + "tool_calls",
                      "has more than " + std::to_string(kMaxToolCallsPerMessage) + " calls");
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& c = (*it)[i];
    const std::string cw = where + "tool_calls[" + std::to_string(i) + "].";
    if (!c.is_object() || !c.contains("function") || !c["function"].is_object()) {
      return fieldError(cw + "function", "must be an object");
    }
    ToolCall call;
    WARD_ASSIGN_OR_RETURN(call.id, stringField(c, "id", cw, true));
    WARD_ASSIGN_OR_RETURN(call.name, stringField(c["function"], "name", cw + "function.", true));
    WARD_ASSIGN_OR_RETURN(call.arguments,
                          stringField(c["function"], "arguments", cw + "function.", false));
    // Provider state beside the call (Gemini's extra_content.google.thought_signature through
    // an OpenAI-compatible endpoint) goes back verbatim.
    for (const auto& [k, v] : c.items()) {
      if (k != "id" && k != "type" && k != "function" && k != "index") {
        if (call.opaque.is_null()) call.opaque = Json::object();
        call.opaque[k] = v;
      }
    }
    msg.tool_calls.push_back(std::move(call));
  }
  return Status();
}

Result<Message> parseMessage(const Json& m, size_t index) {
  const std::string where = "messages[" + std::to_string(index) + "].";
  if (!m.is_object()) return fieldError(where.substr(0, where.size() - 1), "must be an object");
  Message msg;
  WARD_ASSIGN_OR_RETURN(std::string role, stringField(m, "role", where, true));
  auto parsed = parseRole(role);
  if (!parsed.ok()) return fieldError(where + "role", parsed.status().message());
  msg.role = *parsed;
  // Other message members (`refusal`, `annotations`, the SDK's `parsed`) are what clients echo
  // from earlier answers: accepted, not forwarded.
  WARD_RETURN_IF_ERROR(parseContent(m, where, msg));
  WARD_ASSIGN_OR_RETURN(msg.name, stringField(m, "name", where, false));
  if (msg.role == Role::kAssistant) WARD_RETURN_IF_ERROR(parseToolCalls(m, where, msg));
  if (msg.role == Role::kTool) {
    WARD_ASSIGN_OR_RETURN(msg.tool_call_id, stringField(m, "tool_call_id", where, true));
  }
  if (msg.content_null && msg.tool_calls.empty()) {
    return fieldError(where + "content", "is required (null only beside tool_calls)");
  }
  return msg;
}

Result<ToolSpec> parseTool(const Json& t, size_t index) {
  const std::string where = "tools[" + std::to_string(index) + "].";
  if (!t.is_object()) return fieldError(where.substr(0, where.size() - 1), "must be an object");
  WARD_ASSIGN_OR_RETURN(std::string type, stringField(t, "type", where, true));
  if (type != "function") return fieldError(where + "type", "must be \"function\"");
  auto f = t.find("function");
  if (f == t.end() || !f->is_object()) return fieldError(where + "function", "must be an object");
  ToolSpec spec;
  WARD_ASSIGN_OR_RETURN(spec.name, stringField(*f, "name", where + "function.", true));
  if (spec.name.empty() || spec.name.size() > 64 ||
      spec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789_-.") != std::string::npos) {
    return fieldError(where + "function.name", "must be 1-64 of [A-Za-z0-9_.-]");
  }
  WARD_ASSIGN_OR_RETURN(spec.description,
                        stringField(*f, "description", where + "function.", false));
  if (f->contains("parameters") && !(*f)["parameters"].is_null()) {
    if (!(*f)["parameters"].is_object()) {
      return fieldError(where + "function.parameters", "must be a JSON Schema object");
    }
    spec.parameters = (*f)["parameters"];
  }
  if (f->contains("strict") && !(*f)["strict"].is_null()) {
    if (!(*f)["strict"].is_boolean())
      return fieldError(where + "function.strict", "must be a boolean");
    spec.strict = (*f)["strict"].get<bool>();
  }
  return spec;
}

Status parseSampling(const Json& body, ChatRequest& r) {
  Sampling& s = r.sampling;
  WARD_ASSIGN_OR_RETURN(s.temperature, numberField(body, "temperature", 0, 2));
  WARD_ASSIGN_OR_RETURN(s.top_p, numberField(body, "top_p", 0, 1));
  WARD_ASSIGN_OR_RETURN(s.presence_penalty, numberField(body, "presence_penalty", -2, 2));
  WARD_ASSIGN_OR_RETURN(s.frequency_penalty, numberField(body, "frequency_penalty", -2, 2));
  WARD_ASSIGN_OR_RETURN(s.max_tokens, integerField(body, "max_completion_tokens", 1));
  if (!s.max_tokens) {
    WARD_ASSIGN_OR_RETURN(s.max_tokens, integerField(body, "max_tokens", 1));
    s.legacy_max_tokens = s.max_tokens.has_value();
  }
  WARD_ASSIGN_OR_RETURN(s.seed, integerField(body, "seed", INT64_MIN));
  WARD_ASSIGN_OR_RETURN(s.n, integerField(body, "n", 1));
  if (s.n && *s.n != 1) return fieldError("n", "must be 1 (one choice per call through Ward)");
  if (body.contains("stop") && !body["stop"].is_null()) {
    const Json& stop = body["stop"];
    bool ok = stop.is_string() || (stop.is_array() && stop.size() <= 4);
    if (ok && stop.is_array()) {
      for (const Json& e : stop) ok = ok && e.is_string();
    }
    if (!ok) return fieldError("stop", "must be a string or a list of up to 4 strings");
    s.stop = stop;
  }
  if (body.contains("reasoning_effort") && !body["reasoning_effort"].is_null()) {
    if (!body["reasoning_effort"].is_string())
      return fieldError("reasoning_effort", "must be a string");
    s.reasoning_effort = body["reasoning_effort"];
  }
  if (body.contains("response_format") && !body["response_format"].is_null()) {
    if (!body["response_format"].is_object())
      return fieldError("response_format", "must be an object");
    s.response_format = body["response_format"];
  }
  return Status();
}

Status parseClaims(const Json& body, ChatRequest& r) {
  for (const char* key : {"user", "safety_identifier", "prompt_cache_key"}) {
    if (body.contains(key) && !body[key].is_null()) {
      if (!body[key].is_string()) return fieldError(key, "must be a string");
      r.claims[key] = body[key];
    }
  }
  if (body.contains("metadata") && !body["metadata"].is_null()) {
    if (!body["metadata"].is_object()) return fieldError("metadata", "must be an object");
    for (const auto& [k, v] : body["metadata"].items()) {
      if (!v.is_string()) return fieldError("metadata." + k, "must be a string");
    }
    r.claims["metadata"] = body["metadata"];
  }
  if (dumpJson(r.claims).size() > kMaxClaimBytes) {
    return fieldError("metadata", "with user and safety_identifier is larger than " +
                                      std::to_string(kMaxClaimBytes) + " bytes");
  }
  return Status();
}

}  // namespace

Result<ChatRequest> parseChatCompletionRequest(const Json& body) {
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  static const std::set<std::string> kKnown = {"model",
                                               "messages",
                                               "tools",
                                               "tool_choice",
                                               "parallel_tool_calls",
                                               "stream",
                                               "stream_options",
                                               "temperature",
                                               "top_p",
                                               "max_tokens",
                                               "max_completion_tokens",
                                               "seed",
                                               "presence_penalty",
                                               "frequency_penalty",
                                               "n",
                                               "stop",
                                               "reasoning_effort",
                                               "response_format",
                                               "user",
                                               "metadata",
                                               "safety_identifier",
                                               "prompt_cache_key",
                                               "store"};
  for (const auto& [k, v] : body.items()) {
    if (kKnown.count(k) == 0) return fieldError(k, "is not supported by Ward's proxy");
  }
  ChatRequest r;
  WARD_ASSIGN_OR_RETURN(r.model, stringField(body, "model", "", true));
  if (r.model.empty()) return fieldError("model", "must not be empty");
  auto msgs = body.find("messages");
  if (msgs == body.end() || !msgs->is_array() || msgs->empty()) {
    return fieldError("messages", "must be a non-empty list");
  }
  if (msgs->size() > kMaxChatMessages) {
    return fieldError("messages", "has more than " + std::to_string(kMaxChatMessages) + " entries");
  }
  for (size_t i = 0; i < msgs->size(); ++i) {
    WARD_ASSIGN_OR_RETURN(Message m, parseMessage((*msgs)[i], i));
    r.messages.push_back(std::move(m));
  }
  if (body.contains("tools") && !body["tools"].is_null()) {
    const Json& tools = body["tools"];
    if (!tools.is_array()) return fieldError("tools", "must be a list");
    if (tools.size() > kMaxChatTools) {
      return fieldError("tools", "has more than " + std::to_string(kMaxChatTools) + " entries");
    }
    for (size_t i = 0; i < tools.size(); ++i) {
      WARD_ASSIGN_OR_RETURN(ToolSpec t, parseTool(tools[i], i));
      r.tools.push_back(std::move(t));
    }
  }
  if (body.contains("tool_choice") && !body["tool_choice"].is_null()) {
    const Json& tc = body["tool_choice"];
    if (!tc.is_string() && !tc.is_object())
      return fieldError("tool_choice", "must be a string or an object");
    r.tool_choice = tc;
  }
  if (body.contains("parallel_tool_calls") && !body["parallel_tool_calls"].is_null()) {
    if (!body["parallel_tool_calls"].is_boolean()) {
      return fieldError("parallel_tool_calls", "must be a boolean");
    }
    r.parallel_tool_calls = body["parallel_tool_calls"].get<bool>();
  }
  if (body.contains("stream") && !body["stream"].is_null()) {
    if (!body["stream"].is_boolean()) return fieldError("stream", "must be a boolean");
    r.stream = body["stream"].get<bool>();
  }
  if (body.contains("stream_options") && !body["stream_options"].is_null()) {
    const Json& so = body["stream_options"];
    if (!so.is_object()) return fieldError("stream_options", "must be an object");
    for (const auto& [k, v] : so.items()) {
      if (k == "include_usage" && v.is_boolean()) {
        r.include_usage = v.get<bool>();
      } else if (k != "include_obfuscation") {
        return fieldError("stream_options." + k, "is not supported");
      }
    }
  }
  if (body.contains("store") && body["store"] == Json(true)) {
    return fieldError("store", "must be false: Ward does not let providers keep conversations");
  }
  WARD_RETURN_IF_ERROR(parseSampling(body, r));
  WARD_RETURN_IF_ERROR(parseClaims(body, r));
  return r;
}

Json chatCompletionRequestJson(const ChatRequest& r, const std::string& provider_model) {
  Json body = Json::object();
  body["model"] = provider_model;
  Json messages = Json::array();
  for (const Message& m : r.messages) {
    Json j = {{"role", roleName(m.role)}};
    if (m.content_null) {
      j["content"] = nullptr;
    } else if (m.content_is_string) {
      j["content"] = m.text();
    } else {
      Json parts = Json::array();
      for (const ContentPart& p : m.content) {
        parts.push_back(
            p.kind == ContentPart::Kind::kText ? Json{{"type", "text"}, {"text", p.text}} : p.raw);
      }
      j["content"] = std::move(parts);
    }
    if (!m.name.empty()) j["name"] = m.name;
    if (!m.tool_calls.empty()) {
      Json calls = Json::array();
      for (const ToolCall& c : m.tool_calls) {
        Json call = c.opaque.is_object() ? c.opaque : Json::object();
        call["id"] = c.id;
        call["type"] = "function";
        call["function"] = {{"name", c.name}, {"arguments", c.arguments}};
        calls.push_back(std::move(call));
      }
      j["tool_calls"] = std::move(calls);
    }
    if (m.role == Role::kTool) j["tool_call_id"] = m.tool_call_id;
    messages.push_back(std::move(j));
  }
  body["messages"] = std::move(messages);
  if (!r.tools.empty()) {
    Json tools = Json::array();
    for (const ToolSpec& t : r.tools) {
      Json f = {{"name", t.name}};
      if (!t.description.empty()) f["description"] = t.description;
      if (!t.parameters.is_null()) f["parameters"] = t.parameters;
      if (t.strict) f["strict"] = *t.strict;
      tools.push_back({{"type", "function"}, {"function", f}});
    }
    body["tools"] = std::move(tools);
  }
  if (!r.tool_choice.is_null()) body["tool_choice"] = r.tool_choice;
  if (r.parallel_tool_calls) body["parallel_tool_calls"] = *r.parallel_tool_calls;
  const Sampling& s = r.sampling;
  if (s.temperature) body["temperature"] = *s.temperature;
  if (s.top_p) body["top_p"] = *s.top_p;
  if (s.max_tokens)
    body[s.legacy_max_tokens ? "max_tokens" : "max_completion_tokens"] = *s.max_tokens;
  if (s.seed) body["seed"] = *s.seed;
  if (s.presence_penalty) body["presence_penalty"] = *s.presence_penalty;
  if (s.frequency_penalty) body["frequency_penalty"] = *s.frequency_penalty;
  if (!s.stop.is_null()) body["stop"] = s.stop;
  if (!s.reasoning_effort.is_null()) body["reasoning_effort"] = s.reasoning_effort;
  if (!s.response_format.is_null()) body["response_format"] = s.response_format;
  if (r.stream) {
    body["stream"] = true;
    // Always: usage is what budgets and the trace count, whatever the client asked for.
    body["stream_options"] = {{"include_usage", true}};
  }
  // Client claims (user, metadata) stay with Ward: the provider gets no identity from them.
  return body;
}

}  // namespace ward::models
