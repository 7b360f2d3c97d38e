#include "ward/common/json.h"

namespace ward {

namespace {

// Ward's JSON values are walked recursively in places (serialisation, schema validation), so
// nesting is bounded before parsing: one linear pass over the bytes, strings skipped.
Status checkNesting(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        return Status::invalidArgument("JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                                       " levels at byte " + std::to_string(i));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status();
}

}  // namespace

Result<Json> parseJson(std::string_view text) {
  WARD_RETURN_IF_ERROR(checkNesting(text));
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return Status::invalidArgument("malformed JSON at byte " + std::to_string(e.byte) + ": " +
                                   std::string(e.what()).substr(0, 160));
  } catch (const std::exception& e) {
    return Status::invalidArgument(std::string("malformed JSON: ") + e.what());
  }
}

std::string dumpJson(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ward
