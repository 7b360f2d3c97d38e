// Embeddings requests and answers per dialect (private to the adapters; exposed for tests).
#pragma once

#include <cstddef>
#include <string>

#include "ward/common/json.h"
#include "ward/models/embeddings.h"

namespace ward::models {

// OpenAI (and compatible servers): {model, input: [..], encoding_format: "float", dimensions?}.
Json openAiEmbeddingJson(const EmbeddingRequest& request, const std::string& provider_model);
// {data: [{index, embedding}], model, usage: {prompt_tokens}}; Unavailable unless one vector per
// input.
Result<EmbeddingResponse> parseOpenAiEmbeddings(const Json& body, size_t inputs);
// Gemini batchEmbedContents: {requests: [{model: "models/<id>", content, outputDimensionality?}]}.
Json geminiEmbeddingJson(const EmbeddingRequest& request, const std::string& provider_model);
// {embeddings: [{values}]}; no usage in this dialect.
Result<EmbeddingResponse> parseGeminiEmbeddings(const Json& body, size_t inputs);

}  // namespace ward::models
