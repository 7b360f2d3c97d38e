// The Confluence Cloud connector (confluence_connector.h). A pass, per space (sorted by id):
// the space's read permissions, its pages (v2 listing: id, status, title, parent, version), one
// restriction sweep (v1 content search with the read restrictions expanded; a page it misses is
// asked for alone), the members of every group those name (GroupUpdateEvents), then one Upsert
// per current or archived page with its effective ACL; its body is read (v2, storage format)
// only when its version differs from the indexed one. Trashed and deleted pages are Deletes;
// a page absent from a complete listing is deleted by the runner.
#include "confluence_connector.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "../../service_client.h"
#include "confluence_access.h"
#include "confluence_payload.h"
#include "confluence_storage.h"
#include "ward/common/clock.h"
#include "ward/common/encoding.h"
#include "ward/common/log.h"
#include "ward/identity/principal.h"
#include "ward/ingest/identity_map.h"
#include "ward/ingest/parser.h"

namespace ward::ingest {

namespace {

using Space = ConfluenceSpace;
using Page = ConfluencePage;
using Attachment = ConfluenceAttachment;

class ConfluenceConnector final : public Connector {
 public:
  ConfluenceConnector(SourceConfig source, ConfluenceOptions options,
                      std::unique_ptr<ServiceClient> client, uint64_t max_bytes)
      : source_(std::move(source)),
        options_(std::move(options)),
        client_(std::move(client)),
        max_bytes_(max_bytes) {}

  ConnectorCapabilities capabilities() const override {
    ConnectorCapabilities c;
    c.document_acls = true;
    c.group_membership = true;
    return c;
  }
  int64_t requests() const override { return client_->requests(); }

  Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    rate_limit_s_ = 0;
    unmapped_.clear();
    members_.clear();
    emails_.clear();
    attachments_.reset();
    const int64_t before = client_->requests();
    Status s = run(checkpoint, sink, exhausted);
    logInfo("confluence source '" + source_.name +
            "': " + std::to_string(client_->requests() - before) + " requests");
    return s;
  }

 private:
  // The checkpoint names a space id, not an index, so that spaces added or removed before a
  // resumed pass neither skip nor repeat one: "at:ID" resumes at the first space whose id is ID
  // or after it (that space was in progress), "after:ID" after it ("" or anything else: from the
  // first; the runner keeps what the earlier attempt saw).
  static bool before(const Space& s, const std::string& checkpoint) {
    if (checkpoint.rfind("at:", 0) == 0) return s.id < checkpoint.substr(3);
    if (checkpoint.rfind("after:", 0) == 0) return s.id <= checkpoint.substr(6);
    return false;
  }

