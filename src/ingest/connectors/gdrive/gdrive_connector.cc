// The Google Drive connector (gdrive_connector.h).
#include "gdrive_connector.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <set>
#include <tuple>

#include "../../service_client.h"
#include "../connector_state.h"
#include "gdrive_auth.h"
#include "gdrive_cursor.h"
#include "ward/common/clock.h"
#include "ward/identity/principal.h"
#include "ward/common/encoding.h"

namespace ward::ingest {

namespace {

constexpr const char* kFolderMime = "application/vnd.google-apps.folder";
constexpr const char* kGoogleAppsPrefix = "application/vnd.google-apps.";
constexpr const char* kFileFields =
    "id,name,mimeType,version,md5Checksum,modifiedTime,webViewLink,size,trashed,"
    "permissions(id,type,role,emailAddress,domain)";

std::string str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// Drive's error reason (error.errors[0].reason, else error.status), "" when none.
std::string errorReason(const std::string& body) {
  auto j = parseJson(body);
  if (!j.ok() || !j->is_object() || !j->contains("error") || !(*j)["error"].is_object()) return "";
  const Json& e = (*j)["error"];
  if (e.contains("errors") && e["errors"].is_array() && !e["errors"].empty()) {
    std::string r = str(e["errors"][0], "reason");
    if (!r.empty()) return r;
  }
  return str(e, "status");
}

bool isRateLimit(const net::OutboundReply& r) {
  if (r.status == 429) return true;
  if (r.status != 403) return false;
  std::string reason = errorReason(r.body);
  return reason == "rateLimitExceeded" || reason == "userRateLimitExceeded";
}

// How a Google-native file is exported: the MIME type asked for and the extension that picks
// Ward's parser; {"", ""} for types that are not documents (forms, drawings, shortcuts...).
std::pair<std::string, std::string> exportOf(const std::string& mime) {
  if (mime == "application/vnd.google-apps.document") return {"text/plain", ".txt"};
  if (mime == "application/vnd.google-apps.presentation") return {"text/plain", ".txt"};
  if (mime == "application/vnd.google-apps.spreadsheet") return {"text/csv", ".csv"};
  return {"", ""};
}

class GdriveConnector final : public Connector {
 public:
  GdriveConnector(SourceConfig source, ConnectorEnv env, DriveOptions options,
                  ServiceAccountKey key)
      : source_(std::move(source)),
        env_(std::move(env)),
        options_(std::move(options)),
        tokens_(std::move(key), options_.subject, options_.token_url,
                options_.sync_groups ? std::string(kDriveScope) + " " + kDirectoryMemberScope
                                     : std::string(kDriveScope)) {}

  ConnectorCapabilities capabilities() const override {
    return ConnectorCapabilities{true, true, true, options_.sync_groups};
  }
  int64_t requests() const override { return client_ ? client_->requests() : 0; }
  bool incrementalPass() const override { return incremental_; }

  // The checkpoint is a DriveCursor (gdrive_cursor.h): within a full listing or a changes-feed
  // pass, the next page of either; after an exhausted pass, the feed's token for the next run.
  Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    incremental_ = false;
    WARD_ASSIGN_OR_RETURN(client_, ServiceClient::open(source_, env_, kDriveDefaultBaseUrl));
    WARD_RETURN_IF_ERROR(tokens_.authorize(*client_, false));
    IdentityMapper mapper(source_.identities);
    groups_.clear();
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    DriveCursor at = parseDriveCursor(checkpoint);  // a resumed run goes on where it stopped
    if (at.kind == DriveCursorKind::kNone || at.kind == DriveCursorKind::kFeed) {
      const DriveCursor last = parseDriveCursor(env_.cursor);
      at = driveReadsFeed(last, env_.full, options_.full_every_s, now)
               ? DriveCursor{DriveCursorKind::kChanges, last.full_at_s, last.feed_token, ""}
               : DriveCursor{DriveCursorKind::kListing, now, "", ""};
    }
    if (at.full_at_s <= 0) at.full_at_s = now;
    if (at.kind == DriveCursorKind::kChanges) {
      incremental_ = true;
      WARD_ASSIGN_OR_RETURN(bool read, changesPass(at, sink, mapper, exhausted));
      if (read) return Status();
      // Drive no longer knows the token: list everything instead (deletions by the listing).
      incremental_ = false;
      at = DriveCursor{DriveCursorKind::kListing, now, "", ""};
    }
    return listingPass(at, sink, mapper, exhausted);
  }

