// The Confluence connector's payloads and settings (confluence_payload.h).
#include "confluence_payload.h"

#include <cctype>

#include "confluence_connector.h"
#include "ward/common/clock.h"
#include "ward/common/encoding.h"

namespace ward::ingest {

namespace {

// version.number and version.createdAt of an entry.
void readVersion(const Json& j, int64_t* number, int64_t* updated_at) {
  if (!j.is_object() || !j.contains("version") || !j["version"].is_object()) return;
  const Json& v = j["version"];
  if (v.contains("number") && v["number"].is_number_integer()) *number = v["number"].get<int64_t>();
  int64_t at = 0;
  if (parseRfc3339(confluenceString(v, "createdAt"), &at)) *updated_at = at;
}

}  // namespace

// An id field (confluence_payload.h).
std::string confluenceId(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const Json& v = j[key];
  std::string id;
  if (v.is_string()) {
    id = v.get<std::string>();
  } else if (v.is_number_integer()) {
    id = std::to_string(v.get<int64_t>());
  }
  if (id.empty() || id.size() > 128) return "";
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != ':') return "";
  }
  return id;
}

std::string confluenceString(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

Result<ConfluenceOptions> parseConfluenceOptions(const SourceConfig& source) {
  ConfluenceOptions o;
  const std::string where = "source '" + source.name + "': options.";
  if (!source.options.is_object()) {
    return Status::invalidArgument("source '" + source.name + "': options must be a table");
  }
  for (const auto& [key, value] : source.options.items()) {
    if (key == "auth") {
      if (!value.is_string() || (value != "basic" && value != "bearer")) {
        return Status::invalidArgument(where + "auth must be \"basic\" or \"bearer\"");
      }
      o.bearer = value == "bearer";
    } else if (key == "spaces") {
      if (!value.is_array()) return Status::invalidArgument(where + "spaces must be an array");
      for (const Json& k : value) {
        if (!k.is_string() || k.get<std::string>().empty()) {
          return Status::invalidArgument(where + "spaces must hold space keys (strings)");
        }
        o.spaces.insert(k.get<std::string>());
      }
    } else if (key == "attachments") {
      if (!value.is_boolean())
        return Status::invalidArgument(where + "attachments must be a boolean");
      o.attachments = value.get<bool>();
    } else if (key == "page_size") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > kConfluenceMaxPageSize) {
        return Status::invalidArgument(where + "page_size must be an integer from 1 to " +
                                       std::to_string(kConfluenceMaxPageSize));
      }
      o.page_size = static_cast<int>(value.get<int64_t>());
    } else if (key == "full_every_s" || key == "restriction_sweep_s") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
          value.get<int64_t>() > kConfluenceMaxIntervalSeconds) {
        return Status::invalidArgument(where + key + " must be an integer from 0 to " +
                                       std::to_string(kConfluenceMaxIntervalSeconds) +
                                       " (seconds; 0 = every run)");
      }
      (key == "full_every_s" ? o.full_every_s : o.restriction_sweep_s) = value.get<int64_t>();
    } else {
      return Status::invalidArgument(where + key +
                                     ": unknown key (known: attachments, auth, full_every_s, "
                                     "page_size, restriction_sweep_s, spaces)");
    }
  }
  return o;
}

ConfluencePage parseConfluencePage(const Json& j) {
  ConfluencePage p;
  p.id = confluenceId(j, "id");
  p.title = confluenceString(j, "title");
  p.status = confluenceString(j, "status");
  p.parent = confluenceId(j, "parentId");
  p.parent_type = confluenceString(j, "parentType");
  if (j.is_object() && j.contains("_links")) p.webui = confluenceString(j["_links"], "webui");
  readVersion(j, &p.version, &p.updated_at);
  return p;
}

ConfluenceAttachment parseConfluenceAttachment(const Json& j) {
  ConfluenceAttachment a;
  a.id = confluenceId(j, "id");
  a.page = confluenceId(j, "pageId");
  a.title = confluenceString(j, "title");
  a.status = confluenceString(j, "status");
  a.download = confluenceString(j, "downloadLink");
  a.webui = confluenceString(j, "webuiLink");
  if (j.is_object() && j.contains("fileSize") && j["fileSize"].is_number_integer()) {
    a.size = j["fileSize"].get<int64_t>();
  }
  readVersion(j, &a.version, &a.updated_at);
  return a;
}

}  // namespace ward::ingest
