// POST /v1/answers: an answer with verified citations, as the calling principal.
#include "handlers.h"
#include "ward/answer/answer_service.h"

namespace ward::http {

Result<HttpResponse> answersPost(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  if (s.answers == nullptr) return Status::unavailable("answers are not enabled on this server");
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  WARD_ASSIGN_OR_RETURN(answer::AnswerRequest request,
                        answer::AnswerService::requestFromJson(body));
  WARD_ASSIGN_OR_RETURN(answer::AnswerResult result, s.answers->ask(*who, request, r.trace));
  return HttpResponse::json(result.toJson());
}

}  // namespace ward::http
