// Chat Completions responses: upstream answers into Ward's form, Ward's form to the client.
#include "openai_chat_wire.h"
#include "ward/models/openai_chat_format.h"

namespace ward::models {

namespace {

Json usageJson(const Usage& u) {
  return Json{{"prompt_tokens", u.input_tokens},
              {"completion_tokens", u.output_tokens},
              {"total_tokens", u.input_tokens + u.output_tokens},
              {"prompt_tokens_details", {{"cached_tokens", u.cached_input_tokens}}},
              {"completion_tokens_details", {{"reasoning_tokens", u.reasoning_tokens}}}};
}

Json toolCallJson(const ToolCall& c, size_t index, bool with_index) {
  Json call = c.opaque.is_object() ? c.opaque : Json::object();
  if (with_index) call["index"] = index;
  call["id"] = c.id;
  call["type"] = "function";
  call["function"] = {{"name", c.name}, {"arguments", c.arguments}};
  return call;
}

Json chunkBase(const ChatResponse& head) {
  return Json{{"id", head.id},
              {"object", "chat.completion.chunk"},
              {"created", head.created},
              {"model", head.model},
              {"choices", Json::array()}};
}

Json chunkWithDelta(const ChatResponse& head, Json delta, Json finish) {
  Json j = chunkBase(head);
  j["choices"].push_back({{"index", 0},
                          {"delta", std::move(delta)},
                          {"logprobs", nullptr},
                          {"finish_reason", finish}});
  return j;
}

int64_t intAt(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

}  // namespace

Usage parseChatUsage(const Json& u) {
  Usage usage;
  if (!u.is_object()) return usage;
  usage.known = true;
  usage.input_tokens = intAt(u, "prompt_tokens");
  usage.output_tokens = intAt(u, "completion_tokens");
  if (u.contains("prompt_tokens_details") && u["prompt_tokens_details"].is_object()) {
    usage.cached_input_tokens = intAt(u["prompt_tokens_details"], "cached_tokens");
  }
  if (u.contains("completion_tokens_details") && u["completion_tokens_details"].is_object()) {
    usage.reasoning_tokens = intAt(u["completion_tokens_details"], "reasoning_tokens");
  }
  return usage;
}

Result<FinishReason> parseChatFinish(const std::string& reason) {
  if (reason == "stop") return FinishReason::kStop;
  if (reason == "length") return FinishReason::kLength;
  if (reason == "tool_calls" || reason == "function_call") return FinishReason::kToolCalls;
  if (reason == "content_filter") return FinishReason::kContentFilter;
  return Status::unavailable("the provider gave an unknown finish_reason '" + reason.substr(0, 64) +
                             "'");
}

Result<ChatResponse> parseChatCompletion(const Json& body) {
  auto bad = [](const std::string& what) {
    return Status::unavailable("the provider's answer is not a chat completion: " + what);
  };
  if (!body.is_object()) return bad("not a JSON object");
  ChatResponse r;
  r.id = body.value("id", std::string());
  r.model = body.value("model", std::string());
  r.created = intAt(body, "created");
  if (body.contains("system_fingerprint") && body["system_fingerprint"].is_string()) {
    r.system_fingerprint = body["system_fingerprint"].get<std::string>();
  }
  auto choices = body.find("choices");
  if (choices == body.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    return bad("no choices");
  }
  const Json& choice = (*choices)[0];
  auto msg = choice.find("message");
  if (msg == choice.end() || !msg->is_object()) return bad("choices[0].message is missing");
  r.message.role = Role::kAssistant;
  auto content = msg->find("content");
  if (content == msg->end() || content->is_null()) {
    r.message.content_null = true;
  } else if (content->is_string()) {
    r.message.content.push_back({ContentPart::Kind::kText, content->get<std::string>(), nullptr});
  } else {
    return bad("choices[0].message.content is not a string");
  }
  if (msg->contains("tool_calls") && (*msg)["tool_calls"].is_array()) {
    for (const Json& c : (*msg)["tool_calls"]) {
      if (!c.is_object() || !c.contains("function") || !c["function"].is_object()) {
        return bad("a tool call has no function");
      }
      ToolCall call;
      call.id = c.value("id", std::string());
      call.name = c["function"].value("name", std::string());
      const Json& args = c["function"].contains("arguments") ? c["function"]["arguments"] : Json();
      // Some OpenAI-compatible servers send the arguments as an object: keep them as text.
      call.arguments = args.is_string() ? args.get<std::string>()
                       : args.is_null() ? ""
                                        : args.dump();
      if (call.id.empty() || call.name.empty()) return bad("a tool call has no id or name");
      for (const auto& [k, v] : c.items()) {
        if (k != "id" && k != "type" && k != "function" && k != "index") {
          if (call.opaque.is_null()) call.opaque = Json::object();
          call.opaque[k] = v;
        }
      }
      r.message.tool_calls.push_back(std::move(call));
    }
  }
  const std::string finish = choice.value("finish_reason", std::string());
  if (finish.empty()) {
    r.finish = r.message.tool_calls.empty() ? FinishReason::kStop : FinishReason::kToolCalls;
  } else {
    WARD_ASSIGN_OR_RETURN(r.finish, parseChatFinish(finish));
  }
  if (body.contains("usage")) r.usage = parseChatUsage(body["usage"]);
  return r;
}

ProviderError parseChatError(int http_status, const std::string& body) {
  ProviderError e;
  e.http_status = http_status;
  auto parsed = parseJson(body);
  if (parsed.ok() && parsed->is_object() && parsed->contains("error")) {
    const Json& err = (*parsed)["error"];
    if (err.is_object()) {
      if (err.contains("message") && err["message"].is_string()) e.message = err["message"];
      if (err.contains("type") && err["type"].is_string()) e.type = err["type"];
      if (err.contains("code") && err["code"].is_string()) e.code = err["code"];
    } else if (err.is_string()) {
      e.message = err.get<std::string>();
    }
  }
  if (e.message.empty()) e.message = body.substr(0, 300);
  return e;
}

Json chatCompletionJson(const ChatResponse& r) {
  Json message = {{"role", "assistant"}, {"refusal", nullptr}};
  message["content"] = r.message.content_null ? Json(nullptr) : Json(r.message.text());
  if (!r.message.tool_calls.empty()) {
    Json calls = Json::array();
    for (size_t i = 0; i < r.message.tool_calls.size(); ++i) {
      calls.push_back(toolCallJson(r.message.tool_calls[i], i, false));
    }
    message["tool_calls"] = std::move(calls);
  }
  Json j = {{"id", r.id},
            {"object", "chat.completion"},
            {"created", r.created},
            {"model", r.model},
            {"choices", Json::array({{{"index", 0},
                                      {"message", std::move(message)},
                                      {"logprobs", nullptr},
                                      {"finish_reason", finishReasonName(r.finish)}}})}};
  if (r.usage.known) j["usage"] = usageJson(r.usage);
  if (!r.system_fingerprint.empty()) j["system_fingerprint"] = r.system_fingerprint;
  return j;
}

Json chunkRoleJson(const ChatResponse& head) {
  return chunkWithDelta(head, {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}},
                        nullptr);
}

Json chunkTextJson(const ChatResponse& head, const std::string& text) {
  return chunkWithDelta(head, {{"content", text}}, nullptr);
}

Json chunkToolCallsJson(const ChatResponse& head, const std::vector<ToolCall>& calls) {
  Json list = Json::array();
  for (size_t i = 0; i < calls.size(); ++i) list.push_back(toolCallJson(calls[i], i, true));
  return chunkWithDelta(head, {{"tool_calls", std::move(list)}}, nullptr);
}

Json chunkFinishJson(const ChatResponse& head, FinishReason finish) {
  return chunkWithDelta(head, Json::object(), finishReasonName(finish));
}

Json chunkUsageJson(const ChatResponse& head, const Usage& usage) {
  Json j = chunkBase(head);
  j["usage"] = usageJson(usage);
  return j;
}

}  // namespace ward::models
