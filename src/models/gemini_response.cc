// Gemini answers and errors into Ward's form.
#include <cmath>
#include <cstdlib>

#include "gemini_format.h"
#include "ward/common/hash.h"

namespace ward::models {

namespace {

int64_t num(const Json& u, const char* k) {
  return u.contains(k) && u[k].is_number_integer() ? u[k].get<int64_t>() : 0;
}

// "46s", "0.020s" as milliseconds; -1 when not a duration.
int64_t durationMs(const std::string& d) {
  if (d.size() < 2 || d.back() != 's') return -1;
  const std::string n = d.substr(0, d.size() - 1);
  char* end = nullptr;
  const double v = std::strtod(n.c_str(), &end);
  if (end == n.c_str() || *end != '\0' || !(v >= 0) || v > 1e9) return -1;
  return static_cast<int64_t>(std::llround(v * 1000));
}

}  // namespace

std::string mintToolCallId(std::string_view response_id, size_t index, const Json& function_call) {
  const std::string seed =
      std::string(response_id) + "\n" + std::to_string(index) + "\n" + function_call.dump();
  return "call_" + sha256Hex(seed).substr(0, 24);
}

FinishReason geminiFinish(const std::string& reason) {
  if (reason == "MAX_TOKENS") return FinishReason::kLength;
  if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" ||
      reason == "PROHIBITED_CONTENT" || reason == "SPII" || reason == "IMAGE_SAFETY" ||
      reason == "IMAGE_PROHIBITED_CONTENT" || reason == "IMAGE_RECITATION") {
    return FinishReason::kContentFilter;
  }
  return FinishReason::kStop;  // STOP, LANGUAGE, OTHER, MALFORMED_FUNCTION_CALL, ...
}

Usage geminiUsage(const Json& u) {
  Usage usage;
  if (!u.is_object()) return usage;
  usage.known = true;
  // promptTokenCount includes the cached tokens (the OpenAI convention); thoughts are billed as
  // output and reported apart from candidates: Ward's output count adds them.
  usage.input_tokens = num(u, "promptTokenCount") + num(u, "toolUsePromptTokenCount");
  usage.cached_input_tokens = num(u, "cachedContentTokenCount");
  usage.reasoning_tokens = num(u, "thoughtsTokenCount");
  usage.output_tokens = num(u, "candidatesTokenCount") + usage.reasoning_tokens;
  return usage;
}

ToolCall geminiToolCall(const Json& part, std::string_view response_id, size_t index) {
  const Json& f = part["functionCall"];
  ToolCall c;
  c.name = f.value("name", std::string());
  const std::string id = f.contains("id") && f["id"].is_string() ? f["id"].get<std::string>() : "";
  c.id = id.empty() ? mintToolCallId(response_id, index, f) : id;
  c.arguments = f.contains("args") && f["args"].is_object() ? f["args"].dump() : "{}";
  if (part.contains("thoughtSignature") && part["thoughtSignature"].is_string()) {
    c.opaque = {{"extra_content", {{"google", {{"thought_signature", part["thoughtSignature"]}}}}}};
  }
  return c;
}

Result<ChatResponse> parseGeminiResponse(const Json& body) {
  auto bad = [](const std::string& what) {
    return Status::unavailable("the provider's answer is not a Gemini response: " + what);
  };
  if (!body.is_object()) return bad("not an object");
  ChatResponse r;
  r.id = body.value("responseId", std::string());
  r.model = body.value("modelVersion", std::string());
  r.message.role = Role::kAssistant;
  r.message.content_null = true;
  if (body.contains("usageMetadata")) r.usage = geminiUsage(body["usageMetadata"]);
  const Json& candidates = body.value("candidates", Json::array());
  if (!candidates.is_array() || candidates.empty()) {
    // The prompt itself was blocked: no candidate, a promptFeedback.blockReason.
    if (body.contains("promptFeedback") && body["promptFeedback"].is_object() &&
        body["promptFeedback"].contains("blockReason")) {
      r.finish = FinishReason::kContentFilter;
      return r;
    }
    return bad("no candidates");
  }
  const Json& cand = candidates[0];
  if (!cand.is_object()) return bad("a candidate is not an object");
  const Json& parts = cand.contains("content") && cand["content"].is_object()
                          ? cand["content"].value("parts", Json::array())
                          : Json::array();
  for (const Json& p : parts) {
    if (!p.is_object()) continue;
    if (p.contains("functionCall") && p["functionCall"].is_object()) {
      ToolCall c = geminiToolCall(p, r.id, r.message.tool_calls.size());
      if (c.name.empty()) return bad("a functionCall has no name");
      r.message.tool_calls.push_back(std::move(c));
    } else if (p.contains("text") && p["text"].is_string() && !p.value("thought", false)) {
      if (r.message.content_null) {
        r.message.content_null = false;
        r.message.content.push_back({ContentPart::Kind::kText, "", nullptr});
      }
      r.message.content.back().text += p["text"].get<std::string>();
    }  // thought summaries and other parts are not part of the answer
  }
  r.finish = geminiFinish(cand.value("finishReason", std::string()));
  // The dialect has no tool-call finish reason: STOP with calls means tool_calls.
  if (!r.message.tool_calls.empty() && r.finish == FinishReason::kStop) {
    r.finish = FinishReason::kToolCalls;
  }
  return r;
}

ProviderError parseGeminiError(int http_status, const std::string& body) {
  ProviderError e;
  e.http_status = http_status;
  auto parsed = parseJson(body);
  const Json* j = parsed.ok() ? &*parsed : nullptr;
  if (j != nullptr && j->is_array() && !j->empty()) j = &(*j)[0];  // the stream form
  if (j != nullptr && j->is_object() && j->contains("error") && (*j)["error"].is_object()) {
    const Json& err = (*j)["error"];
    e.message = err.value("message", std::string());
    e.type = err.value("status", std::string());
    e.code = e.type;
    const Json& details = err.value("details", Json::array());
    for (const Json& d : details.is_array() ? details : Json::array()) {
      if (!d.is_object()) continue;
      const std::string type = d.value("@type", "");
      if (type.ends_with("google.rpc.RetryInfo") && d.contains("retryDelay") &&
          d["retryDelay"].is_string()) {
        e.retry_after_ms = durationMs(d["retryDelay"].get<std::string>());
      } else if (type.ends_with("google.rpc.QuotaFailure") && d.contains("violations") &&
                 d["violations"].is_array()) {
        for (const Json& v : d["violations"]) {
          if (v.is_object() && v.value("quotaId", "").find("PerDay") != std::string::npos) {
            e.code = "insufficient_quota";  // a daily quota: waiting minutes does not help
          }
        }
      }
    }
  }
  if (e.message.empty()) e.message = body.substr(0, 300);
  return e;
}

}  // namespace ward::models
