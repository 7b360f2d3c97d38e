// The adapters compiled into Ward, one accessor each; provider_registry.cc lists them by name.
#pragma once

#include "ward/models/provider.h"

namespace ward::models {

const Provider& openAiChatProvider();       // "openai" (Chat Completions and compatible servers)
const Provider& anthropicProvider();        // "anthropic" (Messages)
const Provider& geminiProvider();           // "gemini" (generateContent)
const Provider& openAiResponsesProvider();  // "openai-responses" (Responses)

// A JSON POST to <base_url><path> with the target's trace context, timeout, size limit and address
// policy; the adapter adds its own auth header and body.
net::OutboundRequest jsonPost(const ProviderTarget& target, const std::string& path, bool stream);

}  // namespace ward::models
