// Recording one finished model call (a chat or an embedding) as a `model_call` trace event:
// shared by model_service.cc and model_service_embed.cc.
#pragma once

#include "ward/audit/model_call.h"
#include "ward/identity/principal.h"
#include "ward/models/model_service.h"
#include "ward/trace/trace.h"

namespace ward::models {

// Records `call` in `who`'s trace through the options' sink, prompt store and redactor, with
// `also` after it in the same durable append. Unavailable (and logged) when it could not be
// recorded: the caller must not answer then.
Status recordFinishedCall(const ModelServiceOptions& options, const trace::TraceContext& trace,
                          const identity::Principal& who, const audit::ModelCall& call,
                          std::vector<trace::TraceEvent> also = {});

}  // namespace ward::models
