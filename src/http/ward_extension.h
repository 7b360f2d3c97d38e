// The `ward` extension object of POST /v1/chat/completions (docs/design/models.md "The `ward`
// extension"): opt-in retrieval (`ward.retrieval`) and the server-side tool loop
// (`ward.tools = "execute"`). Private to src/http.
#pragma once

#include <optional>

#include "handlers.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/models/chat.h"
#include "ward/models/model_service.h"

namespace ward::http {

enum class ToolExecution { kPassThrough, kExecute };

struct RetrievalOption {
  std::optional<int> k;  // none = answer.default_k
  bool cite = true;      // ask for the answer loop's cited JSON reply and verify it
};

struct WardExtension {
  std::optional<RetrievalOption> retrieval;
  ToolExecution tools = ToolExecution::kPassThrough;
  bool any() const { return retrieval.has_value() || tools == ToolExecution::kExecute; }
};

// Removes "ward" from `body` and parses it. InvalidArgument naming the field (`ward.<name>`,
// `ward.retrieval.<name>`) for an unknown field or a wrong type.
Result<WardExtension> takeWardExtension(Json& body);

// Runs a non-streamed chat with the extension: retrieval as `who` (fenced with the answer loop's
// marker, the reply verified by its verifier) and/or the gateway tool loop (at most
// answer::kMaxToolSteps rounds of calls through ToolGateway::call). Returns the Chat Completions
// response with a `ward` object.
Result<HttpResponse> wardChat(const Services& s, const HttpRequest& r, models::ChatCall call,
                              const WardExtension& ext);

}  // namespace ward::http
