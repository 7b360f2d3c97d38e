// The generic half of the configuration descriptors; the contract is in
// include/ward/common/config_keys.h.
#include "ward/common/config_keys.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace ward::config {

namespace {

Status mustBe(const BoundKey& k, const std::string& what) {
  return Status::invalidArgument("ward.toml: '" + k.key + "' must be " + what);
}

template <typename T>
Status setNumber(const BoundKey& k, const toml::node& n) {
  double v;
  if (auto i = n.value<int64_t>(); i && n.is_integer()) {
    v = static_cast<double>(*i);
  } else if (auto d = n.value<double>(); d && n.is_floating_point()) {
    if constexpr (std::is_integral_v<T>) return mustBe(k, "an integer");
    v = *d;
  } else {
    return mustBe(k, "a number");
  }
  if (v < k.min || v > k.max) {
    return mustBe(k, "between " + std::to_string(k.min) + " and " + std::to_string(k.max));
  }
  *static_cast<T*>(k.target) = static_cast<T>(v);
  return Status();
}

// A table of tenant name -> whole number of days in [min, max].
Status setTenantDays(const BoundKey& k, const toml::node& n) {
  if (!n.is_table()) return mustBe(k, "a table");
  auto* field = static_cast<std::map<std::string, int64_t>*>(k.target);
  const auto lo = static_cast<int64_t>(k.min);
  const auto hi = static_cast<int64_t>(k.max);
  for (const auto& [tenant, v] : *n.as_table()) {
    auto days = v.value<int64_t>();
    if (!days || !v.is_integer() || *days < lo || *days > hi) {
      return Status::invalidArgument("ward.toml: '" + k.key + "." + std::string(tenant.str()) +
                                     "' must be an integer between " + std::to_string(lo) +
                                     " and " + std::to_string(hi));
    }
    (*field)[std::string(tenant.str())] = *days;
  }
  return Status();
}

Status setStrings(const BoundKey& k, const toml::node& n) {
  const toml::array* a = n.as_array();
  if (a == nullptr) return mustBe(k, "an array");
  auto* field = static_cast<std::vector<std::string>*>(k.target);
  field->clear();
  for (const toml::node& e : *a) {
    auto s = e.value<std::string>();
    if (!e.is_string() || !s) {
      return Status::invalidArgument("ward.toml: '" + k.key + "' must hold strings");
    }
    field->push_back(*s);
  }
  return Status();
}

// The shortest text that reads back as `v`, with a ".0" on whole numbers (TOML's float syntax).
std::string floatText(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

bool isInteger(KeyKind kind) {
  return kind == KeyKind::kInt || kind == KeyKind::kInt64 || kind == KeyKind::kSize ||
         kind == KeyKind::kTenantDays;
}

// A range bound as the docs write it: 1e9 for a power of ten times one digit, 16 MiB for a whole
// number of MiB (or GiB), else the number.
std::string boundText(double v, KeyKind kind) {
  if (!isInteger(kind)) {
    std::string s = floatText(v);
    return s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0 ? s.substr(0, s.size() - 2) : s;
  }
  const auto n = static_cast<int64_t>(v);
  if (n >= 1000000) {
    int exp = 0;
    int64_t m = n;
    while (m % 10 == 0) {
      m /= 10;
      ++exp;
    }
    if (m < 10) return std::to_string(m) + "e" + std::to_string(exp);
  }
  constexpr int64_t kMiB = 1 << 20;
  if (n >= kMiB && n % (kMiB << 10) == 0) return std::to_string(n / (kMiB << 10)) + " GiB";
  if (n >= kMiB && n % kMiB == 0) return std::to_string(n / kMiB) + " MiB";
  return std::to_string(n);
}

// A TOML basic string.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

int64_t integerValue(const BoundKey& k) {
  switch (k.kind) {
    case KeyKind::kInt:
      return *static_cast<const int*>(k.target);
    case KeyKind::kInt64:
      return *static_cast<const int64_t*>(k.target);
    default:
      return static_cast<int64_t>(*static_cast<const size_t*>(k.target));
  }
}

// The value in TOML syntax.
std::string tomlValue(const BoundKey& k) {
  switch (k.kind) {
    case KeyKind::kString:
      return quoted(*static_cast<const std::string*>(k.target));
    case KeyKind::kBool:
      return *static_cast<const bool*>(k.target) ? "true" : "false";
    case KeyKind::kDouble:
      return floatText(*static_cast<const double*>(k.target));
    case KeyKind::kStrings: {
      std::string out;
      for (const std::string& s : *static_cast<const std::vector<std::string>*>(k.target)) {
        out += (out.empty() ? "" : ", ") + quoted(s);
      }
      return "[" + out + "]";
    }
    case KeyKind::kTenantDays: {
      std::string out;
      for (const auto& [tenant, days] :
           *static_cast<const std::map<std::string, int64_t>*>(k.target)) {
        out += (out.empty() ? " " : ", ") + quoted(tenant) + " = " + std::to_string(days);
      }
      return "{" + out + (out.empty() ? "" : " ") + "}";
    }
    default:
      return std::to_string(integerValue(k));
  }
}

const char* typeName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kString:
      return "string";
    case KeyKind::kBool:
      return "boolean";
    case KeyKind::kDouble:
      return "float";
    case KeyKind::kStrings:
      return "array of strings";
    case KeyKind::kTenantDays:
      return "table";
    default:
      return "integer";
  }
}

