// Decoding a Gemini stream (:streamGenerateContent?alt=sse): every `data:` event is a whole
// GenerateContentResponse chunk; there are no event names and no end marker (the chunk with the
// finishReason is the last one that matters; the stream ends at EOF). Text parts go out as they
// come; functionCall parts (whole in one chunk, or in pieces with partialArgs/willContinue,
// assembled by GeminiPartialCall) are held and released, whole, with the finish reason;
// usageMetadata may come on several chunks, the last one counts. A chunk {"error":{...}} ends
// the stream with that error.
#include "gemini_format.h"
#include "sse_parser.h"

namespace ward::models {

namespace {

class GeminiStreamDecoder final : public SseStreamDecoder {
 public:
  // The dialect has no end marker: a stream that gave its finish reason has ended properly.
  bool ended() const override { return finished_; }

 private:
  Status bad(const std::string& what) {
    error_.message = "the provider's stream is not a Gemini stream: " + what;
    return Status::unavailable(error_.message);
  }

  // Each event carries one GenerateContentResponse chunk; the event name is unused.
  Status onEvent(const std::string& /*event*/, const std::string& data) override {
    auto parsed = parseJson(data);
    if (!parsed.ok()) return bad("a chunk is not JSON");
    const Json* c = &*parsed;
    if (c->is_array() && c->size() == 1) c = &(*c)[0];
    if (!c->is_object()) return bad("a chunk is not a JSON object");
    if (c->contains("error")) {
      error_ = parseGeminiError(0, (*c).dump());
      return Status::unavailable("the provider reported an error mid-stream: " + error_.message);
    }
    if (c->contains("responseId") && response_.id.empty()) {
      response_.id = c->value("responseId", std::string());
    }
    if (c->contains("modelVersion")) response_.model = c->value("modelVersion", std::string());
    if (c->contains("usageMetadata") && (*c)["usageMetadata"].is_object()) {
      response_.usage = geminiUsage((*c)["usageMetadata"]);
    }
    const Json& candidates = c->value("candidates", Json::array());
    if (candidates.is_array() && !candidates.empty() && candidates[0].is_object()) {
      WARD_RETURN_IF_ERROR(onCandidate(candidates[0]));
    } else if (!finished_ && c->contains("promptFeedback") && (*c)["promptFeedback"].is_object() &&
               (*c)["promptFeedback"].contains("blockReason")) {
      finish(FinishReason::kContentFilter);
    }
    if (finished_ && !usage_sent_ && response_.usage.known) {
      usage_sent_ = true;
      out_->push_back(
          StreamEvent{StreamEvent::Kind::kUsage, "", {}, FinishReason::kStop, response_.usage});
    }
    return Status();
  }

  Status onCandidate(const Json& cand) {
    if (finished_) return Status();
    const Json& content = cand.value("content", Json::object());
    const Json& parts = content.is_object() ? content.value("parts", Json::array()) : Json();
    for (const Json& p : parts.is_array() ? parts : Json::array()) {
      if (!p.is_object()) continue;
      if (p.contains("functionCall") && p["functionCall"].is_object()) {
        Json whole;
        if (partial_.open() || GeminiPartialCall::isPiece(p["functionCall"])) {
          // A call streamed in pieces: held until its last piece, then taken as a whole one.
          Status st = partial_.add(p);
          if (!st.ok()) return bad(st.message());
          if (!partial_.complete()) continue;
          whole = partial_.take();
        }
        ToolCall call = geminiToolCall(whole.is_null() ? p : whole, response_.id, calls_.size());
        if (call.name.empty()) return bad("a functionCall has no name");
        calls_.push_back(std::move(call));
      } else if (p.contains("text") && p["text"].is_string() && !p.value("thought", false)) {
        const std::string piece = p["text"].get<std::string>();
        if (piece.empty()) continue;
        if (response_.message.content_null) {
          response_.message.content_null = false;
          response_.message.content.push_back({ContentPart::Kind::kText, "", nullptr});
        }
        response_.message.content.back().text += piece;
        out_->push_back(StreamEvent{StreamEvent::Kind::kText, piece, {}, FinishReason::kStop, {}});
      }
    }
    if (cand.contains("finishReason") && cand["finishReason"].is_string()) {
      if (partial_.open()) return bad("the answer finished inside a streamed function call");
      FinishReason f = geminiFinish(cand["finishReason"].get<std::string>());
      if (!calls_.empty() && f == FinishReason::kStop) f = FinishReason::kToolCalls;
      finish(f);
    }
    return Status();
  }

  void finish(FinishReason f) {
    finished_ = true;
    response_.finish = f;
    response_.message.tool_calls = calls_;
    if (!calls_.empty()) {
      out_->push_back(
          StreamEvent{StreamEvent::Kind::kToolCalls, "", calls_, FinishReason::kStop, {}});
    }
    out_->push_back(StreamEvent{StreamEvent::Kind::kFinish, "", {}, f, {}});
  }

  std::vector<ToolCall> calls_;
  GeminiPartialCall partial_;  // a call streamed in pieces, until its last piece
  bool usage_sent_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> makeGeminiStreamDecoder() {
  return std::make_unique<GeminiStreamDecoder>();
}

}  // namespace ward::models