  Status run(const std::string& checkpoint, EventSink& sink, bool* exhausted) {
    auto spaces = listSpaces();
    if (!spaces.ok()) return stopOr(spaces.status(), checkpoint, sink);
    for (const std::string& key : options_.spaces) {
      bool seen =
          std::any_of(spaces->begin(), spaces->end(), [&](const Space& s) { return s.key == key; });
      if (!seen) {
        // An error failure: the run deletes nothing (a space the credential lost is not a
        // reason to delete its pages without an operator looking).
        WARD_RETURN_IF_ERROR(
            sink.emit(FailureEvent{"space " + key, "not visible to the credential (options.spaces)",
                                   FailureKind::kError, 0}));
      }
    }
    for (const Space& space : *spaces) {
      if (before(space, checkpoint)) continue;
      Status s = syncSpace(space, sink);
      if (!s.ok()) return stopOr(s, "at:" + space.id, sink);
      WARD_RETURN_IF_ERROR(reportUnmapped(sink));
      WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{"after:" + space.id, 0}));
    }
    *exhausted = true;
    return Status();
  }

  // A rate limit ends the pass at `at` (not exhausted: nothing deleted); anything else fails it.
  Status stopOr(const Status& s, const std::string& at, EventSink& sink) {
    if (rate_limit_s_ == 0) return s;
    WARD_RETURN_IF_ERROR(reportUnmapped(sink));
    return sink.emit(CheckpointEvent{at, rate_limit_s_});
  }

  Status reportUnmapped(EventSink& sink) {
    for (const std::string& id : unmapped_) {
      if (!reported_.insert(id).second) continue;
      WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{
          "identity:" + id, "no [[sources.identities]] rule maps it: it grants nothing",
          FailureKind::kRefused, 0}));
    }
    return Status();
  }

  // GET `target` as JSON. A 429 past the inline wait sets rate_limit_s_; 401/403 say the
  // credential was refused; the texts never hold the credential.
  Result<Json> getJson(const std::string& target) {
    WARD_ASSIGN_OR_RETURN(net::OutboundReply reply,
                          client_->get(target, {{"Accept", "application/json"}}));
    const std::string what = "GET " + client_->scrub(target);
    if (reply.status == 429) {
      rate_limit_s_ = std::max<int64_t>(1, retryAfterSeconds(reply, ::time(nullptr)));
      return Status::unavailable(what + ": rate limited (retry after " +
                                 std::to_string(rate_limit_s_) + " s)");
    }
    if (reply.status == 401 || reply.status == 403) {
      return Status::permissionDenied(what + ": HTTP " + std::to_string(reply.status) +
                                      ": the credential was refused (expired or revoked?)");
    }
    if (reply.status == 404) return Status::notFound(what + ": HTTP 404");
    if (reply.status < 200 || reply.status > 299) {
      return Status::unavailable(what + ": HTTP " + std::to_string(reply.status));
    }
    auto json = parseJson(reply.body);
    if (!json.ok() || !json->is_object()) {
      return Status::invalidArgument(what + ": malformed JSON");
    }
    return std::move(*json);
  }

  // The next page's target: v2 links start with /wiki, v1 links are relative to /wiki.
  static std::string nextOf(const Json& page) {
    if (!page.contains("_links") || !page["_links"].is_object()) return "";
    std::string next = confluenceString(page["_links"], "next");
    if (next.empty() || next.find("://") != std::string::npos) return next;
    if (next.rfind("/wiki/", 0) == 0) return next;
    return "/wiki" + (next[0] == '/' ? next : "/" + next);
  }

  // Every result of a paginated listing, in order; `each` sees each result.
  Status paginate(std::string target, const std::function<Status(const Json&)>& each) {
    std::set<std::string> visited;
    while (!target.empty()) {
      if (!visited.insert(target).second) {
        return Status::invalidArgument("GET " + client_->scrub(target) +
                                       ": the next link loops back");
      }
      WARD_ASSIGN_OR_RETURN(Json page, getJson(target));
      if (!page.contains("results") || !page["results"].is_array()) {
        return Status::invalidArgument("GET " + client_->scrub(target) + ": no results array");
      }
      for (const Json& r : page["results"]) WARD_RETURN_IF_ERROR(each(r));
      target = nextOf(page);
    }
    return Status();
  }

  Result<std::vector<Space>> listSpaces() {
    std::vector<Space> out;
    WARD_RETURN_IF_ERROR(paginate(
        "/wiki/api/v2/spaces?limit=" + std::to_string(options_.page_size), [&](const Json& r) {
          Space s{confluenceId(r, "id"), confluenceString(r, "key"), confluenceString(r, "name")};
          if (s.id.empty() || s.key.empty() ||
              s.key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789_-~:") != std::string::npos) {
            return Status::invalidArgument("a space without an id or a valid key");
          }
          if (options_.spaces.empty() || options_.spaces.count(s.key) > 0) {
            out.push_back(std::move(s));
          }
          return Status();
        }));
    std::sort(out.begin(), out.end(), [](const Space& a, const Space& b) { return a.id < b.id; });
    return out;
  }

  Result<ConfluenceReaders> spaceReaders(const Space& space) {
    ConfluenceReaders readers;
    WARD_RETURN_IF_ERROR(
        paginate("/wiki/api/v2/spaces/" + percentEncode(space.id) +
                     "/permissions?limit=" + std::to_string(options_.page_size),
                 [&](const Json& r) {
                   if (!r.is_object() || !r.contains("principal") || !r.contains("operation")) {
                     return Status();  // not a permission we read
                   }
                   const Json& op = r["operation"];
                   if (confluenceString(op, "key") != "read" ||
                       confluenceString(op, "targetType") != "space") {
                     return Status();
                   }
                   const std::string type = confluenceString(r["principal"], "type");
                   const std::string id = confluenceId(r["principal"], "id");
                   if (id.empty()) return Status();
                   if (type == "user") readers.users.insert(id);
                   if (type == "group") readers.groups.insert(id);
                   // Anonymous access and roles grant nothing here (docs: not public unless
                   // configured).
                   return Status();
                 }));
    return readers;
  }

  // The space's pages; malformed entries become failures.
  Result<std::vector<Page>> listPages(const Space& space, EventSink& sink) {
    std::vector<Page> out;
    size_t n = 0;
    WARD_RETURN_IF_ERROR(paginate(
        "/wiki/api/v2/spaces/" + percentEncode(space.id) +
            "/pages?limit=" + std::to_string(options_.page_size),
        [&](const Json& r) {
          ++n;
          Page p = parseConfluencePage(r);
          if (p.id.empty() || p.status.empty() || (p.version <= 0 && p.status == "current")) {
            const std::string entity = p.id.empty()
                                           ? "space " + space.key + ": page #" + std::to_string(n)
                                           : source_.name + ":page/" + p.id;
            return sink.emit(FailureEvent{entity, "malformed page (no id, status or version)",
                                          FailureKind::kError, 0});
          }
          out.push_back(std::move(p));
          return Status();
        }));
    return out;
  }

  // Read restrictions of the space's pages, by page id (a malformed one: its error).
  Result<std::map<std::string, Result<ConfluenceReaders>>> sweepRestrictions(const Space& space) {
    std::map<std::string, Result<ConfluenceReaders>> out;
    const std::string cql = "space=\"" + space.key + "\" and type=page";
    WARD_RETURN_IF_ERROR(paginate(
        "/wiki/rest/api/content/search?cql=" + percentEncode(cql) +
            "&expand=restrictions.read.restrictions.user,restrictions.read.restrictions.group"
            "&limit=" +
            std::to_string(kConfluenceSweepPageSize),
        [&](const Json& r) {
          const std::string id = confluenceId(r, "id");
          if (id.empty()) return Status();
          const Json* read = nullptr;
          if (r.contains("restrictions") && r["restrictions"].is_object() &&
              r["restrictions"].contains("read") && r["restrictions"]["read"].is_object() &&
              r["restrictions"]["read"].contains("restrictions")) {
            read = &r["restrictions"]["read"]["restrictions"];
          }
          if (read == nullptr) return Status();  // not expanded: asked for alone
          out.insert_or_assign(id, parseReadRestriction(*read, &emails_));
          return Status();
        }));
    return out;
  }

  Result<ConfluenceReaders> restrictionOf(const std::string& page_id) {
    WARD_ASSIGN_OR_RETURN(Json j, getJson("/wiki/rest/api/content/" + percentEncode(page_id) +
                                          "/restriction/byOperation/read"));
    if (!j.contains("restrictions")) {
      return Status::invalidArgument("read restriction of page " + page_id + ": no restrictions");
    }
    return parseReadRestriction(j["restrictions"], &emails_);
  }

  // Every attachment of the site by page id, read once per pass (v2 /attachments).
  Status loadAttachments(EventSink& sink) {
    if (attachments_) return Status();
    std::map<std::string, std::vector<Attachment>> out;
    WARD_RETURN_IF_ERROR(paginate(
        "/wiki/api/v2/attachments?limit=" + std::to_string(options_.page_size), [&](const Json& r) {
          Attachment a = parseConfluenceAttachment(r);
          const std::string page = a.page;
          if (page.empty() || a.status != "current") return Status();
          if (a.id.empty() || a.title.empty() || a.download.empty() || a.version <= 0) {
            return sink.emit(FailureEvent{
                a.id.empty() ? "attachment of page " + page : source_.name + ":attachment/" + a.id,
                "malformed attachment (no id, title, downloadLink or version)", FailureKind::kError,
                0});
          }
          out[page].push_back(std::move(a));
          return Status();
        }));
    attachments_ = std::move(out);
    return Status();
  }

  // The attachments of a page, with the page's ACL: those of a type Ward parses, within the size
  // limits; the others are refused (never documents).
  Status emitAttachments(const Page& page, const store::Acl& acl, EventSink& sink) {
    auto it = attachments_->find(page.id);
    if (it == attachments_->end()) return Status();
    const int64_t limit = max_bytes_ > 0 ? std::min<int64_t>(kConfluenceMaxAttachmentBytes,
                                                             static_cast<int64_t>(max_bytes_))
                                         : kConfluenceMaxAttachmentBytes;
    for (const Attachment& a : it->second) {
      const std::string doc_id = source_.name + ":attachment/" + a.id;
      if (!detectFormat(a.title)) continue;  // not a document type: not listed
      if (a.size > limit) {
        WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{doc_id,
                                                    std::to_string(a.size) +
                                                        " bytes: over the attachment limit of " +
                                                        std::to_string(limit),
                                                    FailureKind::kRefused, 0}));
        continue;
      }
      UpsertEvent e;
      e.id = doc_id;
      e.version = std::to_string(a.version);
      e.name = a.title;
      e.title = a.title;
      if (!a.webui.empty()) e.url = client_->baseUrl() + "/wiki" + a.webui;
      e.acl = acl;
      e.metadata = Json{{"page_id", page.id}, {"attachment_id", a.id}, {"version", a.version}};
      e.parent = source_.name + ":page/" + page.id;
      e.updated_at = a.updated_at;
      const std::string link = a.download;
      e.fetch = [this, link, limit]() { return download(link, limit); };
      WARD_RETURN_IF_ERROR(sink.emit(std::move(e)));
      if (fatal_) return Status();
    }
    return Status();
  }

  // An attachment's bytes: the download link (relative to /wiki), following one redirect (to the
  // media host, which must be on allowed_hosts).
  Result<std::string> download(const std::string& link, int64_t limit) {
    std::string target = link.find("://") != std::string::npos || link.rfind("/wiki/", 0) == 0
                             ? link
                             : "/wiki" + link;
    for (int hop = 0; hop < 2; ++hop) {
      auto reply = client_->get(target);
      if (!reply.ok()) return reply.status();
      if ((reply->status == 301 || reply->status == 302 || reply->status == 303 ||
           reply->status == 307) &&
          hop == 0 && !reply->header("location").empty()) {
        target = reply->header("location");
        continue;
      }
      if (reply->status == 429) {
        rate_limit_s_ = std::max<int64_t>(1, retryAfterSeconds(*reply, ::time(nullptr)));
        fatal_ = Status::unavailable("attachment download: rate limited");
        return *fatal_;
      }
      if (reply->status == 401 || reply->status == 403) {
        fatal_ =
            Status::permissionDenied("attachment download: HTTP " + std::to_string(reply->status) +
                                     ": the credential was refused (expired or revoked?)");
        return *fatal_;
      }
      if (reply->status < 200 || reply->status > 299) {
        return Status::unavailable("attachment download: HTTP " + std::to_string(reply->status));
      }
      if (static_cast<int64_t>(reply->body.size()) > limit) {
        return Status::resourceExhausted("attachment of " + std::to_string(reply->body.size()) +
                                         " bytes: over the limit of " + std::to_string(limit));
      }
      return std::move(reply->body);
    }
    return Status::unavailable("attachment download: more than one redirect");
  }

  std::string groupName(const std::string& id) const { return source_.name + ".group." + id; }

  // Reads the members of `id` once per pass and states them as the source's group.
  Status syncGroup(const std::string& id, EventSink& sink) {
    if (members_.count(id) > 0) return Status();
    std::set<std::string> members;
    bool too_many = false;
    Status s = paginate("/wiki/rest/api/group/" + percentEncode(id) +
                            "/membersByGroupId?limit=" + std::to_string(kConfluenceMembersPageSize),
                        [&](const Json& r) {
                          const std::string account = confluenceId(r, "accountId");
                          if (account.empty()) return Status();
                          const std::string email = confluenceString(r, "email");
                          if (!email.empty()) emails_[account] = email;
                          members.insert(account);
                          if (members.size() > kConfluenceMaxGroupMembers) {
                            too_many = true;
                            return Status::resourceExhausted("too many members");
                          }
                          return Status();
                        });
    if (too_many) {
      members_[id] = {};
      return sink.emit(
          FailureEvent{"group " + groupName(id),
                       "more than " + std::to_string(kConfluenceMaxGroupMembers) +
                           " members: not read (it admits nobody through a restriction)",
                       FailureKind::kRefused, 0});
    }
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    members_[id] = members;  // a group gone (404) has no members: fail closed
    GroupUpdateEvent update{groupName(id), {}};
    std::set<std::string> principals;
    for (const std::string& m : members) {
      std::string p = principalOf(m);
      if (!p.empty()) principals.insert(p);
    }
    update.members.assign(principals.begin(), principals.end());
    if (!identity::validateName("group", update.group).ok()) {
      return sink.emit(FailureEvent{"group " + id, "the group's name in Ward is not valid",
                                    FailureKind::kRefused, 0});
    }
    return sink.emit(std::move(update));
  }

  std::string principalOf(const std::string& account) {
    std::string p = mapIdentity(source_.identities, account);
    if (p.empty()) {
      auto email = emails_.find(account);
      if (email != emails_.end()) p = mapIdentity(source_.identities, email->second);
    }
    if (p.empty()) unmapped_.insert(account);
    return p;
  }

  store::Acl aclOf(const ConfluenceReaders& readers) {
    store::Acl acl;
    std::set<std::string> users;
    for (const std::string& u : readers.users) {
      std::string p = principalOf(u);
      if (!p.empty()) users.insert(p);
    }
    acl.users.assign(users.begin(), users.end());
    for (const std::string& g : readers.groups) {
      if (identity::validateName("group", groupName(g)).ok()) acl.groups.push_back(groupName(g));
    }
    return acl;
  }

  Status syncSpace(const Space& space, EventSink& sink) {
    WARD_ASSIGN_OR_RETURN(ConfluenceReaders readers, spaceReaders(space));
    WARD_ASSIGN_OR_RETURN(std::vector<Page> pages, listPages(space, sink));
    WARD_ASSIGN_OR_RETURN(auto restrictions, sweepRestrictions(space));
    std::map<std::string, const Page*> by_id;
    for (const Page& p : pages) by_id[p.id] = &p;
    // Pages the sweep missed (trashed, or created since): asked for alone.
    for (const Page& p : pages) {
      if (p.status != "current" && p.status != "archived") continue;
      if (restrictions.count(p.id) == 0) {
        auto r = restrictionOf(p.id);
        if (!r.ok() && (r.status().code() == StatusCode::kUnavailable ||
                        r.status().code() == StatusCode::kPermissionDenied)) {
          return r.status();
        }
        restrictions.insert_or_assign(p.id, std::move(r));
      }
    }
    // The groups that any level names: their members decide the intersections.
    std::set<std::string> groups(readers.groups.begin(), readers.groups.end());
    for (const auto& [id, r] : restrictions) {
      if (r.ok()) groups.insert(r->groups.begin(), r->groups.end());
    }
    for (const std::string& g : groups) WARD_RETURN_IF_ERROR(syncGroup(g, sink));
    if (options_.attachments) WARD_RETURN_IF_ERROR(loadAttachments(sink));

    size_t in_page = 0;
    for (const Page& p : pages) {
      const std::string doc_id = source_.name + ":page/" + p.id;
      if (p.status == "trashed" || p.status == "deleted") {
        WARD_RETURN_IF_ERROR(sink.emit(DeleteEvent{doc_id}));
        continue;
      }
      if (p.status != "current" && p.status != "archived") continue;  // drafts: not documents
      // The chain: the page, then each ancestor page.
      std::vector<ConfluenceReaders> chain;
      std::string failure;
      const Page* at = &p;
      for (size_t depth = 0; at != nullptr; ++depth) {
        if (depth > kConfluenceMaxAncestors) {
          failure = "more than " + std::to_string(kConfluenceMaxAncestors) +
                    " ancestors (or a cycle): its restrictions are not known";
          break;
        }
        auto r = restrictions.find(at->id);
        if (r == restrictions.end() || !r->second.ok()) {
          failure = "read restriction of " + (at == &p ? "the page" : "ancestor " + at->id) +
                    " unknown" +
                    (r == restrictions.end() ? "" : ": " + r->second.status().message());
          break;
        }
        chain.push_back(*r->second);
        if (at->parent.empty() || at->parent_type == "space") break;
        if (at->parent_type != "page" && !at->parent_type.empty()) {
          failure = "an ancestor of type '" + at->parent_type + "': its restrictions are not read";
          break;
        }
        auto parent = by_id.find(at->parent);
        if (parent == by_id.end() ||
            (parent->second->status != "current" && parent->second->status != "archived")) {
          failure = "ancestor " + at->parent + " is not listed: its restrictions are not known";
          break;
        }
        at = parent->second;
      }
      if (!failure.empty()) {
        WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{doc_id, failure, FailureKind::kError, 0}));
        continue;
      }
      UpsertEvent e;
      e.id = doc_id;
      e.version = std::to_string(p.version);
      e.name = p.id + ".html";
      e.title = p.title;
      if (!p.webui.empty()) e.url = client_->baseUrl() + "/wiki" + p.webui;
      const store::Acl acl = aclOf(effectiveReaders(readers, chain, members_));
      e.acl = acl;
      e.metadata = Json{
          {"space", space.key}, {"page_id", p.id}, {"version", p.version}, {"status", p.status}};
      if (!p.parent.empty() && p.parent_type == "page")
        e.parent = source_.name + ":page/" + p.parent;
      e.updated_at = p.updated_at;
      const std::string page_id = p.id;
      const std::string title = p.title;
      e.fetch = [this, page_id, title]() { return fetchBody(page_id, title); };
      WARD_RETURN_IF_ERROR(sink.emit(std::move(e)));
      if (!fatal_ && options_.attachments) WARD_RETURN_IF_ERROR(emitAttachments(p, acl, sink));
      if (fatal_) {
        Status f = *fatal_;
        fatal_.reset();
        return f;
      }
      if (++in_page >= source_.page_items) {
        in_page = 0;
        WARD_RETURN_IF_ERROR(reportUnmapped(sink));
        WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{"at:" + space.id, 0}));
      }
    }
    return Status();
  }

  Result<std::string> fetchBody(const std::string& page_id, const std::string& title) {
    auto j = getJson("/wiki/api/v2/pages/" + percentEncode(page_id) + "?body-format=storage");
    if (!j.ok()) {
      // A refused credential or a rate limit ends the pass; other errors fail this page only.
      if (j.status().code() == StatusCode::kPermissionDenied || rate_limit_s_ > 0) {
        fatal_ = j.status();
      }
      return j.status();
    }
    const Json* body = nullptr;
    if (j->contains("body") && (*j)["body"].is_object() && (*j)["body"].contains("storage") &&
        (*j)["body"]["storage"].is_object()) {
      body = &(*j)["body"]["storage"];
    }
    if (body == nullptr || !body->contains("value") || !(*body)["value"].is_string()) {
      return Status::invalidArgument("page " + page_id + ": no storage body");
    }
    const std::string& storage = (*body)["value"].get_ref<const std::string&>();
    if (max_bytes_ > 0 && storage.size() > max_bytes_) {
      return Status::resourceExhausted("page " + page_id + ": body of " +
                                       std::to_string(storage.size()) +
                                       " bytes is over max_file_bytes");
    }
    return confluenceStorageToHtml(storage, title);
  }

  SourceConfig source_;
  ConfluenceOptions options_;
  std::unique_ptr<ServiceClient> client_;
  uint64_t max_bytes_;
  int64_t rate_limit_s_ = 0;
  std::optional<Status> fatal_;
  std::set<std::string> unmapped_;
  std::set<std::string> reported_;
  ConfluenceGroupMembers members_;
  std::optional<std::map<std::string, std::vector<Attachment>>> attachments_;  // by page id
  std::map<std::string, std::string> emails_;  // accountId -> email, where payloads show one
};

}  // namespace

