// The "openai" adapter: OpenAI Chat Completions, and every server that speaks it (vLLM, Ollama,
// llama.cpp server, LM Studio). POST <base_url>/chat/completions, Bearer key.
#include "embedding_dialects.h"
#include "providers.h"
#include "ward/models/openai_chat_format.h"

namespace ward::models {

namespace {

class OpenAiChatProvider final : public Provider {
 public:
  std::string_view name() const override { return "openai"; }

  Result<net::OutboundRequest> chatRequest(const ProviderTarget& target,
                                           const ChatRequest& request) const override {
    net::OutboundRequest out = jsonPost(target, "/chat/completions", request.stream);
    if (!target.api_key.empty())
      out.headers.emplace_back("Authorization", "Bearer " + target.api_key);
    out.body = dumpJson(chatCompletionRequestJson(request, target.config->model));
    return out;
  }

  Result<ChatResponse> parseChat(const std::string& body) const override {
    auto parsed = parseJson(body);
    if (!parsed.ok()) return Status::unavailable("the provider answered with invalid JSON");
    return parseChatCompletion(*parsed);
  }

  ProviderError parseError(const net::OutboundReply& reply) const override {
    return parseChatError(reply.status, reply.body);
  }

  Result<net::OutboundRequest> embeddingRequest(const ProviderTarget& target,
                                                const EmbeddingRequest& request) const override {
    net::OutboundRequest out = jsonPost(target, "/embeddings", false);
    if (!target.api_key.empty()) {
      out.headers.emplace_back("Authorization", "Bearer " + target.api_key);
    }
    out.body = dumpJson(openAiEmbeddingJson(request, target.config->model));
    return out;
  }

  Result<EmbeddingResponse> parseEmbeddings(const std::string& body, size_t inputs) const override {
    auto parsed = parseJson(body);
    if (!parsed.ok()) return Status::unavailable("the provider answered with invalid JSON");
    return parseOpenAiEmbeddings(*parsed, inputs);
  }

  std::unique_ptr<StreamDecoder> streamDecoder() const override { return makeChatStreamDecoder(); }
};

}  // namespace

const Provider& openAiChatProvider() {
  static const OpenAiChatProvider provider;
  return provider;
}

}  // namespace ward::models
