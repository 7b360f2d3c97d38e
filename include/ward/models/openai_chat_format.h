// The OpenAI Chat Completions dialect, both ways: what clients send Ward's proxy and get back
// (POST /v1/chat/completions), and what the "openai" adapter sends an OpenAI-compatible server
// (OpenAI, vLLM, Ollama, llama.cpp server, LM Studio) and reads from it. Pure functions.
#pragma once

#include <cstddef>
#include <string>

#include "ward/common/json.h"
#include "ward/models/chat.h"
#include "ward/models/provider.h"

namespace ward::models {

// Limits of a chat request (docs/design/models.md "Limits").
inline constexpr size_t kMaxChatMessages = 2048;
inline constexpr size_t kMaxChatTools = 128;
inline constexpr size_t kMaxContentParts = 256;
inline constexpr size_t kMaxToolCallsPerMessage = 128;
inline constexpr size_t kMaxClaimBytes = 8192;  // user + metadata + safety_identifier, as JSON

// --- the client side (Ward's proxy) ---
// A client's request body; InvalidArgument naming the field (unknown fields included, and
// `store: true`, which would keep the conversation at the provider).
Result<ChatRequest> parseChatCompletionRequest(const Json& body);
// A complete response as the client gets it ("object": "chat.completion").
Json chatCompletionJson(const ChatResponse& response);
// Stream chunks ("object": "chat.completion.chunk"): the first one (role), a text piece, the
// complete tool calls, the finish reason, and the final usage chunk (choices empty).
Json chunkRoleJson(const ChatResponse& head);
Json chunkTextJson(const ChatResponse& head, const std::string& text);
Json chunkToolCallsJson(const ChatResponse& head, const std::vector<ToolCall>& calls);
Json chunkFinishJson(const ChatResponse& head, FinishReason finish);
Json chunkUsageJson(const ChatResponse& head, const Usage& usage);

// --- the provider side (the "openai" adapter) ---
// The upstream body for `request`, naming `provider_model`; streams ask for usage.
Json chatCompletionRequestJson(const ChatRequest& request, const std::string& provider_model);
// An upstream answer; Unavailable naming what is missing when it is not a chat completion.
Result<ChatResponse> parseChatCompletion(const Json& body);
// The error object of an upstream error body ({"error":{message,type,code}}), or the raw text.
ProviderError parseChatError(int http_status, const std::string& body);
// A decoder for an upstream Chat Completions SSE stream.
std::unique_ptr<StreamDecoder> makeChatStreamDecoder();

}  // namespace ward::models
