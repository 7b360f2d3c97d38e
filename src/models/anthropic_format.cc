// Anthropic Messages requests, answers and errors.
#include "anthropic_format.h"

#include "ward/common/hash.h"

namespace ward::models {

namespace {

bool validToolId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
         std::string::npos;
}

// The `input` object of a tool call whose arguments are JSON text.
Result<Json> inputObject(const ToolCall& c) {
  if (c.arguments.empty()) return Json::object();
  auto parsed = parseJson(c.arguments);
  if (!parsed.ok() || !parsed->is_object()) {
    return Status::invalidArgument("tool call '" + c.id +
                                   "': its arguments are not a JSON object, which the Anthropic "
                                   "Messages API needs");
  }
  return *parsed;
}

// The thinking blocks an earlier answer left on its first tool call.
Json thinkingOf(const Message& m) {
  for (const ToolCall& c : m.tool_calls) {
    if (c.opaque.is_object() && c.opaque.contains("extra_content")) {
      const Json& x = c.opaque["extra_content"];
      if (x.is_object() && x.contains("anthropic") && x["anthropic"].is_object() &&
          x["anthropic"].contains("thinking") && x["anthropic"]["thinking"].is_array()) {
        return x["anthropic"]["thinking"];
      }
    }
  }
  return Json::array();
}

Json contentBlocks(const Message& m) {
  Json blocks = Json::array();
  for (const ContentPart& p : m.content) {
    if (p.kind == ContentPart::Kind::kText) {
      if (!p.text.empty()) blocks.push_back({{"type", "text"}, {"text", p.text}});
    } else if (p.raw.is_object() && p.raw.value("type", "") == "image_url" &&
               p.raw.contains("image_url") && p.raw["image_url"].is_object()) {
      blocks.push_back(
          {{"type", "image"},
           {"source", {{"type", "url"}, {"url", p.raw["image_url"].value("url", "")}}}});
    } else if (p.raw.is_object() && p.raw.value("type", "") == "search_result") {
      blocks.push_back(p.raw);  // the answer loop's native citations: already this dialect's
    }
  }
  return blocks;
}

Result<Json> toolChoice(const ChatRequest& r) {
  Json tc;
  if (r.tool_choice.is_string()) {
    const std::string s = r.tool_choice.get<std::string>();
    if (s == "auto")
      tc = {{"type", "auto"}};
    else if (s == "required")
      tc = {{"type", "any"}};
    else if (s == "none")
      tc = {{"type", "none"}};
    else
      return Status::invalidArgument("field 'tool_choice': unknown value '" + s + "'");
  } else if (r.tool_choice.is_object()) {
    const Json& f = r.tool_choice.value("function", Json::object());
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) {
      return Status::invalidArgument("field 'tool_choice' must name a function for Anthropic");
    }
    tc = {{"type", "tool"}, {"name", f["name"]}};
  }
  if (r.parallel_tool_calls && !*r.parallel_tool_calls) {
    if (tc.is_null()) tc = {{"type", "auto"}};
    tc["disable_parallel_tool_use"] = true;
  }
  return tc;
}

FinishReason finishOf(const std::string& stop) {
  if (stop == "max_tokens") return FinishReason::kLength;
  if (stop == "tool_use") return FinishReason::kToolCalls;
  if (stop == "refusal") return FinishReason::kContentFilter;
  return FinishReason::kStop;  // end_turn, stop_sequence, pause_turn
}

}  // namespace

std::string anthropicToolId(const std::string& id) {
  if (validToolId(id)) return id;
  return "toolu_w" + sha256Hex(id).substr(0, 24);
}

