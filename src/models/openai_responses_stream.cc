// Decoding a Responses event stream from a provider: response.created (id, model),
// response.output_item.added / .done (function_call and reasoning items), response.output_text
// .delta (text, forwarded as it comes), response.function_call_arguments.delta / .done
// (held), response.completed / response.incomplete (finish and usage: the end), and the failures
// response.failed and `error`. Function calls are released whole with the finish.
#include <map>

#include "openai_responses_wire.h"
#include "sse_parser.h"
#include "ward/models/openai_responses_format.h"

namespace ward::models {

namespace {

class ResponsesStreamDecoder final : public SseStreamDecoder {
 public:
  // The finish reason comes with the end (response.completed / response.incomplete).
  bool finished() const override { return done_; }

 private:
  struct Item {
    Json item;         // as added, then as done
    std::string args;  // function_call: the argument pieces
    bool done = false;
  };

  Status bad(const std::string& what) {
    error_.message = "the provider's stream is not a Responses stream: " + what;
    return Status::unavailable(error_.message);
  }

  Status fail(const Json& err) {
    error_ = ProviderError{};
    error_.message = err.is_object() ? err.value("message", std::string("stream error"))
                                     : std::string("stream error");
    error_.code = err.is_object() && err.contains("code") && err["code"].is_string()
                      ? err["code"].get<std::string>()
                      : "";
    error_.type = err.is_object() ? err.value("type", std::string()) : "";
    return Status::unavailable("the provider reported an error mid-stream: " + error_.message);
  }

  Status onEvent(const std::string& event, const std::string& data) override {
    if (done_) return Status();
    auto parsed = parseJson(data);
    if (!parsed.ok() || !parsed->is_object()) return bad("an event is not a JSON object");
    const Json& e = *parsed;
    const std::string type = e.value("type", event);
    if (type == "error") return fail(e.contains("error") ? e["error"] : e);
    if (type == "response.failed") {
      const Json& r = e.value("response", Json::object());
      return fail(r.is_object() ? r.value("error", Json()) : Json());
    }
    if (type == "response.created" && e.contains("response") && e["response"].is_object()) {
      response_.id = e["response"].value("id", std::string());
      response_.model = e["response"].value("model", std::string());
    } else if (type == "response.output_item.added" || type == "response.output_item.done") {
      if (!e.contains("item") || !e["item"].is_object()) return bad(type + " without an item");
      Item& it = items_[e.value("output_index", 0)];
      it.item = e["item"];
      it.done = type == "response.output_item.done";
    } else if (type == "response.output_text.delta") {
      const std::string piece = e.value("delta", "");
      if (piece.empty()) return Status();
      if (response_.message.content_null) {
        response_.message.content_null = false;
        response_.message.content.push_back({ContentPart::Kind::kText, "", nullptr});
      }
      response_.message.content.back().text += piece;
      out_->push_back(StreamEvent{StreamEvent::Kind::kText, piece, {}, FinishReason::kStop, {}});
    } else if (type == "response.function_call_arguments.delta") {
      items_[e.value("output_index", 0)].args += e.value("delta", "");
    } else if (type == "response.completed" || type == "response.incomplete") {
      if (!e.contains("response") || !e["response"].is_object())
        return bad(type + " without a response");
      return onEnd(e["response"]);
    }  // in_progress, content_part.*, output_text.done, refusal, ...: nothing needed
    return Status();
  }

  Status onEnd(const Json& r) {
    done_ = true;
    if (response_.model.empty()) response_.model = r.value("model", std::string());
    std::vector<ToolCall> calls;
    Json reasoning = Json::array();
    for (auto& [index, it] : items_) {
      const std::string type = it.item.value("type", "");
      if (type == "function_call") {
        ToolCall c;
        c.id = it.item.value("call_id", std::string());
        c.name = it.item.value("name", std::string());
        c.arguments = it.done ? it.item.value("arguments", it.args) : it.args;
        if (c.id.empty() || c.name.empty()) return bad("a function_call has no call_id or name");
        calls.push_back(std::move(c));
      } else if (type == "reasoning") {
        reasoning.push_back(it.item);
      }
    }
    if (!reasoning.empty() && !calls.empty()) {
      calls[0].opaque = {{"extra_content", {{"openai", {{"reasoning", reasoning}}}}}};
    }
    response_.finish = responsesFinish(r, !calls.empty());
    response_.message.tool_calls = calls;
    if (!calls.empty()) {
      out_->push_back(StreamEvent{
          StreamEvent::Kind::kToolCalls, "", std::move(calls), FinishReason::kStop, {}});
    }
    out_->push_back(StreamEvent{StreamEvent::Kind::kFinish, "", {}, response_.finish, {}});
    if (r.contains("usage")) {
      response_.usage = parseResponsesUsage(r["usage"]);
      if (response_.usage.known) {
        out_->push_back(
            StreamEvent{StreamEvent::Kind::kUsage, "", {}, FinishReason::kStop, response_.usage});
      }
    }
    return Status();
  }

  std::map<int64_t, Item> items_;
};

}  // namespace

std::unique_ptr<StreamDecoder> makeResponsesStreamDecoder() {
  return std::make_unique<ResponsesStreamDecoder>();
}

}  // namespace ward::models