Result<std::unique_ptr<Connector>> makeConfluenceConnector(const SourceConfig& source,
                                                           const ConnectorEnv& env) {
  WARD_ASSIGN_OR_RETURN(ConfluenceOptions options, parseConfluenceOptions(source));
  if (source.base_url.empty()) {
    return Status::invalidArgument("source '" + source.name +
                                   "': base_url is required (https://SITE.atlassian.net)");
  }
  WARD_ASSIGN_OR_RETURN(std::unique_ptr<ServiceClient> client,
                        ServiceClient::open(source, env, ""));
  if (!options.bearer) {
    const std::string& cred = client->credential();
    if (cred.empty() || cred.find(':') == std::string::npos) {
      return Status::invalidArgument(
          "source '" + source.name + "': the secret '" + source.token_secret +
          "' must hold 'email:api_token' for basic auth (or set options.auth = \"bearer\")");
    }
    client->setAuthorization("Basic " + base64Encode(cred));
  } else if (client->credential().empty()) {
    return Status::invalidArgument("source '" + source.name +
                                   "': token_secret is required (a bearer token)");
  }
  const uint64_t max_bytes = source.max_file_bytes > 0 ? source.max_file_bytes : env.max_file_bytes;
  return std::unique_ptr<Connector>(
      new ConfluenceConnector(source, std::move(options), std::move(client), max_bytes));
}

}  // namespace ward::ingest
