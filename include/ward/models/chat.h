// Ward's own form of a chat exchange with a model (docs/design/models.md "Ward's message form"):
// every provider adapter translates between this and its dialect, so the proxy, the answer loop
// and the audit never depend on one vendor's shape. Plain value types.
//
// Opaque provider state (Anthropic thinking signatures, Gemini thought signatures, OpenAI-
// compatible `extra_content`) rides in `opaque` members and is sent back verbatim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::models {

enum class Role { kSystem, kDeveloper, kUser, kAssistant, kTool };
std::string_view roleName(Role role);  // "system", "developer", "user", "assistant", "tool"
Result<Role> parseRole(std::string_view name);

enum class FinishReason { kStop, kLength, kToolCalls, kContentFilter };
std::string_view finishReasonName(FinishReason reason);  // OpenAI's names ("tool_calls", ...)

// One part of a message's content. Text is Ward's; any other part (images, audio, files) is
// kept as the client sent it (`raw`, in the OpenAI Chat form) for adapters that understand it.
struct ContentPart {
  enum class Kind { kText, kOther };
  Kind kind = Kind::kText;
  std::string text;  // kText
  Json raw;          // kOther: the part as received
};

// A tool call made by the model. `arguments` is the JSON text exactly as the model produced it
// (it may be empty or malformed: adapters that need an object say so in a clear error).
struct ToolCall {
  std::string id;  // the provider's call id as the client sees it
  std::string name;
  std::string arguments;
  Json opaque;  // provider state to echo back (e.g. extra_content); null when none
};

struct Message {
  Role role = Role::kUser;
  std::vector<ContentPart> content;  // empty with content_null: "content": null
  bool content_null = false;
  bool content_is_string = true;     // the client sent a string, not a list of parts
  std::vector<ToolCall> tool_calls;  // assistant
  std::string tool_call_id;          // tool
  std::string name;                  // optional participant name
  Json opaque;                       // provider state on the message (null when none)

  // The text parts joined ("" when none).
  std::string text() const;
};

// A function the model may call.
struct ToolSpec {
  std::string name;
  std::string description;
  Json parameters;  // JSON Schema (object); null when absent
  std::optional<bool> strict;
};

// Sampling and output parameters: every one the caller set is forwarded and recorded.
struct Sampling {
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> max_tokens;  // max_completion_tokens or max_tokens
  bool legacy_max_tokens = false;     // the client named it max_tokens (older servers need it)
  std::optional<int64_t> seed;
  std::optional<double> presence_penalty;
  std::optional<double> frequency_penalty;
  std::optional<int64_t> n;
  Json stop;              // null, a string or a list of strings
  Json reasoning_effort;  // null or a string
  Json response_format;   // null or the client's object
  // The parameters that were set, as {name: value} (for the trace).
  Json toJson() const;
};

struct ChatRequest {
  std::string model;  // the name the client asked for (a [[models]] name)
  std::vector<Message> messages;
  std::vector<ToolSpec> tools;
  Json tool_choice;  // null, "none"/"auto"/"required" or an object
  std::optional<bool> parallel_tool_calls;
  Sampling sampling;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  // Client-asserted fields (`user`, `metadata`, `safety_identifier`): recorded as claims, never
  // used for identity, grants or budgets.
  Json claims = Json::object();
};

struct Usage {
  bool known = false;
  int64_t input_tokens = 0;         // all prompt tokens, cached ones included
  int64_t output_tokens = 0;        // all completion tokens, reasoning ones included
  int64_t cached_input_tokens = 0;  // subset of input_tokens
  int64_t reasoning_tokens = 0;     // subset of output_tokens
  Json toJson() const;              // null when unknown
};

struct ChatResponse {
  std::string id;     // the provider's response id
  std::string model;  // the model that served it, as the provider names it
  int64_t created = 0;
  Message message;  // role assistant
  FinishReason finish = FinishReason::kStop;
  Usage usage;
  std::string system_fingerprint;
};

}  // namespace ward::models
