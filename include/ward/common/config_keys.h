// Configuration descriptors: one table per ward.toml section describes each scalar key once (its
// name, where it is stored, its range, its meaning), and everything else is generated from it:
// the loader's setters, the default ward.toml that `ward init` writes, and the key table of
// docs/formats/ward-toml.md (a unit test keeps that table equal to the generated one).
//
// A section's table is a `std::vector<Key<S>>` next to its struct S; `bind` ties it to one object
// (the config being loaded, or a default-constructed one for the docs). Not thread-safe: a binding
// writes through to its object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <toml++/toml.h>
#include <type_traits>
#include <variant>
#include <vector>

#include "ward/common/status.h"

namespace ward::config {

// Where a key's value lives in its section's struct S.
template <typename S>
using Field =
    std::variant<std::string S::*, bool S::*, int S::*, int64_t S::*, size_t S::*, double S::*,
                 std::vector<std::string> S::*, std::map<std::string, int64_t> S::*>;

// One key of a section. Numbers (and a table of tenant -> days) are checked against [min, max].
template <typename S>
struct Key {
  const char* name;  // within the section: "listen" of [server]
  Field<S> field;
  double min = 0;
  double max = 0;
  // The docs' range column: for a string, what it takes; for a number, a note after "MIN - MAX".
  const char* range = "";
  const char* meaning = "";  // the docs' meaning column (markdown, one line)
  const char* comment = "";  // the default ward.toml's comment after the value; "" = none
};

enum class KeyKind { kString, kBool, kInt, kInt64, kSize, kDouble, kStrings, kTenantDays };

// A key bound to one field of one object: what the loader, the default file and the docs read.
struct BoundKey {
  std::string key;  // the full dotted name: "server.listen"
  KeyKind kind;
  void* target;  // the bound field, of the C++ type `kind` names
  double min, max;
  std::string range, meaning, comment;
};

template <typename T>
constexpr KeyKind kindOf() {
  if constexpr (std::is_same_v<T, std::string>) return KeyKind::kString;
  if constexpr (std::is_same_v<T, bool>) return KeyKind::kBool;
  if constexpr (std::is_same_v<T, int>) return KeyKind::kInt;
  if constexpr (std::is_same_v<T, int64_t>) return KeyKind::kInt64;
  if constexpr (std::is_same_v<T, size_t>) return KeyKind::kSize;
  if constexpr (std::is_same_v<T, double>) return KeyKind::kDouble;
  if constexpr (std::is_same_v<T, std::vector<std::string>>) return KeyKind::kStrings;
  return KeyKind::kTenantDays;
}

// Binds the keys of `section` ("" for top-level keys) to the fields of `*target`, appending to
// `out` in table order.
template <typename S>
void bind(const std::string& section, const std::vector<Key<S>>& keys, S* target,
          std::vector<BoundKey>* out) {
  for (const Key<S>& k : keys) {
    BoundKey b{section.empty() ? k.name : section + "." + k.name,
               KeyKind::kString,
               nullptr,
               k.min,
               k.max,
               k.range,
               k.meaning,
               k.comment};
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(target->*member)>;
          b.kind = kindOf<T>();
          b.target = &(target->*member);
        },
        k.field);
    out->push_back(std::move(b));
  }
}

// Sets the bound field from a TOML value, or InvalidArgument "ward.toml: 'KEY' must be ...".
Status applyKey(const BoundKey& key, const toml::node& value);

// The markdown key table (header + one row per key: key | type | default | range | meaning),
// reading each default from the bound (default-constructed) object.
std::string markdownTable(const std::vector<BoundKey>& keys);

// `name = value` lines for the default ward.toml, the keys' comments aligned after them. The key
// names are written relative to `section` (a key "audit.export.x" under section "audit.export"
// is written as "x"). `commented` writes every line as a comment ("# x = 1"); a table-valued key
// is always written so, since a `[section.key]` table appended later must not clash with it.
std::string tomlLines(const std::string& section, const std::vector<BoundKey>& keys,
                      bool commented);

}  // namespace ward::config
