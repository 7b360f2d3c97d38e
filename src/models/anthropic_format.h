// The Anthropic Messages dialect (POST <base_url>/messages): Ward's form to a request body, and
// answers, errors and streams back. Private to the "anthropic" adapter; exposed for tests.
//
// Mapping (docs/design/models.md "Anthropic Messages"): system and developer messages become
// `system`; tool results become `tool_result` blocks of the next user turn; tool-call arguments
// (text in Ward's form) become the `input` object (empty text = {}; anything else that is not a
// JSON object is refused); tool-call ids that do not match ^[a-zA-Z0-9_-]+$ are mapped to
// "toolu_w" + 24 hex digits of their SHA-256, the same on a tool_use and its tool_result; thinking
// blocks (with their signatures) of an answer that calls tools ride on its first tool call as
// `extra_content.anthropic.thinking` and are sent back verbatim, before the tool_use blocks.
#pragma once

#include <memory>
#include <string>

#include "ward/common/json.h"
#include "ward/models/chat.h"
#include "ward/models/provider.h"

namespace ward::models {

// max_tokens is required by the dialect: used when neither the request nor [models.params]
// sets it.
inline constexpr int64_t kAnthropicDefaultMaxTokens = 4096;
inline constexpr const char* kAnthropicVersion = "2023-06-01";

// An id the dialect accepts: itself when it matches ^[a-zA-Z0-9_-]+$ (1-64 chars), else
// "toolu_w" + the first 24 hex digits of its SHA-256.
std::string anthropicToolId(const std::string& id);

Result<Json> anthropicRequestJson(const ChatRequest& request, const std::string& provider_model);
Result<ChatResponse> parseAnthropicMessage(const Json& body);
ProviderError parseAnthropicError(int http_status, const std::string& body);
std::unique_ptr<StreamDecoder> makeAnthropicStreamDecoder();

}  // namespace ward::models