 private:
  // A full listing (files.list, every page) from `at`; its final checkpoint is the feed's token
  // taken before its first page, so that nothing changed during the listing is missed.
  Status listingPass(DriveCursor at, EventSink& sink, IdentityMapper& mapper, bool* exhausted) {
    if (at.feed_token.empty()) {
      WARD_ASSIGN_OR_RETURN(net::OutboundReply reply,
                            call("/drive/v3/changes/startPageToken?supportsAllDrives=true"));
      if (isRateLimit(reply)) return endForRateLimit(reply, at, sink);
      auto j = parseJson(reply.body);
      if (reply.status != 200 || !j.ok() || !isDrivePageToken(str(*j, "startPageToken"))) {
        return Status::unavailable("changes.getStartPageToken answered HTTP " +
                                   std::to_string(reply.status) + " without a usable token (" +
                                   client_->scrub(errorReason(reply.body)) + ")");
      }
      at.feed_token = str(*j, "startPageToken");
    }
    for (;;) {
      std::string target = "/drive/v3/files?pageSize=" + std::to_string(options_.page_size) +
                           "&q=" + percentEncode("trashed = false") +
                           "&corpora=allDrives&supportsAllDrives=true"
                           "&includeItemsFromAllDrives=true&fields=" +
                           percentEncode(std::string("nextPageToken,files(") + kFileFields + ")");
      if (!at.page_token.empty()) target += "&pageToken=" + percentEncode(at.page_token);
      WARD_ASSIGN_OR_RETURN(net::OutboundReply reply, call(target));
      if (isRateLimit(reply)) return endForRateLimit(reply, at, sink);
      if (reply.status != 200) {
        return Status::unavailable("files.list answered HTTP " + std::to_string(reply.status) +
                                   " (" + client_->scrub(errorReason(reply.body)) + ")");
      }
      auto page = parseJson(reply.body);
      if (!page.ok() || !page->is_object() || !page->contains("files") ||
          !(*page)["files"].is_array()) {
        return Status::unavailable("files.list answered a page without a 'files' array");
      }
      for (const Json& f : (*page)["files"]) {
        WARD_RETURN_IF_ERROR(emitFile(f, sink, mapper, false));
      }
      WARD_RETURN_IF_ERROR(reportUnmapped(mapper, sink));
      at.page_token = str(*page, "nextPageToken");
      if (at.page_token.empty()) break;
      if (!isDrivePageToken(at.page_token)) {
        return Status::unavailable("files.list answered a malformed nextPageToken");
      }
      WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{formatDriveCursor(at)}));
    }
    // The groups this pass's pages named (a resumed pass: those after its checkpoint).
    for (const auto& [group, email] : groups_) {
      WARD_RETURN_IF_ERROR(emitGroup(group, email, sink, mapper));
    }
    WARD_RETURN_IF_ERROR(reportUnmapped(mapper, sink));  // the group members no rule maps
    WARD_RETURN_IF_ERROR(saveGroups(groups_));
    WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{
        formatDriveCursor({DriveCursorKind::kFeed, at.full_at_s, at.feed_token, ""})}));
    *exhausted = true;
    return Status();
  }

  // A changes-feed pass (changes.list from `at.feed_token`): a removed file (deleted, or the
  // subject lost access) or a trashed one is a Delete, a changed one an Upsert with its current
  // permissions. False (and nothing emitted) when Drive refuses the token as unknown or expired.
  Result<bool> changesPass(DriveCursor at, EventSink& sink, IdentityMapper& mapper,
                           bool* exhausted) {
    std::string next;
    for (bool first = true;; first = false) {
      const std::string target =
          "/drive/v3/changes?pageToken=" + percentEncode(at.feed_token) +
          "&pageSize=" + std::to_string(options_.page_size) +
          "&includeRemoved=true&supportsAllDrives=true&includeItemsFromAllDrives=true"
          "&spaces=drive&fields=" +
          percentEncode(std::string("nextPageToken,newStartPageToken,changes(changeType,removed,"
                                    "fileId,file(") +
                        kFileFields + "))");
      WARD_ASSIGN_OR_RETURN(net::OutboundReply reply, call(target));
      if (isRateLimit(reply)) {
        WARD_RETURN_IF_ERROR(endForRateLimit(reply, at, sink));
        return true;
      }
      if (first && (reply.status == 400 || reply.status == 404 || reply.status == 410)) {
        return false;
      }
      if (reply.status != 200) {
        return Status::unavailable("changes.list answered HTTP " + std::to_string(reply.status) +
                                   " (" + client_->scrub(errorReason(reply.body)) + ")");
      }
      auto page = parseJson(reply.body);
      if (!page.ok() || !page->is_object() || !page->contains("changes") ||
          !(*page)["changes"].is_array()) {
        return Status::unavailable("changes.list answered a page without a 'changes' array");
      }
      for (const Json& c : (*page)["changes"]) WARD_RETURN_IF_ERROR(emitChange(c, sink, mapper));
      WARD_RETURN_IF_ERROR(reportUnmapped(mapper, sink));
      next = str(*page, "nextPageToken");
      if (next.empty()) {
        next = str(*page, "newStartPageToken");
        if (!isDrivePageToken(next)) {
          return Status::unavailable(
              "changes.list answered neither a nextPageToken nor a newStartPageToken");
        }
        break;
      }
      if (!isDrivePageToken(next)) {
        return Status::unavailable("changes.list answered a malformed nextPageToken");
      }
      at.feed_token = next;
      WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{formatDriveCursor(at)}));
    }
    // Membership is not in the feed: every group known from the last passes is read again.
    std::map<std::string, std::string> groups = loadGroups();
    for (const auto& [group, email] : groups_) groups[group] = email;
    for (const auto& [group, email] : groups) {
      WARD_RETURN_IF_ERROR(emitGroup(group, email, sink, mapper));
    }
    WARD_RETURN_IF_ERROR(reportUnmapped(mapper, sink));
    WARD_RETURN_IF_ERROR(saveGroups(groups));
    WARD_RETURN_IF_ERROR(sink.emit(
        CheckpointEvent{formatDriveCursor({DriveCursorKind::kFeed, at.full_at_s, next, ""})}));
    *exhausted = true;
    return true;
  }

  // One entry of changes.list.
  Status emitChange(const Json& c, EventSink& sink, IdentityMapper& mapper) {
    const std::string type = str(c, "changeType");
    if (!type.empty() && type != "file") return Status();  // a shared drive's own change
    const std::string id = str(c, "fileId");
    if (id.empty() || id.find('/') != std::string::npos) {
      return sink.emit(FailureEvent{"change", "malformed changes.list entry (no fileId)",
                                    FailureKind::kRefused});
    }
    const bool removed =
        c.contains("removed") && c["removed"].is_boolean() && c["removed"].get<bool>();
    if (removed || !c.contains("file") || !c["file"].is_object()) {
      return sink.emit(DeleteEvent{source_.name + ":" + id});
    }
    if (str(c["file"], "id") != id) {
      return sink.emit(FailureEvent{source_.name + ":" + id,
                                    "malformed changes.list entry (file.id is not fileId)",
                                    FailureKind::kError});
    }
    return emitFile(c["file"], sink, mapper, true);
  }

  // The pass ends here to respect a rate limit: not exhausted, nothing deleted; serve retries
  // after the wait.
  Status endForRateLimit(const net::OutboundReply& reply, const DriveCursor& at, EventSink& sink) {
    int64_t wait = std::max(retryAfterSeconds(reply, static_cast<int64_t>(std::time(nullptr))),
                            kDriveRateLimitRetryS);
    return sink.emit(CheckpointEvent{formatDriveCursor(at), wait});
  }

  Status reportUnmapped(IdentityMapper& mapper, EventSink& sink) {
    for (const std::string& who : mapper.unmapped()) {
      if (reported_.insert(who).second) {
        WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{
            "identity:" + who, "maps to no principal: grants nothing", FailureKind::kRefused}));
      }
    }
    return Status();
  }

  // The source groups (name -> email) of the last exhausted pass, kept in the state dir so that
  // a feed pass reads their members again ({} without a state dir or a readable file).
  std::string groupsPath() const {
    return env_.state_dir.empty() || !options_.sync_groups
               ? ""
               : env_.state_dir + "/gdrive/" + source_.name + ".groups.json";
  }
  std::map<std::string, std::string> loadGroups() const {
    std::map<std::string, std::string> out;
    const std::string path = groupsPath();
    if (path.empty()) return out;
    std::optional<Json> j = loadConnectorState(path);
    if (!j || !j->is_object()) return out;
    for (auto it = j->begin(); it != j->end(); ++it) {
      if (it.value().is_string() && it.key().rfind(options_.group_prefix, 0) == 0) {
        out[it.key()] = it.value().get<std::string>();
      }
    }
    return out;
  }
  Status saveGroups(const std::map<std::string, std::string>& groups) const {
    const std::string path = groupsPath();
    if (path.empty()) return Status();
    Json j = Json::object();
    for (const auto& [group, email] : groups) j[group] = email;
    return saveConnectorState(path, dumpJson(j));
  }

  // A GET with the access token; a 401 refreshes the token once.
  Result<net::OutboundReply> call(const std::string& target) {
    WARD_ASSIGN_OR_RETURN(net::OutboundReply reply, client_->get(target));
    if (reply.status == 401) {
      WARD_RETURN_IF_ERROR(tokens_.authorize(*client_, true));
      WARD_ASSIGN_OR_RETURN(reply, client_->get(target));
      if (reply.status == 401) {
        return Status::unauthenticated("Drive refused the access token after a refresh (HTTP 401)");
      }
    }
    return reply;
  }

  // One file of a listing or of the feed (`feed`: what a listing would leave out, a trashed file
  // or one grown past the size limit, is deleted explicitly).
  Status emitFile(const Json& f, EventSink& sink, IdentityMapper& mapper, bool feed) {
    const std::string id = str(f, "id");
    const std::string mime = str(f, "mimeType");
    if (id.empty() || mime.empty() || !f.contains("name") || !f["name"].is_string()) {
      // With an id, an error that protects the indexed document from deletion; without one,
      // nothing to protect.
      const std::string reason = "malformed files.list entry (no id, name or mimeType)";
      if (id.empty()) return sink.emit(FailureEvent{"file", reason, FailureKind::kRefused});
      return sink.emit(FailureEvent{source_.name + ":" + id, reason, FailureKind::kError});
    }
    if (mime == kFolderMime) return Status();
    if (f.contains("trashed") && f["trashed"].is_boolean() && f["trashed"].get<bool>()) {
      // A listing leaves it out (deleted at the end of a complete pass); the feed says so.
      return feed ? sink.emit(DeleteEvent{source_.name + ":" + id}) : Status();
    }
    std::string ext;
    std::string export_mime;
    if (mime.rfind(kGoogleAppsPrefix, 0) == 0) {
      std::tie(export_mime, ext) = exportOf(mime);
      if (export_mime.empty()) return Status();  // forms, drawings, shortcuts: not documents
    }
    const uint64_t max_bytes =
        source_.max_file_bytes > 0 ? source_.max_file_bytes : env_.max_file_bytes;
    if (export_mime.empty() && f.contains("size") && f["size"].is_string() && max_bytes > 0) {
      uint64_t size = std::strtoull(f["size"].get<std::string>().c_str(), nullptr, 10);
      if (size > max_bytes) {
        WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{
            id, "larger than max_file_bytes (" + std::to_string(max_bytes) + "): skipped",
            FailureKind::kRefused}));
        return feed ? sink.emit(DeleteEvent{source_.name + ":" + id}) : Status();
      }
    }
    Json permissions = f.contains("permissions") ? f["permissions"] : Json();
    if (!permissions.is_array()) {
      auto listed = listPermissions(id);
      if (!listed.ok()) {
        return sink.emit(FailureEvent{id, listed.status().message(), FailureKind::kError});
      }
      permissions = std::move(*listed);
    }
    UpsertEvent e;
    e.id = source_.name + ":" + id;
    const std::string version = str(f, "version");
    const std::string md5 = str(f, "md5Checksum");
    const std::string modified = str(f, "modifiedTime");
    e.version = !version.empty() ? "v" + version : !md5.empty() ? "md5:" + md5 : modified;
    e.name = f["name"].get<std::string>() + ext;
    e.title = f["name"].get<std::string>();
    e.url = str(f, "webViewLink");
    e.acl = driveAcl(permissions, options_, mapper, &groups_);
    e.metadata = Json{{"mime_type", mime}, {"drive_id", id}};
    if (!modified.empty()) parseRfc3339(modified, &e.updated_at);
    const std::string target =
        export_mime.empty()
            ? "/drive/v3/files/" + percentEncode(id) + "?alt=media&supportsAllDrives=true"
            : "/drive/v3/files/" + percentEncode(id) +
                  "/export?mimeType=" + percentEncode(export_mime);
    e.fetch = [this, target, max_bytes]() -> Result<std::string> {
      WARD_ASSIGN_OR_RETURN(net::OutboundReply r, call(target));
      if (r.status != 200) {
        return Status::unavailable("download answered HTTP " + std::to_string(r.status) + " (" +
                                   client_->scrub(errorReason(r.body)) + ")");
      }
      if (max_bytes > 0 && r.body.size() > max_bytes) {
        return Status::invalidArgument("larger than max_file_bytes (" + std::to_string(max_bytes) +
                                       ")");
      }
      return std::move(r.body);
    };
    return sink.emit(std::move(e));
  }

  // A source group's whole membership from the Directory API: users through the identities;
  // nested groups and others are not flattened (they grant nothing). An error leaves the
  // group as it was (an error failure: the run is partial).
  Status emitGroup(const std::string& group, const std::string& email, EventSink& sink,
                   IdentityMapper& mapper) {
    GroupUpdateEvent update{group, {}};
    std::string token;
    size_t seen = 0;
    do {
      std::string target =
          "/admin/directory/v1/groups/" + percentEncode(email) + "/members?maxResults=200";
      if (!token.empty()) target += "&pageToken=" + percentEncode(token);
      WARD_ASSIGN_OR_RETURN(net::OutboundReply r, call(target));
      auto j = parseJson(r.body);
      if (r.status != 200 || !j.ok() || !j->is_object()) {
        return sink.emit(FailureEvent{"group:" + email,
                                      "members.list answered HTTP " + std::to_string(r.status) +
                                          " (" + client_->scrub(errorReason(r.body)) + ")",
                                      FailureKind::kError});
      }
      if (j->contains("members") && (*j)["members"].is_array()) {
        for (const Json& m : (*j)["members"]) {
          if (++seen > kDriveMaxGroupMembers) {
            return sink.emit(FailureEvent{
                "group:" + email,
                "more than " + std::to_string(kDriveMaxGroupMembers) + " members: left as it was",
                FailureKind::kError});
          }
          if (str(m, "type") != "USER" || str(m, "email").empty()) continue;
          std::string who = mapper.map(str(m, "email"));
          if (!who.empty()) update.members.push_back(who);
        }
      }
      token = str(*j, "nextPageToken");
    } while (!token.empty());
    std::sort(update.members.begin(), update.members.end());
    update.members.erase(std::unique(update.members.begin(), update.members.end()),
                         update.members.end());
    return sink.emit(std::move(update));
  }

  // permissions.list, every page (shared-drive files come without `permissions`).
  Result<Json> listPermissions(const std::string& id) {
    Json all = Json::array();
    std::string token;
    do {
      std::string target =
          "/drive/v3/files/" + percentEncode(id) + "/permissions?supportsAllDrives=true&fields=" +
          percentEncode("nextPageToken,permissions(id,type,role,emailAddress,domain)");
      if (!token.empty()) target += "&pageToken=" + percentEncode(token);
      WARD_ASSIGN_OR_RETURN(net::OutboundReply r, call(target));
      auto j = parseJson(r.body);
      if (r.status != 200 || !j.ok() || !j->is_object() || !j->contains("permissions") ||
          !(*j)["permissions"].is_array()) {
        return Status::unavailable("permissions.list answered HTTP " + std::to_string(r.status));
      }
      for (const Json& p : (*j)["permissions"]) all.push_back(p);
      token = str(*j, "nextPageToken");
    } while (!token.empty());
    return all;
  }

  SourceConfig source_;
  ConnectorEnv env_;
  DriveOptions options_;
  DriveTokens tokens_;
  std::unique_ptr<ServiceClient> client_;
  std::set<std::string> reported_;
  std::map<std::string, std::string> groups_;  // source group -> group email, this pass
  bool incremental_ = false;                   // this pass read the changes feed
};

}  // namespace

