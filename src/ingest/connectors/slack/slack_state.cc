// The slack connector's state file (slack_state.h).
#include "slack_state.h"

#include "../connector_state.h"
#include "ward/common/json.h"

namespace ward::ingest {

SlackState loadSlackState(const std::string& path) {
  SlackState out;
  std::optional<Json> j = loadConnectorState(path);
  // A state that does not parse is dropped: the next pass reads every history again.
  if (!j || !j->is_object() || !j->contains("channels") || !(*j)["channels"].is_object()) {
    return out;
  }
  for (auto it = (*j)["channels"].begin(); it != (*j)["channels"].end(); ++it) {
    const Json& c = it.value();
    if (!c.is_object() || !c.contains("newest_us") || !c["newest_us"].is_number_integer() ||
        !c.contains("windows") || !c["windows"].is_object()) {
      continue;
    }
    ChannelState s;
    s.newest_us = c["newest_us"].get<int64_t>();
    for (auto w = c["windows"].begin(); w != c["windows"].end(); ++w) {
      if (w.value().is_string()) s.windows[w.key()] = w.value().get<std::string>();
    }
    // Absent in a state written before signatures: every thread is read again once.
    if (c.contains("signatures") && c["signatures"].is_object()) {
      for (auto g = c["signatures"].begin(); g != c["signatures"].end(); ++g) {
        if (g.value().is_string()) s.signatures[g.key()] = g.value().get<std::string>();
      }
    }
    out[it.key()] = std::move(s);
  }
  return out;
}

Status saveSlackState(const std::string& path, const SlackState& state) {
  Json channels = Json::object();
  for (const auto& [id, s] : state) {
    Json w = Json::object();
    for (const auto& [day, v] : s.windows) w[day] = v;
    Json g = Json::object();
    for (const auto& [day, v] : s.signatures) g[day] = v;
    channels[id] = Json{{"newest_us", s.newest_us}, {"windows", w}, {"signatures", g}};
  }
  return saveConnectorState(path, dumpJson(Json{{"channels", channels}}));
}

}  // namespace ward::ingest
