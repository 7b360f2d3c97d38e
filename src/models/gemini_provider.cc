// The "gemini" adapter: the Google Gemini API (Developer API, v1beta).
// POST <base_url>/models/{model}:generateContent, or :streamGenerateContent?alt=sse for streams;
// the key goes in the x-goog-api-key header, never in the URL.
#include <cctype>

#include "embedding_dialects.h"
#include "gemini_format.h"
#include "providers.h"

namespace ward::models {

namespace {

// The model id as one path segment (unreserved characters kept, others percent-encoded).
std::string pathSegment(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', hex[c >> 4], hex[c & 15]};
    }
  }
  return out;
}

class GeminiProvider final : public Provider {
 public:
  std::string_view name() const override { return "gemini"; }

  Result<net::OutboundRequest> chatRequest(const ProviderTarget& target,
                                           const ChatRequest& request) const override {
    WARD_ASSIGN_OR_RETURN(Json body, geminiRequestJson(request));
    const std::string path =
        "/models/" + pathSegment(target.config->model) +
        (request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    net::OutboundRequest out = jsonPost(target, path, request.stream);
    if (!target.api_key.empty()) out.headers.emplace_back("x-goog-api-key", target.api_key);
    out.body = dumpJson(body);
    return out;
  }

  Result<ChatResponse> parseChat(const std::string& body) const override {
    auto parsed = parseJson(body);
    if (!parsed.ok()) return Status::unavailable("the provider answered with invalid JSON");
    return parseGeminiResponse(*parsed);
  }

  ProviderError parseError(const net::OutboundReply& reply) const override {
    return parseGeminiError(reply.status, reply.body);
  }

  Result<net::OutboundRequest> embeddingRequest(const ProviderTarget& target,
                                                const EmbeddingRequest& request) const override {
    const std::string path = "/models/" + pathSegment(target.config->model) + ":batchEmbedContents";
    net::OutboundRequest out = jsonPost(target, path, false);
    if (!target.api_key.empty()) out.headers.emplace_back("x-goog-api-key", target.api_key);
    out.body = dumpJson(geminiEmbeddingJson(request, target.config->model));
    return out;
  }

  Result<EmbeddingResponse> parseEmbeddings(const std::string& body, size_t inputs) const override {
    auto parsed = parseJson(body);
    if (!parsed.ok()) return Status::unavailable("the provider answered with invalid JSON");
    return parseGeminiEmbeddings(*parsed, inputs);
  }

  std::unique_ptr<StreamDecoder> streamDecoder() const override {
    return makeGeminiStreamDecoder();
  }
};

}  // namespace

const Provider& geminiProvider() {
  static const GeminiProvider provider;
  return provider;
}

}  // namespace ward::models
