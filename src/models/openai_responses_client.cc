// The client side of /v1/responses: a Responses body into Ward's form (through the Chat
// Completions parser, so both front doors check the same limits), Ward's answer back as a
// response object or a Responses event stream.
#include <cstring>
#include <set>

#include "ward/common/hash.h"
#include "ward/models/openai_chat_format.h"
#include "ward/models/openai_responses_format.h"

namespace ward::models {

namespace {

Status fieldError(const std::string& field, const std::string& what) {
  return Status::invalidArgument("field '" + field + "' " + what);
}

// Responses content (a string or a list of input_text/output_text/input_image parts) as Chat
// Completions content.
Result<Json> chatContent(const Json& content, const std::string& where) {
  if (content.is_string() || content.is_null()) return content;
  if (!content.is_array()) return fieldError(where, "must be a string or a list of parts");
  Json parts = Json::array();
  for (size_t i = 0; i < content.size(); ++i) {
    const Json& p = content[i];
    const std::string type = p.is_object() ? p.value("type", "") : "";
    if ((type == "input_text" || type == "output_text") && p.contains("text")) {
      parts.push_back({{"type", "text"}, {"text", p["text"]}});
    } else if (type == "input_image" && p.contains("image_url")) {
      parts.push_back({{"type", "image_url"}, {"image_url", {{"url", p["image_url"]}}}});
    } else if (type == "refusal") {
      parts.push_back({{"type", "text"}, {"text", p.value("refusal", "")}});
    } else {
      return fieldError(
          where + "[" + std::to_string(i) + "]",
          "has a part type Ward's proxy does not support ('" + type.substr(0, 40) + "')");
    }
  }
  return parts;
}

// Input items as Chat Completions messages.
Result<Json> chatMessages(const Json& input) {
  Json messages = Json::array();
  if (input.is_string()) {
    messages.push_back({{"role", "user"}, {"content", input}});
    return messages;
  }
  if (!input.is_array()) return fieldError("input", "must be a string or a list of items");
  if (input.size() > kMaxChatMessages) {
    return fieldError("input", "has more than " + std::to_string(kMaxChatMessages) + " items");
  }
  Json reasoning = Json::array();  // reasoning items waiting for the function call they precede
  for (size_t i = 0; i < input.size(); ++i) {
    const Json& item = input[i];
    const std::string where = "input[" + std::to_string(i) + "]";
    if (!item.is_object()) return fieldError(where, "must be an object");
    const std::string type = item.value("type", item.contains("role") ? "message" : "");
    if (type == "message") {
      WARD_ASSIGN_OR_RETURN(Json content,
                            chatContent(item.value("content", Json()), where + ".content"));
      messages.push_back({{"role", item.value("role", "")}, {"content", std::move(content)}});
    } else if (type == "function_call") {
      Json call = {
          {"id", item.value("call_id", "")},
          {"type", "function"},
          {"function",
           {{"name", item.value("name", "")}, {"arguments", item.value("arguments", "")}}}};
      if (!reasoning.empty()) {
        call["extra_content"] = {{"openai", {{"reasoning", reasoning}}}};
        reasoning = Json::array();
      }
      if (call["id"] == "") return fieldError(where + ".call_id", "is required");
      Json* last = messages.empty() ? nullptr : &messages.back();
      if (last != nullptr && (*last)["role"] == "assistant") {
        if (!last->contains("tool_calls")) (*last)["tool_calls"] = Json::array();
        (*last)["tool_calls"].push_back(std::move(call));
      } else {
        messages.push_back(
            {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", Json::array({call})}});
      }
    } else if (type == "function_call_output") {
      const Json& out = item.value("output", Json(""));
      Json content = out;
      if (!out.is_string()) {
        WARD_ASSIGN_OR_RETURN(content, chatContent(out, where + ".output"));
      }
      messages.push_back({{"role", "tool"},
                          {"tool_call_id", item.value("call_id", "")},
                          {"content", std::move(content)}});
    } else if (type == "reasoning") {
      reasoning.push_back(item);  // kept verbatim (encrypted_content)
    } else {
      return fieldError(where + ".type", "'" + type.substr(0, 40) +
                                             "' is not supported by Ward's proxy (message, "
                                             "function_call, function_call_output, reasoning)");
    }
  }
  return messages;
}

Result<Json> chatTools(const Json& tools) {
  if (!tools.is_array()) return fieldError("tools", "must be a list");
  Json out = Json::array();
  for (size_t i = 0; i < tools.size(); ++i) {
    const Json& t = tools[i];
    if (!t.is_object() || t.value("type", "") != "function") {
      return fieldError("tools[" + std::to_string(i) + "].type",
                        "must be \"function\" (hosted tools are not served through Ward)");
    }
    Json f = {{"name", t.value("name", Json())}};
    for (const char* k : {"description", "parameters", "strict"}) {
      if (t.contains(k)) f[k] = t[k];
    }
    out.push_back({{"type", "function"}, {"function", std::move(f)}});
  }
  return out;
}

}  // namespace

Result<ProviderStateMode> parseProviderStateMode(const std::string& name) {
  if (name == "refuse") return ProviderStateMode::kRefuse;
  if (name == "record") return ProviderStateMode::kRecord;
  return Status::invalidArgument("must be \"refuse\" or \"record\"");
}

std::string providerStateField(const Json& body, ProviderStateMode mode) {
  if (!body.is_object()) return "";
  for (const char* k : {"previous_response_id", "conversation"}) {
    if (body.contains(k) && !body[k].is_null()) return k;
  }
  if (body.value("background", false) == true) return "background";
  // An item_reference points at an item the provider stored (clients send them unless they say
  // store: false, e.g. the AI SDK's providerOptions.openai.store = false).
  if (body.contains("input") && body["input"].is_array()) {
    for (size_t i = 0; i < body["input"].size(); ++i) {
      const Json& item = body["input"][i];
      if (item.is_object() && item.value("type", "") == "item_reference") {
        return "input[" + std::to_string(i) + "] (item_reference)";
      }
    }
  }
  if (mode == ProviderStateMode::kRefuse && body.value("store", false) == true) return "store";
  return "";
}

Result<ChatRequest> parseResponsesRequest(const Json& body, ProviderStateMode mode) {
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  if (std::string f = providerStateField(body, mode); !f.empty()) {
    return fieldError(f,
                      "asks the provider to keep state, which Ward does not allow "
                      "([proxy] provider_state; send whole items with store: false, "
                      "docs/design/models.md)");
  }
  static const std::set<std::string> kPassed = {
      "model", "tool_choice", "parallel_tool_calls", "stream",          "temperature", "top_p",
      "user",  "metadata",    "safety_identifier",   "prompt_cache_key"};
  // Accepted and not forwarded: they change nothing Ward sends (include, truncation "disabled",
  // stream_options' obfuscation, reasoning.summary, text.verbosity).
  static const std::set<std::string> kDropped = {"include", "truncation", "stream_options",
                                                 "store",   "background", "service_tier"};
  Json chat = Json::object();
  for (const auto& [k, v] : body.items()) {
    if (kPassed.count(k) != 0) {
      chat[k] = v;
    } else if (k == "input") {
      WARD_ASSIGN_OR_RETURN(chat["messages"], chatMessages(v));
    } else if (k == "instructions") {
      if (!v.is_null() && !v.is_string()) return fieldError(k, "must be a string");
    } else if (k == "tools") {
      WARD_ASSIGN_OR_RETURN(chat["tools"], chatTools(v));
    } else if (k == "max_output_tokens") {
      chat["max_completion_tokens"] = v;
    } else if (k == "reasoning") {
      if (!v.is_null() && !v.is_object()) return fieldError(k, "must be an object");
      if (v.is_object() && v.contains("effort")) chat["reasoning_effort"] = v["effort"];
    } else if (k == "text") {
      if (!v.is_null() && !v.is_object()) return fieldError(k, "must be an object");
      const Json& f = v.is_object() ? v.value("format", Json()) : Json();
      const std::string type = f.is_object() ? f.value("type", "") : "";
      if (type == "json_schema") {
        Json js = {{"name", f.value("name", "response")}, {"schema", f.value("schema", Json())}};
        if (f.contains("strict")) js["strict"] = f["strict"];
        chat["response_format"] = {{"type", "json_schema"}, {"json_schema", std::move(js)}};
      } else if (type == "json_object") {
        chat["response_format"] = {{"type", "json_object"}};
      } else if (!f.is_null() && type != "text") {
        return fieldError("text.format.type", "must be text, json_object or json_schema");
      }
    } else if (kDropped.count(k) == 0) {
      return fieldError(k, "is not supported by Ward's proxy");
    }
  }
  if (chat.contains("tool_choice") && chat["tool_choice"].is_object()) {
    const Json& tc = chat["tool_choice"];
    if (tc.value("type", "") != "function" || !tc.contains("name")) {
      return fieldError("tool_choice", "must be none, auto, required or {type:function, name}");
    }
    chat["tool_choice"] = {{"type", "function"}, {"function", {{"name", tc["name"]}}}};
  }
  if (!chat.contains("messages")) return fieldError("input", "is required");
  if (body.contains("instructions") && body["instructions"].is_string()) {
    chat["messages"].insert(chat["messages"].begin(),
                            Json{{"role", "system"}, {"content", body["instructions"]}});
  }
  auto parsed = parseChatCompletionRequest(chat);
  if (!parsed.ok()) {
    // Name the Responses field, not the Chat Completions one it was translated to.
    std::string m = parsed.status().message();
    for (auto [from, to] : {std::pair{"'messages", "'input"},
                            std::pair{"'max_completion_tokens", "'max_output_tokens"}}) {
      if (size_t at = m.find(from); at != std::string::npos) m.replace(at, strlen(from), to);
    }
    return Status::invalidArgument(m);
  }
  ChatRequest r = std::move(*parsed);
  r.include_usage = true;  // a Responses answer always carries usage
  if (body.value("store", false) == true) r.claims["store"] = true;  // kRecord
  return r;
}

}  // namespace ward::models
