// The governed path to a model: who may call which [[models]] entry (deny by default), the call
// through the adapter with retries and fallbacks (each hop authorised again), and one
// `model_call` trace event per call (docs/design/models.md). The one API the proxy's handlers
// call.
//
// Ownership: borrows the trace sink, prompt store and redactor of ModelServiceOptions (they must
// outlive the service). Thread-safe. The destructor waits for streams still running (see
// StreamGuard).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ward/audit/cassette_store.h"
#include "ward/audit/prompt_store.h"
#include "ward/common/mutex.h"
#include "ward/identity/principal.h"
#include "ward/models/chat.h"
#include "ward/models/embeddings.h"
#include "ward/models/model_config.h"
#include "ward/models/openai_responses_format.h"
#include "ward/models/provider.h"
#include "ward/models/token_budgets.h"
#include "ward/trace/redactor.h"
#include "ward/trace/trace.h"

namespace ward::models {

// The plaintext of a tenant secret by name (never logged or recorded).
using SecretLookup = std::function<Result<std::string>(const std::string& name)>;

// Whether `principal` may receive a model's call of the tool `name`: Ok when the tool is not a
// tool of Ward's gateway or the caller may call it; PermissionDenied when it is a gateway tool
// the caller holds no grant for. Any other error fails the call (deny by default).
using ToolCallPolicy =
    std::function<Status(const identity::Principal& principal, const std::string& name)>;

struct ModelServiceOptions {
  std::vector<ModelConfig> models;
  trace::TraceSink* traces = nullptr;     // required: every call and refusal is recorded
  audit::PromptStore* prompts = nullptr;  // null: the rendered prompt is only hashed
  // Each attempt's raw exchange, sealed (cassette.h); null: none is kept.
  audit::CassetteStore* cassettes = nullptr;
  const trace::Redactor* redactor = nullptr;  // applied to the prompt before hash and store
  SecretLookup secrets;                       // API keys; null: no key can be read
  std::vector<BudgetConfig> budgets;          // [[model_budgets]]; empty = no token limits
  ToolCallPolicy tool_policy;                 // null: every tool call is returned to the caller
  const Clock* clock = nullptr;               // budget windows; null = SystemClock
  // Requests that ask a provider to keep state ([proxy] provider_state).
  ProviderStateMode provider_state = ProviderStateMode::kRefuse;
};

// A model a caller may use, as GET /v1/models lists it.
struct ModelInfo {
  std::string name;
  std::string provider;
};

// One call as the front door hands it over.
struct ChatCall {
  identity::Principal principal;  // from authentication only
  trace::TraceContext trace;
  ChatRequest request;
};

// One embeddings call as the front door hands it over.
struct EmbeddingCall {
  identity::Principal principal;  // from authentication only
  trace::TraceContext trace;
  EmbeddingRequest request;
};

// Receives a streamed answer. start() comes once, before the first event; nothing is sent to
// the client before it, so until then a failure can still become an HTTP error. A false return
// means the client went away: the upstream transfer stops.
class ChatStreamSink {
 public:
  virtual ~ChatStreamSink() = default;
  virtual bool start(const ChatResponse& head) = 0;
  virtual bool event(const ChatResponse& head, const StreamEvent& event) = 0;
};

class ModelService {
 public:
  explicit ModelService(ModelServiceOptions options);
  ~ModelService();

  // The models `principal` may call, in configuration order.
  std::vector<ModelInfo> listModels(const identity::Principal& principal) const;

  // Checks the request against the model's limits and the caller's grant. NotFound for a model
  // that is not configured or not granted (the same answer, so names do not leak); the refusal
  // of a configured model is recorded. InvalidArgument for an oversize prompt.
  Status authorize(const ChatCall& call) const;

  // A complete (non-streamed) call: authorize, token budget (ResourceExhausted, recorded as a
  // refusal), adapter, retries, fallbacks, the tool-call policy on the answer (PermissionDenied
  // when the model called a gateway tool the caller may not use: the answer is withheld), record.
  // Streams apply the same policy before any tool call is forwarded.
  //
  // `sent`, when given, is called once with an answer about to be returned (not for a failure)
  // and returns the front door's own event for it (response_sent), which is recorded after the
  // model_call record in the same durable append: one sync for both (trace_batch.h).
  using SentEvent = std::function<std::optional<trace::TraceEvent>(const ChatResponse&)>;
  Result<ChatResponse> chat(const ChatCall& call, const SentEvent& sent = nullptr);

  // A streamed call. Errors before sink.start() are returned as for chat(); after it the
  // returned Status says how the stream failed (the caller ends the client's stream with it).
  //
  // `end`, when given, is called once the call is over (with its outcome, before the returned
  // Status is known) and returns the front door's own event for the stream's end (response_sent,
  // or nothing), which is recorded after the model_call record in the same durable append: one
  // sync for both. The front door sends its last bytes only after chatStream returns.
  using StreamEnd = std::function<std::optional<trace::TraceEvent>(const Status& outcome)>;
  Status chatStream(const ChatCall& call, ChatStreamSink& sink, const StreamEnd& end = nullptr);

  // Embeddings (model_service_embed.cc): the model must be of kind "embedding" and granted
  // (else the same NotFound as chat, recorded); the input within its max_prompt_bytes; token
  // budgets (ResourceExhausted, recorded), retries and fallbacks (each hop authorised again) as
  // for chat; one model_call record with every attempt and the usage.
  Result<EmbeddingResponse> embed(const EmbeddingCall& call);

  // [proxy] provider_state (model_service_front.cc).
  ProviderStateMode providerState() const;
  // Records a request a front door refused before calling (e.g. one asking for provider state)
  // as a model_call with outcome "denied" and `reason` (model_service_front.cc).
  void recordRefusal(const ChatCall& call, const std::string& reason) const;

  // Held by a thread that runs chatStream for a front door: the destructor waits for it.
  class StreamGuard {
   public:
    explicit StreamGuard(ModelService& service);
    ~StreamGuard();
    StreamGuard(const StreamGuard&) = delete;
    StreamGuard& operator=(const StreamGuard&) = delete;

   private:
    ModelService& service_;
  };

  struct Attempt;  // one try at one model (model_service.cc)
  struct CallState;

 private:
  const ModelConfig* find(const std::string& name) const;
  bool allowed(const ModelConfig& model, const identity::Principal& p) const;
  Status callChain(const ChatCall& call, CallState& state, ChatStreamSink* sink);
  Status attemptModel(const ChatCall& call, const ModelConfig& model, CallState& state,
                      ChatStreamSink* sink);
  Status record(const ChatCall& call, const CallState& state, const Status& outcome,
                std::vector<trace::TraceEvent> also = {}) const;
  Status checkToolCalls(const ChatCall& call, const std::vector<ToolCall>& calls) const;
  void recordDenied(const ChatCall& call, const std::string& reason) const;

  Result<TokenBudgets::Ticket> admit(const ChatCall& call);
  void settle(const TokenBudgets::Ticket& ticket, const CallState& state);

  ModelServiceOptions options_;
  TokenBudgets budgets_;
  Mutex mu_;
  CondVar idle_;
  int streams_ WARD_GUARDED_BY(mu_) = 0;
};

}  // namespace ward::models
