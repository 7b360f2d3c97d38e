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
#include "trace_access.h"
#include "ward/audit/trace_explain.h"
#include "ward/common/clock.h"
#include "ward/identity/directory.h"

namespace ward::cli {

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
  audit::TraceAccess access{&*who, trace::TraceContext::generate()};
  return fn(**service, access);
}

namespace {

struct ListOptions {
  ReadOptions read;
  std::string principal, tool, kind, decision, since, until;
  size_t limit = 0;  // 0: every matching event (traces: the default page size)
  uint64_t before = 0;
  bool traces = false;
};

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
  const trace::TraceEvent& e = r.event;
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

}  // namespace

void addReadOptions(CLI::App* cmd, ReadOptions& o) {
  cmd->add_option("--as", o.as, "Read as this principal (needs the auditor role)");
  cmd->add_flag("--json", o.json, "JSON output");
}

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

  registerReplayCommand(app, ctx, slot);

  auto* explain = app.add_subcommand("explain", "Explain one trace: who, what, why, with records");
  static ReadOptions xo;
  explain->add_option("ID", id, "32-hex trace id")->required();
  addReadOptions(explain, xo);
  explain->callback([&ctx, &slot] { slot.run = [&ctx] { return runExplain(ctx, id, xo); }; });
}

}  // namespace ward::cli
