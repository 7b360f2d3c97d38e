// A Gemini function call streamed in pieces (`partialArgs`, `willContinue`), assembled into the
// whole call (gemini_format.h, GeminiPartialCall).
#include <algorithm>
#include <cctype>

#include "gemini_format.h"

namespace ward::models {

namespace {

Status bad(const std::string& what) {
  return Status::invalidArgument("a streamed function call: " + what);
}

// One step of a jsonPath: an object key or an array index.
struct PathStep {
  bool index = false;
  std::string key;
  size_t at = 0;
};

// "$", then ".key", "['key']", "[\"key\"]" or "[N]" steps.
Result<std::vector<PathStep>> parsePath(const std::string& path) {
  if (path.empty() || path[0] != '$') return bad("jsonPath '" + path + "' does not start at $");
  std::vector<PathStep> steps;
  size_t i = 1;
  while (i < path.size()) {
    PathStep s;
    if (path[i] == '.') {
      size_t end = i + 1;
      while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
      s.key = path.substr(i + 1, end - i - 1);
      if (s.key.empty()) return bad("jsonPath '" + path + "' has an empty key");
      i = end;
    } else if (path[i] == '[' && i + 1 < path.size() &&
               (path[i + 1] == '\'' || path[i + 1] == '"')) {
      const char quote = path[i + 1];
      const size_t end = path.find(quote, i + 2);
      if (end == std::string::npos || end + 1 >= path.size() || path[end + 1] != ']') {
        return bad("jsonPath '" + path + "' has an unclosed key");
      }
      s.key = path.substr(i + 2, end - i - 2);
      i = end + 2;
    } else if (path[i] == '[') {
      const size_t end = path.find(']', i);
      const std::string digits = end == std::string::npos ? "" : path.substr(i + 1, end - i - 1);
      if (digits.empty() || digits.size() > 9 ||
          !std::all_of(digits.begin(), digits.end(),
                       [](unsigned char c) { return std::isdigit(c); })) {
        return bad("jsonPath '" + path + "' has a bad index");
      }
      s.index = true;
      s.at = std::stoul(digits);
      i = end + 1;
    } else {
      return bad("jsonPath '" + path + "' is not understood at character " + std::to_string(i));
    }
    steps.push_back(std::move(s));
    if (steps.size() > static_cast<size_t>(kMaxPartialArgPathDepth)) {
      return bad("jsonPath '" + path.substr(0, 64) + "' is deeper than " +
                 std::to_string(kMaxPartialArgPathDepth));
    }
  }
  if (steps.empty()) return bad("jsonPath '$' names no argument");
  return steps;
}

// The value at `steps` in `root`, created (objects, arrays) on the way.
Result<Json*> slot(Json& root, const std::vector<PathStep>& steps, const std::string& path) {
  Json* at = &root;
  for (const PathStep& s : steps) {
    if (at->is_null()) *at = s.index ? Json::array() : Json::object();
    if (s.index) {
      if (!at->is_array()) return bad("jsonPath '" + path + "' indexes a value that is no array");
      if (s.at > at->size()) return bad("jsonPath '" + path + "' skips array elements");
      if (s.at == at->size()) at->push_back(nullptr);
      at = &(*at)[s.at];
    } else {
      if (!at->is_object()) return bad("jsonPath '" + path + "' names a key of a non-object");
      at = &(*at)[s.key];
    }
  }
  return at;
}

}  // namespace

bool GeminiPartialCall::isPiece(const Json& f) {
  return f.is_object() &&
         (f.contains("partialArgs") || (f.contains("willContinue") && f["willContinue"] == true));
}

Status GeminiPartialCall::add(const Json& part) {
  const Json& f = part["functionCall"];
  const std::string name = f.value("name", std::string());
  if (!open_) {
    if (name.empty()) return bad("the first piece names no function");
    part_ = {{"functionCall", {{"name", name}, {"args", Json::object()}}}};
    if (f.contains("id") && f["id"].is_string()) part_["functionCall"]["id"] = f["id"];
    open_ = true;
  } else if (!name.empty() && name != part_["functionCall"]["name"].get<std::string>()) {
    return bad("'" + name.substr(0, 64) + "' began before '" +
               part_["functionCall"]["name"].get<std::string>() + "' was complete");
  }
  if (part.contains("thoughtSignature") && !part_.contains("thoughtSignature")) {
    part_["thoughtSignature"] = part["thoughtSignature"];
  }
  const Json& pieces = f.value("partialArgs", Json::array());
  if (!pieces.is_array()) return bad("partialArgs is not a list");
  Json& args = part_["functionCall"]["args"];
  for (const Json& a : pieces) {
    if (!a.is_object() || !a.contains("jsonPath") || !a["jsonPath"].is_string()) {
      return bad("a partialArgs entry has no jsonPath");
    }
    const std::string path = a["jsonPath"].get<std::string>();
    Json value;
    if (a.contains("stringValue") && a["stringValue"].is_string()) {
      value = a["stringValue"];
    } else if (a.contains("numberValue") && a["numberValue"].is_number()) {
      value = a["numberValue"];
    } else if (a.contains("boolValue") && a["boolValue"].is_boolean()) {
      value = a["boolValue"];
    } else if (a.contains("nullValue")) {
      value = nullptr;
    } else {
      continue;  // no value in this piece (only willContinue)
    }
    WARD_ASSIGN_OR_RETURN(std::vector<PathStep> steps, parsePath(path));
    WARD_ASSIGN_OR_RETURN(Json * target, slot(args, steps, path));
    if (value.is_string() && target->is_string()) {
      target->get_ref<std::string&>() += value.get<std::string>();
    } else {
      *target = std::move(value);
    }
  }
  complete_ = !(f.contains("willContinue") && f["willContinue"] == true);
  return Status();
}

Json GeminiPartialCall::take() {
  Json out = std::move(part_);
  part_ = Json();
  open_ = false;
  complete_ = false;
  return out;
}

}  // namespace ward::models
