// Embeddings per dialect: OpenAI's POST <base_url>/embeddings and Gemini's
// POST <base_url>/models/{model}:batchEmbedContents. Ward always asks for floats; the proxy
// encodes base64 itself when the client wants it.
#include "embedding_dialects.h"

namespace ward::models {

namespace {

Status notEmbeddings(const std::string& what) {
  return Status::unavailable("the provider's answer is not an embeddings list: " + what);
}

Result<std::vector<double>> numbers(const Json& v) {
  if (!v.is_array()) return notEmbeddings("a vector is not a list");
  std::vector<double> out;
  out.reserve(v.size());
  for (const Json& x : v) {
    if (!x.is_number()) return notEmbeddings("a vector holds a non-number");
    out.push_back(x.get<double>());
  }
  return out;
}

}  // namespace

Json openAiEmbeddingJson(const EmbeddingRequest& r, const std::string& provider_model) {
  Json body = {{"model", provider_model}, {"input", r.inputs}, {"encoding_format", "float"}};
  if (r.dimensions) body["dimensions"] = *r.dimensions;
  return body;
}

Result<EmbeddingResponse> parseOpenAiEmbeddings(const Json& body, size_t inputs) {
  if (!body.is_object() || !body.contains("data") || !body["data"].is_array()) {
    return notEmbeddings("no data");
  }
  EmbeddingResponse r;
  r.model = body.value("model", std::string());
  r.vectors.resize(body["data"].size());
  if (r.vectors.size() != inputs) return notEmbeddings("not one vector per input");
  for (const Json& e : body["data"]) {
    const int64_t i = e.is_object() ? e.value("index", int64_t{-1}) : -1;
    if (i < 0 || static_cast<size_t>(i) >= r.vectors.size() || !e.contains("embedding")) {
      return notEmbeddings("an entry has no valid index or embedding");
    }
    WARD_ASSIGN_OR_RETURN(r.vectors[i], numbers(e["embedding"]));
  }
  if (body.contains("usage") && body["usage"].is_object() &&
      body["usage"].contains("prompt_tokens") &&
      body["usage"]["prompt_tokens"].is_number_integer()) {
    r.usage.known = true;
    r.usage.input_tokens = body["usage"]["prompt_tokens"].get<int64_t>();
  }
  return r;
}

Json geminiEmbeddingJson(const EmbeddingRequest& r, const std::string& provider_model) {
  Json requests = Json::array();
  for (const std::string& text : r.inputs) {
    Json one = {{"model", "models/" + provider_model},
                {"content", {{"parts", Json::array({{{"text", text}}})}}}};
    if (r.dimensions) one["outputDimensionality"] = *r.dimensions;
    requests.push_back(std::move(one));
  }
  return Json{{"requests", std::move(requests)}};
}

Result<EmbeddingResponse> parseGeminiEmbeddings(const Json& body, size_t inputs) {
  if (!body.is_object() || !body.contains("embeddings") || !body["embeddings"].is_array()) {
    return notEmbeddings("no embeddings");
  }
  EmbeddingResponse r;
  for (const Json& e : body["embeddings"]) {
    if (!e.is_object() || !e.contains("values")) return notEmbeddings("an entry has no values");
    WARD_ASSIGN_OR_RETURN(std::vector<double> v, numbers(e["values"]));
    r.vectors.push_back(std::move(v));
  }
  if (r.vectors.size() != inputs) return notEmbeddings("not one vector per input");
  // batchEmbedContents reports no token counts: usage stays unknown.
  return r;
}

}  // namespace ward::models
