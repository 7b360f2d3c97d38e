// YAML input for files people write by hand (tool definitions): parsed with yaml-cpp into the
// same Json value a JSON file gives, so one validator checks both.
#pragma once

#include <string_view>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward {

struct YamlLimits {
  size_t max_nodes = 100000;  // after aliases are expanded: stops "billion laughs" documents
  int max_depth = 64;
};

// Parses one YAML document into Json. Plain scalars resolve as in YAML 1.2's core schema (null,
// true/false, integers, floats, else string); quoted scalars are always strings. Mapping keys
// must be scalars and unique. Errors are InvalidArgument naming the line and column.
Result<Json> parseYaml(std::string_view text, const YamlLimits& limits = {});

}  // namespace ward
