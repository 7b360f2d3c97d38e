// The OpenAI-compatible proxy's embeddings front door: POST /v1/embeddings (embeddings.create;
// the openai client asks for base64 by default). Identity from authentication only; the models
// module authorises, calls and records.
#include "handlers.h"
#include "stream_start.h"
#include "ward/models/embeddings.h"
#include "ward/models/model_service.h"

namespace ward::http {

// Body: {model, input, encoding_format?, dimensions?, user?} (docs/api/openapi.yaml).
Result<HttpResponse> embeddingsCreate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(models::ModelService * service, requireModels(s));
  WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
  WARD_ASSIGN_OR_RETURN(models::EmbeddingRequest request, models::parseEmbeddingRequest(body));
  models::EmbeddingCall call{*who, r.trace, std::move(request)};
  WARD_ASSIGN_OR_RETURN(models::EmbeddingResponse response, service->embed(call));
  return HttpResponse::json(models::embeddingResponseJson(response, call.request));
}

}  // namespace ward::http
