// ward replay: a recorded trace re-run offline (docs/design/audit.md "Replay", answer.md
// "Replay"): proxied model calls from their cassettes (the answer decoded again, the client
// bytes rendered again), or a whole answer through answer::replayAnswer; --model forks.
// Needs the auditor role (it reads cassettes); every replay is recorded.
#include <chrono>
#include <iostream>
#include <optional>

#include "replay_bytes.h"
#include "trace_access.h"
#include "ward/answer/answer_replay.h"
#include "ward/audit/replay_divergence.h"
#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/identity/directory.h"
#include "ward/identity/document_scope.h"
#include "ward/models/cassette.h"
#include "ward/models/openai_chat_format.h"
#include "ward/models/provider.h"

namespace ward::cli {

namespace {

// An answer as a replay step's response (replay_divergence.h).
Json stepResponse(const models::ChatResponse& r) {
  Json calls = Json::array();
  for (const models::ToolCall& t : r.message.tool_calls) {
    calls.push_back({{"name", t.name}, {"arguments", t.arguments}});
  }
  return Json{{"text", r.message.text()},
              {"tool_calls", calls},
              {"finish_reason", std::string(finishReasonName(r.finish))}};
}

// A fork: the recorded Ward-form request sent live to another configured model through
// ModelService (as the replaying principal, so its grants apply), compared with the recording.
Json forkStep(CliContext& ctx, const audit::TraceAccess& a,
              const Result<audit::StoredCassette>& stored, const std::string& sha,
              const std::string& model, std::optional<audit::Divergence>* divergence, size_t step) {
  if (!stored.ok() || stored->erased) return Json{{"cassette", sha}, {"error", "unreadable"}};
  auto c = models::Cassette::fromJson(stored->cassette);
  if (!c.ok()) return Json{{"cassette", sha}, {"error", c.status().message()}};
  auto recorded = answer::decodeCassetteAnswer(*c);
  auto request = models::parseChatCompletionRequest(c->request);
  auto service = ctx.models();
  if (!recorded.ok() || !request.ok() || !service.ok()) {
    return Json{{"cassette", sha}, {"error", "cannot fork this step"}};
  }
  request->model = model;
  request->stream = false;
  models::ChatCall call{*a.who, a.request, *request};
  auto answer = (*service)->chat(call);
  if (!answer.ok()) return Json{{"cassette", sha}, {"error", answer.status().message()}};
  audit::ReplayStep rec{c->request, stepResponse(*recorded)};
  audit::ReplayStep rep{c->request, stepResponse(*answer)};
  auto d = audit::firstDivergence({rec}, {rep});
  if (d && !divergence->has_value()) {
    d->step = step;
    *divergence = d;
  }
  return Json{{"cassette", sha}, {"model", model}, {"identical", !d.has_value()}};
}

// One model call of a recorded trace replayed offline from its cassette: the bytes the provider
// sent are decoded again by the same adapter (no network), and the answer's hash compared with
// the one recorded at call time.
Json replayStep(const Result<audit::StoredCassette>& stored, const Json& attempt,
                const Json& recorded_event, const Json& sent,
                std::optional<audit::Divergence>* divergence, size_t step) {
  const std::string sha = attempt.value("cassette", "");
  if (!stored.ok()) return Json{{"cassette", sha}, {"error", stored.status().message()}};
  if (stored->erased) return Json{{"cassette", sha}, {"error", "the cassette was erased"}};
  auto c = models::Cassette::fromJson(stored->cassette);
  if (!c.ok()) return Json{{"cassette", sha}, {"error", c.status().message()}};
  auto decoded = answer::decodeCassetteAnswer(*c);
  if (!decoded.ok()) return Json{{"cassette", sha}, {"error", decoded.status().message()}};
  const models::ChatResponse& answer = *decoded;
  const std::string hash = models::responseSha256(answer);
  // The step as recorded (the model_call event) and as replayed, for the divergence finder.
  const Json attrs = recorded_event.value("attributes", Json::object());
  Json calls = Json::array();
  for (const models::ToolCall& t : answer.message.tool_calls) {
    calls.push_back({{"name", t.name}, {"arguments", t.arguments}});
  }
  Json recorded_calls = Json::array();
  for (const Json& t : attrs.value("tool_calls", Json::array())) {
    recorded_calls.push_back(
        {{"name", t.value("name", "")}, {"arguments", t.value("arguments", "")}});
  }
  audit::ReplayStep rec{
      c->request,
      {{"tool_calls", recorded_calls}, {"finish_reason", attrs.value("finish_reason", "")}}};
  audit::ReplayStep rep{
      c->request,
      {{"tool_calls", calls}, {"finish_reason", std::string(finishReasonName(answer.finish))}}};
  if (!divergence->has_value()) {
    auto d = audit::firstDivergence({rec}, {rep});
    if (!d && hash != c->response_sha256) {  // same calls and finish: the text moved
      d = audit::Divergence{};
      d->kind = audit::DivergenceKind::kText;
      d->pointer = "/text";
      d->recorded = c->response_sha256;
      d->replayed = hash;
    }
    if (d) {
      d->step = step;
      *divergence = d;
    }
  }
  Json out = {{"cassette", sha},
              {"stream", c->stream},
              {"recorded_sha256", c->response_sha256},
              {"replayed_sha256", hash},
              {"identical", hash == c->response_sha256}};
  // The client-visible bytes: recorded when the response was sent (a `response_sent` event),
  // rendered again here from the cassette and what the event recorded.
  const Json sent_attrs = sent.value("attributes", Json::object());
  const std::string front_door = sent_attrs.value("front_door", "");
  std::optional<Result<std::string>> bytes;
  if (front_door == "chat_completions") {
    bytes = chatCompletionsClientBytes(*c, sent_attrs.value("include_usage", false));
  } else if (front_door == "responses") {
    const Json echo = sent_attrs.value("request_echo", Json());
    if (!echo.is_object()) {
      out["client_bytes_checked"] = false;
      out["client_bytes_unchecked_reason"] = "the request echo was not recorded (over 64 KiB)";
    } else if (sha256Hex(dumpJson(echo)) != sent_attrs.value("echo_sha256", "")) {
      out["client_bytes_checked"] = false;
      out["client_bytes_unchecked_reason"] = "redaction changed the recorded request echo";
    } else {
      const models::ResponsesIdentity identity{sent_attrs.value("response_id", ""),
                                               sent_attrs.value("created_at", int64_t{0})};
      bytes = responsesClientBytes(*c, echo, identity);
    }
  }
  if (bytes) {
    const std::string recorded = sent_attrs.value("client_sha256", "");
    const std::string replayed = bytes->ok() ? sha256Hex(**bytes) : "";
    out["recorded_client_sha256"] = recorded;
    out["replayed_client_sha256"] = replayed;
    if (recorded != replayed) {
      out["identical"] = false;
      if (!divergence->has_value()) {
        audit::Divergence d;
        d.step = step;
        d.kind = audit::DivergenceKind::kText;
        d.pointer = "/client_sha256";
        d.recorded = recorded;
        d.replayed = replayed;
        *divergence = d;
      }
    }
  }
  return out;
}

// The cassettes named, read in one go (one role check, one recorded read); when one of them
// cannot be read, each is read alone so the others still replay (its step reports the error).
// PermissionDenied (not an auditor) ends the replay.
Result<std::vector<Result<audit::StoredCassette>>> readCassettes(
    audit::TraceService& svc, const audit::TraceAccess& a, const std::vector<std::string>& shas) {
  std::vector<Result<audit::StoredCassette>> out;
  auto all = svc.cassettes(a, shas);
  if (all.ok()) {
    for (audit::StoredCassette& c : *all) out.emplace_back(std::move(c));
    return out;
  }
  if (all.status().code() == StatusCode::kPermissionDenied) return all.status();
  for (const std::string& sha : shas) out.push_back(svc.cassette(a, sha));
  return out;
}

struct ReplayOptions {
  std::string model;  // fork to this [[models]] entry; "" = offline
  size_t from_step = 0;
  std::string tools = "recorded";
};

// Records a replay (every replay is, like any read of the trail) in the replay's own trace.
Status recordReplay(CliContext& ctx, const audit::TraceAccess& a, const std::string& id,
                    const ReplayOptions& ro, bool identical, size_t steps,
                    const std::optional<audit::Divergence>& divergence, const char* target) {
  trace::TraceEvent ev;
  ev.context = a.request;
  ev.kind = "replay";
  ev.tenant = a.who->tenant;
  ev.principal = a.who->name;
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = {{"target_trace_id", id},
                   {"identical", identical},
                   {"steps", steps},
                   {"via", "cli"},
                   {"target", target}};
  if (!ro.model.empty()) {
    ev.attributes["fork_model"] = ro.model;
    ev.attributes["from_step"] = ro.from_step;
    ev.attributes["tools"] = ro.tools;
  }
  if (divergence) ev.attributes["divergence"] = divergence->toJson();
  return ctx.traces().record(ev);
}

// The principal an answer was given to (and its agent), as they are now: --tools live runs the
// fork's tool calls as them.
Result<std::pair<identity::Principal, std::optional<identity::Principal>>> originalPrincipal(
    CliContext& ctx, const Json& event) {
  WARD_ASSIGN_OR_RETURN(identity::Principal who, ctx.principal(event.value("principal", "")));
  const std::string agent = event.value("attributes", Json::object()).value("agent", "");
  if (agent.empty()) return std::make_pair(who, std::optional<identity::Principal>());
  WARD_ASSIGN_OR_RETURN(identity::Principal a, ctx.principal(agent));
  WARD_ASSIGN_OR_RETURN(identity::Principal acting,
                        identity::resolveActingFor(ctx.store(), who, a));
  return std::make_pair(acting, std::optional<identity::Principal>(a));
}

// An answer trace replayed (answer_replay.h): the model steps' cassettes in order, the answer
// loop run again offline (or forked), compared with the `answer` event.
int replayAnswerTrace(CliContext& ctx, audit::TraceService& svc, const audit::TraceAccess& a,
                      const std::string& id, const Json& events, const Json& answer_event,
                      const ReadOptions& o, const ReplayOptions& ro) {
  const auto start = std::chrono::steady_clock::now();
  auto tools = answer::parseReplayTools(ro.tools);
  if (!tools.ok()) return fail(tools.status());
  std::vector<std::string> shas;
  for (const Json& e : events) {
    if (e.value("kind", "") != "model_call") continue;
    const Json attrs = e.value("attributes", Json::object());
    for (const Json& attempt : attrs.value("attempts", Json::array())) {
      if (attempt.value("outcome", "") != "ok" || !attempt.contains("cassette")) continue;
      shas.push_back(attempt.value("cassette", ""));
    }
  }
  std::vector<models::Cassette> cassettes;
  if (!shas.empty()) {
    auto stored = svc.cassettes(a, shas);  // the auditor role, first of all
    if (!stored.ok()) return fail(stored.status());
    for (const audit::StoredCassette& s : *stored) {
      if (s.erased) return fail(Status::failedPrecondition("a step's cassette was erased"));
      auto c = models::Cassette::fromJson(s.cassette);
      if (!c.ok()) return fail(c.status());
      cassettes.push_back(std::move(*c));
    }
  }
  auto config = answer::loadAnswerConfig(ctx.configPath());
  if (!config.ok()) return fail(config.status());
  const Json attrs = answer_event.value("attributes", Json::object());
  answer::AnswerReplayInput in{attrs, id, cassettes};
  in.store = &ctx.store();
  in.config = *config;
  std::optional<std::pair<identity::Principal, std::optional<identity::Principal>>> original;
  if (!ro.model.empty()) {
    auto models = ctx.models();
    if (!models.ok()) return fail(models.status());
    in.model = ro.model;
    in.from_step = ro.from_step;
    in.tools = *tools;
    in.models = *models;
    in.replayer = a.who;
    in.replay_trace = a.request;
    if (*tools == answer::ReplayTools::kLive) {
      auto gw = ctx.gateway();
      if (!gw.ok()) return fail(gw.status());
      in.gateway = *gw;
      auto who = originalPrincipal(ctx, answer_event);
      if (!who.ok()) return fail(who.status());
      original = std::move(*who);
      in.original = &original->first;
      if (original->second) in.agent = &*original->second;
    }
  }
  auto report = answer::replayAnswer(in);
  if (!report.ok()) return fail(report.status());
  const int64_t took_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
  Json out = report->toJson();
  out["trace_id"] = id;
  out["kind"] = "answer";
  out["cassettes"] = shas;
  out["replay_us"] = took_us;
  out["replay_trace_id"] = a.request.trace_id;
  if (!ro.model.empty()) {
    out["model"] = ro.model;
    out["from_step"] = ro.from_step;
    out["tools"] = ro.tools;
  }
  Status st = recordReplay(ctx, a, id, ro, report->identical, report->steps.size(),
                           report->divergence, "answer");
  if (!st.ok()) return fail(st);
  std::cout << dumpJson(out, o.json ? -1 : 2) << "\n";
  return report->identical ? 0 : 3;
}

int runReplay(CliContext& ctx, const std::string& id, const ReadOptions& o,
              const ReplayOptions& ro) {
  const std::string& fork_model = ro.model;
  if (fork_model.empty() && (ro.from_step != 0 || ro.tools != "recorded")) {
    return fail(Status::invalidArgument("--from-step and --tools need --model (a fork)"));
  }
  return withService(ctx, o.as, [&](audit::TraceService& svc, const audit::TraceAccess& a) {
    const auto start = std::chrono::steady_clock::now();
    auto shown = svc.show(a, id);
    if (!shown.ok()) return fail(shown.status());
    for (const Json& e : (*shown)["events"]) {
      if (e.value("kind", "") == "answer") {
        return replayAnswerTrace(ctx, svc, a, id, (*shown)["events"], e, o, ro);
      }
    }
    if (ro.tools != "recorded") {
      return fail(Status::invalidArgument("--tools applies to answer traces only"));
    }
    Json steps = Json::array();
    std::optional<audit::Divergence> divergence;
    bool identical = true;
    const Json& events = (*shown)["events"];
    struct Pending {
      const Json* event;
      Json attempt, sent;
    };
    std::vector<Pending> pending;
    std::vector<std::string> shas;
    for (size_t i = 0; i < events.size(); ++i) {
      const Json& e = events[i];
      if (e.value("kind", "") != "model_call") continue;
      // The bytes the client got for this call: the next `response_sent` before another call.
      Json sent = Json::object();
      for (size_t j = i + 1; j < events.size(); ++j) {
        const std::string kind = events[j].value("kind", "");
        if (kind == "model_call") break;
        if (kind == "response_sent") {
          sent = events[j];
          break;
        }
      }
      const Json attrs = e.value("attributes", Json::object());
      for (const Json& attempt : attrs.value("attempts", Json::array())) {
        if (attempt.value("outcome", "") != "ok" || !attempt.contains("cassette")) continue;
        pending.push_back({&e, attempt, sent});
        shas.push_back(attempt.value("cassette", ""));
      }
    }
    // Reading cassettes needs the auditor role: a refusal ends the replay.
    auto stored = readCassettes(svc, a, shas);
    if (!stored.ok()) return fail(stored.status());
    for (size_t k = 0; k < pending.size(); ++k) {
      const Pending& p = pending[k];
      Json s =
          fork_model.empty() || steps.size() < ro.from_step
              ? replayStep((*stored)[k], p.attempt, *p.event, p.sent, &divergence, steps.size())
              : forkStep(ctx, a, (*stored)[k], shas[k], fork_model, &divergence, steps.size());
      identical = identical && s.value("identical", false);
      steps.push_back(std::move(s));
    }
    if (steps.empty()) {
      return fail(Status::notFound("trace " + id + " has no model call with a cassette"));
    }
    const int64_t took_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count();
    Json out = {
        {"trace_id", id}, {"identical", identical}, {"steps", steps}, {"replay_us", took_us}};
    if (!fork_model.empty()) out["model"] = fork_model;
    if (divergence) out["divergence"] = divergence->toJson();
    // Replays are recorded like any other read of the trail.
    Status st = recordReplay(ctx, a, id, ro, identical, steps.size(), divergence, "proxy");
    if (!st.ok()) return fail(st);
    std::cout << dumpJson(out, o.json ? -1 : 2) << "\n";
    return identical ? 0 : 3;
  });
}

}  // namespace

void registerReplayCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  static std::string id;
  auto* replay = app.add_subcommand(
      "replay", "Replay a recorded proxy call or answer offline, or fork it (auditors)");
  static ReadOptions ro;
  static ReplayOptions rpo;
  replay->add_option("TRACE", id, "32-hex trace id")->required();
  replay->add_option("--model", rpo.model,
                     "Fork: send each recorded request live to this [[models]] entry instead");
  replay->add_option("--from-step", rpo.from_step,
                     "Fork from this 0-based model step (earlier steps come from the record)");
  replay->add_option("--tools", rpo.tools,
                     "A fork's tool calls (answer traces): recorded (default), live or deny");
  addReadOptions(replay, ro);
  replay->callback([&ctx, &slot] { slot.run = [&ctx] { return runReplay(ctx, id, ro, rpo); }; });
}

}  // namespace ward::cli
