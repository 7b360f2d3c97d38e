// The answer loop as the gateway's builtin tool `ask` (issue 13; docs/design/answer.md "Front
// doors"): the gateway sits below the answer module, so the server registers this handler for
// the builtin name "ask" (ToolGateway::registerBuiltin). MCP's tools/call, REST's tool calls and
// any other gateway front door then reach the same AnswerService as `ward ask`.
#pragma once

#include "ward/answer/answer_service.h"
#include "ward/gateway/builtin_handler.h"

namespace ward::answer {

// The builtin backend name and tool name of the answer tool.
inline constexpr char kAskToolName[] = "ask";

// Runs {question, k?, model?} as the call's reader (and agent) in the call's trace; returns the
// answer object (AnswerResult::toJson) plus "retrieved_docs" (the ids of the documents the answer
// read, for the caller's taint bookkeeping). A call made from inside an answer (front door
// "answer") is refused (FailedPrecondition): `ask` never recurses. `service` must outlive the
// handler.
gateway::BuiltinHandler askToolHandler(AnswerService& service);

}  // namespace ward::answer
