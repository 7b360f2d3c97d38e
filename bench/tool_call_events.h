// Typical tool-call trace events for the audit benchmarks: ~1 KB of JSON each (arguments and a
// result with four rows), 5% of them carrying a secret or personal data when the caller asks.
#pragma once

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "percentile.h"
#include "ward/common/json.h"

namespace ward::bench {

inline const char* kWords[] = {"robot",  "fleet",   "status", "motor",  "controller", "invoice",
                               "search", "results", "policy", "leave",  "handbook",   "firmware",
                               "update", "deploy",  "region", "sensor", "battery",    "schedule"};

inline std::string sentence(std::mt19937& rng, int words) {
  std::string s;
  for (int i = 0; i < words; ++i) {
    if (i) s.push_back(' ');
    s += kWords[rng() % (sizeof(kWords) / sizeof(kWords[0]))];
  }
  return s;
}

inline const char* kSecrets[] = {
    "export AWS_ACCESS_KEY_ID=AKIAVQJXXVBOTHD2WTFL",     "contact jane.doe@example.com",
    "postgres://app:Zk9!x2Qp7wLm@db.internal:5432/prod", "card 4111 1111 1111 1111 exp 12/27",
    "token ghp_8xncwjxTZVcUOpdxfWEIRH3KU3hOuNsFqrLt",    "call +44 20 7946 0958"};

inline ward::Json makeToolCallEvent(std::mt19937& rng, int i, bool with_secret) {
  ward::Json rows = ward::Json::array();
  for (int r = 0; r < 4; ++r) {
    rows.push_back({{"id", "doc-" + std::to_string(rng() % 100000)},
                    {"title", sentence(rng, 5)},
                    {"score", (rng() % 1000) / 100.0},
                    {"snippet", sentence(rng, 12)}});
  }
  std::string note = sentence(rng, 20);
  if (with_secret) note += " " + std::string(kSecrets[rng() % 6]);
  return {{"kind", "tool_call"},
          {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"},
          {"span_id", "00f067aa0ba902b7"},
          {"time", "2026-01-15T10:30:00.000Z"},
          {"tenant", "default"},
          {"principal", "agent:fleet-assistant"},
          {"tool", "fleet.search@3"},
          {"arguments", {{"query", sentence(rng, 6)}, {"k", 6}, {"max_tokens", 1024}}},
          {"result", {{"rows", rows}, {"note", note}}},
          {"latency_ms", 12 + i % 40}};
}

}  // namespace ward::bench
