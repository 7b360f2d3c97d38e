// The adapters compiled into Ward, one accessor each; provider_registry.cc lists them by name.
#pragma once

#include "ward/models/provider.h"

namespace ward::models {

const Provider& openAiChatProvider();  // "openai" (Chat Completions and compatible servers)
const Provider& anthropicProvider();   // "anthropic" (Messages)

}  // namespace ward::models
