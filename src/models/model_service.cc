// The governed call path: grant check, adapter, retries with backoff, fallbacks (each hop
// authorised again), and the model_call record.
#include "ward/common/mutex.h"
#include "ward/models/model_service.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "call_recording.h"
#include "retry_policy.h"
#include "ward/models/tool_call_ids.h"
#include "ward/audit/model_call.h"
#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/common/log.h"
#include "ward/gateway/grant_subject.h"
#include "ward/models/cassette.h"
#include "ward/models/openai_chat_format.h"
#include "ward/net/keep_alive_client.h"

namespace ward::models {

struct ModelService::CallState {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  ChatRequest effective;                // the request as sent (defaults applied), last hop
  const ModelConfig* served = nullptr;  // the model that answered
  const ModelConfig* last = nullptr;    // the model tried last
  ChatResponse response;
  Json attempts = Json::array();
  int last_http_status = 0;
  bool started = false;            // a stream has sent something to the client
  bool stream_incomplete = false;  // the stream ended after the finish reason but before [DONE]
  // The prompt already redacted and stored while the provider answered (preparePrompt): its
  // digest and whether the store holds it. Empty digest: record() renders and stores it.
  std::string prompt_sha256;
  bool prompt_stored = false;
  bool prompt_tried = false;  // prepared once per call (every hop sends the same messages)
};

namespace {

std::string truncated(const std::string& s, size_t max) {
  return s.size() <= max ? s : s.substr(0, max) + "...";
}

size_t promptBytes(const ChatRequest& r) {
  size_t n = 0;
  for (const Message& m : r.messages) {
    for (const ContentPart& p : m.content)
      n += p.kind == ContentPart::Kind::kText ? p.text.size() : p.raw.dump().size();
    for (const ToolCall& c : m.tool_calls) n += c.name.size() + c.arguments.size();
  }
  return n;
}

ChatRequest withDefaults(const ChatRequest& r, const ModelConfig& m) {
  ChatRequest out = r;
  if (!out.sampling.temperature) out.sampling.temperature = m.temperature;
  if (!out.sampling.top_p) out.sampling.top_p = m.top_p;
  if (!out.sampling.max_tokens && m.max_tokens) {
    out.sampling.max_tokens = m.max_tokens;
    out.sampling.legacy_max_tokens = true;  // understood by every compatible server
  }
  return out;
}

Status providerStatus(const ModelConfig& m, int status, const ProviderError& e,
                      int64_t retry_after_ms) {
  const std::string who = "model '" + m.name + "'";
  const std::string msg = truncated(e.message, 300);
  if (status == 400 || status == 413 || status == 422) {
    return Status::invalidArgument(who + ": the provider refused the request: " + msg);
  }
  if (status == 401 || status == 403) {
    // Never the provider's text here: it may quote the key Ward sent.
    return Status::unavailable(who + ": the provider refused Ward's credentials (HTTP " +
                               std::to_string(status) + ")");
  }
  if (status == 429) {
    Status s = Status::resourceExhausted(who + ": the provider is rate limiting: " + msg);
    if (retry_after_ms > 0) s.withRetryAfterSeconds((retry_after_ms + 999) / 1000);
    return s;
  }
  return Status::unavailable(who + ": the provider answered HTTP " + std::to_string(status) +
                             (msg.empty() ? "" : ": " + msg));
}

void sleepMs(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// A cassette's `request` and `request_sha256`, rendered once per hop: canonicalRequestJson's
// JSON without its text parsed back (the compact dump of a sorted object parses and dumps to the
// same text, so the digest is the same), and the SHA-256 of that text.
struct CanonicalRequest {
  Json json;
  std::string sha256;
};

CanonicalRequest canonicalRequest(const ChatRequest& request) {
  CanonicalRequest out;
  out.json = chatCompletionRequestJson(request, request.model);
  out.sha256 = sha256Hex(dumpJson(out.json));
  return out;
}

// One attempt's raw exchange as a sealed cassette (cassette.h); its id for the attempt entry.
// Never the API key: only the request body and the URL without its query are kept.
struct AttemptTape {
  const net::OutboundRequest* request = nullptr;
  const Result<net::OutboundReply>* reply = nullptr;  // null until the attempt was sent
  CassetteTape tape;                                  // streamed 2xx bytes as they came
};

Result<std::string> recordCassette(audit::CassetteStore& store, const identity::Principal& who,
                                   const ModelConfig& model, const CanonicalRequest& canonical,
                                   const AttemptTape& t, bool stream, const ChatResponse* parsed) {
  Cassette c;
  c.adapter = model.provider;
  c.model = model.name;
  c.url = urlWithoutQuery(t.request->url);
  c.request = canonical.json;
  c.request_sha256 = canonical.sha256;
  c.upstream_body = t.request->body.substr(0, kMaxCassetteRequestBytes);
  c.request_truncated = t.request->body.size() > kMaxCassetteRequestBytes;
  c.stream = stream;
  CassetteTape body;
  const CassetteTape* bytes = &t.tape;
  if (t.reply->ok()) {
    c.status = (*t.reply)->status;
    for (const auto& [name, value] : (*t.reply)->headers) {
      if (isRecordedHeader(name)) c.headers[name] = value;
    }
    if (!stream || !(*t.reply)->body.empty()) {  // a non-2xx stream reply has its body here
      body.setBody((*t.reply)->body);
      bytes = &body;
    }
  }
  bytes->fill(c);
  if (parsed != nullptr) c.response_sha256 = responseSha256(*parsed);
  return store.put(who.tenant, who.name, SystemClock::instance().nowMicros(), c.toJson());
}

}  // namespace

ModelService::ModelService(ModelServiceOptions options)
    : options_(std::move(options)), budgets_(options_.budgets, options_.clock) {}

ModelService::~ModelService() {
  MutexLock lock(mu_);
  idle_.wait(lock, [this]() WARD_REQUIRES(mu_) { return streams_ == 0; });
}

ModelService::StreamGuard::StreamGuard(ModelService& service) : service_(service) {
  MutexLock lock(service_.mu_);
  ++service_.streams_;
}

ModelService::StreamGuard::~StreamGuard() {
  MutexLock lock(service_.mu_);
  if (--service_.streams_ == 0) service_.idle_.notifyAll();
}

const ModelConfig* ModelService::find(const std::string& name) const {
  for (const ModelConfig& m : options_.models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool ModelService::allowed(const ModelConfig& model, const identity::Principal& p) const {
  return gateway::subjectListAllows(model.allow, p);
}

std::vector<ModelInfo> ModelService::listModels(const identity::Principal& principal) const {
  std::vector<ModelInfo> out;
  for (const ModelConfig& m : options_.models) {
    if (allowed(m, principal)) out.push_back({m.name, m.provider});
  }
  return out;
}

Status ModelService::authorize(const ChatCall& call) const {
  const ModelConfig* m = find(call.request.model);
  if (m == nullptr || m->kind != ModelKind::kChat || !allowed(*m, call.principal)) {
    recordDenied(call, m == nullptr                  ? "no such model"
                       : m->kind != ModelKind::kChat ? "not a chat model"
                                                     : "the principal holds no grant for it");
    return Status::notFound("model '" + truncated(call.request.model, 64) +
                            "' does not exist or you may not use it");
  }
  const size_t bytes = promptBytes(call.request);
  if (bytes > m->max_prompt_bytes) {
    return Status::invalidArgument("field 'messages': the prompt is " + std::to_string(bytes) +
                                   " bytes, more than model '" + m->name + "' accepts (" +
                                   std::to_string(m->max_prompt_bytes) + ", max_prompt_bytes)");
  }
  return Status();
}

Result<TokenBudgets::Ticket> ModelService::admit(const ChatCall& call) {
  const ModelConfig* m = find(call.request.model);
  const int64_t output = call.request.sampling.max_tokens ? *call.request.sampling.max_tokens
                         : m != nullptr && m->max_tokens  ? *m->max_tokens
                                                          : kDefaultOutputEstimate;
  const int64_t estimate = static_cast<int64_t>(promptBytes(call.request) / 4) + output;
  auto ticket = budgets_.admit(call.principal, estimate);
  if (!ticket.ok()) recordDenied(call, ticket.status().message());
  return ticket;
}

void ModelService::settle(const TokenBudgets::Ticket& ticket, const CallState& state) {
  const Usage& u = state.response.usage;
  // No answer: nothing was produced. An answer without usage: the estimate stands.
  const int64_t used = state.served == nullptr ? 0
                       : u.known               ? u.input_tokens + u.output_tokens
                                               : -1;
  budgets_.settle(ticket, used);
}

Status ModelService::checkToolCalls(const ChatCall& call,
                                    const std::vector<ToolCall>& calls) const {
  if (!options_.tool_policy) return Status();
  for (const ToolCall& c : calls) {
    Status st = options_.tool_policy(call.principal, c.name);
    if (st.code() == StatusCode::kPermissionDenied) {
      return Status::permissionDenied("the model called the tool '" + truncated(c.name, 64) +
                                      "', which you may not use: the answer is withheld");
    }
    if (!st.ok()) return Status::unavailable("the tool policy failed: " + st.message());
  }
  return Status();
}

Result<ChatResponse> ModelService::chat(const ChatCall& call, const SentEvent& sent) {
  WARD_RETURN_IF_ERROR(authorize(call));
  WARD_ASSIGN_OR_RETURN(TokenBudgets::Ticket ticket, admit(call));
  CallState state;
  Status s = callChain(call, state, nullptr);
  // The client sees Ward's tool-call ids (the cassette hashed the provider's answer as parsed).
  useWardToolCallIds(state.response.message.tool_calls);
  if (s.ok()) s = checkToolCalls(call, state.response.message.tool_calls);
  settle(ticket, state);
  std::vector<trace::TraceEvent> also;
  if (s.ok() && sent) {
    if (std::optional<trace::TraceEvent> e = sent(state.response)) also.push_back(std::move(*e));
  }
  Status recorded = record(call, state, s, std::move(also));
  if (!s.ok()) return s;
  // Audit first: an answer whose record is not on disk is not given out.
  if (!recorded.ok()) return recorded;
  return state.response;
}

Status ModelService::chatStream(const ChatCall& call, ChatStreamSink& sink, const StreamEnd& end) {
  WARD_RETURN_IF_ERROR(authorize(call));
  WARD_ASSIGN_OR_RETURN(TokenBudgets::Ticket ticket, admit(call));
  CallState state;
  Status s = callChain(call, state, &sink);
  useWardToolCallIds(state.response.message.tool_calls);
  settle(ticket, state);
  std::vector<trace::TraceEvent> also;
  if (end) {
    if (std::optional<trace::TraceEvent> e = end(s)) also.push_back(std::move(*e));
  }
  Status recorded = record(call, state, s, std::move(also));
  return s.ok() ? recorded : s;
}

Status ModelService::callChain(const ChatCall& call, CallState& state, ChatStreamSink* sink) {
  const ModelConfig* primary = find(call.request.model);
  std::vector<const ModelConfig*> chain = {primary};
  for (const std::string& f : primary->fallbacks) chain.push_back(find(f));
  Status last;
  for (size_t hop = 0; hop < chain.size(); ++hop) {
    const ModelConfig* m = chain[hop];
    if (m == nullptr) continue;  // checked at load; defensive
    if (hop > 0 && !allowed(*m, call.principal)) {
      // A fallback never widens what the caller may use: the chain stops here (fail closed).
      state.attempts.push_back({{"model", m->name},
                                {"fallback", true},
                                {"outcome", "denied"},
                                {"error", "the principal holds no grant for this fallback"}});
      return last;
    }
    Status s = attemptModel(call, *m, state, sink);
    if (s.ok() || state.started || s.code() == StatusCode::kPermissionDenied) return s;
    last = s;
    if (state.last_http_status != 0 && !fallbackAfter(state.last_http_status)) return s;
  }
  return last;
}

Status ModelService::attemptModel(const ChatCall& call, const ModelConfig& model, CallState& state,
                                  ChatStreamSink* sink) {
  state.last = &model;
  state.last_http_status = 0;
  state.effective = withDefaults(call.request, model);
  const bool fallback = &model != find(call.request.model);
  // Rendered once per hop, only when cassettes are kept (every attempt of the hop shares it),
  // while the provider answers the first attempt (requestSideWork) or, failing that, when the
  // first attempt is noted.
  std::optional<CanonicalRequest> canonical;
  auto ensureCanonical = [&] {
    if (options_.cassettes != nullptr && !canonical) canonical = canonicalRequest(state.effective);
  };
  // The record's parts that do not need the answer, done while the provider works on it (its
  // answer waits in the socket): the cassette's canonical request and the redacted prompt put
  // in the prompt store. The reply is still given out only after its record is durable.
  // No exception may leave it (sendKeepAlive holds a socket meanwhile): one thrown here leaves
  // the work undone, and it is done (and throws) after the answer, as it was before.
  const std::function<void()> requestSideWork = [&]() noexcept {
    try {
      ensureCanonical();
      if (!state.prompt_tried) {
        state.prompt_tried = true;
        preparePromptAhead(options_, call.principal, state.effective, &state.prompt_sha256,
                           &state.prompt_stored);
      }
    } catch (...) {
      state.prompt_sha256.clear();
    }
  };
  AttemptTape tape;  // the attempt being made, once sent
  auto note = [&](Json a) {
    a["model"] = model.name;
    a["provider"] = model.provider;
    if (fallback) a["fallback"] = true;
    if (options_.cassettes != nullptr && tape.reply != nullptr) {
      // The exchange as it happened; an answer's parsed form is hashed beside it.
      const std::string outcome = a.value("outcome", "");
      const bool answered = state.served == &model && (outcome == "ok" || outcome == "denied");
      ensureCanonical();
      auto id = recordCassette(*options_.cassettes, call.principal, model, *canonical, tape,
                               sink != nullptr, answered ? &state.response : nullptr);
      if (id.ok()) {
        a["cassette"] = *id;
      } else {
        logWarn("cannot store a model-call cassette: " + id.status().toString());
        a["cassette_error"] = id.status().message();
      }
      tape.reply = nullptr;
    }
    state.attempts.push_back(std::move(a));
  };
  WARD_ASSIGN_OR_RETURN(const Provider* provider, providerFor(model.provider));
  ProviderTarget target;
  target.config = &model;
  target.traceparent = call.trace.traceparent();
  if (!model.api_key_secret.empty()) {
    auto key = options_.secrets ? options_.secrets(model.api_key_secret)
                                : Result<std::string>(Status::failedPrecondition("no secrets"));
    if (!key.ok()) {
      note({{"outcome", "error"}, {"error", "API key secret unavailable"}});
      return Status::unavailable("model '" + model.name + "' is not usable: its API key secret '" +
                                 model.api_key_secret + "' cannot be read (ward secrets set " +
                                 model.api_key_secret + ")");
    }
    target.api_key = std::move(*key);
  }
  WARD_ASSIGN_OR_RETURN(net::OutboundRequest request,
                        provider->chatRequest(target, withProviderToolCallIds(state.effective)));
  tape.request = &request;
  for (int attempt = 0;; ++attempt) {
    tape.tape = CassetteTape();
    std::unique_ptr<StreamDecoder> decoder;
    Status decode_status;
    Status policy_status;
    bool client_gone = false;
    net::BodySink body_sink = [&](std::string_view bytes) {
      tape.tape.addChunk(bytes);
      std::vector<StreamEvent> events;
      decode_status = decoder->feed(bytes, events);
      for (StreamEvent& e : events) {
        if (e.kind == StreamEvent::Kind::kToolCalls) {
          useWardToolCallIds(e.tool_calls);
          // Decided before any part of a call leaves: the same decision as unstreamed.
          policy_status = checkToolCalls(call, e.tool_calls);
          if (!policy_status.ok()) return false;
        }
        if (!state.started) {
          state.started = true;
          if (!sink->start(decoder->response())) client_gone = true;
        }
        if (!client_gone && !sink->event(decoder->response(), e)) client_gone = true;
        if (client_gone) return false;
      }
      return decode_status.ok();
    };
    if (sink != nullptr) decoder = provider->streamDecoder();
    auto reply = net::sendKeepAlive(request, sink != nullptr ? &body_sink : nullptr, nullptr,
                                    &requestSideWork);
    tape.reply = &reply;
    if (client_gone) {
      note({{"outcome", "client_gone"}});
      return Status::unavailable("the client went away during the stream");
    }
    if (!policy_status.ok()) {
      state.response = decoder->response();
      state.served = &model;
      note({{"status", 200}, {"outcome", "denied"}, {"error", policy_status.message()}});
      return policy_status;
    }
    if (!decode_status.ok()) {
      note({{"status", reply.ok() ? reply->status : 0},
            {"outcome", "error"},
            {"error", truncated(decoder->error().message, 300)}});
      return Status::unavailable("model '" + model.name + "': " + decode_status.message());
    }
    if (!reply.ok()) {
      if (reply.status().code() != StatusCode::kUnavailable) {
        note({{"outcome", "error"}, {"error", reply.status().message()}});
        return Status::unavailable("model '" + model.name +
                                   "' cannot be reached: " + reply.status().message());
      }
      if (state.started) {
        if (decoder->finished()) {
          // Complete but for the usage and [DONE]: the answer stands, the usage is lost.
          state.stream_incomplete = true;
          state.response = decoder->response();
          state.served = &model;
          note({{"status", 200}, {"outcome", "ok"}, {"stream_incomplete", true}});
          return Status();
        }
        note({{"status", 200}, {"outcome", "error"}, {"error", reply.status().message()}});
        return Status::unavailable("model '" + model.name +
                                   "': the stream broke: " + reply.status().message());
      }
      RetryDecision d = retryAfterTransport(attempt, model);
      note({{"outcome", "error"},
            {"error", reply.status().message()},
            {"retry", d.retry},
            {"wait_ms", d.wait_ms}});
      if (!d.retry) {
        return Status::unavailable("model '" + model.name +
                                   "' cannot be reached: " + reply.status().message());
      }
      sleepMs(d.wait_ms);
      continue;
    }
    const int status = reply->status;
    if (status >= 200 && status < 300) {
      if (decoder) {
        if (!decoder->ended() && !state.started) {
          RetryDecision d = retryAfterTransport(attempt, model);
          note({{"status", status},
                {"outcome", "error"},
                {"error", "the stream ended before any event"},
                {"retry", d.retry}});
          if (!d.retry) {
            return Status::unavailable("model '" + model.name + "': the stream ended early");
          }
          sleepMs(d.wait_ms);
          continue;
        }
        if (!decoder->finished()) {
          note({{"status", status},
                {"outcome", "error"},
                {"error", "the stream ended without a finish reason"}});
          return Status::unavailable("model '" + model.name +
                                     "': the stream ended without a finish reason");
        }
        state.response = decoder->response();
        state.stream_incomplete = !decoder->ended();
        state.served = &model;
        note({{"status", status}, {"outcome", "ok"}});
        return Status();
      }
      auto parsed = provider->parseChat(reply->body);
      if (!parsed.ok()) {
        note({{"status", status}, {"outcome", "error"}, {"error", parsed.status().message()}});
        return Status::unavailable("model '" + model.name + "': " + parsed.status().message());
      }
      state.response = std::move(*parsed);
      state.served = &model;
      note({{"status", status}, {"outcome", "ok"}});
      return Status();
    }
    const ProviderError err = provider->parseError(*reply);
    RetryDecision d =
        retryAfterReply(*reply, err, attempt, model, SystemClock::instance().nowMicros() / 1000000);
    Json a = {{"status", status},
              {"outcome", "error"},
              {"error", truncated(err.message, 300)},
              {"retry", d.retry},
              {"decision", d.reason}};
    if (!err.code.empty()) a["code"] = err.code;
    if (d.retry) a["wait_ms"] = d.wait_ms;
    note(std::move(a));
    if (d.retry) {
      sleepMs(d.wait_ms);
      continue;
    }
    state.last_http_status = status;
    return providerStatus(model, status, err, d.wait_ms);
  }
}

void ModelService::recordDenied(const ChatCall& call, const std::string& reason) const {
  audit::ModelCall c;
  const ModelConfig* m = find(call.request.model);
  c.provider = m ? m->provider : "none";
  c.model = m ? m->model : "none";
  c.requested_model = truncated(call.request.model, 200);
  c.outcome = "denied";
  c.error = reason;
  c.stream = call.request.stream;
  c.claims = call.request.claims;
  audit::ModelCallRecording where;
  where.sink = options_.traces;
  where.context = call.trace;
  where.tenant = call.principal.tenant;
  where.principal = call.principal.name;
  where.time_us = SystemClock::instance().nowMicros();
  auto r = audit::recordModelCall(where, c);
  if (!r.ok()) logWarn("cannot record a refused model call: " + r.status().toString());
}

Status ModelService::record(const ChatCall& call, const CallState& st, const Status& outcome,
                            std::vector<trace::TraceEvent> also) const {
  const ModelConfig* m = st.served ? st.served : st.last ? st.last : find(call.request.model);
  const ChatRequest& r = st.last ? st.effective : call.request;
  audit::ModelCall c;
  c.provider = m->provider;
  c.model = m->model;
  c.model_version = st.served ? truncated(st.response.model, 200) : "";
  c.requested_model = call.request.model;
  c.temperature = r.sampling.temperature;
  c.top_p = r.sampling.top_p;
  c.max_tokens = r.sampling.max_tokens;
  c.seed = r.sampling.seed;
  Json extra = r.sampling.toJson();
  for (const char* k : {"temperature", "top_p", "max_tokens", "seed"}) extra.erase(k);
  if (!r.tool_choice.is_null()) extra["tool_choice"] = r.tool_choice;
  if (r.parallel_tool_calls) extra["parallel_tool_calls"] = *r.parallel_tool_calls;
  c.parameters_extra = std::move(extra);
  for (const ToolSpec& t : r.tools) c.tools_offered.push_back(t.name);
  if (!st.prompt_sha256.empty()) {  // prepared while the provider answered
    c.prepared_prompt_sha256 = st.prompt_sha256;
    c.prepared_prompt_stored = st.prompt_stored;
  } else {
    c.rendered_prompt = renderPrompt(r);
  }
  c.outcome = outcome.ok()                                      ? "ok"
              : outcome.code() == StatusCode::kPermissionDenied ? "denied"
                                                                : "error";
  if (!outcome.ok()) c.error = truncated(outcome.message(), 500);
  if (st.served) {
    c.finish_reason = finishReasonName(st.response.finish);
    c.usage = st.response.usage.toJson();
    Json calls = Json::array();
    for (const ToolCall& t : st.response.message.tool_calls) {
      calls.push_back({{"id", t.id}, {"name", t.name}, {"arguments", t.arguments}});
    }
    if (!calls.empty()) c.tool_calls = std::move(calls);
  }
  c.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - st.start)
                     .count();
  c.stream = call.request.stream;
  c.claims = call.request.claims;
  c.attempts = st.attempts;
  if (st.stream_incomplete) c.attempts.push_back({{"note", "stream ended before [DONE]"}});
  return recordFinishedCall(options_, call.trace, call.principal, c, std::move(also));
}

}  // namespace ward::models
