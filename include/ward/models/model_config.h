// Models as configured in ward.toml (`[[models]]`, docs/formats/ward-toml.md). Parsed strictly:
// an unknown key, a wrong type or a bad value is an InvalidArgument naming the model and the key.
// No secret inside: `api_key_secret` names a tenant secret (`ward secrets set NAME`), read only
// when a request is sent. Value types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/status.h"

namespace ward::models {

// Limits (docs/formats/ward-toml.md "[[models]]").
inline constexpr size_t kMaxModels = 64;
inline constexpr size_t kMaxFallbacks = 4;
inline constexpr int kMaxRetries = 5;
inline constexpr int64_t kMaxRetryWaitMs = 60000;  // a longer retry-after is not waited for

// What a model serves: chat (/v1/chat/completions, /v1/responses) or embeddings (/v1/embeddings).
enum class ModelKind { kChat, kEmbedding };

struct ModelConfig {
  std::string name;                   // what clients send as "model": 1-64 of [A-Za-z0-9._:/-]
  std::string provider;               // an adapter name (provider_registry: "openai", ...)
  ModelKind kind = ModelKind::kChat;  // `kind = "chat" | "embedding"`
  std::string base_url;               // e.g. "https://api.openai.com/v1"
  std::string model;                  // the provider's model id
  std::string api_key_secret;         // tenant secret holding the API key; "" = no key sent
  // Who may call it, as grant subjects ("principal:<name>", "group:<name>", "agent:<name>").
  // Empty = nobody (deny by default).
  std::vector<std::string> allow;
  std::vector<std::string> fallbacks;     // other [[models]] names, tried in order
  int64_t timeout_ms = 120000;            // one attempt, the whole exchange
  int max_retries = 2;                    // extra attempts on retryable failures
  int64_t retry_base_ms = 500;            // backoff: base * 2^attempt (capped), unless told
  size_t max_prompt_bytes = 256 * 1024;   // text of all messages; larger requests are refused
  size_t max_response_bytes = 16u << 20;  // a larger provider response fails the attempt
  bool allow_private = false;  // base_url may be loopback/private (local vLLM, Ollama, tests)
  // Default sampling parameters, used when the request does not set them.
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> max_tokens;
};

// Every [[models]] entry of the ward.toml at `path` (none when the file or key is absent).
// Checks names are unique and that fallbacks name configured models (not the model itself).
Result<std::vector<ModelConfig>> loadModelConfigs(const std::string& path);

}  // namespace ward::models
