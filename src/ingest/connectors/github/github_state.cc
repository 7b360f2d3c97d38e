// The github connector's state file (github_state.h).
#include "github_state.h"

#include "../connector_state.h"
#include "ward/common/json.h"

namespace ward::ingest {

namespace {

Result<GithubState> fromJson(const Json& j) {
  GithubState s;
  if (!j.is_object() || j.value("format", 0) != 1) return Status::invalidArgument("not a state");
  for (const auto& [name, r] : j.at("repos").items()) {
    GithubRepoState rs;
    rs.listed = r.at("listed").get<bool>();
    rs.cursor_us = r.at("cursor_us").get<int64_t>();
    rs.passes_since_full = r.at("passes_since_full").get<int64_t>();
    for (const auto& [number, e] : r.at("issues").items()) {
      rs.issues[std::stoll(number)] =
          GithubIssueEntry{e.at(0).get<std::string>(), e.at(1).get<int64_t>()};
    }
    for (const auto& [path, sha] : r.at("files").items()) rs.files[path] = sha.get<std::string>();
    for (const auto& sha : r.at("binary")) rs.binary.insert(sha.get<std::string>());
    s.repos[name] = std::move(rs);
  }
  for (const auto& [target, c] : j.at("replies").items()) {
    s.replies[target] =
        GithubCachedReply{c.at("etag").get<std::string>(), c.at("body").get<std::string>(),
                          c.at("next").get<std::string>()};
  }
  return s;
}

}  // namespace

GithubState loadGithubState(const std::string& path) {
  std::optional<Json> j = loadConnectorState(path);
  if (!j) return GithubState{};
  try {
    Result<GithubState> s = fromJson(*j);
    return s.ok() ? std::move(*s) : GithubState{};
  } catch (const std::exception&) {
    return GithubState{};  // a field of the wrong type: start over with a complete listing
  }
}

Status saveGithubState(const std::string& path, const GithubState& state) {
  Json repos = Json::object();
  for (const auto& [name, rs] : state.repos) {
    Json issues = Json::object();
    for (const auto& [n, e] : rs.issues) issues[std::to_string(n)] = Json{e.version, e.updated_at};
    Json files = Json::object();
    for (const auto& [p, sha] : rs.files) files[p] = sha;
    repos[name] = Json{{"listed", rs.listed},
                       {"cursor_us", rs.cursor_us},
                       {"passes_since_full", rs.passes_since_full},
                       {"issues", std::move(issues)},
                       {"files", std::move(files)},
                       {"binary", rs.binary}};
  }
  Json replies = Json::object();
  for (const auto& [target, c] : state.replies) {
    replies[target] = Json{{"etag", c.etag}, {"body", c.body}, {"next", c.next}};
  }
  const std::string text =
      dumpJson(Json{{"format", 1}, {"repos", std::move(repos)}, {"replies", std::move(replies)}});
  return saveConnectorState(path, text);
}

}  // namespace ward::ingest
