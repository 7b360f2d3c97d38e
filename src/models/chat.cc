#include "ward/models/chat.h"

namespace ward::models {

std::string_view roleName(Role role) {
  switch (role) {
    case Role::kSystem:
      return "system";
    case Role::kDeveloper:
      return "developer";
    case Role::kUser:
      return "user";
    case Role::kAssistant:
      return "assistant";
    case Role::kTool:
      return "tool";
  }
  return "user";
}

Result<Role> parseRole(std::string_view name) {
  for (Role r : {Role::kSystem, Role::kDeveloper, Role::kUser, Role::kAssistant, Role::kTool}) {
    if (roleName(r) == name) return r;
  }
  return Status::invalidArgument("unknown role '" + std::string(name.substr(0, 64)) +
                                 "' (system, developer, user, assistant, tool)");
}

std::string_view finishReasonName(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop:
      return "stop";
    case FinishReason::kLength:
      return "length";
    case FinishReason::kToolCalls:
      return "tool_calls";
    case FinishReason::kContentFilter:
      return "content_filter";
  }
  return "stop";
}

std::string Message::text() const {
  std::string out;
  for (const ContentPart& p : content) {
    if (p.kind == ContentPart::Kind::kText) out += p.text;
  }
  return out;
}

Json Sampling::toJson() const {
  Json j = Json::object();
  if (temperature) j["temperature"] = *temperature;
  if (top_p) j["top_p"] = *top_p;
  if (max_tokens) j["max_tokens"] = *max_tokens;
  if (seed) j["seed"] = *seed;
  if (presence_penalty) j["presence_penalty"] = *presence_penalty;
  if (frequency_penalty) j["frequency_penalty"] = *frequency_penalty;
  if (n) j["n"] = *n;
  if (!stop.is_null()) j["stop"] = stop;
  if (!reasoning_effort.is_null()) j["reasoning_effort"] = reasoning_effort;
  if (!response_format.is_null()) j["response_format"] = response_format;
  return j;
}

Json Usage::toJson() const {
  if (!known) return nullptr;
  return Json{{"input_tokens", input_tokens},
              {"output_tokens", output_tokens},
              {"cached_input_tokens", cached_input_tokens},
              {"reasoning_tokens", reasoning_tokens}};
}

}  // namespace ward::models
