// `ward replay` of proxied calls: the bytes Ward's /v1/chat/completions or /v1/responses sent
// the client for a recorded attempt, rendered again from its cassette (docs/design/audit.md
// "Replay"): the JSON body, or for a stream the SSE bytes as the front door writes them for the
// decoder's events fed chunk by chunk as they arrived. Chat: role chunk, text / tool-call /
// finish chunks, the usage chunk when the request asked for it, then [DONE]. Responses: the
// events of models::ResponsesEventWriter. Pure.
#pragma once

#include <string>

#include "ward/common/status.h"
#include "ward/common/json.h"
#include "ward/models/cassette.h"
#include "ward/models/openai_responses_format.h"

namespace ward::cli {

// `include_usage`: the client asked for the usage chunk (the `response_sent` event says; the
// cassette's request always asks the provider for usage).
Result<std::string> chatCompletionsClientBytes(const models::Cassette& c, bool include_usage);

// `echo` and `identity`: as the `response_sent` event recorded them.
Result<std::string> responsesClientBytes(const models::Cassette& c, const Json& echo,
                                         const models::ResponsesIdentity& identity);

}  // namespace ward::cli
