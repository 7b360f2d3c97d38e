// The "anthropic" adapter: the Anthropic Messages API. POST <base_url>/messages, x-api-key.
#include "anthropic_format.h"
#include "providers.h"

namespace ward::models {

namespace {

class AnthropicProvider final : public Provider {
 public:
  std::string_view name() const override { return "anthropic"; }

  Result<net::OutboundRequest> chatRequest(const ProviderTarget& target,
                                           const ChatRequest& request) const override {
    WARD_ASSIGN_OR_RETURN(Json body, anthropicRequestJson(request, target.config->model));
    net::OutboundRequest out = jsonPost(target, "/messages", request.stream);
    out.headers.emplace_back("anthropic-version", kAnthropicVersion);
    if (!target.api_key.empty()) out.headers.emplace_back("x-api-key", target.api_key);
    out.body = dumpJson(body);
    return out;
  }

  Result<ChatResponse> parseChat(const std::string& body) const override {
    auto parsed = parseJson(body);
    if (!parsed.ok()) return Status::unavailable("the provider answered with invalid JSON");
    return parseAnthropicMessage(*parsed);
  }

  ProviderError parseError(const net::OutboundReply& reply) const override {
    return parseAnthropicError(reply.status, reply.body);
  }

  std::unique_ptr<StreamDecoder> streamDecoder() const override {
    return makeAnthropicStreamDecoder();
  }
};

}  // namespace

const Provider& anthropicProvider() {
  static const AnthropicProvider provider;
  return provider;
}

}  // namespace ward::models