Result<DriveOptions> parseDriveOptions(const Json& options) {
  DriveOptions out;
  if (options.is_null()) return Status::invalidArgument("gdrive: options.subject is required");
  if (!options.is_object())
    return Status::invalidArgument("gdrive: [sources.options] must be a table");
  for (auto it = options.begin(); it != options.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "subject" || k == "token_url") {
      if (!v.is_string())
        return Status::invalidArgument("gdrive: options." + k + " must be a string");
      (k == "subject" ? out.subject : out.token_url) = v.get<std::string>();
    } else if (k == "domain_public" || k == "anyone_public" || k == "sync_groups") {
      if (!v.is_boolean()) {
        return Status::invalidArgument("gdrive: options." + k + " must be a boolean");
      }
      (k == "domain_public"   ? out.domain_public
       : k == "anyone_public" ? out.anyone_public
                              : out.sync_groups) = v.get<bool>();
    } else if (k == "full_every_s") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 ||
          v.get<int64_t>() > kDriveMaxFullEverySeconds) {
        return Status::invalidArgument("gdrive: options.full_every_s must be an integer 0-" +
                                       std::to_string(kDriveMaxFullEverySeconds));
      }
      out.full_every_s = v.get<int64_t>();
    } else if (k == "page_size") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > kDriveMaxPageSize) {
        return Status::invalidArgument("gdrive: options.page_size must be an integer 1-" +
                                       std::to_string(kDriveMaxPageSize));
      }
      out.page_size = static_cast<int>(v.get<int64_t>());
    } else {
      return Status::invalidArgument("gdrive: unknown option '" + k + "'");
    }
  }
  if (out.subject.empty()) return Status::invalidArgument("gdrive: options.subject is required");
  return out;
}

