// `ward replay` of proxied calls: the bytes Ward's /v1/chat/completions sent the client for a
// recorded attempt, rendered again from its cassette (docs/design/audit.md "Replay"): the JSON
// body, or for a stream the SSE bytes as the front door writes them for the decoder's events fed
// chunk by chunk as they arrived (role chunk, text / tool-call / finish chunks, the usage chunk
// when the request asked for it, then [DONE]). Pure.
#pragma once

#include <string>

#include "ward/common/status.h"
#include "ward/models/cassette.h"

namespace ward::cli {

// `include_usage`: the client asked for the usage chunk (the `response_sent` event says; the
// cassette's request always asks the provider for usage).
Result<std::string> chatCompletionsClientBytes(const models::Cassette& c, bool include_usage);

}  // namespace ward::cli
