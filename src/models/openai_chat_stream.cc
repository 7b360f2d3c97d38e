// Decoding an upstream Chat Completions stream: `data: {chunk}` events ended by `data: [DONE]`.
// Tool-call deltas are joined by their index (id, type and name on a call's first delta, argument
// pieces after) and released only with the finish reason, complete.
#include <map>

#include "openai_chat_wire.h"
#include "sse_parser.h"
#include "ward/models/openai_chat_format.h"

namespace ward::models {

namespace {

class ChatStreamDecoder final : public SseStreamDecoder {
 private:
  Status bad(const std::string& what) {
    error_.message = "the provider's stream is not a chat completion stream: " + what;
    return Status::unavailable(error_.message);
  }

  Status onEvent(const std::string& event, const std::string& data) override {
    if (done_) return Status();
    if (data == "[DONE]") {
      done_ = true;
      return Status();
    }
    auto parsed = parseJson(data);
    if (!parsed.ok() || !parsed->is_object()) return bad("an event is not a JSON object");
    const Json& chunk = *parsed;
    if (event == "error" || chunk.contains("error")) {
      const Json& err = chunk.contains("error") ? chunk["error"] : chunk;
      error_ = ProviderError{};
      error_.message = err.is_object() ? err.value("message", std::string("stream error"))
                                       : std::string("stream error");
      if (err.is_object() && err.contains("type") && err["type"].is_string())
        error_.type = err["type"];
      if (err.is_object() && err.contains("code") && err["code"].is_string())
        error_.code = err["code"];
      return Status::unavailable("the provider reported an error mid-stream: " + error_.message);
    }
    if (response_.id.empty() && chunk.contains("id") && chunk["id"].is_string()) {
      response_.id = chunk["id"];
    }
    if (chunk.contains("model") && chunk["model"].is_string()) response_.model = chunk["model"];
    if (response_.created == 0 && chunk.contains("created") &&
        chunk["created"].is_number_integer()) {
      response_.created = chunk["created"];
    }
    if (chunk.contains("usage") && chunk["usage"].is_object()) {
      response_.usage = parseChatUsage(chunk["usage"]);
      out_->push_back(
          StreamEvent{StreamEvent::Kind::kUsage, "", {}, FinishReason::kStop, response_.usage});
    }
    if (!chunk.contains("choices") || !chunk["choices"].is_array()) return Status();
    for (const Json& choice : chunk["choices"]) {
      if (!choice.is_object() || choice.value("index", 0) != 0) continue;
      if (choice.contains("delta") && choice["delta"].is_object()) {
        WARD_RETURN_IF_ERROR(onDelta(choice["delta"]));
      }
      if (choice.contains("finish_reason") && choice["finish_reason"].is_string()) {
        WARD_RETURN_IF_ERROR(onFinish(choice["finish_reason"].get<std::string>()));
      }
    }
    return Status();
  }

  Status onDelta(const Json& delta) {
    if (delta.contains("content") && delta["content"].is_string()) {
      const std::string piece = delta["content"].get<std::string>();
      if (!piece.empty()) {
        if (response_.message.content_null) {
          response_.message.content_null = false;
          response_.message.content.push_back({ContentPart::Kind::kText, "", nullptr});
        }
        response_.message.content.back().text += piece;
        out_->push_back(StreamEvent{StreamEvent::Kind::kText, piece, {}, FinishReason::kStop, {}});
      }
    }
    if (!delta.contains("tool_calls") || !delta["tool_calls"].is_array()) return Status();
    if (finished_) return bad("a tool call delta after the finish reason");
    for (const Json& d : delta["tool_calls"]) {
      if (!d.is_object() || !d.contains("index") || !d["index"].is_number_integer()) {
        return bad("a tool call delta without an index");
      }
      const int64_t index = d["index"].get<int64_t>();
      if (index < 0 || index >= static_cast<int64_t>(kMaxToolCallsPerMessage)) {
        return bad("a tool call index out of range");
      }
      ToolCall& call = calls_[index];
      if (d.contains("id") && d["id"].is_string()) {
        const std::string id = d["id"].get<std::string>();
        if (!call.id.empty() && call.id != id) return bad("a tool call changed its id mid-stream");
        call.id = id;
      }
      if (d.contains("function") && d["function"].is_object()) {
        const Json& f = d["function"];
        if (f.contains("name") && f["name"].is_string() && !f["name"].get<std::string>().empty()) {
          if (!call.name.empty() && call.name != f["name"].get<std::string>()) {
            return bad("a tool call changed its name mid-stream");
          }
          call.name = f["name"];
        }
        if (f.contains("arguments") && f["arguments"].is_string()) {
          call.arguments += f["arguments"].get<std::string>();
        }
      }
      for (const auto& [k, v] : d.items()) {
        if (k != "id" && k != "type" && k != "function" && k != "index") {
          if (call.opaque.is_null()) call.opaque = Json::object();
          call.opaque[k] = v;
        }
      }
    }
    return Status();
  }

  Status onFinish(const std::string& reason) {
    if (finished_) return Status();
    WARD_ASSIGN_OR_RETURN(FinishReason finish, parseChatFinish(reason));
    finished_ = true;
    std::vector<ToolCall> calls;
    int64_t expect = 0;
    for (auto& [index, call] : calls_) {
      if (index != expect++) return bad("tool call indexes are not 0, 1, 2, ...");
      if (call.id.empty() || call.name.empty()) return bad("a tool call has no id or name");
      calls.push_back(call);
    }
    if (!calls.empty() && finish == FinishReason::kStop) finish = FinishReason::kToolCalls;
    response_.finish = finish;
    response_.message.tool_calls = calls;
    if (!calls.empty()) {
      out_->push_back(StreamEvent{
          StreamEvent::Kind::kToolCalls, "", std::move(calls), FinishReason::kStop, {}});
    }
    out_->push_back(StreamEvent{StreamEvent::Kind::kFinish, "", {}, finish, {}});
    return Status();
  }

  std::map<int64_t, ToolCall> calls_;
};

}  // namespace

std::unique_ptr<StreamDecoder> makeChatStreamDecoder() {
  return std::make_unique<ChatStreamDecoder>();
}

}  // namespace ward::models
