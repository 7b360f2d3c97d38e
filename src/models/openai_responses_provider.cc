// The "openai-responses" adapter: the OpenAI Responses API. POST <base_url>/responses,
// Authorization: Bearer; stateless (store: false, reasoning carried as encrypted_content).
#include "providers.h"
#include "ward/models/openai_chat_format.h"
#include "ward/models/openai_responses_format.h"

namespace ward::models {

namespace {

class ResponsesProvider final : public Provider {
 public:
  std::string_view name() const override { return "openai-responses"; }

  Result<net::OutboundRequest> chatRequest(const ProviderTarget& target,
                                           const ChatRequest& request) const override {
    WARD_ASSIGN_OR_RETURN(Json body, responsesRequestJson(request, target.config->model));
    net::OutboundRequest out = jsonPost(target, "/responses", request.stream);
    if (!target.api_key.empty()) {
      out.headers.emplace_back("Authorization", "Bearer " + target.api_key);
    }
    out.body = dumpJson(body);
    return out;
  }

  Result<ChatResponse> parseChat(const std::string& body) const override {
    auto parsed = parseJson(body);
    if (!parsed.ok()) return Status::unavailable("the provider answered with invalid JSON");
    return parseResponsesResponse(*parsed);
  }

  // Errors have the Chat Completions shape ({"error":{message,type,code}}).
  ProviderError parseError(const net::OutboundReply& reply) const override {
    return parseChatError(reply.status, reply.body);
  }

  std::unique_ptr<StreamDecoder> streamDecoder() const override {
    return makeResponsesStreamDecoder();
  }
};

}  // namespace

const Provider& openAiResponsesProvider() {
  static const ResponsesProvider provider;
  return provider;
}

}  // namespace ward::models
