// A hand-written recursive-descent reader for the subset of RFC 7644's filter grammar that
// scim_filter.h describes. Every error names the byte offset, so an IdP's log says where.
#include "ward/identity/scim_filter.h"

#include <array>
#include <utility>

namespace ward::identity {

namespace {

constexpr std::array<std::pair<ScimCompareOp, std::string_view>, 10> kOps{{
    {ScimCompareOp::kEq, "eq"},
    {ScimCompareOp::kNe, "ne"},
    {ScimCompareOp::kCo, "co"},
    {ScimCompareOp::kSw, "sw"},
    {ScimCompareOp::kEw, "ew"},
    {ScimCompareOp::kGt, "gt"},
    {ScimCompareOp::kLt, "lt"},
    {ScimCompareOp::kGe, "ge"},
    {ScimCompareOp::kLe, "le"},
    {ScimCompareOp::kPr, "pr"},
}};

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameChar(char c) { return isAlpha(c) || isDigit(c) || c == '-' || c == '_'; }

// The input and a position in it; every reader advances `pos` past what it consumed.
struct Cursor {
  std::string_view text;
  size_t pos = 0;

  bool done() const { return pos >= text.size(); }
  char peek() const { return done() ? '\0' : text[pos]; }
  Status error(const std::string& what) const {
    return Status::invalidArgument(what + " at offset " + std::to_string(pos));
  }
  void skipSpaces() {
    while (!done() && text[pos] == ' ') ++pos;
  }
};

// ATTRNAME = ALPHA *(nameChar), or "$ref".
Result<std::string> readName(Cursor& c, const char* what) {
  size_t start = c.pos;
  if (c.text.substr(c.pos, 4) == "$ref") {
    c.pos += 4;
    return std::string("$ref");
  }
  if (!isAlpha(c.peek())) return c.error(std::string("expected ") + what);
  while (!c.done() && isNameChar(c.peek())) ++c.pos;
  return std::string(c.text.substr(start, c.pos - start));
}

// attrPath = [URI ":"] ATTRNAME ["." subAttr]. A URN prefix runs to the last ':' before the
// first space or '[' (its own dots, as in "2.0", are part of it).
Result<ScimAttrPath> readAttrPath(Cursor& c) {
  ScimAttrPath out;
  if (c.text.size() - c.pos >= 4 && scimNameEquals(c.text.substr(c.pos, 4), "urn:")) {
    size_t end = c.text.find_first_of(" [", c.pos);
    if (end == std::string_view::npos) end = c.text.size();
    size_t colon = c.text.rfind(':', end - 1);
    if (colon == std::string_view::npos || colon < c.pos + 4 || colon + 1 >= end) {
      return c.error("expected an attribute name after the schema URN");
    }
    out.urn = std::string(c.text.substr(c.pos, colon - c.pos));
    c.pos = colon + 1;
  }
  WARD_ASSIGN_OR_RETURN(out.attribute, readName(c, "an attribute name"));
  if (c.peek() == '.') {
    ++c.pos;
    WARD_ASSIGN_OR_RETURN(out.sub_attribute, readName(c, "a sub-attribute name after '.'"));
  }
  return out;
}

Result<ScimCompareOp> readOp(Cursor& c) {
  size_t start = c.pos;
  while (!c.done() && isAlpha(c.peek())) ++c.pos;
  std::string_view word = c.text.substr(start, c.pos - start);
  for (const auto& [op, name] : kOps) {
    if (scimNameEquals(word, name)) return op;
  }
  c.pos = start;
  if (word.empty())
    return c.error("expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)");
  return c.error("unknown operator '" + std::string(word) + "'");
}

// compValue = false / null / true / number / string (a JSON string literal).
Result<Json> readValue(Cursor& c) {
  size_t start = c.pos;
  if (c.peek() == '"') {
    ++c.pos;
    while (!c.done() && c.peek() != '"') {
      if (c.peek() == '\\') ++c.pos;  // the escaped character cannot end the string
      ++c.pos;
    }
    if (c.done()) {
      c.pos = start;
      return c.error("unterminated string");
    }
    ++c.pos;
  } else {
    while (!c.done() && c.peek() != ' ' && c.peek() != ']') ++c.pos;
  }
  std::string_view token = c.text.substr(start, c.pos - start);
  if (token.empty()) {
    c.pos = start;
    return c.error("expected a value");
  }
  auto parsed = parseJson(token);
  if (!parsed.ok() || parsed->is_object() || parsed->is_array()) {
    c.pos = start;
    return c.error("invalid value '" + std::string(token) +
                   "' (expected a quoted string, a number, true, false or null)");
  }
  return std::move(parsed).value();
}

// attrExp = attrPath SP "pr" / attrPath SP compareOp SP compValue
Result<ScimFilter> readExpression(Cursor& c) {
  ScimFilter f;
  WARD_ASSIGN_OR_RETURN(f.path, readAttrPath(c));
  if (c.peek() != ' ') return c.error("expected a space and an operator after the attribute");
  c.skipSpaces();
  WARD_ASSIGN_OR_RETURN(f.op, readOp(c));
  if (f.op == ScimCompareOp::kPr) {
    f.value = nullptr;
    return f;
  }
  if (c.peek() != ' ') return c.error("expected a space and a value after the operator");
  c.skipSpaces();
  WARD_ASSIGN_OR_RETURN(f.value, readValue(c));
  return f;
}

Status checkLength(std::string_view text, const char* what) {
  if (text.size() > kMaxScimFilterBytes) {
    return Status::invalidArgument(std::string(what) + " is longer than " +
                                   std::to_string(kMaxScimFilterBytes) + " bytes");
  }
  if (text.empty()) return Status::invalidArgument(std::string(what) + " is empty");
  return Status();
}

}  // namespace

std::string_view scimCompareOpName(ScimCompareOp op) {
  for (const auto& [o, name] : kOps) {
    if (o == op) return name;
  }
  return "eq";
}

bool scimNameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string ScimAttrPath::toString() const {
  std::string out = urn.empty() ? "" : urn + ":";
  out += attribute;
  if (!sub_attribute.empty()) out += "." + sub_attribute;
  return out;
}

std::string ScimFilter::toString() const {
  std::string out = path.toString() + " " + std::string(scimCompareOpName(op));
  if (op != ScimCompareOp::kPr) out += " " + dumpJson(value);
  return out;
}

std::string ScimPatchPath::toString() const {
  std::string out = path.toString();
  if (filter) out += "[" + filter->toString() + "]";
  if (!filtered_sub_attribute.empty()) out += "." + filtered_sub_attribute;
  return out;
}

Result<ScimFilter> parseScimFilter(std::string_view text) {
  WARD_RETURN_IF_ERROR(checkLength(text, "filter"));
  Cursor c{text};
  c.skipSpaces();
  WARD_ASSIGN_OR_RETURN(ScimFilter f, readExpression(c));
  c.skipSpaces();
  if (!c.done()) {
    return c.error("unexpected text '" + std::string(text.substr(c.pos, 16)) +
                   "' (only one 'attribute operator value' expression is supported)");
  }
  return f;
}

Result<ScimPatchPath> parseScimPatchPath(std::string_view text) {
  WARD_RETURN_IF_ERROR(checkLength(text, "path"));
  Cursor c{text};
  ScimPatchPath out;
  WARD_ASSIGN_OR_RETURN(out.path, readAttrPath(c));
  if (c.peek() == '[') {
    if (!out.path.sub_attribute.empty()) return c.error("a value filter must follow the attribute");
    ++c.pos;
    c.skipSpaces();
    WARD_ASSIGN_OR_RETURN(ScimFilter f, readExpression(c));
    c.skipSpaces();
    if (c.peek() != ']') return c.error("expected ']' after the value filter");
    ++c.pos;
    out.filter = std::move(f);
    if (c.peek() == '.') {
      ++c.pos;
      WARD_ASSIGN_OR_RETURN(out.filtered_sub_attribute,
                            readName(c, "a sub-attribute name after '].'"));
    }
  }
  if (!c.done()) return c.error("unexpected text '" + std::string(text.substr(c.pos, 16)) + "'");
  return out;
}

}  // namespace ward::identity
