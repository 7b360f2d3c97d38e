// The proxy's `ward` extension (ward_extension.h): opt-in retrieval with verified citations and
// the server-side tool loop, both the answer loop's and the gateway's own code paths.
#include "ward_extension.h"

#include <algorithm>

#include "stream_start.h"
#include "ward/answer/answer_service.h"
#include "ward/answer/ask_tool.h"
#include "ward/answer/tool_route.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/models/model_service.h"
#include "ward/models/openai_chat_format.h"

namespace ward::http {

namespace {

Status badField(const std::string& field, const std::string& why) {
  return Status::invalidArgument("'" + field + "' " + why);
}

Result<RetrievalOption> parseRetrieval(const Json& j) {
  if (!j.is_object()) return badField("ward.retrieval", "must be an object");
  RetrievalOption out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "k") {
      if (!it->is_number_integer()) return badField("ward.retrieval.k", "must be an integer");
      const int64_t k = it->get<int64_t>();
      if (k < 1 || k > answer::kAnswerMaxKCeiling) {
        return badField("ward.retrieval.k",
                        "must be between 1 and " + std::to_string(answer::kAnswerMaxKCeiling));
      }
      out.k = static_cast<int>(k);
    } else if (it.key() == "cite") {
      if (!it->is_boolean()) return badField("ward.retrieval.cite", "must be true or false");
      out.cite = it->get<bool>();
    } else {
      return Status::invalidArgument("unknown field 'ward.retrieval." + it.key() + "'");
    }
  }
  return out;
}

// Fences the passages into the conversation: the answer template (with the marker) first, the
// last user message replaced by the fenced passages and its own text as the question.
Status groundConversation(const Services& s, models::ChatCall& call, const RetrievalOption& opt,
                          answer::Grounding& out) {
  if (s.answers == nullptr) return Status::unavailable("retrieval is not enabled on this server");
  std::vector<models::Message>& messages = call.request.messages;
  auto last_user = messages.end();
  for (auto it = messages.begin(); it != messages.end(); ++it) {
    if (it->role == models::Role::kUser) last_user = it;
  }
  if (last_user == messages.end() || last_user->text().empty()) {
    return badField("ward.retrieval", "needs a user message with text to search with");
  }
  if (opt.cite && !call.request.sampling.response_format.is_null()) {
    return badField("ward.retrieval.cite",
                    "asks for Ward's cited reply format: leave out response_format or set cite "
                    "to false");
  }
  WARD_ASSIGN_OR_RETURN(out,
                        s.answers->ground(call.principal, last_user->text(), opt.k, call.trace));
  if (opt.cite) call.request.sampling.response_format = out.response_format;
  models::Message data = answer::textMessage(models::Role::kUser, out.data_text);
  data.name = last_user->name;
  *last_user = std::move(data);
  messages.insert(messages.begin(), answer::textMessage(models::Role::kSystem, out.system_text));
  return Status();
}

// One round of the model's tool calls through the gateway, as the caller, with the turn's taint.
// Each result (or refusal) becomes a tool message; what it read taints the rest of the turn.
Status runToolCalls(gateway::ToolGateway& gw, models::ChatCall& call,
                    const models::ChatResponse& resp, gateway::TurnTaint& taint, Json& recorded) {
  call.request.messages.push_back(resp.message);
  for (const models::ToolCall& tc : resp.message.tool_calls) {
    answer::ToolReply reply = answer::routeToolCall(
        gw, answer::ToolRoute{call.principal, nullptr, call.trace, "proxy", taint}, tc);
    recorded.push_back({{"tool", tc.name}, {"outcome", reply.outcome}});
    taint.untrusted = true;  // a tool result is untrusted content
    const std::string source = "tool:" + tc.name;
    if (std::find(taint.sources.begin(), taint.sources.end(), source) == taint.sources.end() &&
        taint.sources.size() < gateway::kMaxTaintSources) {
      taint.sources.push_back(source);
    }
    models::Message m = answer::textMessage(models::Role::kTool, std::move(reply.content));
    m.tool_call_id = tc.id;
    call.request.messages.push_back(std::move(m));
  }
  return Status();
}

// Whether every call names a tool of the caller's tenant in the gateway (else the client runs
// them: the response goes back as it is).
bool allGatewayTools(gateway::ToolGateway& gw, const identity::Principal& who,
                     const std::vector<models::ToolCall>& calls) {
  for (const models::ToolCall& tc : calls) {
    if (tc.name == answer::kAskToolName || !gw.riskOf(who.tenant, tc.name).ok()) return false;
  }
  return true;
}

}  // namespace