store::Acl driveAcl(const Json& permissions, const DriveOptions& options, IdentityMapper& mapper,
                    std::map<std::string, std::string>* groups) {
  store::Acl acl;
  if (!permissions.is_array()) return acl;
  for (const Json& p : permissions) {
    const std::string type = str(p, "type");
    const std::string email = str(p, "emailAddress");
    if (type == "user" && !email.empty()) {
      std::string who = mapper.map(email);
      if (!who.empty()) acl.users.push_back(who);
    } else if (type == "group" && !email.empty() && options.sync_groups) {
      std::string lower = email;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string group = options.group_prefix + lower;
      if (identity::validateName("group", group).ok()) {
        acl.groups.push_back(group);
        if (groups) (*groups)[group] = lower;
      }
    } else if (type == "group" && !email.empty()) {
      std::string group = mapper.map(email);
      if (!group.empty()) acl.groups.push_back(group);
    } else if (type == "domain") {
      if (options.domain_public) acl.is_public = true;
    } else if (type == "anyone") {
      if (options.anyone_public) acl.is_public = true;
    }
    // anything else (an unknown type, a permission without an email) grants nothing
  }
  for (auto* v : {&acl.users, &acl.groups}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return acl;
}

Result<std::unique_ptr<Connector>> makeGdriveConnector(const SourceConfig& source,
                                                       const ConnectorEnv& env) {
  WARD_ASSIGN_OR_RETURN(DriveOptions options, parseDriveOptions(source.options));
  options.group_prefix = source.name + ".group.";
  if (source.token_secret.empty()) {
    return Status::invalidArgument("gdrive: token_secret (the service-account key) is required");
  }
  if (!env.secret) return Status::failedPrecondition("gdrive: no secrets available");
  auto secret = env.secret(source.token_secret);
  if (!secret.ok()) {
    return Status::failedPrecondition("gdrive: cannot read secret '" + source.token_secret + "'");
  }
  auto key = parseServiceAccountKey(*secret);
  if (!key.ok()) return Status::invalidArgument("gdrive: " + key.status().message());
  // The key's token_uri when the config names no endpoint; its host must be allowed like any.
  options.token_url = driveTokenUrl(options.token_url, key->token_uri);
  if (options.sync_groups && !env.state_dir.empty()) {
    const std::string dir = env.state_dir + "/gdrive";
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::unavailable("cannot create " + dir);
    }
  }
  return std::unique_ptr<Connector>(
      std::make_unique<GdriveConnector>(source, env, std::move(options), std::move(*key)));
}

}  // namespace ward::ingest
