// What the front doors ask the model service besides calls: the provider-state setting and the
// recording of requests they refused before calling.
#include "ward/models/model_service.h"

namespace ward::models {

ProviderStateMode ModelService::providerState() const { return options_.provider_state; }

void ModelService::recordRefusal(const ChatCall& call, const std::string& reason) const {
  recordDenied(call, reason);
}

}  // namespace ward::models
