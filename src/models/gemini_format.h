// The Google Gemini dialect (POST <base_url>/models/{model}:generateContent and
// :streamGenerateContent?alt=sse, key in x-goog-api-key): Ward's form to a request body, and
// answers, errors and streams back. Private to the "gemini" adapter; exposed for tests.
//
// Mapping (docs/design/models.md "Google Gemini"): system and developer messages become
// `systemInstruction`; assistant turns are role `model`; tool results become `functionResponse`
// parts of a user turn, carrying the function NAME of the earlier assistant tool call with the
// same id (a result that answers no earlier call is refused); tool-call arguments (text in Ward's
// form) become the `args` object (empty text = {}; anything else that is not a JSON object is
// refused). Gemini's calls may have no id: Ward mints "call_" + 24 random hex digits. A call's
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

// Ward's id for a call Gemini made: "call_" + 24 random hex digits.
std::string mintToolCallId();

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
// The tool call of a functionCall part (id minted when it has none).
ToolCall geminiToolCall(const Json& part);

}  // namespace ward::models
