#include "ward/answer/ask_tool.h"

#include <set>

namespace ward::answer {

gateway::BuiltinHandler askToolHandler(AnswerService& service) {
  return [&service](const gateway::BuiltinCall& call) -> Result<Json> {
    if (call.via.is_object() && call.via.value("front_door", std::string()) == "answer") {
      return Status::failedPrecondition("the tool 'ask' cannot be called from inside an answer");
    }
    WARD_ASSIGN_OR_RETURN(AnswerRequest request, AnswerService::requestFromJson(call.args));
    request.agent = call.agent;
    WARD_ASSIGN_OR_RETURN(AnswerResult result, service.ask(call.reader, request, call.trace));
    Json out = result.toJson();
    Json docs = Json::array();
    std::set<std::string> seen;
    for (const Passage& p : result.retrieved) {
      if (seen.insert(p.doc_id).second) docs.push_back(p.doc_id);
    }
    out["retrieved_docs"] = std::move(docs);
    return out;
  };
}

}  // namespace ward::answer
