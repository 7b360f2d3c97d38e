// Embeddings through the governed path (docs/design/models.md "Embeddings"): the same grant
// check as chat models (a [[models]] entry with kind = "embedding"; unknown, ungranted and chat
// models get the same 404, recorded), the token budgets (an estimate reserved at admission,
// settled with the provider's usage), the adapter, retries on retryable failures, the fallback
// chain (each hop authorised again; a hop the caller may not use ends it, fail closed), and one
// model_call record with every attempt and the usage.
#include <chrono>
#include <thread>

#include "call_recording.h"
#include "retry_policy.h"
#include "ward/audit/model_call.h"
#include "ward/common/clock.h"
#include "ward/models/model_service.h"
#include "ward/net/keep_alive_client.h"

namespace ward::models {

namespace {

std::string clipped(const std::string& s, size_t max) {
  return s.size() <= max ? s : s.substr(0, max) + "...";
}

Status embeddingFailure(const ModelConfig& m, int status, const ProviderError& e, int64_t wait_ms) {
  const std::string who = "model '" + m.name + "'";
  if (status == 400 || status == 413 || status == 422) {
    return Status::invalidArgument(
        who + ": the provider refused the request: " + clipped(e.message, 300));
  }
  if (status == 401 || status == 403) {
    return Status::unavailable(who + ": the provider refused Ward's credentials (HTTP " +
                               std::to_string(status) + ")");
  }
  if (status == 429) {
    Status s = Status::resourceExhausted(
        who + ": the provider is rate limiting: " + clipped(e.message, 300));
    if (wait_ms > 0) s.withRetryAfterSeconds((wait_ms + 999) / 1000);
    return s;
  }
  return Status::unavailable(who + ": the provider answered HTTP " + std::to_string(status));
}

// One model of the chain: the adapter, with retries; each try is an entry of `attempts`.
// `last_status` is the provider's final HTTP status (0 when none came back).
Result<EmbeddingResponse> attemptEmbedding(const ModelServiceOptions& options,
                                           const EmbeddingCall& call, const ModelConfig& m,
                                           bool fallback, Json& attempts, int* last_status) {
  auto note = [&](Json a) {
    a["model"] = m.name;
    a["provider"] = m.provider;
    if (fallback) a["fallback"] = true;
    attempts.push_back(std::move(a));
  };
  WARD_ASSIGN_OR_RETURN(const Provider* provider, providerFor(m.provider));
  ProviderTarget target;
  target.config = &m;
  target.traceparent = call.trace.traceparent();
  if (!m.api_key_secret.empty()) {
    auto key = options.secrets ? options.secrets(m.api_key_secret)
                               : Result<std::string>(Status::failedPrecondition("no secrets"));
    if (!key.ok()) {
      note({{"outcome", "error"}, {"error", "API key secret unavailable"}});
      return Status::unavailable("model '" + m.name + "' is not usable: its API key secret '" +
                                 m.api_key_secret + "' cannot be read");
    }
    target.api_key = std::move(*key);
  }
  WARD_ASSIGN_OR_RETURN(net::OutboundRequest request,
                        provider->embeddingRequest(target, call.request));
  for (int attempt = 0;; ++attempt) {
    auto reply = net::sendKeepAlive(request, nullptr);
    if (!reply.ok()) {
      RetryDecision d = retryAfterTransport(attempt, m);
      note({{"outcome", "error"}, {"error", reply.status().message()}, {"retry", d.retry}});
      if (!d.retry) {
        return Status::unavailable("model '" + m.name +
                                   "' cannot be reached: " + reply.status().message());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(d.wait_ms));
      continue;
    }
    if (reply->status >= 200 && reply->status < 300) {
      auto parsed = provider->parseEmbeddings(reply->body, call.request.inputs.size());
      note({{"status", reply->status}, {"outcome", parsed.ok() ? "ok" : "error"}});
      if (!parsed.ok()) {
        return Status::unavailable("model '" + m.name + "': " + parsed.status().message());
      }
      return parsed;
    }
    const ProviderError err = provider->parseError(*reply);
    RetryDecision d =
        retryAfterReply(*reply, err, attempt, m, SystemClock::instance().nowMicros() / 1000000);
    note({{"status", reply->status},
          {"outcome", "error"},
          {"error", clipped(err.message, 300)},
          {"retry", d.retry},
          {"decision", d.reason}});
    if (!d.retry) {
      *last_status = reply->status;
      return embeddingFailure(m, reply->status, err, d.wait_ms);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(d.wait_ms));
  }
}

}  // namespace

Result<EmbeddingResponse> ModelService::embed(const EmbeddingCall& call) {
  ChatRequest asked;  // the refusal record's form of the request
  asked.model = call.request.model;
  asked.claims = call.request.claims;
  const ChatCall as_chat{call.principal, call.trace, std::move(asked)};
  const ModelConfig* m = find(call.request.model);
  if (m == nullptr || m->kind != ModelKind::kEmbedding || !allowed(*m, call.principal)) {
    recordDenied(as_chat, m == nullptr ? "no such model"
                          : m->kind != ModelKind::kEmbedding
                              ? "not an embedding model"
                              : "the principal holds no grant for it");
    return Status::notFound("model '" + clipped(call.request.model, 64) +
                            "' does not exist or you may not use it");
  }
  size_t bytes = 0;
  for (const std::string& s : call.request.inputs) bytes += s.size();
  if (bytes > m->max_prompt_bytes) {
    return Status::invalidArgument("the input is " + std::to_string(bytes) +
                                   " bytes, more than model '" + m->name + "' accepts (" +
                                   std::to_string(m->max_prompt_bytes) + ", max_prompt_bytes)");
  }
  // Embeddings produce no output tokens: the estimate is the input alone.
  auto ticket = budgets_.admit(call.principal, static_cast<int64_t>(bytes / 4) + 1);
  if (!ticket.ok()) {
    recordDenied(as_chat, ticket.status().message());
    return ticket.status();
  }
  const auto start = std::chrono::steady_clock::now();
  Json attempts = Json::array();
  Result<EmbeddingResponse> result = Status::unavailable("model '" + m->name + "' was not called");
  const ModelConfig* served = nullptr;
  const ModelConfig* last = m;
  std::vector<const ModelConfig*> chain = {m};
  for (const std::string& f : m->fallbacks) chain.push_back(find(f));
  for (size_t hop = 0; hop < chain.size(); ++hop) {
    const ModelConfig* h = chain[hop];
    if (h == nullptr) continue;  // checked at load; defensive
    if (hop > 0 && (h->kind != ModelKind::kEmbedding || !allowed(*h, call.principal))) {
      // A fallback never widens what the caller may use: the chain stops here (fail closed).
      attempts.push_back({{"model", h->name},
                          {"fallback", true},
                          {"outcome", "denied"},
                          {"error", "the principal holds no grant for this fallback"}});
      break;
    }
    last = h;
    int last_status = 0;
    result = attemptEmbedding(options_, call, *h, hop > 0, attempts, &last_status);
    if (result.ok()) {
      served = h;
      break;
    }
    // A malformed request fails on every model: no fallback after 400, 413, 422.
    if (last_status != 0 && !fallbackAfter(last_status)) break;
  }
  const Usage no_usage;
  const Usage& u = result.ok() ? result->usage : no_usage;
  // No answer: nothing was used. An answer without usage (Gemini's): the estimate stands.
  budgets_.settle(*ticket, served == nullptr ? 0 : u.known ? u.input_tokens + u.output_tokens : -1);
  audit::ModelCall c;
  const ModelConfig* answered = served != nullptr ? served : last;
  c.provider = answered->provider;
  c.model = answered->model;
  c.requested_model = m->name;
  c.outcome = result.ok() ? "ok" : "error";
  if (!result.ok()) c.error = clipped(result.status().message(), 500);
  c.parameters_extra = {{"kind", "embedding"},
                        {"inputs", call.request.inputs.size()},
                        {"encoding_format",
                         call.request.encoding == EmbeddingEncoding::kBase64 ? "base64" : "float"}};
  if (call.request.dimensions) c.parameters_extra["dimensions"] = *call.request.dimensions;
  if (result.ok()) {
    c.model_version = clipped(result->model, 200);
    c.usage = result->usage.toJson();
  }
  std::string prompt;
  for (const std::string& s : call.request.inputs) prompt += s + "\n";
  if (prompt.size() > audit::kMaxPromptBytes) prompt.resize(audit::kMaxPromptBytes);
  c.rendered_prompt = std::move(prompt);
  c.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count();
  c.claims = call.request.claims;
  c.attempts = std::move(attempts);
  WARD_RETURN_IF_ERROR(recordFinishedCall(options_, call.trace, call.principal, c));
  return result;
}

}  // namespace ward::models
