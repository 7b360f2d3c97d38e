// The OpenAI-compatible proxy: POST /v1/chat/completions (streamed and not) and GET /v1/models.
// Identity comes from authentication only; the models module authorises, calls and records.
#include "client_digest.h"
#include "handlers.h"
#include "stream_start.h"
#include "ward_extension.h"
#include "ward/http/error_mapping.h"
#include "ward/models/model_service.h"
#include "ward/models/openai_chat_format.h"

namespace ward::http {

namespace {

std::string sseData(const Json& j) { return "data: " + dumpJson(j) + "\n\n"; }

// Writes Ward's Chat Completions chunks for the events of a streamed call.
class SseChatSink final : public models::ChatStreamSink {
 public:
  SseChatSink(std::shared_ptr<DigestingStream> out, std::shared_ptr<StreamStart> start)
      : out_(std::move(out)), start_(std::move(start)) {}

  bool start(const models::ChatResponse& head) override {
    started_ = true;
    bool ok = out_->write(sseData(models::chunkRoleJson(head)));
    start_->decide(Status());
    return ok;
  }

  bool event(const models::ChatResponse& head, const models::StreamEvent& e) override {
    using Kind = models::StreamEvent::Kind;
    head_ = head;
    switch (e.kind) {
      case Kind::kText:
        return out_->write(sseData(models::chunkTextJson(head, e.text)));
      case Kind::kToolCalls:
        return out_->write(sseData(models::chunkToolCallsJson(head, e.tool_calls)));
      case Kind::kFinish:
        return out_->write(sseData(models::chunkFinishJson(head, e.finish)));
      case Kind::kUsage:
        usage_ = e.usage;
        return true;
    }
    return true;
  }

  bool started() const { return started_; }
  const models::ChatResponse& head() const { return head_; }
  const models::Usage& usage() const { return usage_; }

 private:
  std::shared_ptr<DigestingStream> out_;
  std::shared_ptr<StreamStart> start_;
  bool started_ = false;
  models::ChatResponse head_;
  models::Usage usage_;
};

Result<HttpResponse> streamChat(models::ModelService* service, models::ChatCall call,
                                trace::TraceSink* traces) {
  auto out = std::make_shared<ResponseStream>();
  auto sent = std::make_shared<DigestingStream>(out);  // every SSE byte, hashed as it goes
  auto start = std::make_shared<StreamStart>();
  const bool include_usage = call.request.include_usage;
  // Taken here, before the thread exists, so the service cannot go away before it runs.
  auto guard = std::make_shared<models::ModelService::StreamGuard>(*service);
  auto run = [service, call = std::move(call), out, start, include_usage, guard, traces, sent] {
    SseChatSink sink(sent, start);
    // The stream's last bytes (the usage chunk and [DONE], or the error event), rendered and
    // hashed once the call is over so that its response_sent record goes into the model_call
    // record's durable append (one sync for both); sent only once both are durable, so a client
    // that saw the end can read the records.
    std::string tail;
    Status ended;
    auto end = [&](const Status& outcome) -> std::optional<trace::TraceEvent> {
      if (!sink.started()) return std::nullopt;
      ended = outcome;
      if (outcome.ok()) {
        if (include_usage && sink.usage().known) {
          tail = sseData(models::chunkUsageJson(sink.head(), sink.usage()));
        }
        tail += "data: [DONE]\n\n";
      } else {
        // Headers are gone: the error travels as an event, as OpenAI's own streams do.
        tail = sseData(errorBody(outcome));
      }
      sent->account(tail);
      if (traces == nullptr) return std::nullopt;
      return clientBytesEvent(call.trace, call.principal, "chat_completions", true, sent->digest(),
                              {{"include_usage", include_usage}});
    };
    Status st = service->chatStream(call, sink, end);
    if (!sink.started()) {
      start->decide(st.ok() ? Status::unavailable("the model sent nothing") : st);
      out->cancel();
      return;
    }
    if (st.ok() || !ended.ok()) {
      sent->writeAccounted(std::move(tail));
    } else {
      // The answer was complete but its records are not durable: no [DONE] (audit first).
      sent->writeAccounted(sseData(errorBody(st)));
    }
    out->close();
  };
  return startEventStream(std::move(run), start, out);
}

}  // namespace

// Body: the Chat Completions request (docs/api/openapi.yaml); `user` and `metadata` are claims.
Result<HttpResponse> chatCompletions(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(models::ModelService * service, requireModels(s));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  WARD_ASSIGN_OR_RETURN(WardExtension ext, takeWardExtension(body));  // docs/design/models.md
  WARD_ASSIGN_OR_RETURN(models::ChatRequest request, models::parseChatCompletionRequest(body));
  models::ChatCall call{*who, r.trace, std::move(request)};
  if (ext.any()) {
    // A ward.* extension answers whole (never streamed); its bytes are recorded like any.
    const trace::TraceContext trace = call.trace;
    const identity::Principal principal = call.principal;
    WARD_ASSIGN_OR_RETURN(HttpResponse sent, wardChat(s, r, std::move(call), ext));
    ClientDigest digest;
    digest.update(sent.body);
    recordClientBytes(s.traces, trace, principal, "chat_completions", false, digest);
    return sent;
  }
  if (call.request.stream) return streamChat(service, std::move(call), s.traces);
  // The body is rendered before the model_call record is written, so that its response_sent
  // record goes into the same durable append (one sync for both); nothing is sent before.
  HttpResponse sent;
  auto sent_event = [&](const models::ChatResponse& answer) -> std::optional<trace::TraceEvent> {
    sent = HttpResponse::json(models::chatCompletionJson(answer));
    if (s.traces == nullptr) return std::nullopt;
    ClientDigest digest;
    digest.update(sent.body);
    return clientBytesEvent(call.trace, call.principal, "chat_completions", false, digest);
  };
  WARD_RETURN_IF_ERROR(service->chat(call, sent_event).status());
  return sent;
}

// {"object":"list","data":[{"id","object":"model","created":0,"owned_by"}]}: only the models
// the caller may use.
Result<HttpResponse> modelsList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(models::ModelService * service, requireModels(s));
  Json data = Json::array();
  for (const models::ModelInfo& m : service->listModels(*who)) {
    data.push_back({{"id", m.name}, {"object", "model"}, {"created", 0}, {"owned_by", m.provider}});
  }
  return HttpResponse::json({{"object", "list"}, {"data", std::move(data)}});
}

}  // namespace ward::http