Result<Json> anthropicRequestJson(const ChatRequest& r, const std::string& provider_model) {
  Json body = {{"model", provider_model}};
  std::string system;
  Json messages = Json::array();
  auto append = [&](const char* role, Json blocks) {
    // The dialect wants user and assistant turns to alternate: merge neighbours.
    if (!messages.empty() && messages.back()["role"] == role) {
      for (Json& b : blocks) messages.back()["content"].push_back(std::move(b));
    } else {
      messages.push_back({{"role", role}, {"content", std::move(blocks)}});
    }
  };
  for (const Message& m : r.messages) {
    switch (m.role) {
      case Role::kSystem:
      case Role::kDeveloper:
        system += (system.empty() ? "" : "\n\n") + m.text();
        break;
      case Role::kUser:
        append("user", contentBlocks(m));
        break;
      case Role::kTool:
        append("user", Json::array({{{"type", "tool_result"},
                                     {"tool_use_id", anthropicToolId(m.tool_call_id)},
                                     {"content", m.text()}}}));
        break;
      case Role::kAssistant: {
        Json blocks = thinkingOf(m);
        for (Json& b : contentBlocks(m)) blocks.push_back(std::move(b));
        for (const ToolCall& c : m.tool_calls) {
          WARD_ASSIGN_OR_RETURN(Json input, inputObject(c));
          blocks.push_back({{"type", "tool_use"},
                            {"id", anthropicToolId(c.id)},
                            {"name", c.name},
                            {"input", std::move(input)}});
        }
        append("assistant", std::move(blocks));
        break;
      }
    }
  }
  if (!system.empty()) body["system"] = system;
  body["messages"] = std::move(messages);
  const Sampling& s = r.sampling;
  body["max_tokens"] = s.max_tokens ? *s.max_tokens : kAnthropicDefaultMaxTokens;
  if (s.temperature) body["temperature"] = *s.temperature;
  if (s.top_p) body["top_p"] = *s.top_p;
  if (!s.stop.is_null())
    body["stop_sequences"] = s.stop.is_string() ? Json::array({s.stop}) : s.stop;
  if (!r.tools.empty()) {
    Json tools = Json::array();
    for (const ToolSpec& t : r.tools) {
      Json tool = {
          {"name", t.name},
          {"input_schema", t.parameters.is_object() ? t.parameters : Json{{"type", "object"}}}};
      if (!t.description.empty()) tool["description"] = t.description;
      tools.push_back(std::move(tool));
    }
    body["tools"] = std::move(tools);
  }
  WARD_ASSIGN_OR_RETURN(Json tc, toolChoice(r));
  if (!tc.is_null()) body["tool_choice"] = std::move(tc);
  if (r.stream) body["stream"] = true;
  return body;
}

Result<ChatResponse> parseAnthropicMessage(const Json& body) {
  auto bad = [](const std::string& what) {
    return Status::unavailable("the provider's answer is not an Anthropic message: " + what);
  };
  if (!body.is_object() || !body.contains("content") || !body["content"].is_array()) {
    return bad("no content");
  }
  ChatResponse r;
  r.id = body.value("id", std::string());
  r.model = body.value("model", std::string());
  r.message.role = Role::kAssistant;
  r.message.content_null = true;
  Json thinking = Json::array();
  Json text_blocks = Json::array();  // each text block with its citations (search results)
  bool cited = false;
  for (const Json& b : body["content"]) {
    const std::string type = b.is_object() ? b.value("type", "") : "";
    if (type == "text") {
      if (r.message.content_null) {
        r.message.content_null = false;
        r.message.content.push_back({ContentPart::Kind::kText, "", nullptr});
      }
      r.message.content.back().text += b.value("text", "");
      const Json citations = b.value("citations", Json::array());
      cited = cited || (citations.is_array() && !citations.empty());
      text_blocks.push_back({{"text", b.value("text", "")},
                             {"citations", citations.is_array() ? citations : Json::array()}});
    } else if (type == "tool_use") {
      ToolCall c;
      c.id = b.value("id", std::string());
      c.name = b.value("name", std::string());
      c.arguments = b.contains("input") ? b["input"].dump() : "{}";
      if (c.id.empty() || c.name.empty()) return bad("a tool_use block has no id or name");
      r.message.tool_calls.push_back(std::move(c));
    } else if (type == "thinking" || type == "redacted_thinking") {
      thinking.push_back(b);  // kept verbatim: the signature must come back unchanged
    }
  }
  if (cited) r.message.opaque = {{"anthropic", {{"text_blocks", text_blocks}}}};
  if (!thinking.empty() && !r.message.tool_calls.empty()) {
    r.message.tool_calls[0].opaque = {{"extra_content", {{"anthropic", {{"thinking", thinking}}}}}};
  }
  r.finish = finishOf(body.value("stop_reason", std::string()));
  if (!r.message.tool_calls.empty() && r.finish == FinishReason::kStop) {
    r.finish = FinishReason::kToolCalls;
  }
  if (body.contains("usage") && body["usage"].is_object()) {
    const Json& u = body["usage"];
    auto n = [&](const char* k) {
      return u.contains(k) && u[k].is_number_integer() ? u[k].get<int64_t>() : 0;
    };
    r.usage.known = true;
    // Anthropic's input_tokens excludes cache reads and writes; Ward counts all input.
    r.usage.cached_input_tokens = n("cache_read_input_tokens");
    r.usage.input_tokens =
        n("input_tokens") + r.usage.cached_input_tokens + n("cache_creation_input_tokens");
    r.usage.output_tokens = n("output_tokens");
  }
  return r;
}

ProviderError parseAnthropicError(int http_status, const std::string& body) {
  ProviderError e;
  e.http_status = http_status;
  auto parsed = parseJson(body);
  if (parsed.ok() && parsed->is_object() && parsed->contains("error") &&
      (*parsed)["error"].is_object()) {
    const Json& err = (*parsed)["error"];
    e.message = err.value("message", std::string());
    e.type = err.value("type", std::string());
    e.code = e.type;
  }
  if (e.message.empty()) e.message = body.substr(0, 300);
  return e;
}

}  // namespace ward::models
