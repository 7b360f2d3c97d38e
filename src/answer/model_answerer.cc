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
constexpr std::string_view kNativeTemplateName = "answer_native";

}  // namespace

// The turn has read retrieved documents, so every call carries that taint.
ToolReply routeToolCall(const ModelDraftInput& in, const models::ToolCall& tc) {
  gateway::TurnTaint taint;
  taint.untrusted = true;
  for (const Passage& p : in.passages) {
    std::string source = "doc:" + p.doc_id;
    if (taint.sources.empty() || taint.sources.back() != source) taint.sources.push_back(source);
    taint.texts.push_back({source, p.text});  // for the gateway's exfiltration check
  }
  return routeToolCall(*in.gateway, ToolRoute{in.who, in.agent, in.trace, "answer", taint}, tc);
}

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

std::string passageSource(const Passage& p) {
  return "ward://doc/" + p.doc_id + "@" + std::to_string(p.version) +
         "#chunk=" + std::to_string(p.chunk);
}

namespace {

// Parses passageSource's form; false when `source` is not one.
bool parseSource(const std::string& source, Citation& c) {
  constexpr std::string_view kPrefix = "ward://doc/";
  const size_t hash = source.rfind("#chunk=");
  if (source.rfind(kPrefix, 0) != 0 || hash == std::string::npos) return false;
  const size_t at = source.rfind('@', hash);
  if (at == std::string::npos || at < kPrefix.size()) return false;
  try {
    size_t used = 0;
    const std::string version = source.substr(at + 1, hash - at - 1);
    const std::string chunk = source.substr(hash + 7);
    c.version = std::stoll(version, &used);
    if (used != version.size()) return false;
    c.chunk = std::stoi(chunk, &used);
    if (used != chunk.size()) return false;
  } catch (const std::exception&) {
    return false;
  }
  c.doc_id = source.substr(kPrefix.size(), at - kPrefix.size());
  return true;
}

// The native user message: one search_result block per passage, then the question.
models::Message searchResultMessage(const ModelDraftInput& in) {
  models::Message m;
  m.role = models::Role::kUser;
  m.content_is_string = false;
  for (const Passage& p : in.passages) {
    models::ContentPart part;
    part.kind = models::ContentPart::Kind::kOther;
    part.raw = {{"type", "search_result"},
                {"source", passageSource(p)},
                {"title", p.title.empty() ? p.doc_id : p.title},
                {"content", Json::array({{{"type", "text"}, {"text", p.text}}})},
                {"citations", {{"enabled", true}}}};
    m.content.push_back(std::move(part));
  }
  models::ContentPart question;
  question.text = "Question: " + in.question;
  m.content.push_back(std::move(question));
  return m;
}

}  // namespace

ModelDraft parseNativeReply(const models::Message& message, const std::vector<Passage>& passages) {
  ModelDraft out;
  out.native_citations = true;
  const Json blocks =
      message.opaque.is_object()
          ? message.opaque.value("anthropic", Json::object()).value("text_blocks", Json::array())
          : Json::array();
  if (!blocks.is_array() || blocks.empty()) {
    out.draft.answer = message.text();
    if (out.draft.answer.find_first_not_of(" \t\r\n") != std::string::npos) {
      out.draft.sentences.push_back(DraftSentence{out.draft.answer, {}});
    }
    return out;
  }
  for (const Json& b : blocks) {
    const std::string text = b.value("text", "");
    out.draft.answer += text;
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) continue;
    DraftSentence s;
    s.text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
    for (const Json& c : b.value("citations", Json::array())) {
      if (!c.is_object() || c.value("type", "") != "search_result_location") continue;
      Citation cite;
      cite.chunk = -1;  // never matches a retrieved chunk unless the source says which
      if (!parseSource(c.value("source", ""), cite)) {
        const int64_t i = c.value("search_result_index", int64_t{-1});
        if (i >= 0 && static_cast<size_t>(i) < passages.size()) {
          cite.doc_id = passages[i].doc_id;
          cite.version = passages[i].version;
          cite.chunk = passages[i].chunk;
        }
      }
      cite.quote = c.value("cited_text", "");
      s.citations.push_back(std::move(cite));
    }
    out.draft.sentences.push_back(std::move(s));
  }
  return out;
}

