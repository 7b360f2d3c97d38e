// Model-backed drafts; the contract is in model_answerer.h.
#include "model_answerer.h"

#include "ward/answer/prompt_templates.h"
#include "ward/common/hash.h"
#include "ward/answer/ask_tool.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/models/model_service.h"

namespace ward::answer {

namespace {

constexpr std::string_view kAnswerTemplateName = "answer";

models::Message textMessage(models::Role role, std::string text) {
  models::Message m;
  m.role = role;
  models::ContentPart part;
  part.text = std::move(text);
  m.content.push_back(std::move(part));
  return m;
}

// Runs the model's tool calls through the gateway; each result (or refusal) becomes a tool
// message. The turn has read retrieved documents, so every call carries that taint.
void routeToolCalls(const ModelDraftInput& in, const std::vector<models::ToolCall>& calls,
                    std::vector<models::Message>& messages, ModelDraft& out) {
  gateway::TurnTaint taint;
  taint.untrusted = true;
  for (const Passage& p : in.passages) {
    std::string source = "doc:" + p.doc_id;
    if (taint.sources.empty() || taint.sources.back() != source) taint.sources.push_back(source);
    taint.texts.push_back({source, p.text});  // for the gateway's exfiltration check
  }
  for (const models::ToolCall& tc : calls) {
    Json reply;
    std::string outcome;
    auto args = parseJson(tc.arguments.empty() ? "{}" : tc.arguments);
    if (!args.ok() || !args->is_object()) {
      outcome = "invalid_arguments";
      reply = {{"error", "the arguments are not a JSON object"}};
    } else {
      gateway::CallRequest req;
      req.principal = in.who;
      if (in.agent != nullptr) req.agent = *in.agent;
      req.tool = tc.name;
      req.args = *args;
      req.trace = in.trace;
      req.via = {{"front_door", "answer"}};
      req.taint = taint;
      auto result = in.gateway->call(std::move(req));
      if (result.ok()) {
        outcome = result->value("status", std::string("ok"));
        reply = *result;
      } else {
        outcome = std::string(statusCodeName(result.status().code()));
        reply = {{"error", result.status().message()}};
      }
    }
    out.tool_calls.push_back({{"tool", tc.name}, {"outcome", outcome}});
    models::Message m = textMessage(models::Role::kTool, dumpJson(reply));
    m.tool_call_id = tc.id;
    messages.push_back(std::move(m));
  }
}

}  // namespace

Result<std::string> drawFenceMarker(const std::vector<std::string_view>& texts) {
  for (int attempt = 0; attempt < kMaxMarkerTries; ++attempt) {
    std::string marker = "ward-data " + randomHex(8);
    std::string hex = marker.substr(10);
    bool clash = false;
    for (std::string_view t : texts) {
      if (t.find(hex) != std::string_view::npos) {
        clash = true;
        break;
      }
    }
    if (!clash) return marker;
  }
  return Status::internal("could not draw a fence marker absent from the passages");
}

std::string renderPassages(const std::string& marker, const std::vector<Passage>& passages,
                           const std::string& question) {
  std::string out = "<<<" + marker + ">>>\n";
  for (const Passage& p : passages) {
    out += "[passage " + std::to_string(p.rank) + "] doc_id: " + p.doc_id +
           " | chunk: " + std::to_string(p.chunk) + " | version: " + std::to_string(p.version) +
           " | title: " + p.title + "\n" + p.text + "\n\n";
  }
  out += "<<<end " + marker + ">>>\n\nQuestion: " + question + "\n";
  return out;
}

Json answerReplySchema() {
  Json citation = {{"type", "object"},
                   {"properties",
                    {{"doc_id", {{"type", "string"}}},
                     {"chunk", {{"type", "integer"}}},
                     {"quote", {{"type", "string"}}}}},
                   {"required", {"doc_id", "chunk", "quote"}},
                   {"additionalProperties", false}};
  Json claim = {
      {"type", "object"},
      {"properties",
       {{"text", {{"type", "string"}}}, {"citations", {{"type", "array"}, {"items", citation}}}}},
      {"required", {"text", "citations"}},
      {"additionalProperties", false}};
  return {{"type", "object"},
          {"properties",
           {{"answer", {{"type", "string"}}}, {"claims", {{"type", "array"}, {"items", claim}}}}},
          {"required", {"answer", "claims"}},
          {"additionalProperties", false}};
}

ModelDraft parseModelReply(const std::string& content) {
  ModelDraft out;
  auto fallback = [&] {
    out.format_error = true;
    out.draft = Draft{};
    out.draft.answer = content;
    if (!content.empty()) out.draft.sentences.push_back(DraftSentence{content, {}});
    return out;
  };
  auto j = parseJson(content);
  if (!j.ok() || !j->is_object() || !j->contains("answer") || !(*j)["answer"].is_string()) {
    return fallback();
  }
  out.draft.answer = (*j)["answer"].get<std::string>();
  const Json claims = j->value("claims", Json::array());
  if (!claims.is_array()) return fallback();
  for (const Json& c : claims) {
    if (!c.is_object() || !c.contains("text") || !c["text"].is_string()) return fallback();
    DraftSentence s;
    s.text = c["text"].get<std::string>();
    const Json cites = c.value("citations", Json::array());
    if (!cites.is_array()) return fallback();
    for (const Json& x : cites) {
      if (!x.is_object()) return fallback();
      Citation cite;
      if (x.contains("doc_id") && x["doc_id"].is_string()) cite.doc_id = x["doc_id"];
      if (x.contains("chunk") && x["chunk"].is_number_integer()) {
        cite.chunk = x["chunk"].get<int>();
      } else {
        cite.chunk = -1;  // never matches a retrieved chunk: dropped by the retrieved rule
      }
      if (x.contains("quote") && x["quote"].is_string()) cite.quote = x["quote"];
      s.citations.push_back(std::move(cite));
    }
    out.draft.sentences.push_back(std::move(s));
  }
  return out;
}

Result<ModelDraft> modelAnswer(models::ModelService& models, const ModelDraftInput& in) {
  const PromptTemplate* tpl = findPromptTemplate(kAnswerTemplateName);
  if (tpl == nullptr) return Status::internal("the built-in 'answer' template is missing");
  std::vector<std::string_view> texts = {in.question};
  for (const Passage& p : in.passages) {
    texts.push_back(p.text);
    texts.push_back(p.title);
  }
  WARD_ASSIGN_OR_RETURN(std::string marker, drawFenceMarker(texts));

  models::ChatCall call;
  call.principal = in.who;
  call.trace = in.trace;
  call.request.model = in.model;
  call.request.messages.push_back(
      textMessage(models::Role::kSystem, renderPromptTemplate(*tpl, {{"marker", marker}})));
  call.request.messages.push_back(
      textMessage(models::Role::kUser, renderPassages(marker, in.passages, in.question)));
  call.request.sampling.response_format = {
      {"type", "json_schema"},
      {"json_schema",
       {{"name", "ward_answer"}, {"strict", true}, {"schema", answerReplySchema()}}}};
  if (in.gateway != nullptr) {
    WARD_ASSIGN_OR_RETURN(auto tools, in.gateway->callableTools(in.who, in.agent));
    for (const gateway::CallableTool& t : tools) {
      if (t.name == kAskToolName) continue;  // an answer never asks itself (ask_tool.h)
      call.request.tools.push_back(models::ToolSpec{t.name, t.description, t.input_schema, {}});
    }
  }

  ModelDraft out;
  out.template_use = TemplateUse{tpl->name, tpl->version, tpl->sha256};
  Json tool_calls = Json::array();
  for (int step = 0;; ++step) {
    if (step >= kMaxToolSteps) call.request.tools.clear();  // the last call answers
    WARD_ASSIGN_OR_RETURN(models::ChatResponse resp, models.chat(call));
    if (!resp.message.tool_calls.empty() && !call.request.tools.empty() && in.gateway) {
      call.request.messages.push_back(resp.message);
      routeToolCalls(in, resp.message.tool_calls, call.request.messages, out);
      continue;
    }
    ModelDraft parsed = parseModelReply(resp.message.text());
    parsed.template_use = out.template_use;
    parsed.tool_calls = std::move(out.tool_calls);
    return parsed;
  }
}

}  // namespace ward::answer
