// Steps 3 and 4 of the answer loop (docs/design/answer.md), shared by AnswerService::ask and
// the replay (answer_replay.h): every citation of every draft sentence verified, links filtered
// out of the sentences and the answer, precision and coverage computed, into `result` (whose
// `retrieved` must already hold this turn's passages). Pure apart from `readable`.
#pragma once

#include <string>
#include <vector>

#include "ward/answer/answer_service.h"
#include "ward/answer/extractive_answerer.h"

namespace ward::answer {

void verifyDraft(Draft draft, const ReadableNow& readable,
                 const std::vector<std::string>& link_hosts, AnswerResult& result);

}  // namespace ward::answer
