// The proxy's opt-in retrieval: AnswerService::ground and verifyReply (answer_service.h). The
// retrieval, fence, reply schema and verification are the answer loop's own, not copies.
#include "answer_record.h"
#include "model_answerer.h"
#include "ward/answer/answer_service.h"
#include "ward/answer/extractive_answerer.h"
#include "ward/answer/prompt_templates.h"
#include "ward/common/clock.h"

namespace ward::answer {

Result<Grounding> AnswerService::ground(const identity::Principal& who, const std::string& query,
                                        std::optional<int> k, const trace::TraceContext& trace) {
  WARD_ASSIGN_OR_RETURN(const int n, validated(query, k));
  const PromptTemplate* tpl = findPromptTemplate("answer");  // as model_answerer.cc
  if (tpl == nullptr) return Status::internal("the built-in 'answer' template is missing");
  Grounding g;
  g.query = query;
  g.k = n;
  WARD_ASSIGN_OR_RETURN(g.passages, retrieve(who, query, n, trace));
  std::vector<std::string_view> texts = {query};
  for (const Passage& p : g.passages) {
    texts.push_back(p.text);
    texts.push_back(p.title);
  }
  WARD_ASSIGN_OR_RETURN(std::string marker, drawFenceMarker(texts));
  g.system_text = renderPromptTemplate(*tpl, {{"marker", marker}});
  g.data_text = renderPassages(marker, g.passages, query);
  g.response_format = {
      {"type", "json_schema"},
      {"json_schema",
       {{"name", "ward_answer"}, {"strict", true}, {"schema", answerReplySchema()}}}};
  g.template_name = tpl->name;
  g.template_version = tpl->version;
  g.template_sha256 = tpl->sha256;
  return g;
}

Result<AnswerResult> AnswerService::verifyReply(const identity::Principal& who,
                                                const Grounding& grounding,
                                                const std::string& model, const std::string& reply,
                                                const trace::TraceContext& trace,
                                                const std::string& front_door) {
  const int64_t started = SystemClock::instance().monotonicNanos();
  ModelDraft md = parseModelReply(reply);
  AnswerResult result;
  result.trace_id = trace.trace_id;
  result.mode = AnswerMode::kModel;
  result.model = model;
  result.retrieved = grounding.passages;
  const std::optional<TemplateUse> template_use =
      TemplateUse{grounding.template_name, grounding.template_version, grounding.template_sha256};
  const Json no_tool_calls = Json::array();
  FinishInput fin{who,
                  trace,
                  grounding.query,
                  grounding.k,
                  template_use,
                  no_tool_calls,
                  md.format_error,
                  started,
                  0,
                  front_door,
                  std::string(),
                  0,
                  false};
  WARD_RETURN_IF_ERROR(finish(fin, md.draft, result));
  return result;
}

}  // namespace ward::answer
