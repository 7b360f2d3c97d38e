// model_call events and their prompts.
#include "ward/audit/model_call.h"

#include "ward/audit/trace_batch.h"
#include "ward/common/hash.h"

namespace ward::audit {

namespace {

Result<std::string> text(const Json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return Status::invalidArgument("field '" + std::string(key) + "' is required");
    return std::string();
  }
  if (!it->is_string()) {
    return Status::invalidArgument("field '" + std::string(key) + "' must be a string");
  }
  std::string v = it->get<std::string>();
  if (v.size() > kMaxModelFieldBytes) {
    return Status::invalidArgument("field '" + std::string(key) + "' is longer than " +
                                   std::to_string(kMaxModelFieldBytes) + " bytes");
  }
  if (required && v.empty()) {
    return Status::invalidArgument("field '" + std::string(key) + "' must not be empty");
  }
  return v;
}

Result<std::optional<double>> number(const Json& params, const char* key, double lo, double hi) {
  auto it = params.find(key);
  if (it == params.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) {
    return Status::invalidArgument("field 'parameters." + std::string(key) + "' must be a number");
  }
  double v = it->get<double>();
  if (!(v >= lo && v <= hi)) {
    return Status::invalidArgument("field 'parameters." + std::string(key) + "' must be between " +
                                   Json(lo).dump() + " and " + Json(hi).dump());
  }
  return std::optional<double>(v);
}

Result<std::optional<int64_t>> integer(const Json& params, const char* key, int64_t lo) {
  auto it = params.find(key);
  if (it == params.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer() || it->get<int64_t>() < lo) {
    return Status::invalidArgument("field 'parameters." + std::string(key) +
                                   "' must be an integer >= " + std::to_string(lo));
  }
  return std::optional<int64_t>(it->get<int64_t>());
}

Status parseParameters(const Json& body, ModelCall& c) {
  auto it = body.find("parameters");
  if (it == body.end() || it->is_null()) return Status();
  if (!it->is_object()) return Status::invalidArgument("field 'parameters' must be an object");
  for (const auto& [k, v] : it->items()) {
    if (k != "temperature" && k != "top_p" && k != "max_tokens" && k != "seed") {
      return Status::invalidArgument("field 'parameters." + k +
                                     "' is unknown (temperature, top_p, max_tokens, seed)");
    }
  }
  WARD_ASSIGN_OR_RETURN(c.temperature, number(*it, "temperature", 0.0, 10.0));
  WARD_ASSIGN_OR_RETURN(c.top_p, number(*it, "top_p", 0.0, 1.0));
  WARD_ASSIGN_OR_RETURN(c.max_tokens, integer(*it, "max_tokens", 1));
  WARD_ASSIGN_OR_RETURN(c.seed, integer(*it, "seed", INT64_MIN));
  return Status();
}

Status parseTools(const Json& body, ModelCall& c) {
  auto it = body.find("tools_offered");
  if (it == body.end() || it->is_null()) return Status();
  if (!it->is_array()) return Status::invalidArgument("field 'tools_offered' must be an array");
  if (it->size() > kMaxToolsOffered) {
    return Status::invalidArgument("field 'tools_offered' has more than " +
                                   std::to_string(kMaxToolsOffered) + " entries");
  }
  for (const auto& t : *it) {
    if (!t.is_string() || t.get<std::string>().empty() ||
        t.get<std::string>().size() > kMaxModelFieldBytes) {
      return Status::invalidArgument("field 'tools_offered' must hold non-empty tool names");
    }
    c.tools_offered.push_back(t.get<std::string>());
  }
  return Status();
}

Status parsePrompt(const Json& body, ModelCall& c) {
  auto it = body.find("prompt");
  if (it == body.end() || it->is_null()) return Status();
  if (!it->is_object()) return Status::invalidArgument("field 'prompt' must be an object");
  WARD_ASSIGN_OR_RETURN(c.prompt_template_id, text(*it, "template_id", false));
  auto r = it->find("rendered");
  if (r != it->end() && !r->is_null()) {
    if (!r->is_string()) return Status::invalidArgument("field 'prompt.rendered' must be a string");
    c.rendered_prompt = r->get<std::string>();
    if (c.rendered_prompt.size() > kMaxPromptBytes) {
      return Status::invalidArgument("field 'prompt.rendered' is longer than " +
                                     std::to_string(kMaxPromptBytes) + " bytes");
    }
  }
  return Status();
}

}  // namespace

Result<ModelCall> parseModelCall(const Json& body) {
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  ModelCall c;
  WARD_ASSIGN_OR_RETURN(c.provider, text(body, "provider", true));
  WARD_ASSIGN_OR_RETURN(c.model, text(body, "model", true));
  WARD_ASSIGN_OR_RETURN(c.model_version, text(body, "model_version", false));
  WARD_ASSIGN_OR_RETURN(c.finish_reason, text(body, "finish_reason", false));
  WARD_RETURN_IF_ERROR(parseParameters(body, c));
  WARD_RETURN_IF_ERROR(parseTools(body, c));
  WARD_RETURN_IF_ERROR(parsePrompt(body, c));
  return c;
}

