// Trace events as an OTLP ExportTraceServiceRequest in the JSON encoding, with the GenAI
// semantic conventions (docs/formats/otlp-export.md has the mapping table).
#include "ward/audit/trace_export.h"
#include "ward/common/hash.h"

namespace ward::audit {

namespace {

// OTLP Span.SpanKind and Status.StatusCode values.
constexpr int kSpanKindInternal = 1;
constexpr int kSpanKindServer = 2;
constexpr int kSpanKindClient = 3;
constexpr int kStatusError = 2;

Json anyValue(const Json& v) {
  if (v.is_boolean()) return Json{{"boolValue", v.get<bool>()}};
  // OTLP JSON carries 64-bit integers as decimal strings.
  if (v.is_number_integer()) return Json{{"intValue", v.dump()}};
  if (v.is_number_float()) return Json{{"doubleValue", v.get<double>()}};
  if (v.is_string()) return Json{{"stringValue", v.get<std::string>()}};
  if (v.is_array()) {
    bool scalars = true;
    for (const Json& e : v) scalars = scalars && !e.is_object() && !e.is_array();
    if (scalars) {
      Json values = Json::array();
      for (const Json& e : v) values.push_back(anyValue(e));
      return Json{{"arrayValue", {{"values", values}}}};
    }
  }
  return Json{{"stringValue", v.dump()}};  // objects and nested arrays: compact JSON text
}

class Attributes {
 public:
  void add(const std::string& key, const Json& value) {
    if (value.is_null()) return;
    list_.push_back(Json{{"key", key}, {"value", anyValue(value)}});
  }
  void addIf(const Json& attrs, const char* from, const std::string& key) {
    auto it = attrs.find(from);
    if (it != attrs.end()) add(key, *it);
  }
  Json take() { return std::move(list_); }

