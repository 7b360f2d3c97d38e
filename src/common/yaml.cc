// YAML -> Json with yaml-cpp. Scalar typing follows YAML 1.2's core schema; yaml-cpp tags a plain
// scalar "?" and a quoted one "!", so "true" in quotes stays a string.
#include "ward/common/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <string>

namespace ward {

namespace {

Status errorAt(const YAML::Mark& mark, const std::string& what) {
  return Status::invalidArgument("YAML line " + std::to_string(mark.line + 1) + ", column " +
                                 std::to_string(mark.column + 1) + ": " + what);
}

Json plainScalar(const std::string& s) {
  static const std::regex kNull("^(~|null|Null|NULL|)$");
  static const std::regex kTrue("^(true|True|TRUE)$");
  static const std::regex kFalse("^(false|False|FALSE)$");
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kOctal("^0o[0-7]+$");
  static const std::regex kHex("^0x[0-9a-fA-F]+$");
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  static const std::regex kInf(R"(^[-+]?\.(inf|Inf|INF)$)");
  static const std::regex kNan(R"(^\.(nan|NaN|NAN)$)");
  if (std::regex_match(s, kNull)) return nullptr;
  if (std::regex_match(s, kTrue)) return true;
  if (std::regex_match(s, kFalse)) return false;
  auto integer = [&](const char* digits, int base) -> Json {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(digits, &end, base);
    if (errno == ERANGE || *end != '\0') return std::strtod(s.c_str(), nullptr);  // too big
    return v;
  };
  if (std::regex_match(s, kInt)) return integer(s.c_str(), 10);
  if (std::regex_match(s, kOctal)) return integer(s.c_str() + 2, 8);
  if (std::regex_match(s, kHex)) return integer(s.c_str() + 2, 16);
  // JSON has no infinity or NaN: such values stay strings rather than becoming null.
  if (std::regex_match(s, kInf) || std::regex_match(s, kNan)) return s;
  if (std::regex_match(s, kFloat)) return std::strtod(s.c_str(), nullptr);
  return s;
}

class Converter {
 public:
  explicit Converter(const YamlLimits& limits) : limits_(limits) {}

  Result<Json> convert(const YAML::Node& node, int depth) {
    if (++nodes_ > limits_.max_nodes) {
      return errorAt(node.Mark(), "more than " + std::to_string(limits_.max_nodes) +
                                      " values (aliases included)");
    }
    if (depth > limits_.max_depth) {
      return errorAt(node.Mark(), "nested deeper than " + std::to_string(limits_.max_depth));
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Json(nullptr);
      case YAML::NodeType::Scalar:
        if (node.Tag() == "!") return Json(node.Scalar());  // quoted
        if (node.Tag() != "?" && !node.Tag().empty()) {
          return errorAt(node.Mark(), "tag '" + node.Tag() + "' is not supported");
        }
        return plainScalar(node.Scalar());
      case YAML::NodeType::Sequence: {
        Json out = Json::array();
        for (const auto& item : node) {
          WARD_ASSIGN_OR_RETURN(Json v, convert(item, depth + 1));
          out.push_back(std::move(v));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        Json out = Json::object();
        for (const auto& kv : node) {
          if (!kv.first.IsScalar())
            return errorAt(kv.first.Mark(), "a mapping key must be a scalar");
          const std::string& key = kv.first.Scalar();
          if (out.contains(key)) return errorAt(kv.first.Mark(), "duplicate key '" + key + "'");
          WARD_ASSIGN_OR_RETURN(Json v, convert(kv.second, depth + 1));
          out[key] = std::move(v);
        }
        return out;
      }
    }
    return errorAt(node.Mark(), "unknown node type");
  }

 private:
  const YamlLimits& limits_;
  size_t nodes_ = 0;
};

// Counts documents without building them.
class IgnoreEvents final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

Result<Json> parseYaml(std::string_view text, const YamlLimits& limits) {
  // Not YAML::LoadAll: on a top-level ',' yaml-cpp 0.7 keeps returning empty documents without
  // consuming the token, so LoadAll loops and grows without bound (found by the yaml_json fuzz
  // target). One document at most is read past the first.
  std::string owned(text);
  size_t documents = 0;
  try {
    std::istringstream in(owned);
    YAML::Parser parser(in);
    IgnoreEvents ignore;
    while (documents < 2 && parser.HandleNextDocument(ignore)) ++documents;
  } catch (const YAML::Exception& e) {
    return errorAt(e.mark, e.msg);
  }
  if (documents != 1) {
    return Status::invalidArgument("YAML: expected one document, found " +
                                   std::string(documents == 0 ? "none" : "more than one"));
  }
  try {
    YAML::Node doc = YAML::Load(owned);
    Converter c(limits);
    return c.convert(doc, 0);
  } catch (const YAML::Exception& e) {
    return errorAt(e.mark, e.msg);
  }
}

}  // namespace ward
