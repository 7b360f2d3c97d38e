// The Google Gemini dialect (POST <base_url>/models/{model}:generateContent and
// :streamGenerateContent?alt=sse, key in x-goog-api-key): Ward's form to a request body, and
// answers, errors and streams back. Private to the "gemini" adapter; exposed for tests.
//
// Mapping (docs/design/models.md "Google Gemini"): system and developer messages become
// `systemInstruction`; assistant turns are role `model`; tool results become `functionResponse`
// parts of a user turn, carrying the function NAME of the earlier assistant tool call with the
// same id (a result that answers no earlier call is refused); tool-call arguments (text in Ward's
// form) become the `args` object (empty text = {}; anything else that is not a JSON object is
// refused). Gemini's calls may have no id: one is minted from the call (mintToolCallId). A call's
// `thoughtSignature` rides on it as `extra_content.google.thought_signature` and goes back
// verbatim on its functionCall part; the first call of a model turn that has none (a call another
// provider made) is sent with the dialect's documented placeholder kGeminiSkipSignature.
// Tool parameter schemas are reduced to the OpenAPI subset the dialect accepts
// (geminiSchema below).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ward/common/json.h"
#include "ward/models/chat.h"
#include "ward/models/provider.h"

namespace ward::models {

// The thought signature Google documents for function calls Gemini did not produce.
inline constexpr const char* kGeminiSkipSignature = "skip_thought_signature_validator";
// Deepest tool parameter schema translated; deeper ones are refused.
inline constexpr int kMaxGeminiSchemaDepth = 32;

// A tool's JSON Schema in the dialect's `parameters` form: keywords outside the OpenAPI subset
// Gemini accepts (additionalProperties, $schema, $id, $comment, $defs, definitions, strict,
// patternProperties, ...) are dropped; `const` becomes a one-value `enum`; a type list of one
// type and "null" becomes that type with `nullable: true`. InvalidArgument (naming the tool and
// the keyword) for `$ref`, other type lists, a top level that is not an object schema, or a
// schema deeper than kMaxGeminiSchemaDepth.
Result<Json> geminiSchema(const std::string& tool, const Json& schema);

// The id of a call Gemini made without one: "call_" + 24 hex digits of the SHA-256 of the
// response id, the call's index in the answer and its functionCall part. Deterministic, so a
// replayed answer has the same ids (and so the same Ward ids, tool_call_ids.h).
std::string mintToolCallId(std::string_view response_id, size_t index, const Json& function_call);

Result<Json> geminiRequestJson(const ChatRequest& request);
Result<ChatResponse> parseGeminiResponse(const Json& body);
// {"error":{code,message,status,details}} (also inside a one-element array). The status is the
// error type; a google.rpc.RetryInfo `retryDelay` sets retry_after_ms; a QuotaFailure for a
// per-day quota sets code "insufficient_quota" (it lasts until the daily reset: not retried).
ProviderError parseGeminiError(int http_status, const std::string& body);
std::unique_ptr<StreamDecoder> makeGeminiStreamDecoder();

// Pieces shared by the response parser and the stream decoder.
FinishReason geminiFinish(const std::string& reason);
Usage geminiUsage(const Json& usage_metadata);
// The tool call of a functionCall part, the `index`th call of response `response_id` (id
// minted when it has none).
ToolCall geminiToolCall(const Json& part, std::string_view response_id, size_t index);

// Deepest `jsonPath` of a streamed argument (gemini_partial_call.cc); deeper ones fail the stream.
inline constexpr int kMaxPartialArgPathDepth = 32;

// Assembles one function call that Gemini streams in pieces (functionCallingConfig.
// streamFunctionCallArguments): the first functionCall part names the function (and carries its
// id and thoughtSignature); each piece's `partialArgs` entries ({jsonPath, one of stringValue,
// numberValue, boolValue, nullValue, willContinue}) set the value at `jsonPath` ("$.a.b[0]",
// "$['a']") in the arguments, a stringValue being appended to a string already there; the call
// is complete with the first piece whose `willContinue` is not true. Not thread-safe.
class GeminiPartialCall {
 public:
  // Whether a functionCall object is a piece of a streamed call.
  static bool isPiece(const Json& function_call);
  // Whether a call is being assembled.
  bool open() const { return open_; }
  // Adds one part holding a functionCall. InvalidArgument naming the problem: a piece that
  // starts another function before this one is complete, a malformed or too deep jsonPath, a
  // path through a value of another type, an array index past the end.
  Status add(const Json& part);
  // After add(): whether that piece completed the call.
  bool complete() const { return open_ && complete_; }
  // The completed call as the whole part Gemini would have sent ({"functionCall": {name, id,
  // args}, "thoughtSignature"}); the assembler is empty again.
  Json take();

 private:
  Json part_;
  bool open_ = false;
  bool complete_ = false;
};

}  // namespace ward::models