Result<WardExtension> takeWardExtension(Json& body) {
  WardExtension ext;
  if (!body.is_object() || !body.contains("ward")) return ext;
  Json ward = std::move(body["ward"]);
  body.erase("ward");
  if (!ward.is_object()) return badField("ward", "must be an object");
  for (auto it = ward.begin(); it != ward.end(); ++it) {
    if (it.key() == "retrieval") {
      WARD_ASSIGN_OR_RETURN(ext.retrieval, parseRetrieval(*it));
    } else if (it.key() == "tools") {
      if (!it->is_string() || (*it != "execute" && *it != "pass_through")) {
        return badField("ward.tools", "must be \"execute\" or \"pass_through\"");
      }
      ext.tools = *it == "execute" ? ToolExecution::kExecute : ToolExecution::kPassThrough;
    } else {
      return Status::invalidArgument("unknown field 'ward." + it.key() + "'");
    }
  }
  return ext;
}

Result<HttpResponse> wardChat(const Services& s, const HttpRequest& r, models::ChatCall call,
                              const WardExtension& ext) {
  WARD_ASSIGN_OR_RETURN(models::ModelService * service, requireModels(s));
  if (call.request.stream) {
    return badField("stream",
                    "cannot be true with ward.retrieval or ward.tools \"execute\": "
                    "citations are verified and tools run before anything is sent");
  }
  Json ward = {{"trace_id", call.trace.trace_id}};
  answer::Grounding grounding;
  gateway::TurnTaint taint;
  if (ext.retrieval) {
    WARD_RETURN_IF_ERROR(groundConversation(s, call, *ext.retrieval, grounding));
    for (const answer::Passage& p : grounding.passages) {
      const std::string source = "doc:" + p.doc_id;
      if (std::find(taint.sources.begin(), taint.sources.end(), source) == taint.sources.end() &&
          taint.sources.size() < gateway::kMaxTaintSources) {
        taint.sources.push_back(source);
      }
      taint.texts.push_back({source, p.text});  // for the gateway's exfiltration check
    }
    taint.untrusted = !grounding.passages.empty();
  }
  const bool execute = ext.tools == ToolExecution::kExecute;
  if (execute) {
    if (s.gateway == nullptr) return Status::unavailable("tools are not enabled on this server");
    if (call.request.tools.empty()) {
      // Nothing offered by the client: offer what the caller may call (as the answer loop does).
      WARD_ASSIGN_OR_RETURN(auto tools, s.gateway->callableTools(call.principal, nullptr));
      for (const gateway::CallableTool& t : tools) {
        if (t.name == answer::kAskToolName) continue;
        call.request.tools.push_back(models::ToolSpec{t.name, t.description, t.input_schema, {}});
      }
    }
  }
  Json tool_calls = Json::array();
  models::ChatResponse resp;
  for (int step = 0;; ++step) {
    if (execute && step >= answer::kMaxToolSteps) {  // the last call answers
      call.request.tools.clear();
      call.request.tool_choice = nullptr;
    }
    WARD_ASSIGN_OR_RETURN(resp, service->chat(call));
    if (!execute || resp.message.tool_calls.empty() || call.request.tools.empty() ||
        !allGatewayTools(*s.gateway, call.principal, resp.message.tool_calls)) {
      break;
    }
    WARD_RETURN_IF_ERROR(runToolCalls(*s.gateway, call, resp, taint, tool_calls));
  }
  if (execute) ward["tool_calls"] = tool_calls;
  if (ext.retrieval) {
    Json retrieval = {{"k", grounding.k}, {"cite", ext.retrieval->cite}};
    Json retrieved = Json::array();
    for (const answer::Passage& p : grounding.passages) {
      retrieved.push_back(
          {{"doc_id", p.doc_id}, {"version", p.version}, {"chunk", p.chunk}, {"title", p.title}});
    }
    retrieval["retrieved"] = std::move(retrieved);
    if (ext.retrieval->cite && resp.message.tool_calls.empty()) {
      WARD_ASSIGN_OR_RETURN(answer::AnswerResult verified,
                            s.answers->verifyReply(call.principal, grounding, call.request.model,
                                                   resp.message.text(), call.trace, "proxy"));
      Json v = verified.toJson();
      for (const char* key : {"citations", "sentences", "unsupported", "dropped_citations",
                              "removed_links", "citation_precision", "citation_coverage"}) {
        retrieval[key] = v[key];
      }
      // The client sees the verified, link-filtered answer text, never the raw JSON reply.
      resp.message = answer::textMessage(models::Role::kAssistant, verified.answer);
    }
    ward["retrieval"] = std::move(retrieval);
  }
  Json out = models::chatCompletionJson(resp);
  out["ward"] = std::move(ward);
  return HttpResponse::json(out);
}

}  // namespace ward::http
