// Connectors by name: each connector's folder under connectors/ provides a factory, listed here.
#include <map>

#include "connectors/archive/archive_connector.h"
#include "connectors/confluence/confluence_connector.h"
#include "connectors/folder/folder_connector.h"
#include "connectors/gdrive/gdrive_connector.h"
#include "connectors/git/git_connector.h"
#include "connectors/github/github_connector.h"
#include "connectors/jsonl/jsonl_connector.h"
#include "connectors/slack/slack_connector.h"
#include "ward/ingest/connector.h"

namespace ward::ingest {

namespace {

const std::map<std::string, ConnectorFactory>& registry() {
  static const std::map<std::string, ConnectorFactory> kConnectors = {
      {"archive", makeArchiveConnector}, {"confluence", makeConfluenceConnector},
      {"folder", makeFolderConnector},   {"gdrive", makeGdriveConnector},
      {"git", makeGitConnector},         {"github", makeGithubConnector},
      {"jsonl", makeJsonlConnector},     {"slack", makeSlackConnector},
  };
  return kConnectors;
}

}  // namespace

Result<std::unique_ptr<Connector>> makeConnector(const SourceConfig& source,
                                                 const ConnectorEnv& env) {
  auto it = registry().find(source.connector);
  if (it == registry().end()) {
    std::string known;
    for (const auto& n : connectorNames()) known += (known.empty() ? "" : ", ") + n;
    return Status::invalidArgument("source '" + source.name + "': unknown connector '" +
                                   source.connector + "' (known: " + known + ")");
  }
  return it->second(source, env);
}

std::vector<std::string> connectorNames() {
  std::vector<std::string> out;
  for (const auto& [name, factory] : registry()) out.push_back(name);
  return out;
}

}  // namespace ward::ingest
