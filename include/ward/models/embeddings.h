// Embeddings through the governed proxy (POST /v1/embeddings; docs/design/models.md
// "Embeddings"): the client's request in Ward's form, the answer back in the OpenAI shape
// (floats, or base64 little-endian float32 as the openai client asks by default). Value types
// and pure functions; adapters translate EmbeddingRequest per provider (provider.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/models/chat.h"

namespace ward::models {

// Limits of one embeddings request (docs/design/models.md "Limits").
inline constexpr size_t kMaxEmbeddingInputs = 2048;           // strings in `input`
inline constexpr size_t kMaxEmbeddingInputBytes = 32 * 1024;  // one string
inline constexpr int64_t kMaxEmbeddingDimensions = 65536;

enum class EmbeddingEncoding { kFloat, kBase64 };

struct EmbeddingRequest {
  std::string model;                  // a [[models]] name (kind = "embedding")
  std::vector<std::string> inputs;    // 1..kMaxEmbeddingInputs non-empty strings
  std::optional<int64_t> dimensions;  // forwarded (OpenAI `dimensions`, Gemini
                                      // `outputDimensionality`)
  EmbeddingEncoding encoding = EmbeddingEncoding::kFloat;  // how the client wants vectors
  Json claims = Json::object();  // `user`: recorded, never used for identity
};

struct EmbeddingResponse {
  std::string model;                         // as the provider names it ("" when it does not)
  std::vector<std::vector<double>> vectors;  // one per input, in input order
  Usage usage;                               // input tokens; unknown when the provider is silent
};

// A client's body: `input` a string or a list of strings (token arrays are refused), optional
// `encoding_format` ("float" | "base64"), `dimensions`, `user`. InvalidArgument naming the field.
Result<EmbeddingRequest> parseEmbeddingRequest(const Json& body);

// {"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}; each
// embedding a float list or, for kBase64, the base64 of its little-endian float32 bytes.
Json embeddingResponseJson(const EmbeddingResponse& response, const EmbeddingRequest& request);

}  // namespace ward::models
