// Decoding an Anthropic Messages stream: message_start, content_block_start/delta/stop,
// message_delta (stop_reason, output usage), message_stop; ping and error events. Text deltas go
// out as they come; tool_use blocks (input_json_delta pieces) and thinking blocks (with their
// signature_delta) are held and released whole with the stop reason.
#include <map>

#include "anthropic_format.h"
#include "sse_parser.h"

namespace ward::models {

namespace {

class AnthropicStreamDecoder final : public SseStreamDecoder {
 private:
  struct Block {
    std::string type;  // text, tool_use, thinking, redacted_thinking
    Json start;        // the content_block of content_block_start
    std::string json;  // tool_use: the input pieces
    std::string thinking, signature;
  };

  Status bad(const std::string& what) {
    error_.message = "the provider's stream is not an Anthropic message stream: " + what;
    return Status::unavailable(error_.message);
  }

  int64_t num(const Json& u, const char* k) {
    return u.contains(k) && u[k].is_number_integer() ? u[k].get<int64_t>() : 0;
  }

  Status onEvent(const std::string& event, const std::string& data) override {
    if (done_) return Status();
    auto parsed = parseJson(data);
    if (!parsed.ok() || !parsed->is_object()) return bad("an event is not a JSON object");
    const Json& e = *parsed;
    const std::string type = e.value("type", event);
    if (type == "error") {
      const Json& err = e.contains("error") && e["error"].is_object() ? e["error"] : e;
      error_ = ProviderError{};
      error_.message = err.value("message", std::string("stream error"));
      error_.type = err.value("type", std::string());
      error_.code = error_.type;
      return Status::unavailable("the provider reported an error mid-stream: " + error_.message);
    }
    if (type == "message_start" && e.contains("message") && e["message"].is_object()) {
      const Json& m = e["message"];
      response_.id = m.value("id", std::string());
      response_.model = m.value("model", std::string());
      if (m.contains("usage") && m["usage"].is_object()) {
        const Json& u = m["usage"];
        response_.usage.cached_input_tokens = num(u, "cache_read_input_tokens");
        response_.usage.input_tokens = num(u, "input_tokens") +
                                       response_.usage.cached_input_tokens +
                                       num(u, "cache_creation_input_tokens");
        response_.usage.output_tokens = num(u, "output_tokens");
      }
    } else if (type == "content_block_start") {
      if (!e.contains("content_block") || !e["content_block"].is_object()) {
        return bad("content_block_start without a block");
      }
      Block& b = blocks_[e.value("index", 0)];
      b.start = e["content_block"];
      b.type = b.start.value("type", "");
      if (b.type == "thinking") b.thinking = b.start.value("thinking", "");
    } else if (type == "content_block_delta") {
      return onDelta(e);
    } else if (type == "message_delta") {
      if (e.contains("usage") && e["usage"].is_object()) {
        response_.usage.output_tokens = num(e["usage"], "output_tokens");
        usage_seen_ = true;
      }
      if (e.contains("delta") && e["delta"].is_object() && e["delta"].contains("stop_reason") &&
          e["delta"]["stop_reason"].is_string()) {
        WARD_RETURN_IF_ERROR(onStop(e["delta"]["stop_reason"].get<std::string>()));
      }
    } else if (type == "message_stop") {
      done_ = true;
    }  // ping, content_block_stop: nothing to do
    return Status();
  }

  Status onDelta(const Json& e) {
    auto it = blocks_.find(e.value("index", 0));
    if (it == blocks_.end()) return bad("a delta for a block that never started");
    Block& b = it->second;
    const Json& d = e.value("delta", Json::object());
    const std::string type = d.is_object() ? d.value("type", "") : "";
    if (type == "text_delta") {
      const std::string piece = d.value("text", "");
      if (piece.empty()) return Status();
      if (response_.message.content_null) {
        response_.message.content_null = false;
        response_.message.content.push_back({ContentPart::Kind::kText, "", nullptr});
      }
      response_.message.content.back().text += piece;
      out_->push_back(StreamEvent{StreamEvent::Kind::kText, piece, {}, FinishReason::kStop, {}});
    } else if (type == "input_json_delta") {
      b.json += d.value("partial_json", "");
    } else if (type == "thinking_delta") {
      b.thinking += d.value("thinking", "");
    } else if (type == "signature_delta") {
      b.signature += d.value("signature", "");
    }
    return Status();
  }

  Status onStop(const std::string& stop) {
    if (finished_) return Status();
    finished_ = true;
    std::vector<ToolCall> calls;
    Json thinking = Json::array();
    for (auto& [index, b] : blocks_) {
      if (b.type == "tool_use") {
        ToolCall c;
        c.id = b.start.value("id", std::string());
        c.name = b.start.value("name", std::string());
        if (c.id.empty() || c.name.empty()) return bad("a tool_use block has no id or name");
        c.arguments = b.json.empty() ? "{}" : b.json;
        calls.push_back(std::move(c));
      } else if (b.type == "thinking") {
        thinking.push_back(
            {{"type", "thinking"}, {"thinking", b.thinking}, {"signature", b.signature}});
      } else if (b.type == "redacted_thinking") {
        thinking.push_back(b.start);
      }
    }
    if (!thinking.empty() && !calls.empty()) {
      calls[0].opaque = {{"extra_content", {{"anthropic", {{"thinking", thinking}}}}}};
    }
    FinishReason finish = stop == "max_tokens" ? FinishReason::kLength
                          : stop == "tool_use" ? FinishReason::kToolCalls
                          : stop == "refusal"  ? FinishReason::kContentFilter
                                               : FinishReason::kStop;
    if (!calls.empty() && finish == FinishReason::kStop) finish = FinishReason::kToolCalls;
    response_.finish = finish;
    response_.message.tool_calls = calls;
    if (!calls.empty()) {
      out_->push_back(StreamEvent{
          StreamEvent::Kind::kToolCalls, "", std::move(calls), FinishReason::kStop, {}});
    }
    out_->push_back(StreamEvent{StreamEvent::Kind::kFinish, "", {}, finish, {}});
    if (usage_seen_) {
      response_.usage.known = true;
      out_->push_back(
          StreamEvent{StreamEvent::Kind::kUsage, "", {}, FinishReason::kStop, response_.usage});
    }
    return Status();
  }

  std::map<int64_t, Block> blocks_;
  bool usage_seen_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> makeAnthropicStreamDecoder() {
  return std::make_unique<AnthropicStreamDecoder>();
}

}  // namespace ward::models
