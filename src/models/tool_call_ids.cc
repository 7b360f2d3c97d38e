// Ward's tool-call ids: base64url of the provider's id behind a fixed prefix (tool_call_ids.h).
#include "ward/models/tool_call_ids.h"

#include "ward/common/encoding.h"

namespace ward::models {

std::string wardToolCallId(std::string_view provider_id) {
  if (provider_id.empty()) return std::string();
  return std::string(kWardToolCallIdPrefix) + base64UrlEncode(provider_id);
}

std::string providerToolCallId(std::string_view id) {
  if (!id.starts_with(kWardToolCallIdPrefix)) return std::string(id);
  const std::string_view encoded = id.substr(kWardToolCallIdPrefix.size());
  auto decoded = base64UrlDecode(encoded);
  // Canonical only: one provider id has one Ward id, and unused bits spell no other.
  if (!decoded || decoded->empty() || base64UrlEncode(*decoded) != encoded) {
    return std::string(id);
  }
  return *decoded;
}

void useWardToolCallIds(std::vector<ToolCall>& calls) {
  for (ToolCall& c : calls) c.id = wardToolCallId(c.id);
}

ChatRequest withProviderToolCallIds(ChatRequest request) {
  for (Message& m : request.messages) {
    for (ToolCall& c : m.tool_calls) c.id = providerToolCallId(c.id);
    if (!m.tool_call_id.empty()) m.tool_call_id = providerToolCallId(m.tool_call_id);
  }
  return request;
}

}  // namespace ward::models
