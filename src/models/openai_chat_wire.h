// Pieces of the Chat Completions dialect shared by the response parser and the stream decoder.
#pragma once

#include <string>

#include "ward/common/json.h"
#include "ward/models/chat.h"

namespace ward::models {

// {"prompt_tokens", "completion_tokens", *_details}; unknown when not an object.
Usage parseChatUsage(const Json& usage);
// "stop", "length", "tool_calls" (or the legacy "function_call"), "content_filter";
// Unavailable for anything else.
Result<FinishReason> parseChatFinish(const std::string& reason);

}  // namespace ward::models
