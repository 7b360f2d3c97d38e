// The OpenAI Responses dialect, both ways: what clients send Ward's proxy and get back
// (POST /v1/responses, for `openai.responses.create`), and what the "openai-responses" adapter
// sends POST <base_url>/responses and reads back. Pure functions.
//
// Mapping (docs/design/models.md "OpenAI Responses"): `instructions` and system/developer input
// items are system/developer messages; `function_call` items are assistant tool calls (their
// `call_id` is the tool-call id) and `function_call_output` items are tool results; tools are
// flat ({type:"function", name, parameters}). Reasoning items (with their opaque
// `encrypted_content`) of an answer that calls functions ride on its first tool call as
// `extra_content.openai.reasoning` and go back verbatim, before the function_call items.
// Ward keeps no provider state: upstream requests are sent with `store: false` and ask for
// `reasoning.encrypted_content`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/models/chat.h"
#include "ward/models/provider.h"

namespace ward::models {

// What the proxy does with a request that asks a provider to keep state (`store: true`,
// `previous_response_id`, `conversation`, `background: true`, `item_reference` input items):
// `[proxy] provider_state` in ward.toml. kRefuse (the default): a 400 naming the field, recorded as a denied model call.
// kRecord: `store: true` is accepted and recorded as a claim, but Ward still sends `store: false`
// (the conversation stays with Ward); fields that need state kept at the provider
// (`previous_response_id`, `conversation`, `background`, `item_reference`) are refused either
// way.
enum class ProviderStateMode { kRefuse, kRecord };
Result<ProviderStateMode> parseProviderStateMode(const std::string& name);  // "refuse"|"record"
// `[proxy] provider_state` of the ward.toml at `path` (kRefuse when absent); InvalidArgument
// for another value or any other key under [proxy] (model_config.cc).
Result<ProviderStateMode> loadProxyProviderState(const std::string& path);

// The field of a client's body that asks for provider state `mode` refuses ("" when none).
std::string providerStateField(const Json& body, ProviderStateMode mode);
// A client's /v1/responses body. InvalidArgument naming the field (unknown fields included);
// FailedPrecondition naming the field for a provider-state field `mode` refuses.
Result<ChatRequest> parseResponsesRequest(const Json& body, ProviderStateMode mode);

// What a response object echoes of the client's request: the requested model, tools,
// tool_choice, temperature, top_p, max_output_tokens, parallel_tool_calls and metadata. The proxy
// records it with the client bytes (a `response_sent` event) so `ward replay` renders the same
// bytes again.
Json responsesEcho(const ChatRequest& request);

// The identity of one response: its id (`resp_` + 24 hex digits; its message item is `msg_` + the
// same digits) and the `created_at` used when the provider reports no creation time.
struct ResponsesIdentity {
  std::string id;
  int64_t created_at = 0;
};
ResponsesIdentity mintResponsesIdentity();  // a random id, the current time

// The complete response object a client gets ("object": "response"), from the answer, the
// request's echo and the response's identity. Deterministic.
Json responsesJson(const ChatResponse& response, const Json& echo,
                   const ResponsesIdentity& identity);

// Writes a Responses event stream for a client from Ward's stream events: response.created,
// response.in_progress, output items (message: content_part/output_text deltas; function_call:
// one arguments delta, whole), response.completed (or response.incomplete) with usage. Each
// event is one `event: <type>\ndata: {...}\n\n` block with a sequence_number. Deterministic for
// the same events, echo and identity.
class ResponsesEventWriter {
 public:
  ResponsesEventWriter(Json echo, ResponsesIdentity identity)
      : echo_(std::move(echo)), identity_(std::move(identity)) {}
  std::string start(const ChatResponse& head);
  std::string event(const ChatResponse& head, const StreamEvent& e);
  // The closing events once the stream is over (usage as reported, if any).
  std::string finish(const ChatResponse& head, const Usage& usage);
  // An error event (the stream failed after it started).
  std::string error(const std::string& code, const std::string& message);

 private:
  std::string emit(const std::string& type, Json data);
  std::string closeMessage();
  std::string messageId() const;
  Json echo_;
  ResponsesIdentity identity_;
  int64_t sequence_ = 0;
  bool message_open_ = false;  // a message item has been added and not yet closed
  std::string text_;           // its text
  Json output_ = Json::array();
  FinishReason finish_ = FinishReason::kStop;
};

// --- the provider side (the "openai-responses" adapter) ---
Result<Json> responsesRequestJson(const ChatRequest& request, const std::string& provider_model);
// An upstream response object; Unavailable naming what is missing when it is not one.
Result<ChatResponse> parseResponsesResponse(const Json& body);
std::unique_ptr<StreamDecoder> makeResponsesStreamDecoder();

}  // namespace ward::models
