// /v1/embeddings requests and answers in the OpenAI shape.
#include "ward/models/embeddings.h"

#include <cstring>

namespace ward::models {

namespace {

Status fieldError(const std::string& field, const std::string& what) {
  return Status::invalidArgument("field '" + field + "' " + what);
}

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v =
        (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint8_t(bytes[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

// The vector as little-endian float32 bytes, base64-encoded (what the openai client decodes).
std::string float32Base64(const std::vector<double>& v) {
  std::string bytes(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    const float f = static_cast<float>(v[i]);
    uint32_t u;
    std::memcpy(&u, &f, 4);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<char>((u >> (8 * b)) & 0xff);
  }
  return base64(bytes);
}

}  // namespace

Result<EmbeddingRequest> parseEmbeddingRequest(const Json& body) {
  if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
  EmbeddingRequest r;
  for (const auto& [k, v] : body.items()) {
    if (k == "model") {
      if (!v.is_string() || v.get<std::string>().empty()) {
        return fieldError(k, "must be a non-empty string");
      }
      r.model = v.get<std::string>();
    } else if (k == "input") {
      if (v.is_string()) {
        r.inputs.push_back(v.get<std::string>());
      } else if (v.is_array()) {
        if (v.size() > kMaxEmbeddingInputs) {
          return fieldError(k, "has more than " + std::to_string(kMaxEmbeddingInputs) + " entries");
        }
        for (const Json& e : v) {
          if (!e.is_string()) {
            return fieldError(k,
                              "must be a string or a list of strings (token arrays are not "
                              "supported through Ward)");
          }
          r.inputs.push_back(e.get<std::string>());
        }
      } else {
        return fieldError(k, "must be a string or a list of strings");
      }
    } else if (k == "encoding_format") {
      if (v == "float") {
        r.encoding = EmbeddingEncoding::kFloat;
      } else if (v == "base64") {
        r.encoding = EmbeddingEncoding::kBase64;
      } else {
        return fieldError(k, "must be \"float\" or \"base64\"");
      }
    } else if (k == "dimensions") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 ||
          v.get<int64_t>() > kMaxEmbeddingDimensions) {
        return fieldError(
            k, "must be an integer from 1 to " + std::to_string(kMaxEmbeddingDimensions));
      }
      r.dimensions = v.get<int64_t>();
    } else if (k == "user") {
      if (!v.is_string()) return fieldError(k, "must be a string");
      r.claims["user"] = v;
    } else {
      return fieldError(k, "is not supported by Ward's proxy");
    }
  }
  if (r.model.empty()) return fieldError("model", "is required");
  if (r.inputs.empty()) return fieldError("input", "must hold at least one string");
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    if (r.inputs[i].empty()) return fieldError("input[" + std::to_string(i) + "]", "is empty");
    if (r.inputs[i].size() > kMaxEmbeddingInputBytes) {
      return fieldError("input[" + std::to_string(i) + "]",
                        "is longer than " + std::to_string(kMaxEmbeddingInputBytes) + " bytes");
    }
  }
  return r;
}

Json embeddingResponseJson(const EmbeddingResponse& response, const EmbeddingRequest& request) {
  Json data = Json::array();
  for (size_t i = 0; i < response.vectors.size(); ++i) {
    Json e = {{"object", "embedding"}, {"index", i}};
    if (request.encoding == EmbeddingEncoding::kBase64) {
      e["embedding"] = float32Base64(response.vectors[i]);
    } else {
      e["embedding"] = response.vectors[i];
    }
    data.push_back(std::move(e));
  }
  const int64_t in = response.usage.known ? response.usage.input_tokens : 0;
  return Json{{"object", "list"},
              {"data", std::move(data)},
              {"model", response.model.empty() ? request.model : response.model},
              {"usage", {{"prompt_tokens", in}, {"total_tokens", in}}}};
}

}  // namespace ward::models
