#include "ward/common/json.h"

namespace ward {

Result<Json> parseJson(std::string_view text) {
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