std::string defaultText(const BoundKey& k) {
  if (!isInteger(k.kind) || k.kind == KeyKind::kTenantDays) {
    const std::string v = tomlValue(k);
    return k.kind == KeyKind::kString || k.kind == KeyKind::kStrings ||
                   k.kind == KeyKind::kTenantDays
               ? "`" + v + "`"
               : v;
  }
  const int64_t n = integerValue(k);
  std::string s = std::to_string(n);
  constexpr int64_t kMiB = 1 << 20;
  if (n >= kMiB && n % kMiB == 0) s += " (" + std::to_string(n / kMiB) + " MiB)";
  return s;
}

std::string rangeText(const BoundKey& k) {
  if (k.kind == KeyKind::kString || k.kind == KeyKind::kBool || k.kind == KeyKind::kStrings) {
    return k.range;
  }
  std::string s = boundText(k.min, k.kind) + " - " + boundText(k.max, k.kind);
  if (k.kind == KeyKind::kTenantDays) s = "tenant = " + s;
  if (!k.range.empty()) s += ", " + k.range;
  return s;
}

}  // namespace

Status applyKey(const BoundKey& key, const toml::node& value) {
  switch (key.kind) {
    case KeyKind::kString: {
      auto s = value.value<std::string>();
      if (!s || !value.is_string()) return mustBe(key, "a string");
      *static_cast<std::string*>(key.target) = *s;
      return Status();
    }
    case KeyKind::kBool: {
      auto b = value.value<bool>();
      if (!b || !value.is_boolean()) return mustBe(key, "a boolean");
      *static_cast<bool*>(key.target) = *b;
      return Status();
    }
    case KeyKind::kInt:
      return setNumber<int>(key, value);
    case KeyKind::kInt64:
      return setNumber<int64_t>(key, value);
    case KeyKind::kSize:
      return setNumber<size_t>(key, value);
    case KeyKind::kDouble:
      return setNumber<double>(key, value);
    case KeyKind::kStrings:
      return setStrings(key, value);
    case KeyKind::kTenantDays:
      return setTenantDays(key, value);
  }
  return Status::internal("ward.toml: '" + key.key + "' has no setter");
}

std::string markdownTable(const std::vector<BoundKey>& keys) {
  std::string out = "| key | type | default | range | meaning |\n|---|---|---|---|---|\n";
  for (const BoundKey& k : keys) {
    out += "| `" + k.key + "` | " + typeName(k.kind) + " | " + defaultText(k) + " | " +
           rangeText(k) + " | " + k.meaning + " |\n";
  }
  return out;
}

std::string tomlLines(const std::string& section, const std::vector<BoundKey>& keys,
                      bool commented) {
  constexpr size_t kCommentColumn = 30;
  std::string out;
  const std::string prefix = section.empty() ? "" : section + ".";
  for (const BoundKey& k : keys) {
    std::string line = k.key.substr(prefix.size()) + " = " + tomlValue(k);
    if (!k.comment.empty()) {
      line.resize(std::max(line.size() + 1, kCommentColumn), ' ');
      line += "# " + k.comment;
    }
    out += (commented || k.kind == KeyKind::kTenantDays ? "# " : "") + line + "\n";
  }
  return out;
}

}  // namespace ward::config
