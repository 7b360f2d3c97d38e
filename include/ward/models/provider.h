// A provider adapter: translates Ward's chat form (chat.h) to one provider dialect's HTTP request
// and that dialect's answers (bodies, SSE streams, errors) back. Adapters do no I/O: the model
// service sends the request through the SSRF-safe client (net/http_client.h), retries, falls back
// and records. Adapters are registered by name (provider_registry.cc, one line each), stateless
// and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ward/models/chat.h"
#include "ward/models/embeddings.h"
#include "ward/models/model_config.h"
#include "ward/net/http_client.h"

namespace ward::models {

// Where one attempt goes.
struct ProviderTarget {
  const ModelConfig* config = nullptr;  // base_url, model id, timeouts
  std::string api_key;                  // "" = none; never logged or recorded
  std::string traceparent;              // W3C trace context of the call
};

// Why a provider refused or failed (from a non-2xx reply or an error event in a stream).
struct ProviderError {
  int http_status = 0;  // 0: not an HTTP status (a stream error event, a broken body)
  std::string message;  // the provider's message, for the caller and the trace
  std::string type;     // the provider's error type, if any
  std::string code;     // the provider's error code, if any ("insufficient_quota", ...)
  // How long the provider asked to wait in its body (Gemini's RetryInfo); -1 when it did not.
  // Headers (retry-after-ms, retry-after) take precedence.
  int64_t retry_after_ms = -1;
};

// One thing a stream produced, in order.
struct StreamEvent {
  enum class Kind {
    kText,       // `text` is the next piece of the assistant's content
    kToolCalls,  // every tool call of the response, complete (sent once, before kFinish)
    kFinish,     // `finish` is the finish reason
    kUsage,      // `usage` (sent at most once)
  };
  Kind kind = Kind::kText;
  std::string text;
  std::vector<ToolCall> tool_calls;
  FinishReason finish = FinishReason::kStop;
  Usage usage;
};

// Decodes one response stream (raw bytes in, events out) and accumulates the whole response.
// Tool calls are held until the stream says they are complete (the finish reason): a call is
// never emitted in pieces. Not thread-safe; one per stream.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Feeds the next bytes (any split). Unavailable (with `error` set) on an error event;
  // InvalidArgument when the bytes are not the dialect.
  virtual Status feed(std::string_view bytes, std::vector<StreamEvent>& out) = 0;
  // Whether the provider ended the stream properly ([DONE], message_stop, ...).
  virtual bool ended() const = 0;
  // Whether the finish reason arrived (the answer is complete, usage may still follow).
  virtual bool finished() const = 0;
  // What the stream said so far, as one response.
  virtual const ChatResponse& response() const = 0;
  // The error event that stopped the stream (valid after feed() returned Unavailable).
  virtual const ProviderError& error() const = 0;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view name() const = 0;
  // The upstream request for `request` (streaming when request.stream). InvalidArgument when the
  // request cannot be expressed in this dialect (the message names what).
  virtual Result<net::OutboundRequest> chatRequest(const ProviderTarget& target,
                                                   const ChatRequest& request) const = 0;
  // A 2xx body as a response; Unavailable naming the problem when it is not the dialect.
  virtual Result<ChatResponse> parseChat(const std::string& body) const = 0;
  // The error a non-2xx reply carries.
  virtual ProviderError parseError(const net::OutboundReply& reply) const = 0;
  virtual std::unique_ptr<StreamDecoder> streamDecoder() const = 0;
  // Embeddings (models of kind "embedding"). The defaults refuse: InvalidArgument naming the
  // adapter (provider_registry.cc).
  virtual Result<net::OutboundRequest> embeddingRequest(const ProviderTarget& target,
                                                        const EmbeddingRequest& request) const;
  // A 2xx body with one vector per input; Unavailable naming the problem otherwise.
  virtual Result<EmbeddingResponse> parseEmbeddings(const std::string& body, size_t inputs) const;
};

// Every registered adapter name, sorted.
const std::vector<std::string>& providerNames();
// The adapter registered as `name`; NotFound otherwise. Valid for the process's life.
Result<const Provider*> providerFor(std::string_view name);

}  // namespace ward::models
