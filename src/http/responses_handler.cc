// The OpenAI-compatible proxy's Responses front door: POST /v1/responses (streamed and not), for
// clients using `openai.responses.create`. The body is translated to Ward's chat form and goes
// through the same ModelService path as /v1/chat/completions; requests that ask the provider to
// keep state are refused per [proxy] provider_state, and the refusal is recorded.
#include "client_digest.h"
#include "handlers.h"
#include "stream_start.h"
#include "ward/common/hash.h"
#include "ward/http/error_mapping.h"
#include "ward/models/model_service.h"
#include "ward/models/openai_responses_format.h"

namespace ward::http {

namespace {

// Writes Responses events for the events of a streamed call.
class SseResponsesSink final : public models::ChatStreamSink {
 public:
  SseResponsesSink(Json echo, models::ResponsesIdentity identity,
                   std::shared_ptr<DigestingStream> out, std::shared_ptr<StreamStart> start)
      : writer_(std::move(echo), std::move(identity)),
        out_(std::move(out)),
        start_(std::move(start)) {}

  bool start(const models::ChatResponse& head) override {
    started_ = true;
    head_ = head;
    bool ok = out_->write(writer_.start(head));
    start_->decide(Status());
    return ok;
  }

  bool event(const models::ChatResponse& head, const models::StreamEvent& e) override {
    head_ = head;
    if (e.kind == models::StreamEvent::Kind::kUsage) usage_ = e.usage;
    const std::string text = writer_.event(head, e);
    return text.empty() || out_->write(text);
  }

  bool started() const { return started_; }
  std::string finish() { return writer_.finish(head_, usage_); }
  std::string error(const Status& st) {
    const Json body = errorBody(st);
    const Json& e = body.value("error", Json::object());
    return writer_.error(e.value("code", std::string("api_error")),
                         e.value("message", st.message()));
  }

 private:
  models::ResponsesEventWriter writer_;
  std::shared_ptr<DigestingStream> out_;
  std::shared_ptr<StreamStart> start_;
  bool started_ = false;
  models::ChatResponse head_;
  models::Usage usage_;
};

// What replay needs to render the client bytes again besides the cassette: the response's id
// and fallback creation time, and the request's echo (with its digest, so replay can tell when
// redaction changed the recorded copy). An echo over kMaxRecordedEchoBytes is recorded by its
// digest alone (docs/design/http.md "Client bytes").
constexpr size_t kMaxRecordedEchoBytes = 64 * 1024;

Json replayFacts(const Json& echo, const models::ResponsesIdentity& identity) {
  const std::string text = dumpJson(echo);
  Json facts = {{"response_id", identity.id},
                {"created_at", identity.created_at},
                {"echo_sha256", sha256Hex(text)}};
  if (text.size() <= kMaxRecordedEchoBytes) facts["request_echo"] = echo;
  return facts;
}

Result<HttpResponse> streamResponses(models::ModelService* service, models::ChatCall call,
                                     trace::TraceSink* traces) {
  auto out = std::make_shared<ResponseStream>();
  auto sent = std::make_shared<DigestingStream>(out);  // every SSE byte, hashed as it goes
  auto start = std::make_shared<StreamStart>();
  auto guard = std::make_shared<models::ModelService::StreamGuard>(*service);
  auto run = [service, call = std::move(call), out, start, guard, traces, sent] {
    const Json echo = models::responsesEcho(call.request);
    const models::ResponsesIdentity identity = models::mintResponsesIdentity();
    SseResponsesSink sink(echo, identity, sent, start);
    Status st = service->chatStream(call, sink);
    if (!sink.started()) {
      start->decide(st.ok() ? Status::unavailable("the model sent nothing") : st);
      out->cancel();
      return;
    }
    sent->write(st.ok() ? sink.finish() : sink.error(st));
    // Recorded before the body ends, so a client that saw the end can read the record.
    recordClientBytes(traces, call.trace, call.principal, "responses", true, sent->digest(),
                      replayFacts(echo, identity));
    out->close();
  };
  return startEventStream(std::move(run), start, out);
}

}  // namespace

// Body: the Responses request (docs/api/openapi.yaml); `user` and `metadata` are claims.
Result<HttpResponse> responsesCreate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(models::ModelService * service, requireModels(s));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  const std::string state = models::providerStateField(body, service->providerState());
  if (!state.empty()) {
    // Refused before any call, and recorded: who asked which model to keep state.
    models::ChatRequest asked;
    asked.model = body.value("model", Json()).is_string()
                      ? body["model"].get<std::string>().substr(0, 200)
                      : std::string();
    asked.stream = body.value("stream", false) == true;
    asked.claims = {{"provider_state", state}};
    const models::ChatCall refused{*who, r.trace, std::move(asked)};
    service->recordRefusal(refused, "the request asks the provider to keep state ('" + state +
                                        "'); [proxy] provider_state refuses it");
  }
  WARD_ASSIGN_OR_RETURN(models::ChatRequest request,
                        models::parseResponsesRequest(body, service->providerState()));
  models::ChatCall call{*who, r.trace, std::move(request)};
  if (call.request.stream) return streamResponses(service, std::move(call), s.traces);
  // As for chat completions: response_sent goes into the model_call record's durable append.
  const Json echo = models::responsesEcho(call.request);
  const models::ResponsesIdentity identity = models::mintResponsesIdentity();
  HttpResponse sent;
  auto sent_event = [&](const models::ChatResponse& answer) -> std::optional<trace::TraceEvent> {
    sent = HttpResponse::json(models::responsesJson(answer, echo, identity));
    if (s.traces == nullptr) return std::nullopt;
    ClientDigest digest;
    digest.update(sent.body);
    return clientBytesEvent(call.trace, call.principal, "responses", false, digest,
                            replayFacts(echo, identity));
  };
  WARD_RETURN_IF_ERROR(service->chat(call, sent_event).status());
  return sent;
}

}  // namespace ward::http
