// Embeddings through the governed path (docs/design/models.md "Embeddings"): the same grant
// check as chat models (a [[models]] entry with kind = "embedding"; unknown, ungranted and chat
// models get the same 404, recorded), the adapter, retries on retryable failures, one
// model_call record with usage. No fallbacks and no token budgets for embeddings (yet).
#include <chrono>
#include <thread>

#include "call_recording.h"
#include "retry_policy.h"
#include "ward/audit/model_call.h"
#include "ward/common/clock.h"
#include "ward/models/model_service.h"

namespace ward::models {

namespace {

std::string clipped(const std::string& s, size_t max) {
  return s.size() <= max ? s : s.substr(0, max) + "...";
}

Status embeddingFailure(const ModelConfig& m, int status, const ProviderError& e, int64_t wait_ms) {
  const std::string who = "model '" + m.name + "'";
  if (status == 400 || status == 413 || status == 422) {
    return Status::invalidArgument(who + ": the provider refused the request: " +
                                   clipped(e.message, 300));
  }
  if (status == 401 || status == 403) {
    return Status::unavailable(who + ": the provider refused Ward's credentials (HTTP " +
                               std::to_string(status) + ")");
  }
  if (status == 429) {
    Status s = Status::resourceExhausted(who + ": the provider is rate limiting: " +
                                         clipped(e.message, 300));
    if (wait_ms > 0) s.withRetryAfterSeconds((wait_ms + 999) / 1000);
    return s;
  }
  return Status::unavailable(who + ": the provider answered HTTP " + std::to_string(status));
}

}  // namespace

Result<EmbeddingResponse> ModelService::embed(const EmbeddingCall& call) {
  ChatRequest asked;  // the refusal record's form of the request
  asked.model = call.request.model;
  asked.claims = call.request.claims;
  const ChatCall as_chat{call.principal, call.trace, std::move(asked)};
  const ModelConfig* m = find(call.request.model);
  if (m == nullptr || m->kind != ModelKind::kEmbedding || !allowed(*m, call.principal)) {
    recordDenied(as_chat, m == nullptr                          ? "no such model"
                          : m->kind != ModelKind::kEmbedding ? "not an embedding model"
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
  const auto start = std::chrono::steady_clock::now();
  Json attempts = Json::array();
  Result<EmbeddingResponse> result = Status::unavailable("model '" + m->name + "' was not called");
  [&] {
    auto provider = providerFor(m->provider);
    if (!provider.ok()) {
      result = provider.status();
      return;
    }
    ProviderTarget target;
    target.config = m;
    target.traceparent = call.trace.traceparent();
    if (!m->api_key_secret.empty()) {
      auto key = options_.secrets ? options_.secrets(m->api_key_secret)
                                  : Result<std::string>(Status::failedPrecondition("no secrets"));
      if (!key.ok()) {
        attempts.push_back({{"outcome", "error"}, {"error", "API key secret unavailable"}});
        result = Status::unavailable("model '" + m->name + "' is not usable: its API key secret '" +
                                     m->api_key_secret + "' cannot be read");
        return;
      }
      target.api_key = std::move(*key);
    }
    auto request = (*provider)->embeddingRequest(target, call.request);
    if (!request.ok()) {
      result = request.status();
      return;
    }
    for (int attempt = 0;; ++attempt) {
      auto reply = net::send(*request, nullptr);
      if (!reply.ok()) {
        RetryDecision d = retryAfterTransport(attempt, *m);
        attempts.push_back({{"model", m->name}, {"outcome", "error"},
                            {"error", reply.status().message()}, {"retry", d.retry}});
        if (!d.retry) {
          result = Status::unavailable("model '" + m->name +
                                       "' cannot be reached: " + reply.status().message());
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(d.wait_ms));
        continue;
      }
      if (reply->status >= 200 && reply->status < 300) {
        result = (*provider)->parseEmbeddings(reply->body, call.request.inputs.size());
        attempts.push_back({{"model", m->name}, {"status", reply->status},
                            {"outcome", result.ok() ? "ok" : "error"}});
        if (!result.ok()) {
          result = Status::unavailable("model '" + m->name + "': " + result.status().message());
        }
        return;
      }
      const ProviderError err = (*provider)->parseError(*reply);
      RetryDecision d = retryAfterReply(*reply, err, attempt, *m,
                                        SystemClock::instance().nowMicros() / 1000000);
      attempts.push_back({{"model", m->name}, {"status", reply->status}, {"outcome", "error"},
                          {"error", clipped(err.message, 300)}, {"retry", d.retry},
                          {"decision", d.reason}});
      if (!d.retry) {
        result = embeddingFailure(*m, reply->status, err, d.wait_ms);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(d.wait_ms));
    }
  }();
  audit::ModelCall c;
  c.provider = m->provider;
  c.model = m->model;
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
