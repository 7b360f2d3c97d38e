// The [answer] table of ward.toml (docs/formats/ward-toml.md): parsed here, strictly, like
// [[models]], so an unknown key or a wrong type stops Ward with an error naming it.
#pragma once

#include <string>
#include <vector>

#include "ward/common/status.h"

namespace ward::answer {

constexpr int kAnswerMaxKCeiling = 100;  // the largest answer.max_k (and request k) accepted

struct AnswerConfig {
  int default_k = 8;                    // passages retrieved per answer
  int max_k = 20;                       // the most a request may ask for
  std::string model;                    // default [[models]] name; "" = extractive answers
  std::vector<std::string> link_hosts;  // hosts answer links/images may point at; [] = none
};

// Reads [answer] from the ward.toml at `path`; a missing file or table yields the defaults.
Result<AnswerConfig> loadAnswerConfig(const std::string& path);

}  // namespace ward::answer
