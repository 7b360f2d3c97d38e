// The jsonl connector (jsonl_connector.h).
#include "jsonl_connector.h"

#include <algorithm>
#include <fstream>
#include <memory>

#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/identity/principal.h"

namespace ward::ingest {

namespace {

constexpr size_t kMaxIdBytes = 1024;  // as ingestRecords (docs/formats/jsonl-records.md)
// Members of one group line (docs/formats/jsonl-records.md, "Group lines").
constexpr size_t kMaxGroupLineMembers = 10000;

Result<std::vector<std::string>> names(const Json& j, const std::string& field) {
  if (!j.is_array()) return Status::invalidArgument("field '" + field + "' must be an array");
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) return Status::invalidArgument("field '" + field + "' must hold strings");
    WARD_RETURN_IF_ERROR(identity::validateName(field, e.get<std::string>()));
    out.push_back(e.get<std::string>());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// One record line -> an upsert (the text is the fetched "bytes") or a delete.
Result<SyncEvent> recordEvent(const std::string& line, const SourceConfig& source,
                              uint64_t max_bytes) {
  WARD_ASSIGN_OR_RETURN(Json j, parseJson(line));
  if (!j.is_object()) return Status::invalidArgument("record must be a JSON object");
  if (j.contains("group")) {
    // A group line: the group's whole membership (docs/formats/jsonl-records.md, "Group lines").
    if (j.size() != 2 || !j.contains("members") || !j["group"].is_string()) {
      return Status::invalidArgument(
          "a group line is exactly {\"group\": NAME, \"members\": [NAMES]}");
    }
    if (j["members"].is_array() && j["members"].size() > kMaxGroupLineMembers) {
      return Status::invalidArgument("a group line lists more than " +
                                     std::to_string(kMaxGroupLineMembers) + " members");
    }
    GroupUpdateEvent g;
    g.group = j["group"].get<std::string>();
    WARD_RETURN_IF_ERROR(identity::validateName("group", g.group));
    WARD_ASSIGN_OR_RETURN(g.members, names(j["members"], "members"));
    return SyncEvent(std::move(g));
  }
  if (!j.contains("id") || !j["id"].is_string()) {
    return Status::invalidArgument("field 'id' is required and must be a string");
  }
  std::string id = j["id"].get<std::string>();
  if (id.empty() || id.size() > kMaxIdBytes) {
    return Status::invalidArgument("field 'id' must be 1-" + std::to_string(kMaxIdBytes) +
                                   " bytes");
  }
  if (j.contains("deleted")) {
    if (j.size() != 2 || !j["deleted"].is_boolean() || !j["deleted"].get<bool>()) {
      return Status::invalidArgument("a delete is exactly {\"id\": ..., \"deleted\": true}");
    }
    return SyncEvent(DeleteEvent{id});
  }
  UpsertEvent e;
  e.id = id;
  e.version = sha256Hex(line);
  std::string format = "text";
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "id" || k == "text") continue;
    if (k == "title" || k == "url" || k == "format" || k == "updated_at") {
      if (!v.is_string()) return Status::invalidArgument("field '" + k + "' must be a string");
      std::string s = v.get<std::string>();
      if (k == "title") e.title = s;
      if (k == "url") e.url = s;
      if (k == "format") format = s;
      if (k == "updated_at" && !parseRfc3339(s, &e.updated_at)) {
        return Status::invalidArgument("field 'updated_at' is not an RFC 3339 date: '" + s + "'");
      }
    } else if (k == "acl") {
      if (!v.is_object()) return Status::invalidArgument("field 'acl' must be an object");
      store::Acl acl;
      for (auto a = v.begin(); a != v.end(); ++a) {
        if (a.key() == "users") {
          WARD_ASSIGN_OR_RETURN(acl.users, names(a.value(), "acl.users"));
        } else if (a.key() == "groups") {
          WARD_ASSIGN_OR_RETURN(acl.groups, names(a.value(), "acl.groups"));
        } else if (a.key() == "public" && a.value().is_boolean()) {
          acl.is_public = a.value().get<bool>();
        } else {
          return Status::invalidArgument("field 'acl." + a.key() +
                                         "' is not users, groups or a "
                                         "boolean public");
        }
      }
      e.acl = acl;
    } else if (k == "metadata") {
      if (!v.is_object()) return Status::invalidArgument("field 'metadata' must be an object");
      e.metadata = v;
    } else {
      return Status::invalidArgument("unknown field '" + k + "'");
    }
  }
  if (format != "text" && format != "markdown" && format != "html") {
    return Status::invalidArgument("field 'format' must be one of text, markdown, html");
  }
  // The parser is picked by the extension; the name is also the title when there is none.
  e.name = id + (format == "markdown" ? ".md" : format == "html" ? ".html" : ".txt");
  if (!j.contains("text") || !j["text"].is_string()) {
    return Status::invalidArgument("field 'text' is required and must be a string");
  }
  auto text = std::make_shared<std::string>(j["text"].get<std::string>());
  if (text->size() > max_bytes) {
    return Status::invalidArgument("field 'text' is larger than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  if (!e.acl) e.acl = source.aclFor(id);  // no ACL in the record: the source's rules
  e.fetch = [text]() -> Result<std::string> { return *text; };
  return SyncEvent(std::move(e));
}

class JsonlConnector final : public Connector {
 public:
  JsonlConnector(SourceConfig source, ConnectorEnv env)
      : source_(std::move(source)), env_(std::move(env)) {}

  ConnectorCapabilities capabilities() const override {
    return ConnectorCapabilities{true, false, true, true};
  }

  // The checkpoint is the number of lines consumed by committed pages.
  Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    std::ifstream in(source_.root, std::ios::binary);
    if (!in) return Status::notFound("cannot open " + source_.root);
    const int64_t skip = checkpoint.empty() ? 0 : std::stoll(checkpoint);
    const uint64_t max_bytes =
        source_.max_file_bytes > 0 ? source_.max_file_bytes : env_.max_file_bytes;
    std::string line;
    int64_t line_no = 0;
    size_t in_page = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line_no <= skip) continue;
      if (line.find_first_not_of(" \t\r") != std::string::npos) {
        auto ev = line.size() > max_bytes + 65536
                      ? Result<SyncEvent>(Status::invalidArgument("record larger than the limit"))
                      : recordEvent(line, source_, max_bytes);
        if (ev.ok()) {
          WARD_RETURN_IF_ERROR(sink.emit(std::move(ev).value()));
        } else {
          WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{source_.root + ":" + std::to_string(line_no),
                                                      ev.status().message(), FailureKind::kError}));
        }
      }
      if (++in_page >= source_.page_items) {
        WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{std::to_string(line_no)}));
        in_page = 0;
      }
    }
    if (in.bad()) return Status::unavailable("cannot read " + source_.root);
    if (in_page > 0) WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{std::to_string(line_no)}));
    *exhausted = true;
    return Status();
  }

 private:
  SourceConfig source_;
  ConnectorEnv env_;
};

}  // namespace

Result<std::unique_ptr<Connector>> makeJsonlConnector(const SourceConfig& source,
                                                      const ConnectorEnv& env) {
  return std::unique_ptr<Connector>(std::make_unique<JsonlConnector>(source, env));
}

}  // namespace ward::ingest
