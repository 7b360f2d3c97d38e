// Ward's tool-call ids (docs/design/models.md "Tool-call ids"). One rule for every provider: the
// id a client sees for a tool call is kWardToolCallIdPrefix + base64url (RFC 4648 section 5, no
// padding) of the provider's own id. It is
// - deterministic: the same provider answer gives the same ids (replay holds);
// - stateless: the next request carries what Ward needs to give the provider its own id back,
//   so Ward keeps no map (nothing to bound, lose on restart or share between nodes);
// - valid in every dialect, Anthropic's ^[a-zA-Z0-9_-]+$ included.
// An id that is not Ward's (a history written elsewhere) goes to the provider unchanged, and
// the adapters map it to their dialect as before (Anthropic's SHA-256 form, Gemini's lookup).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ward/models/chat.h"

namespace ward::models {

// Never in an id OpenAI mints ("call_" + letters and digits): no history written elsewhere is
// mistaken for Ward's.
inline constexpr std::string_view kWardToolCallIdPrefix = "call_w-";

// Ward's id for a provider's id ("" stays "": a call without an id has none to map).
std::string wardToolCallId(std::string_view provider_id);
// The provider's own id inside one of Ward's ids; any other id unchanged. An id is Ward's when
// it has the prefix and the rest is canonical base64url of a non-empty id.
std::string providerToolCallId(std::string_view id);

// Every call's id as Ward's (an answer on its way to the client).
void useWardToolCallIds(std::vector<ToolCall>& calls);
// The request with every tool-call id (assistant calls, tool results) as the provider's own.
ChatRequest withProviderToolCallIds(ChatRequest request);

}  // namespace ward::models