namespace {

// The rendered prompt redacted, then stored (or only hashed without a store): its SHA-256 in
// `*sha256`; true when stored. The hash is of the redacted text: it is what the store keeps and
// can be checked against, and a hash of the raw text could confirm a guessed secret.
Result<bool> storeRedacted(const ModelCallRecording& where, const std::string& template_id,
                           const std::string& rendered, std::string* sha256) {
  std::string redacted =
      where.redactor != nullptr ? where.redactor->redactText(rendered) : rendered;
  if (where.prompts == nullptr) {
    *sha256 = sha256Hex(redacted);
    return false;
  }
  WARD_ASSIGN_OR_RETURN(*sha256,
                        where.prompts->put(where.tenant, template_id, redacted, where.time_us));
  return true;
}

}  // namespace

Status preparePrompt(const ModelCallRecording& where, ModelCall& call) {
  if (call.rendered_prompt.empty()) return Status();
  std::string sha256;
  WARD_ASSIGN_OR_RETURN(
      bool stored, storeRedacted(where, call.prompt_template_id, call.rendered_prompt, &sha256));
  call.prepared_prompt_sha256 = std::move(sha256);
  call.prepared_prompt_stored = stored;
  call.rendered_prompt.clear();
  return Status();
}

Result<Json> recordModelCall(const ModelCallRecording& where, const ModelCall& c) {
  if (where.sink == nullptr) return Status::internal("recordModelCall: no trace sink");
  Json params = Json::object();
  if (c.temperature) params["temperature"] = *c.temperature;
  if (c.top_p) params["top_p"] = *c.top_p;
  if (c.max_tokens) params["max_tokens"] = *c.max_tokens;
  if (c.seed) params["seed"] = *c.seed;
  if (c.parameters_extra.is_object()) {
    for (const auto& [k, v] : c.parameters_extra.items()) params[k] = v;
  }
  Json attrs = {{"provider", c.provider},
                {"model", c.model},
                {"parameters", params},
                {"tools_offered", c.tools_offered}};
  if (!c.model_version.empty()) attrs["model_version"] = c.model_version;
  if (!c.finish_reason.empty()) attrs["finish_reason"] = c.finish_reason;
  if (!c.requested_model.empty()) attrs["requested_model"] = c.requested_model;
  if (!c.outcome.empty()) attrs["outcome"] = c.outcome;
  if (!c.error.empty()) attrs["error"] = c.error;
  if (!c.usage.is_null()) attrs["usage"] = c.usage;
  if (c.latency_us >= 0) attrs["latency_ms"] = static_cast<double>(c.latency_us) / 1000.0;
  if (c.stream) attrs["stream"] = *c.stream;
  if (!c.claims.is_null() && !c.claims.empty()) attrs["claims"] = c.claims;
  if (!c.attempts.is_null()) attrs["attempts"] = c.attempts;
  if (!c.tool_calls.is_null()) attrs["tool_calls"] = c.tool_calls;
  if (!c.prompt_template_id.empty() || !c.rendered_prompt.empty() ||
      !c.prepared_prompt_sha256.empty()) {
    Json prompt = {{"template_id", c.prompt_template_id}, {"stored", false}};
    if (!c.prepared_prompt_sha256.empty()) {
      prompt["sha256"] = c.prepared_prompt_sha256;
      prompt["stored"] = c.prepared_prompt_stored;
    } else if (!c.rendered_prompt.empty()) {
      std::string sha256;
      WARD_ASSIGN_OR_RETURN(bool stored,
                            storeRedacted(where, c.prompt_template_id, c.rendered_prompt, &sha256));
      prompt["sha256"] = std::move(sha256);
      prompt["stored"] = stored;
    }
    attrs["prompt"] = std::move(prompt);
  }
  trace::TraceEvent e;
  e.context = where.context;
  e.context.parent_span_id = where.context.span_id;
  e.context.span_id = trace::TraceContext::generate().span_id;
  e.kind = "model_call";
  e.tenant = where.tenant;
  e.principal = where.principal;
  e.time_us = where.time_us;
  e.attributes = std::move(attrs);
  if (where.also.empty()) {
    WARD_RETURN_IF_ERROR(where.sink->record(e));
  } else {
    std::vector<trace::TraceEvent> all;
    all.reserve(1 + where.also.size());
    all.push_back(std::move(e));
    all.insert(all.end(), where.also.begin(), where.also.end());
    WARD_RETURN_IF_ERROR(recordAll(*where.sink, all));
    e = std::move(all.front());
  }
  e.attributes["span_id"] = e.context.span_id;
  return std::move(e.attributes);
}

}  // namespace ward::audit
