// Recording a model call: the prompt's part ahead of the record, and one finished call (a chat
// or an embedding) as a `model_call` trace event; shared by model_service.cc and
// model_service_embed.cc.
#pragma once

#include "ward/audit/model_call.h"
#include "ward/identity/principal.h"
#include "ward/models/model_service.h"
#include "ward/trace/trace.h"

namespace ward::models {

// The conversation as one text, for the (redacted) prompt store; at most audit::kMaxPromptBytes.
std::string renderPrompt(const ChatRequest& r);

// The record's prompt part ahead of the record (audit::preparePrompt), while the provider answers:
// the conversation rendered, redacted and stored; its digest in `*sha256` (left empty on failure:
// the failure is not the call's here, the record renders and stores the prompt again and fails
// the call, as it always did, if that fails too).
void preparePromptAhead(const ModelServiceOptions& options, const identity::Principal& who,
                        const ChatRequest& request, std::string* sha256, bool* stored);

// Records `call` in `who`'s trace through the options' sink, prompt store and redactor, with
// `also` after it in the same durable append. Unavailable (and logged) when it could not be
// recorded: the caller must not answer then.
Status recordFinishedCall(const ModelServiceOptions& options, const trace::TraceContext& trace,
                          const identity::Principal& who, const audit::ModelCall& call,
                          std::vector<trace::TraceEvent> also = {});

}  // namespace ward::models
