// ward trace list | show | feedback | prompt, and ward explain: traces read back from the audit
// log through audit::TraceService, so every read is permissioned and recorded (read-only on the
// log; a torn tail is skipped, a corrupt record fails the command — `ward audit verify` says more).
//
// Without --as the reader is the local operator: principal "cli", an admin of the configured
// tenant (whoever can run ward on the data dir can read its files anyway); the read is still
// recorded under that name. With --as NAME the principal's own roles apply.
#include <chrono>
#include <iostream>
#include <optional>

#include "commands.h"
#include "replay_bytes.h"
#include "ward/answer/answer_replay.h"
#include "ward/audit/replay_divergence.h"
#include "ward/audit/trace_explain.h"
#include "ward/models/cassette.h"
#include "ward/models/openai_chat_format.h"
#include "ward/models/provider.h"
#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/identity/directory.h"
#include "ward/identity/document_scope.h"

namespace ward::cli {

namespace {

struct ReadOptions {
  std::string as;
  bool json = false;
};

struct ListOptions {
  ReadOptions read;
  std::string principal, tool, kind, decision, since, until;
  size_t limit = 0;  // 0: every matching event (traces: the default page size)
  uint64_t before = 0;
  bool traces = false;
};

// The reader: --as NAME, or the local operator.
Result<identity::Principal> reader(CliContext& ctx, const std::string& as) {
  if (!as.empty()) return ctx.principal(as);
  identity::Principal op;
  op.tenant = ctx.tenant();
  op.name = "cli";
  op.admin = true;
  return op;
}

// Opens the data dir and runs `fn` with the service and this command's access.
int withService(CliContext& ctx, const std::string& as,
                const std::function<int(audit::TraceService&, const audit::TraceAccess&)>& fn) {
  Status s = ctx.open();
  if (!s.ok()) return fail(s);
  auto who = reader(ctx, as);
  if (!who.ok()) return fail(who.status());
  auto service = ctx.traceService();
  if (!service.ok()) return fail(service.status());
  audit::TraceAccess access{&*who, audit::TraceContext::generate()};
  return fn(**service, access);
}

Result<int64_t> parseTime(const char* flag, const std::string& text) {
  int64_t us = 0;
  if (text.empty()) return us;
  if (!parseRfc3339(text, &us)) {
    return Status::invalidArgument(std::string(flag) + " must be an RFC 3339 date or time, got '" +
                                   text + "'");
  }
  return us;
}

Result<audit::TraceQuery> toQuery(const ListOptions& o) {
  audit::TraceQuery q;
  q.principal = o.principal;
  q.tool = o.tool;
  q.kind = o.kind;
  q.decision = o.decision;
  WARD_ASSIGN_OR_RETURN(q.since_us, parseTime("--since", o.since));
  WARD_ASSIGN_OR_RETURN(q.until_us, parseTime("--until", o.until));
  q.before = o.before;
  q.limit = o.limit;
  if (o.traces && q.limit == 0) q.limit = audit::kDefaultTraceListLimit;
  return q;
}

void printEvent(const audit::TraceRecord& r, bool json) {
  if (json) {
    std::cout << dumpJson(audit::traceRecordJson(r)) << "\n";
    return;
  }
  const audit::TraceEvent& e = r.event;
  std::cout << r.index << "\t" << formatRfc3339(e.time_us) << "\t" << e.kind << "\t"
            << (e.principal.empty() ? "-" : e.principal) << "\t" << e.context.trace_id << "\n";
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

int runList(CliContext& ctx, const ListOptions& o) {
  auto q = toQuery(o);
  if (!q.ok()) return fail(q.status());
  return withService(ctx, o.read.as, [&](audit::TraceService& svc, const audit::TraceAccess& a) {
    if (!o.traces) {
      auto events = svc.listEvents(a, *q);
      if (!events.ok()) return fail(events.status());
      for (const auto& r : *events) printEvent(r, o.read.json);
      return 0;
    }
    auto page = svc.list(a, *q);
    if (!page.ok()) return fail(page.status());
    for (const auto& t : page->traces) {
      if (o.read.json) {
        std::cout << dumpJson(audit::traceSummaryJson(t)) << "\n";
      } else {
        std::cout << t.trace_id << "\t" << formatRfc3339(t.started_us) << "\t" << t.events
                  << " events\t" << joined(t.principals) << "\t" << joined(t.kinds) << "\t"
                  << joined(t.decisions) << "\t#" << t.first_record << "\n";
      }
    }
    if (page->next_before != 0) {
      std::cerr << "more: --before " << page->next_before << "\n";
    }
    return 0;
  });
}

bool isRecordIndex(const std::string& s) {
  return !s.empty() && s.size() < 20 && s.find_first_not_of("0123456789") == std::string::npos;
}

int runShow(CliContext& ctx, const std::string& id, const ReadOptions& o) {
  return withService(ctx, o.as, [&](audit::TraceService& svc, const audit::TraceAccess& a) {
    // A 32-hex trace id shows every event of that trace; a number shows that record.
    if (isRecordIndex(id) && id.size() != 32) {
      auto r = svc.record(a, std::stoull(id));
      if (!r.ok()) return fail(r.status());
      std::cout << dumpJson(audit::traceRecordJson(*r), o.json ? -1 : 2) << "\n";
      return 0;
    }
    auto shown = svc.show(a, id);
    if (!shown.ok()) return fail(shown.status());
    const Json& events = (*shown)["events"];
    if (o.json) {
      for (const auto& e : events) std::cout << dumpJson(e) << "\n";
    } else {
      std::cout << dumpJson(events.size() == 1 ? events[0] : events, 2) << "\n";
    }
    return 0;
  });
}

int runExplain(CliContext& ctx, const std::string& id, const ReadOptions& o) {
  return withService(ctx, o.as, [&](audit::TraceService& svc, const audit::TraceAccess& a) {
    auto x = svc.explain(a, id);
    if (!x.ok()) return fail(x.status());
    if (o.json) {
      std::cout << dumpJson(*x, 2) << "\n";
    } else {
      std::cout << audit::formatExplanation(*x);
    }
    return 0;
  });
}

struct FeedbackOptions {
  std::string as;
  int rating = 0;
  std::string reason, corrected;
  bool override_ = false;
};

int runFeedback(CliContext& ctx, const std::string& id, const FeedbackOptions& f) {
  return withService(ctx, f.as, [&](audit::TraceService& svc, const audit::TraceAccess& a) {
    Json body = {{"override", f.override_}};
    if (f.rating != 0) body["rating"] = f.rating;
    if (!f.reason.empty()) body["reason"] = f.reason;
    if (!f.corrected.empty()) body["corrected_answer"] = f.corrected;
    auto out = svc.feedback(a, id, body);
    if (!out.ok()) return fail(out.status());
    std::cout << dumpJson(*out) << "\n";
    return 0;
  });
}

int runPrompt(CliContext& ctx, const std::string& sha, const std::string& as) {
  return withService(ctx, as, [&](audit::TraceService& svc, const audit::TraceAccess& a) {
    auto p = svc.prompt(a, sha);
    if (!p.ok()) return fail(p.status());
    std::cout << dumpJson(p->toJson(), 2) << "\n";
    return 0;
  });
}

int runCassette(CliContext& ctx, const std::string& sha, const std::string& as) {
  return withService(ctx, as, [&](audit::TraceService& svc, const audit::TraceAccess& a) {
    auto c = svc.cassette(a, sha);
    if (!c.ok()) return fail(c.status());
    std::cout << dumpJson(c->toJson(), 2) << "\n";
    return 0;
  });
}

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
              const std::string& model,
              std::optional<audit::Divergence>* divergence, size_t step) {
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
    recorded_calls.push_back({{"name", t.value("name", "")}, {"arguments", t.value("arguments", "")}});
  }
  audit::ReplayStep rec{c->request, {{"tool_calls", recorded_calls},
                                     {"finish_reason", attrs.value("finish_reason", "")}}};
  audit::ReplayStep rep{c->request, {{"tool_calls", calls},
                                     {"finish_reason", std::string(finishReasonName(answer.finish))}}};
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
  // rendered again here for /v1/chat/completions.
  const Json sent_attrs = sent.value("attributes", Json::object());
  if (sent_attrs.value("front_door", "") == "chat_completions") {
    auto bytes = chatCompletionsClientBytes(*c, sent_attrs.value("include_usage", false));
    const std::string recorded = sent_attrs.value("client_sha256", "");
    const std::string replayed = bytes.ok() ? sha256Hex(*bytes) : "";
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
  } else if (!sent_attrs.empty()) {
    out["client_bytes_checked"] = false;  // /v1/responses: not rendered again yet
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
  audit::TraceEvent ev;
  ev.context = a.request;
  ev.kind = "replay";
  ev.tenant = a.who->tenant;
  ev.principal = a.who->name;
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = {{"target_trace_id", id}, {"identical", identical},
                   {"steps", steps},        {"via", "cli"},
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
    for (const Json& attempt : e.value("attributes", Json::object()).value("attempts", Json::array())) {
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
      Json s = fork_model.empty() || steps.size() < ro.from_step
                   ? replayStep((*stored)[k], p.attempt, *p.event, p.sent, &divergence,
                                steps.size())
                   : forkStep(ctx, a, (*stored)[k], shas[k], fork_model, &divergence,
                              steps.size());
      identical = identical && s.value("identical", false);
      steps.push_back(std::move(s));
    }
    if (steps.empty()) {
      return fail(Status::notFound("trace " + id + " has no model call with a cassette"));
    }
    const int64_t took_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count();
    Json out = {{"trace_id", id}, {"identical", identical}, {"steps", steps},
                {"replay_us", took_us}};
    if (!fork_model.empty()) out["model"] = fork_model;
    if (divergence) out["divergence"] = divergence->toJson();
    // Replays are recorded like any other read of the trail.
    Status st = recordReplay(ctx, a, id, ro, identical, steps.size(), divergence, "proxy");
    if (!st.ok()) return fail(st);
    std::cout << dumpJson(out, o.json ? -1 : 2) << "\n";
    return identical ? 0 : 3;
  });
}

void addReadOptions(CLI::App* cmd, ReadOptions& o) {
  cmd->add_option("--as", o.as, "Read as this principal (needs the auditor role)");
  cmd->add_flag("--json", o.json, "JSON output");
}

}  // namespace

void registerTraceCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* trace = app.add_subcommand("trace", "Read trace events back from the audit log");
  trace->require_subcommand(1);

  auto* list = trace->add_subcommand("list", "List trace events (oldest first), or --traces");
  static ListOptions lo;
  list->add_option("--principal", lo.principal, "Only events (traces) of this principal");
  list->add_option("--tool", lo.tool, "Only tool calls of this tool (name or name@version)");
  list->add_option("--kind", lo.kind, "Only events of this kind (search, tool_call, ...)");
  list->add_option("--decision", lo.decision, "Only events with this decision (denied, ...)");
  list->add_option("--since", lo.since, "Only events at or after this RFC 3339 time");
  list->add_option("--until", lo.until, "Only events before this RFC 3339 time");
  list->add_option("--limit", lo.limit, "Only the newest N matches");
  list->add_option("--before", lo.before, "Only records (traces starting) before this index");
  list->add_flag("--traces", lo.traces, "One line per trace, newest first (paged)");
  addReadOptions(list, lo.read);
  list->callback([&ctx, &slot] { slot.run = [&ctx] { return runList(ctx, lo); }; });

  auto* show = trace->add_subcommand("show", "Show the events of one trace (or one record)");
  static std::string id;
  static ReadOptions so;
  show->add_option("ID", id, "32-hex trace id, or a record index")->required();
  addReadOptions(show, so);
  show->callback([&ctx, &slot] { slot.run = [&ctx] { return runShow(ctx, id, so); }; });

  auto* fb = trace->add_subcommand("feedback", "Record feedback (or an override) on a trace");
  static FeedbackOptions fo;
  fb->add_option("ID", id, "32-hex trace id")->required();
  fb->add_option("--as", fo.as, "The reviewer")->required();
  fb->add_option("--rating", fo.rating, "1 (bad) .. 5 (good)");
  fb->add_option("--reason", fo.reason, "Why");
  fb->add_option("--corrected-answer", fo.corrected, "What the answer should have been");
  fb->add_flag("--override", fo.override_, "An override (needs the reviewer role)");
  fb->callback([&ctx, &slot] { slot.run = [&ctx] { return runFeedback(ctx, id, fo); }; });

  auto* prompt = trace->add_subcommand("prompt", "Show a stored rendered prompt (auditors)");
  static std::string sha, prompt_as;
  prompt->add_option("SHA256", sha, "The prompt's sha256 from a model_call span")->required();
  prompt->add_option("--as", prompt_as, "A member of the group 'auditors'")->required();
  prompt->callback([&ctx, &slot] { slot.run = [&ctx] { return runPrompt(ctx, sha, prompt_as); }; });

  auto* cassette = trace->add_subcommand("cassette", "Show a model call's raw exchange (auditors)");
  static std::string cassette_sha, cassette_as;
  cassette->add_option("SHA256", cassette_sha, "An attempt's cassette from a model_call span")
      ->required();
  cassette->add_option("--as", cassette_as, "A member of the group 'auditors'")->required();
  cassette->callback(
      [&ctx, &slot] { slot.run = [&ctx] { return runCassette(ctx, cassette_sha, cassette_as); }; });

  auto* replay = app.add_subcommand(
      "replay", "Replay a trace's proxied model calls offline from their cassettes (auditors)");
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
  replay->callback(
      [&ctx, &slot] { slot.run = [&ctx] { return runReplay(ctx, id, ro, rpo); }; });

  auto* explain = app.add_subcommand("explain", "Explain one trace: who, what, why, with records");
  static ReadOptions xo;
  explain->add_option("ID", id, "32-hex trace id")->required();
  addReadOptions(explain, xo);
  explain->callback([&ctx, &slot] { slot.run = [&ctx] { return runExplain(ctx, id, xo); }; });
}

}  // namespace ward::cli