 private:
  Json list_ = Json::array();
};

std::string stringAttr(const Json& a, const char* key) {
  auto it = a.find(key);
  return it != a.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "name@version" -> {name, version}
std::pair<std::string, std::string> splitTool(const std::string& tool) {
  size_t at = tool.rfind('@');
  if (at == std::string::npos) return {tool, ""};
  return {tool.substr(0, at), tool.substr(at + 1)};
}

struct SpanShape {
  std::string name;
  int kind = kSpanKindInternal;
  int64_t duration_us = 0;
  bool error = false;
  std::string error_message;
};

SpanShape mapSearch(const trace::TraceEvent& e, const OtlpOptions& o, Attributes& at) {
  const Json& a = e.attributes;
  at.add("gen_ai.operation.name", "retrieval");
  at.add("gen_ai.data_source.id", "ward:" + e.tenant);
  if (a.contains("k") && a["k"].is_number()) at.add("gen_ai.request.top_k", a["k"].get<double>());
  at.addIf(a, "total_matches", "ward.search.total_matches");
  if (a.contains("acl") && a["acl"].is_object()) {
    at.addIf(a["acl"], "candidates_removed", "ward.acl.candidates_removed");
    at.addIf(a["acl"], "rule", "ward.acl.rule");
  }
  if (a.contains("hits") && a["hits"].is_array()) {
    at.add("ward.search.hits", static_cast<int64_t>(a["hits"].size()));
    if (o.include_content) {
      Json docs = Json::array();
      for (const Json& h : a["hits"]) {
        if (h.is_object())
          docs.push_back(
              {{"id", h.value("chunk_id", Json(""))}, {"score", h.value("score", Json(0))}});
      }
      at.add("gen_ai.retrieval.documents", docs.dump());
    }
  }
  if (o.include_content) at.addIf(a, "query", "gen_ai.retrieval.query.text");
  SpanShape s;
  s.name = "retrieval ward:" + e.tenant;
  s.kind = kSpanKindClient;  // the convention's kind for retrieval spans
  if (a.contains("took_ms") && a["took_ms"].is_number()) {
    s.duration_us = static_cast<int64_t>(a["took_ms"].get<double>() * 1000);
  }
  return s;
}

SpanShape mapToolCall(const trace::TraceEvent& e, const OtlpOptions& o, Attributes& at) {
  const Json& a = e.attributes;
  auto [tool, version] = splitTool(stringAttr(a, "tool"));
  at.add("gen_ai.operation.name", "execute_tool");
  at.add("gen_ai.tool.name", tool);
  at.add("gen_ai.tool.type", "function");
  if (!version.empty()) at.add("ward.tool.version", version);
  at.addIf(a, "correlation_id", "gen_ai.tool.call.id");
  at.addIf(a, "decision", "ward.tool.decision");
  at.addIf(a, "stage", "ward.tool.stage");
  at.addIf(a, "risk", "ward.tool.risk");
  at.addIf(a, "approval_id", "ward.approval.id");
  at.addIf(a, "reviewer", "ward.approval.reviewer");
  at.addIf(a, "agent", "gen_ai.agent.name");
  at.addIf(a, "backend_status", "ward.tool.backend_status");
  if (o.include_content) {
    if (a.contains("args")) at.add("gen_ai.tool.call.arguments", a["args"].dump());
    if (a.contains("result")) at.add("gen_ai.tool.call.result", a["result"].dump());
  }
  SpanShape s;
  s.name = "execute_tool " + tool;
  if (a.contains("duration_us") && a["duration_us"].is_number_integer()) {
    s.duration_us = a["duration_us"].get<int64_t>();
  }
  std::string err = stringAttr(a, "error");
  if (!err.empty()) {
    at.add("error.type", err);
    s.error = true;
    s.error_message = stringAttr(a, "reason");
  }
  return s;
}

SpanShape mapModelCall(const trace::TraceEvent& e, Attributes& at) {
  const Json& a = e.attributes;
  // recordModelCall nests parameters and usage and names the served model model_version
  // (audit/model_call.h); flat keys are read too.
  const Json& params =
      a.contains("parameters") && a["parameters"].is_object() ? a["parameters"] : a;
  const Json& usage = a.contains("usage") && a["usage"].is_object() ? a["usage"] : a;
  std::string op = stringAttr(a, "operation");
  if (op.empty()) op = stringAttr(params, "operation");
  if (op.empty()) op = "chat";
  at.add("gen_ai.operation.name", op);
  at.addIf(a, "provider", "gen_ai.provider.name");
  at.addIf(a, "model", "gen_ai.request.model");
  at.addIf(a, "response_model", "gen_ai.response.model");
  at.addIf(a, "model_version", "gen_ai.response.model");
  at.addIf(a, "finish_reason", "gen_ai.response.finish_reasons");
  at.addIf(params, "temperature", "gen_ai.request.temperature");
  at.addIf(params, "top_p", "gen_ai.request.top_p");
  at.addIf(params, "max_tokens", "gen_ai.request.max_tokens");
  at.addIf(params, "seed", "gen_ai.request.seed");
  at.addIf(usage, "input_tokens", "gen_ai.usage.input_tokens");
  at.addIf(usage, "output_tokens", "gen_ai.usage.output_tokens");
  at.addIf(a, "requested_model", "ward.model.requested");
  at.addIf(a, "outcome", "ward.model.outcome");
  at.addIf(a, "version", "ward.model.version");
  at.addIf(a, "template_id", "ward.prompt.template_id");
  at.addIf(a, "template_hash", "ward.prompt.template_hash");
  SpanShape s;
  s.name = op + " " + stringAttr(a, "model");
  s.kind = kSpanKindClient;  // the model runs elsewhere
  if (a.contains("duration_us") && a["duration_us"].is_number_integer()) {
    s.duration_us = a["duration_us"].get<int64_t>();
  } else if (a.contains("latency_ms") && a["latency_ms"].is_number()) {
    s.duration_us = static_cast<int64_t>(a["latency_ms"].get<double>() * 1000);
  }
  return s;
}

// Kinds without a GenAI convention: their scalar attributes under ward.<kind>.<key>.
SpanShape mapOther(const trace::TraceEvent& e, Attributes& at) {
  for (const auto& [k, v] : e.attributes.items()) at.add("ward." + e.kind + "." + k, v);
  SpanShape s;
  s.name = "ward." + e.kind;
  if (e.kind == "auth_failure") {
    s.kind = kSpanKindServer;
    s.error = true;
    s.error_message = stringAttr(e.attributes, "reason");
  }
  return s;
}

Json spanJson(const StoredTraceEvent& stored, const OtlpOptions& o) {
  const trace::TraceEvent& e = stored.event;
  Attributes at;
  SpanShape shape;
  if (e.kind == "search") {
    shape = mapSearch(e, o, at);
  } else if (e.kind == "tool_call") {
    shape = mapToolCall(e, o, at);
  } else if (e.kind == "model_call") {
    shape = mapModelCall(e, at);
  } else {
    shape = mapOther(e, at);
  }
  at.add("ward.event.kind", e.kind);
  at.add("ward.tenant", e.tenant);
  if (!e.principal.empty()) at.add("ward.principal", e.principal);
  at.add("ward.audit.record", static_cast<int64_t>(stored.index));
  int64_t start_ns = e.time_us * 1000;
  Json span = {{"traceId", e.context.trace_id},
               {"spanId", exportSpanId(e.context.trace_id, stored.index)},
               {"name", shape.name},
               {"kind", shape.kind},
               {"startTimeUnixNano", std::to_string(start_ns)},
               {"endTimeUnixNano", std::to_string(start_ns + shape.duration_us * 1000)},
               {"attributes", at.take()}};
  // Each record is a child of the request's span (several records can share one request).
  if (!e.context.span_id.empty()) span["parentSpanId"] = e.context.span_id;
  if (shape.error) span["status"] = {{"code", kStatusError}, {"message", shape.error_message}};
  return span;
}

}  // namespace

std::string exportSpanId(const std::string& trace_id, uint64_t index) {
  return sha256Hex(trace_id + "/" + std::to_string(index)).substr(0, 16);
}

Json encodeOtlpTraces(const std::vector<StoredTraceEvent>& batch, const OtlpOptions& options) {
  Json spans = Json::array();
  for (const StoredTraceEvent& s : batch) spans.push_back(spanJson(s, options));
  Json resource_attrs = Json::array();
  resource_attrs.push_back({{"key", "service.name"}, {"value", anyValue(options.service_name)}});
  resource_attrs.push_back({{"key", "telemetry.sdk.name"}, {"value", anyValue("ward")}});
  resource_attrs.push_back({{"key", "telemetry.sdk.language"}, {"value", anyValue("cpp")}});
  const std::string schema =
      std::string("https://opentelemetry.io/schemas/") + kGenAiSemconvVersion;
  return Json{{"resourceSpans",
               Json::array({{{"resource", {{"attributes", resource_attrs}}},
                             {"scopeSpans",
                              Json::array({{{"scope", {{"name", "ward.audit"}, {"version", "1"}}},
                                            {"spans", spans},
                                            {"schemaUrl", schema}}})},
                             {"schemaUrl", schema}}})}};
}

}  // namespace ward::audit
