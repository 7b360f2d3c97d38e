// Pieces of the Responses dialect shared by the response parser and the stream decoder.
#pragma once

#include "ward/common/json.h"
#include "ward/models/chat.h"

namespace ward::models {

// {input_tokens, output_tokens, *_details}; unknown when not an object.
Usage parseResponsesUsage(const Json& usage);
// A response object's finish: `incomplete` is length (max_output_tokens) or content_filter;
// otherwise tool_calls when it called functions, else stop.
FinishReason responsesFinish(const Json& response, bool has_calls);

}  // namespace ward::models
