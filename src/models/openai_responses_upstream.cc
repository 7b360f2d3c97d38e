// The provider side of the Responses dialect: Ward's form into a POST /responses body, and the
// provider's response object back.
#include "openai_responses_wire.h"
#include "ward/models/openai_responses_format.h"

namespace ward::models {

namespace {

Json inputContent(const Message& m, bool assistant) {
  Json parts = Json::array();
  for (const ContentPart& p : m.content) {
    if (p.kind == ContentPart::Kind::kText) {
      parts.push_back({{"type", assistant ? "output_text" : "input_text"}, {"text", p.text}});
    } else if (p.raw.is_object() && p.raw.value("type", "") == "image_url" &&
               p.raw.contains("image_url") && p.raw["image_url"].is_object()) {
      parts.push_back(
          {{"type", "input_image"}, {"image_url", p.raw["image_url"].value("url", "")}});
    }
  }
  return parts;
}

Json reasoningOf(const ToolCall& c) {
  if (!c.opaque.is_object()) return Json::array();
  const Json& x = c.opaque.value("extra_content", Json());
  if (!x.is_object() || !x.contains("openai") || !x["openai"].is_object()) return Json::array();
  const Json& r = x["openai"].value("reasoning", Json());
  return r.is_array() ? r : Json::array();
}

Result<Json> toolChoice(const Json& tc) {
  if (tc.is_null() || tc.is_string()) return tc;
  const Json& f = tc.value("function", Json::object());
  if (!f.is_object() || !f.contains("name")) {
    return Status::invalidArgument("field 'tool_choice' must name a function");
  }
  return Json{{"type", "function"}, {"name", f["name"]}};
}

}  // namespace

Result<Json> responsesRequestJson(const ChatRequest& r, const std::string& provider_model) {
  const Sampling& s = r.sampling;
  // The dialect has no stop sequences, seed, penalties or n: refused rather than dropped.
  if (!s.stop.is_null())
    return Status::invalidArgument("field 'stop' is not supported by the Responses API");
  if (s.seed) return Status::invalidArgument("field 'seed' is not supported by the Responses API");
  if (s.presence_penalty || s.frequency_penalty) {
    return Status::invalidArgument(
        "fields 'presence_penalty' and 'frequency_penalty' are not supported by the Responses API");
  }
  Json input = Json::array();
  for (const Message& m : r.messages) {
    switch (m.role) {
      case Role::kSystem:
      case Role::kDeveloper:
      case Role::kUser:
        input.push_back(
            {{"type", "message"}, {"role", roleName(m.role)}, {"content", inputContent(m, false)}});
        break;
      case Role::kAssistant: {
        Json parts = inputContent(m, true);
        if (!parts.empty()) {
          input.push_back({{"type", "message"}, {"role", "assistant"}, {"content", parts}});
        }
        for (size_t i = 0; i < m.tool_calls.size(); ++i) {
          const ToolCall& c = m.tool_calls[i];
          for (const Json& item : reasoningOf(c)) input.push_back(item);  // verbatim, first
          input.push_back({{"type", "function_call"},
                           {"call_id", c.id},
                           {"name", c.name},
                           {"arguments", c.arguments}});
        }
        break;
      }
      case Role::kTool:
        input.push_back(
            {{"type", "function_call_output"}, {"call_id", m.tool_call_id}, {"output", m.text()}});
        break;
    }
  }
  Json body = {{"model", provider_model},
               {"input", std::move(input)},
               {"store", false},
               {"include", Json::array({"reasoning.encrypted_content"})}};
  if (!r.tools.empty()) {
    Json tools = Json::array();
    for (const ToolSpec& t : r.tools) {
      Json tool = {{"type", "function"}, {"name", t.name}};
      if (!t.description.empty()) tool["description"] = t.description;
      tool["parameters"] = t.parameters.is_object() ? t.parameters : Json{{"type", "object"}};
      if (t.strict) tool["strict"] = *t.strict;
      tools.push_back(std::move(tool));
    }
    body["tools"] = std::move(tools);
  }
  WARD_ASSIGN_OR_RETURN(Json tc, toolChoice(r.tool_choice));
  if (!tc.is_null()) body["tool_choice"] = std::move(tc);
  if (r.parallel_tool_calls) body["parallel_tool_calls"] = *r.parallel_tool_calls;
  if (s.temperature) body["temperature"] = *s.temperature;
  if (s.top_p) body["top_p"] = *s.top_p;
  if (s.max_tokens) body["max_output_tokens"] = *s.max_tokens;
  if (s.reasoning_effort.is_string()) body["reasoning"] = {{"effort", s.reasoning_effort}};
  if (s.response_format.is_object()) {
    const std::string type = s.response_format.value("type", "");
    if (type == "json_schema") {
      Json f = {{"type", "json_schema"}};
      const Json& js = s.response_format.value("json_schema", Json::object());
      for (const char* k : {"name", "schema", "strict", "description"}) {
        if (js.is_object() && js.contains(k)) f[k] = js[k];
      }
      body["text"] = {{"format", std::move(f)}};
    } else if (type == "json_object") {
      body["text"] = {{"format", {{"type", "json_object"}}}};
    }
  }
  if (r.stream) body["stream"] = true;
  return body;
}

Usage parseResponsesUsage(const Json& u) {
  Usage usage;
  if (!u.is_object()) return usage;
  auto n = [](const Json& j, const char* k) {
    return j.is_object() && j.contains(k) && j[k].is_number_integer() ? j[k].get<int64_t>() : 0;
  };
  usage.known = true;
  usage.input_tokens = n(u, "input_tokens");
  usage.output_tokens = n(u, "output_tokens");
  usage.cached_input_tokens = n(u.value("input_tokens_details", Json()), "cached_tokens");
  usage.reasoning_tokens = n(u.value("output_tokens_details", Json()), "reasoning_tokens");
  return usage;
}

Result<ChatResponse> parseResponsesResponse(const Json& body) {
  auto bad = [](const std::string& what) {
    return Status::unavailable("the provider's answer is not a Responses object: " + what);
  };
  if (!body.is_object() || !body.contains("output") || !body["output"].is_array()) {
    return bad("no output");
  }
  ChatResponse r;
  r.id = body.value("id", std::string());
  r.model = body.value("model", std::string());
  r.created = body.contains("created_at") && body["created_at"].is_number_integer()
                  ? body["created_at"].get<int64_t>()
                  : 0;
  r.message.role = Role::kAssistant;
  r.message.content_null = true;
  Json reasoning = Json::array();
  bool refused = false;
  for (const Json& item : body["output"]) {
    const std::string type = item.is_object() ? item.value("type", "") : "";
    if (type == "message") {
      for (const Json& p : item.value("content", Json::array())) {
        const std::string pt = p.is_object() ? p.value("type", "") : "";
        if (pt != "output_text" && pt != "refusal") continue;
        refused = refused || pt == "refusal";
        if (r.message.content_null) {
          r.message.content_null = false;
          r.message.content.push_back({ContentPart::Kind::kText, "", nullptr});
        }
        r.message.content.back().text += p.value(pt == "refusal" ? "refusal" : "text", "");
      }
    } else if (type == "function_call") {
      ToolCall c;
      c.id = item.value("call_id", std::string());
      c.name = item.value("name", std::string());
      c.arguments = item.value("arguments", std::string());
      if (c.id.empty() || c.name.empty()) return bad("a function_call has no call_id or name");
      r.message.tool_calls.push_back(std::move(c));
    } else if (type == "reasoning") {
      reasoning.push_back(item);  // kept verbatim: encrypted_content must come back unchanged
    }
  }
  if (!reasoning.empty() && !r.message.tool_calls.empty()) {
    r.message.tool_calls[0].opaque = {{"extra_content", {{"openai", {{"reasoning", reasoning}}}}}};
  }
  r.finish = responsesFinish(body, !r.message.tool_calls.empty());
  if (refused) r.finish = FinishReason::kContentFilter;
  if (body.contains("usage")) r.usage = parseResponsesUsage(body["usage"]);
  return r;
}

FinishReason responsesFinish(const Json& response, bool has_calls) {
  if (response.value("status", "") == "incomplete") {
    const Json& d = response.value("incomplete_details", Json());
    const std::string reason = d.is_object() ? d.value("reason", "") : "";
    return reason == "content_filter" ? FinishReason::kContentFilter : FinishReason::kLength;
  }
  return has_calls ? FinishReason::kToolCalls : FinishReason::kStop;
}

}  // namespace ward::models
