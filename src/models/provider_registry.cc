// Adapters by name: adding a dialect is one file and one line here.
#include <algorithm>
#include <map>

#include "providers.h"

namespace ward::models {

namespace {

const std::map<std::string, const Provider*, std::less<>>& registry() {
  static const std::map<std::string, const Provider*, std::less<>> r = {
      {"anthropic", &anthropicProvider()},
      {"gemini", &geminiProvider()},
      {"openai", &openAiChatProvider()},
      {"openai-responses", &openAiResponsesProvider()},
  };
  return r;
}

}  // namespace

net::OutboundRequest jsonPost(const ProviderTarget& target, const std::string& path, bool stream) {
  net::OutboundRequest out;
  out.method = "POST";
  out.url = target.config->base_url + path;
  out.headers = {{"Content-Type", "application/json"},
                 {"Accept", stream ? "text/event-stream" : "application/json"}};
  if (!target.traceparent.empty()) out.headers.emplace_back("traceparent", target.traceparent);
  out.timeout_ms = target.config->timeout_ms;
  out.max_response_bytes = target.config->max_response_bytes;
  out.allow_private = target.config->allow_private;
  return out;
}

Result<net::OutboundRequest> Provider::embeddingRequest(const ProviderTarget&,
                                                        const EmbeddingRequest&) const {
  return Status::invalidArgument("the '" + std::string(name()) +
                                 "' adapter does not serve embeddings");
}

Result<EmbeddingResponse> Provider::parseEmbeddings(const std::string&, size_t) const {
  return Status::invalidArgument("the '" + std::string(name()) +
                                 "' adapter does not serve embeddings");
}

const std::vector<std::string>& providerNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [name, p] : registry()) v.push_back(name);
    return v;
  }();
  return names;
}

Result<const Provider*> providerFor(std::string_view name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    return Status::notFound("no model provider named '" + std::string(name.substr(0, 64)) + "'");
  }
  return it->second;
}

}  // namespace ward::models
