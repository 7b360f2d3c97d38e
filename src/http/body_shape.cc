#include "body_shape.h"

#include <cctype>

namespace ward::http {

namespace {

bool isFieldChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Parses fields from spec[*at] up to the end or a closing '}'.
Status parseFields(std::string_view spec, size_t* at,
                   std::vector<std::pair<std::string, std::string_view>>* out) {
  while (*at < spec.size() && spec[*at] != '}') {
    size_t start = *at;
    while (*at < spec.size() && isFieldChar(spec[*at])) ++*at;
    if (*at == start) {
      return Status::invalidArgument("body shape '" + std::string(spec) + "': field name expected");
    }
    std::string name(spec.substr(start, *at - start));
    std::string_view nested;
    if (*at < spec.size() && spec[*at] == '{') {
      size_t open = ++*at, level = 1;
      while (*at < spec.size() && level > 0) {
        if (spec[*at] == '{') ++level;
        if (spec[*at] == '}') --level;
        ++*at;
      }
      if (level != 0) {
        return Status::invalidArgument("body shape '" + std::string(spec) + "': unbalanced '{'");
      }
      nested = spec.substr(open, *at - open - 1);
    }
    out->emplace_back(std::move(name), nested);
    if (*at < spec.size() && spec[*at] == ',') ++*at;
  }
  if (*at < spec.size()) {
    return Status::invalidArgument("body shape '" + std::string(spec) + "': unexpected '}'");
  }
  return Status();
}

}  // namespace

Result<BodyShape> BodyShape::parse(std::string_view spec) {
  BodyShape shape;
  if (spec == kBodyCheckedByModule) {
    shape.any_ = true;
    return shape;
  }
  std::vector<std::pair<std::string, std::string_view>> fields;
  size_t at = 0;
  WARD_RETURN_IF_ERROR(parseFields(spec, &at, &fields));
  for (auto& [name, nested] : fields) {
    Field f;
    f.name = std::move(name);
    if (!nested.empty()) {
      WARD_ASSIGN_OR_RETURN(BodyShape inner, parse(nested));
      f.nested = std::make_shared<const BodyShape>(std::move(inner));
    }
    shape.fields_.push_back(std::move(f));
  }
  return shape;
}

Status BodyShape::check(const Json& body) const { return checkAt(body, ""); }

Status BodyShape::checkAt(const Json& body, const std::string& prefix) const {
  if (any_ || !body.is_object()) return Status();
  for (const auto& [key, value] : body.items()) {
    const Field* known = nullptr;
    for (const Field& f : fields_) {
      if (f.name == key) known = &f;
    }
    if (known == nullptr) {
      // The name is echoed bounded: it is the caller's text.
      return Status::invalidArgument("field '" + prefix + key.substr(0, 64) + "' is unknown (" +
                                     expected() + ")");
    }
    if (known->nested) WARD_RETURN_IF_ERROR(known->nested->checkAt(value, prefix + key + "."));
  }
  return Status();
}

std::string BodyShape::expected() const {
  if (fields_.empty()) return "this endpoint takes no request body";
  std::string out = "expected: ";
  for (size_t i = 0; i < fields_.size(); ++i) out += (i ? ", " : "") + fields_[i].name;
  return out;
}

}  // namespace ward::http
