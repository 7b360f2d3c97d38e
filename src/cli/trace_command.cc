// ward trace list | show: trace events read back from the audit log (read-only; a torn tail is
// skipped, a corrupt record fails the command — `ward audit verify` says more).
#include <iostream>

#include "commands.h"
#include "ward/audit/audit_trace_sink.h"
#include "ward/common/clock.h"

namespace ward::cli {

namespace {

struct ListFilter {
  std::string principal;
  std::string kind;
  std::string since;
  size_t limit = 0;  // 0: no limit (the newest `limit` events otherwise)
  bool json = false;
};

Json eventJson(const audit::StoredTraceEvent& s) {
  const audit::TraceEvent& e = s.event;
  return Json{{"record", s.index},
              {"time", formatRfc3339(e.time_us)},
              {"time_us", e.time_us},
              {"kind", e.kind},
              {"tenant", e.tenant},
              {"principal", e.principal},
              {"trace_id", e.context.trace_id},
              {"span_id", e.context.span_id},
              {"parent_span_id", e.context.parent_span_id},
              {"attributes", e.attributes}};
}

Result<std::vector<audit::StoredTraceEvent>> readAll(CliContext& ctx) {
  WARD_RETURN_IF_ERROR(ctx.loadConfig());
  return audit::readTraceEvents(ctx.auditDir());
}

int runList(CliContext& ctx, const ListFilter& f) {
  int64_t since_us = 0;
  if (!f.since.empty() && !parseRfc3339(f.since, &since_us)) {
    return fail(
        Status::invalidArgument("--since must be an RFC 3339 date or time, got '" + f.since + "'"));
  }
  auto events = readAll(ctx);
  if (!events.ok()) return fail(events.status());
  std::vector<const audit::StoredTraceEvent*> shown;
  for (const auto& s : *events) {
    if (!f.principal.empty() && s.event.principal != f.principal) continue;
    if (!f.kind.empty() && s.event.kind != f.kind) continue;
    if (!f.since.empty() && s.event.time_us < since_us) continue;
    shown.push_back(&s);
  }
  if (f.limit > 0 && shown.size() > f.limit) shown.erase(shown.begin(), shown.end() - f.limit);
  for (const auto* s : shown) {
    if (f.json) {
      std::cout << dumpJson(eventJson(*s)) << "\n";
    } else {
      std::cout << s->index << "\t" << formatRfc3339(s->event.time_us) << "\t" << s->event.kind
                << "\t" << (s->event.principal.empty() ? "-" : s->event.principal) << "\t"
                << s->event.context.trace_id << "\n";
    }
  }
  return 0;
}

bool allDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 20;
}

int runShow(CliContext& ctx, const std::string& id, bool json) {
  auto events = readAll(ctx);
  if (!events.ok()) return fail(events.status());
  // A 32-hex trace id shows every event of that trace; a number shows that record.
  bool by_index = allDigits(id) && id.size() != 32;
  Json found = Json::array();
  for (const auto& s : *events) {
    if (by_index ? std::to_string(s.index) == id : s.event.context.trace_id == id) {
      found.push_back(eventJson(s));
    }
  }
  if (found.empty()) {
    return fail(Status::notFound("no trace event with " +
                                 std::string(by_index ? "record index " : "trace id ") + id));
  }
  if (json) {
    for (const auto& e : found) std::cout << dumpJson(e) << "\n";
  } else {
    std::cout << dumpJson(found.size() == 1 ? found[0] : found, 2) << "\n";
  }
  return 0;
}

}  // namespace

void registerTraceCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* trace = app.add_subcommand("trace", "Read trace events back from the audit log");
  trace->require_subcommand(1);

  auto* list = trace->add_subcommand("list", "List trace events, oldest first");
  static ListFilter filter;
  list->add_option("--principal", filter.principal, "Only events of this principal");
  list->add_option("--kind", filter.kind, "Only events of this kind (search, ingest, ...)");
  list->add_option("--since", filter.since, "Only events at or after this RFC 3339 time");
  list->add_option("--limit", filter.limit, "Only the newest N matching events");
  list->add_flag("--json", filter.json, "One JSON object per line");
  list->callback([&ctx, &slot] { slot.run = [&ctx] { return runList(ctx, filter); }; });

  auto* show = trace->add_subcommand("show", "Show the events of one trace (or one record)");
  static std::string id;
  static bool show_json = false;
  show->add_option("ID", id, "32-hex trace id, or a record index")->required();
  show->add_flag("--json", show_json, "One compact JSON object per line");
  show->callback([&ctx, &slot] { slot.run = [&ctx] { return runShow(ctx, id, show_json); }; });
}

}  // namespace ward::cli