Result<models::ChatCall> buildAnswerCall(const ModelDraftInput& in, const std::string& marker,
                                         const std::vector<models::ToolSpec>& tools) {
  models::ChatCall call;
  call.principal = in.who;
  call.trace = in.trace;
  call.request.model = in.model;
  call.request.tools = tools;
  if (in.native_citations) {
    const PromptTemplate* tpl = in.template_override != nullptr
                                    ? in.template_override
                                    : findPromptTemplate(kNativeTemplateName);
    if (tpl == nullptr) return Status::internal("the built-in 'answer_native' template is missing");
    call.request.messages.push_back(
        textMessage(models::Role::kSystem, renderPromptTemplate(*tpl, {})));
    call.request.messages.push_back(searchResultMessage(in));
    return call;
  }
  const PromptTemplate* tpl = in.template_override != nullptr
                                  ? in.template_override
                                  : findPromptTemplate(kAnswerTemplateName);
  if (tpl == nullptr) return Status::internal("the built-in 'answer' template is missing");
  call.request.messages.push_back(
      textMessage(models::Role::kSystem, renderPromptTemplate(*tpl, {{"marker", marker}})));
  call.request.messages.push_back(
      textMessage(models::Role::kUser, renderPassages(marker, in.passages, in.question)));
  call.request.sampling.response_format = {
      {"type", "json_schema"},
      {"json_schema",
       {{"name", "ward_answer"}, {"strict", true}, {"schema", answerReplySchema()}}}};
  return call;
}

Result<ModelDraft> runAnswerLoop(models::ChatCall call, const AnswerLoopIo& io, ModelDraft out,
                                 const std::vector<Passage>& passages) {
  for (int step = 0;; ++step) {
    if (step >= kMaxToolSteps) call.request.tools.clear();  // the last call answers
    out.steps = step + 1;
    WARD_ASSIGN_OR_RETURN(models::ChatResponse resp, io.chat(call, step));
    if (!resp.message.tool_calls.empty() && !call.request.tools.empty() && io.tool) {
      call.request.messages.push_back(resp.message);
      for (const models::ToolCall& tc : resp.message.tool_calls) {
        ToolReply reply = io.tool(tc, step);
        Json entry = {{"step", step},
                      {"id", tc.id},
                      {"tool", tc.name},
                      {"arguments", tc.arguments},
                      {"outcome", reply.outcome},
                      {"reply_sha256", sha256Hex(reply.content)}};
        if (reply.content.size() <= kMaxRecordedToolReplyBytes) entry["reply"] = reply.content;
        out.tool_calls.push_back(std::move(entry));
        models::Message m = textMessage(models::Role::kTool, std::move(reply.content));
        m.tool_call_id = tc.id;
        call.request.messages.push_back(std::move(m));
      }
      continue;
    }
    ModelDraft parsed = out.native_citations ? parseNativeReply(resp.message, passages)
                                             : parseModelReply(resp.message.text());
    parsed.template_use = out.template_use;
    parsed.tool_calls = std::move(out.tool_calls);
    parsed.marker = out.marker;
    parsed.steps = out.steps;
    return parsed;
  }
}

Result<ModelDraft> modelAnswer(models::ModelService& models, const ModelDraftInput& given) {
  ModelDraftInput in = given;
  for (const models::ModelInfo& m : models.listModels(in.who)) {
    if (m.name == in.model) in.native_citations = m.provider == kNativeCitationsProvider;
  }
  const std::string_view used = in.native_citations ? kNativeTemplateName : kAnswerTemplateName;
  const PromptTemplate* tpl = findPromptTemplate(used);
  if (tpl == nullptr) return Status::internal("a built-in answer template is missing");
  if (in.template_override != nullptr) {
    if (in.template_override->name != used) {
      return Status::failedPrecondition("the template override stands in for '" +
                                        in.template_override->name + "' but model '" + in.model +
                                        "' answers with the '" + std::string(used) + "' template");
    }
    tpl = in.template_override;
  }
  std::vector<std::string_view> texts = {in.question};
  for (const Passage& p : in.passages) {
    texts.push_back(p.text);
    texts.push_back(p.title);
  }
  WARD_ASSIGN_OR_RETURN(std::string marker, drawFenceMarker(texts));
  std::vector<models::ToolSpec> tools;
  if (in.gateway != nullptr) {
    WARD_ASSIGN_OR_RETURN(auto callable, in.gateway->callableTools(in.who, in.agent));
    for (const gateway::CallableTool& t : callable) {
      if (t.name == kAskToolName) continue;  // an answer never asks itself (ask_tool.h)
      tools.push_back(models::ToolSpec{t.name, t.description, t.input_schema, {}});
    }
  }
  WARD_ASSIGN_OR_RETURN(models::ChatCall call, buildAnswerCall(in, marker, tools));
  ModelDraft out;
  out.template_use =
      TemplateUse{tpl->name, tpl->version, tpl->sha256, in.template_override != nullptr};
  out.marker = marker;
  out.native_citations = in.native_citations;
  AnswerLoopIo io;
  io.chat = [&models](const models::ChatCall& c, int) { return models.chat(c); };
  if (in.gateway != nullptr) {
    io.tool = [&in](const models::ToolCall& tc, int) { return routeToolCall(in, tc); };
  }
  return runAnswerLoop(std::move(call), io, std::move(out), in.passages);
}

}  // namespace ward::answer
