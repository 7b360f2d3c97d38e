// The Confluence Cloud connector (confluence_connector.h). A pass is either a full listing or a
// feed pass (confluence_cursor.h decides from the last completed run's cursor). Per space
// (sorted by id), both read the space's read permissions and then:
// - a full listing: every page (v2: id, status, title, parent, version) and one restriction
//   sweep (v1 content search with the read restrictions expanded; a page it misses is asked for
//   alone); every current or archived page is an Upsert;
// - a feed pass: the pages modified since the cursor, newest first (v2 `sort=-modified-date`,
//   trashed pages too), applied to the page tree the last pass saved (confluence_state.h), and a
//   restriction sweep only when restriction_sweep_s has passed (a new page's restriction is read
//   alone); the modified pages are Upserts (and their attachments re-listed), a trashed one a
//   Delete, and every other page whose effective ACL changed an AclUpdate.
// Then the members of every group the space or a restriction names (GroupUpdateEvents), every
// run. A page's body is read (v2, storage format) only when its version differs from the indexed
// one. A page absent from a complete full listing is deleted by the runner; a feed pass deletes
// only what it names.
#include "confluence_connector.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "../../service_client.h"
#include "confluence_access.h"
#include "confluence_api.h"
#include "confluence_cursor.h"
#include "confluence_payload.h"
#include "confluence_state.h"
#include "confluence_storage.h"
#include "ward/common/encoding.h"
#include "ward/common/hash.h"
#include "ward/common/log.h"
#include "ward/identity/principal.h"
#include "ward/ingest/identity_map.h"
#include "ward/ingest/parser.h"

namespace ward::ingest {

namespace {

using Space = ConfluenceSpace;
using Page = ConfluencePage;
using Attachment = ConfluenceAttachment;
using Tree = std::map<std::string, ConfluenceNode>;

bool isDocumentStatus(const std::string& status) {
  return status == "current" || status == "archived";
}

class ConfluenceConnector final : public Connector {
 public:
  ConfluenceConnector(SourceConfig source, ConnectorEnv env, ConfluenceOptions options,
                      std::unique_ptr<ServiceClient> client, uint64_t max_bytes)
      : source_(std::move(source)),
        env_(std::move(env)),
        options_(std::move(options)),
        api_(std::move(client), options_.page_size),
        max_bytes_(max_bytes) {}

  ConnectorCapabilities capabilities() const override {
    ConnectorCapabilities c;
    c.change_feed = true;
    c.document_acls = true;
    c.group_membership = true;
    return c;
  }
  int64_t requests() const override { return requests_; }
  bool incrementalPass() const override { return incremental_; }

  Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    incremental_ = false;
    api_.setRateLimitS(0);
    unmapped_.clear();
    members_.clear();
    attachments_.reset();
    const int64_t before = api_.client().requests();
    Status s = run(checkpoint, sink, exhausted);
    requests_ = api_.client().requests();
    logInfo("confluence source '" + source_.name + "': " + std::to_string(requests_ - before) +
            " requests" + (incremental_ ? " (feed pass)" : ""));
    return s;
  }

 private:
  std::string statePath() const {
    return env_.state_dir.empty() ? "" : env_.state_dir + "/confluence/" + source_.name + ".json";
  }

  // The checkpoint within a full listing names a space id, not an index, so that spaces added or
  // removed before a resumed pass neither skip nor repeat one: "at:ID" resumes at the first space
  // whose id is ID or after it (that space was in progress), "after:ID" after it. A resumed
  // listing neither saves the state nor ends with a feed cursor (the next run lists again).
  static bool before(const Space& s, const std::string& checkpoint) {
    if (checkpoint.rfind("at:", 0) == 0) return s.id < checkpoint.substr(3);
    if (checkpoint.rfind("after:", 0) == 0) return s.id <= checkpoint.substr(6);
    return false;
  }

  Status run(const std::string& checkpoint, EventSink& sink, bool* exhausted) {
    const int64_t now = static_cast<int64_t>(::time(nullptr));
    const bool resumed = checkpoint.rfind("at:", 0) == 0 || checkpoint.rfind("after:", 0) == 0;
    const ConfluenceCursor last = parseConfluenceCursor(env_.cursor);
    ConfluencePlan plan{false, true};
    ConfluenceState state;
    if (!resumed && !statePath().empty()) {
      plan = planConfluencePass(last, env_.full, options_.full_every_s,
                                options_.restriction_sweep_s, now);
      if (plan.feed) {
        state = loadConfluenceState(statePath());
        // The state on disk is another pass's (one whose run did not complete): list again.
        if (state.gen != last.gen) plan = ConfluencePlan{false, true};
      }
    }
    auto spaces = api_.listSpaces(options_.spaces);
    if (!spaces.ok()) return stopOr(spaces.status(), checkpoint, sink);
    if (plan.feed) {
      std::set<std::string> listed, kept;
      for (const Space& s : *spaces) listed.insert(s.id);
      for (const auto& [id, s] : state.spaces) kept.insert(id);
      if (listed != kept) plan = ConfluencePlan{false, true};  // a space came or went
    }
    if (!plan.feed) state = ConfluenceState{};
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
    incremental_ = plan.feed;
    const int64_t since_us = (last.since_s - kConfluenceFeedOverlapSeconds) * 1'000'000;
    for (const Space& space : *spaces) {
      if (before(space, checkpoint)) continue;
      ConfluenceSpaceState& kept = state.spaces[space.id];
      kept.key = space.key;
      Status s = plan.feed ? feedSpace(space, state, since_us, plan.sweep, sink)
                           : listSpace(space, kept.pages, sink);
      if (!s.ok()) return stopOr(s, plan.feed ? "" : "at:" + space.id, sink);
      WARD_RETURN_IF_ERROR(reportUnmapped(sink));
      if (!plan.feed) WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{"after:" + space.id, 0}));
    }
    if (!resumed && !statePath().empty()) {
      // The next run's cursor, naming the state this pass saw: a later pass whose run does not
      // complete saves another generation, and the cursor of this run then lists again.
      ConfluenceCursor next{true, randomHex(8), now, plan.feed ? last.full_at_s : now,
                            plan.sweep ? now : last.sweep_at_s};
      state.gen = next.gen;
      WARD_RETURN_IF_ERROR(saveConfluenceState(statePath(), state));
      WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{formatConfluenceCursor(next), 0}));
    }
    *exhausted = true;
    return Status();
  }

  // A rate limit ends the pass at `at` (not exhausted: nothing deleted); anything else fails it.
  Status stopOr(const Status& s, const std::string& at, EventSink& sink) {
    if (api_.rateLimitS() == 0) return s;
    WARD_RETURN_IF_ERROR(reportUnmapped(sink));
    return sink.emit(CheckpointEvent{at, api_.rateLimitS()});
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

  Status reportMalformed(const std::vector<ConfluenceMalformed>& malformed, EventSink& sink) {
    for (const ConfluenceMalformed& m : malformed) {
      const std::string entity =
          m.entity.rfind("page/", 0) == 0 ? source_.name + ":" + m.entity : m.entity;
      WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{entity, m.reason, FailureKind::kError, 0}));
    }
    return Status();
  }

  // A page's place in the tree from a listing entry (its restriction kept when known).
  static void place(Tree& tree, const Page& p) {
    ConfluenceNode& node = tree[p.id];
    node.parent = p.parent;
    node.parent_type = p.parent_type;
    node.status = p.status;
    node.version = p.version;
  }

  // Reads the read restriction of each page of `tree` that `swept` lacks (or every page not
  // known yet when `swept` is null) alone. A refused credential or a rate limit ends the pass.
  Status readMissing(Tree& tree, const std::map<std::string, Result<ConfluenceReaders>>* swept) {
    for (auto& [id, node] : tree) {
      if (swept != nullptr) {
        auto it = swept->find(id);
        if (it != swept->end()) {
          node.known = it->second.ok();
          node.readers = it->second.ok() ? *it->second : ConfluenceReaders{};
          node.why = it->second.ok() ? "" : it->second.status().message();
          continue;
        }
      } else if (node.known) {
        continue;
      }
      auto r = api_.restrictionOf(id);
      if (!r.ok() && (r.status().code() == StatusCode::kUnavailable ||
                      r.status().code() == StatusCode::kPermissionDenied)) {
        return r.status();
      }
      node.known = r.ok();
      node.readers = r.ok() ? *r : ConfluenceReaders{};
      node.why = r.ok() ? "" : r.status().message();
    }
    return Status();
  }

  // A full listing of one space: every page is listed, swept and upserted.
  Status listSpace(const Space& space, Tree& tree, EventSink& sink) {
    WARD_ASSIGN_OR_RETURN(ConfluenceReaders readers, api_.spaceReaders(space));
    std::vector<ConfluenceMalformed> malformed;
    WARD_ASSIGN_OR_RETURN(std::vector<Page> pages, api_.listPages(space, 0, &malformed));
    WARD_RETURN_IF_ERROR(reportMalformed(malformed, sink));
    WARD_ASSIGN_OR_RETURN(auto swept, api_.sweepRestrictions(space));
    tree.clear();
    std::map<std::string, const Page*> listed;
    for (const Page& p : pages) {
      if (p.status == "trashed" || p.status == "deleted") {
        WARD_RETURN_IF_ERROR(sink.emit(DeleteEvent{source_.name + ":page/" + p.id}));
      } else if (isDocumentStatus(p.status)) {  // drafts: not documents
        place(tree, p);
        listed[p.id] = &p;
      }
    }
    WARD_RETURN_IF_ERROR(readMissing(tree, &swept));
    if (options_.attachments) WARD_RETURN_IF_ERROR(loadAttachments(sink));
    return emitSpace(space, readers, tree, listed, true, sink);
  }

  // A feed pass over one space: the pages modified since `since_us` change the kept tree.
  Status feedSpace(const Space& space, ConfluenceState& state, int64_t since_us, bool sweep,
                   EventSink& sink) {
    Tree& tree = state.spaces[space.id].pages;
    WARD_ASSIGN_OR_RETURN(ConfluenceReaders readers, api_.spaceReaders(space));
    std::vector<ConfluenceMalformed> malformed;
    WARD_ASSIGN_OR_RETURN(std::vector<Page> pages,
                          api_.listPages(space, std::max<int64_t>(1, since_us), &malformed));
    WARD_RETURN_IF_ERROR(reportMalformed(malformed, sink));
    std::map<std::string, const Page*> listed;
    std::set<std::string> moved;  // new pages, and those whose version moved
    for (const Page& p : pages) {
      if (isDocumentStatus(p.status)) {
        auto was = tree.find(p.id);
        if (was == tree.end() || was->second.version != p.version) moved.insert(p.id);
        // A page moved here from another synced space leaves that space's tree.
        for (auto& [other, kept] : state.spaces) {
          if (other != space.id) kept.pages.erase(p.id);
        }
        place(tree, p);
        listed[p.id] = &p;
        continue;
      }
      auto gone = tree.find(p.id);
      if (p.status != "trashed" && p.status != "deleted") continue;  // a draft
      WARD_RETURN_IF_ERROR(sink.emit(DeleteEvent{source_.name + ":page/" + p.id}));
      if (gone == tree.end()) continue;
      for (const std::string& a : gone->second.attachments) {
        WARD_RETURN_IF_ERROR(sink.emit(DeleteEvent{a}));
      }
      tree.erase(gone);
    }
    if (sweep) {
      WARD_ASSIGN_OR_RETURN(auto swept, api_.sweepRestrictions(space));
      WARD_RETURN_IF_ERROR(readMissing(tree, &swept));
    } else {
      WARD_RETURN_IF_ERROR(readMissing(tree, nullptr));
    }
    if (options_.attachments) {
      if (!attachments_) attachments_.emplace();
      for (const std::string& id : moved) {
        WARD_ASSIGN_OR_RETURN(std::vector<Attachment> list, api_.pageAttachments(id));
        std::vector<Attachment>& mine = (*attachments_)[id];
        mine.clear();
        for (Attachment& a : list) {
          if (a.page.empty()) a.page = id;
          if (acceptAttachment(a, sink)) mine.push_back(std::move(a));
        }
      }
    }
    return emitSpace(space, readers, tree, listed, false, sink);
  }

  // Every page of the tree: a listed one is an Upsert (with its attachments), another one an
  // AclUpdate when its ACL moved since the last pass. `full`: checkpoints every page_items.
  Status emitSpace(const Space& space, const ConfluenceReaders& readers, Tree& tree,
                   const std::map<std::string, const Page*>& listed, bool full, EventSink& sink) {
    // The groups that any level names: their members decide the intersections.
    std::set<std::string> groups(readers.groups.begin(), readers.groups.end());
    for (const auto& [id, node] : tree) {
      if (node.known) groups.insert(node.readers.groups.begin(), node.readers.groups.end());
    }
    for (const std::string& g : groups) WARD_RETURN_IF_ERROR(syncGroup(g, sink));
    size_t in_page = 0;
    for (auto& [id, node] : tree) {
      const std::string doc_id = source_.name + ":page/" + id;
      auto chain = confluenceChain(tree, id);
      if (!chain.ok()) {
        WARD_RETURN_IF_ERROR(
            sink.emit(FailureEvent{doc_id, chain.status().message(), FailureKind::kError, 0}));
        continue;
      }
      const store::Acl acl = aclOf(effectiveReaders(readers, *chain, members_));
      const std::string digest = confluenceAclDigest(acl);
      auto page = listed.find(id);
      if (page != listed.end()) {
        WARD_RETURN_IF_ERROR(emitPage(space, *page->second, acl, node, sink));
      } else if (digest != node.acl) {
        WARD_RETURN_IF_ERROR(sink.emit(AclUpdateEvent{doc_id, acl}));
        for (const std::string& a : node.attachments) {
          WARD_RETURN_IF_ERROR(sink.emit(AclUpdateEvent{a, acl}));
        }
      }
      node.acl = digest;
      if (fatal_) {
        Status f = *fatal_;
        fatal_.reset();
        return f;
      }
      if (full && ++in_page >= source_.page_items) {
        in_page = 0;
        WARD_RETURN_IF_ERROR(reportUnmapped(sink));
        WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{"at:" + space.id, 0}));
      }
    }
    return Status();
  }

  Status emitPage(const Space& space, const Page& p, const store::Acl& acl, ConfluenceNode& node,
                  EventSink& sink) {
    UpsertEvent e;
    e.id = source_.name + ":page/" + p.id;
    e.version = std::to_string(p.version);
    e.name = p.id + ".html";
    e.title = p.title;
    if (!p.webui.empty()) e.url = api_.client().baseUrl() + "/wiki" + p.webui;
    e.acl = acl;
    e.metadata =
        Json{{"space", space.key}, {"page_id", p.id}, {"version", p.version}, {"status", p.status}};
    if (!p.parent.empty() && p.parent_type == "page") e.parent = source_.name + ":page/" + p.parent;
    e.updated_at = p.updated_at;
    const std::string page_id = p.id;
    const std::string title = p.title;
    e.fetch = [this, page_id, title]() { return fetchBody(page_id, title); };
    WARD_RETURN_IF_ERROR(sink.emit(std::move(e)));
    // Its attachments when they were listed (a full listing, or a feed pass for a page whose
    // version moved: those it no longer has are deleted); else the ones it had follow its ACL.
    if (fatal_) return Status();
    if (options_.attachments && attachments_ && attachments_->count(p.id) > 0) {
      const std::set<std::string> had(node.attachments.begin(), node.attachments.end());
      node.attachments.clear();
      WARD_RETURN_IF_ERROR(emitAttachments(p, acl, node.attachments, sink));
      for (const std::string& a : had) {
        if (std::find(node.attachments.begin(), node.attachments.end(), a) ==
            node.attachments.end()) {
          WARD_RETURN_IF_ERROR(sink.emit(DeleteEvent{a}));
        }
      }
    } else {
      for (const std::string& a : node.attachments) {
        WARD_RETURN_IF_ERROR(sink.emit(AclUpdateEvent{a, acl}));
      }
    }
    return Status();
  }

  // Whether a listed attachment is one to consider (current, of a page); a malformed one is an
  // error failure naming it.
  bool acceptAttachment(const Attachment& a, EventSink& sink) {
    if (a.page.empty() || a.status != "current") return false;
    if (a.id.empty() || a.title.empty() || a.download.empty() || a.version <= 0) {
      Status s = sink.emit(FailureEvent{
          a.id.empty() ? "attachment of page " + a.page : source_.name + ":attachment/" + a.id,
          "malformed attachment (no id, title, downloadLink or version)", FailureKind::kError, 0});
      if (!s.ok()) fatal_ = s;
      return false;
    }
    return true;
  }

  // Every attachment of the site by page id, read once per full listing (v2 /attachments).
  Status loadAttachments(EventSink& sink) {
    if (attachments_) return Status();
    std::map<std::string, std::vector<Attachment>> out;
    WARD_RETURN_IF_ERROR(
        api_.paginate("/wiki/api/v2/attachments?limit=" + std::to_string(options_.page_size),
                      [&](const Json& r, bool*) {
                        Attachment a = parseConfluenceAttachment(r);
                        if (acceptAttachment(a, sink)) out[a.page].push_back(std::move(a));
                        return Status();
                      }));
    attachments_ = std::move(out);
    return Status();
  }

  // The attachments of a page, with the page's ACL: those of a type Ward parses, within the size
  // limits; the others are refused (never documents). `ids` gets the documents' ids.
  Status emitAttachments(const Page& page, const store::Acl& acl, std::vector<std::string>& ids,
                         EventSink& sink) {
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
      if (!a.webui.empty()) e.url = api_.client().baseUrl() + "/wiki" + a.webui;
      e.acl = acl;
      e.metadata = Json{{"page_id", page.id}, {"attachment_id", a.id}, {"version", a.version}};
      e.parent = source_.name + ":page/" + page.id;
      e.updated_at = a.updated_at;
      const std::string link = a.download;
      e.fetch = [this, link, limit]() -> Result<std::string> {
        auto bytes = api_.download(link, limit);
        // A refused credential or a rate limit ends the pass; other errors fail this one only.
        if (!bytes.ok() &&
            (bytes.status().code() == StatusCode::kPermissionDenied || api_.rateLimitS() > 0)) {
          fatal_ = bytes.status();
        }
        return bytes;
      };
      WARD_RETURN_IF_ERROR(sink.emit(std::move(e)));
      ids.push_back(doc_id);
      if (fatal_) return Status();
    }
    return Status();
  }

  std::string groupName(const std::string& id) const { return source_.name + ".group." + id; }

  // Reads the members of `id` once per pass and states them as the source's group.
  Status syncGroup(const std::string& id, EventSink& sink) {
    if (members_.count(id) > 0) return Status();
    auto members = api_.groupMembers(id, kConfluenceMaxGroupMembers);
    if (!members.ok() && members.status().code() == StatusCode::kResourceExhausted) {
      members_[id] = {};
      return sink.emit(
          FailureEvent{"group " + groupName(id),
                       "more than " + std::to_string(kConfluenceMaxGroupMembers) +
                           " members: not read (it admits nobody through a restriction)",
                       FailureKind::kRefused, 0});
    }
    if (!members.ok() && members.status().code() != StatusCode::kNotFound) {
      return members.status();
    }
    // A group gone (404) has no members: fail closed.
    members_[id] = members.ok() ? *members : std::set<std::string>{};
    GroupUpdateEvent update{groupName(id), {}};
    std::set<std::string> principals;
    for (const std::string& m : members_[id]) {
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
      auto email = api_.emails().find(account);
      if (email != api_.emails().end()) p = mapIdentity(source_.identities, email->second);
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

  Result<std::string> fetchBody(const std::string& page_id, const std::string& title) {
    auto j = api_.getJson("/wiki/api/v2/pages/" + percentEncode(page_id) + "?body-format=storage");
    if (!j.ok()) {
      // A refused credential or a rate limit ends the pass; other errors fail this page only.
      if (j.status().code() == StatusCode::kPermissionDenied || api_.rateLimitS() > 0) {
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
  ConnectorEnv env_;
  ConfluenceOptions options_;
  ConfluenceApi api_;
  uint64_t max_bytes_;
  int64_t requests_ = 0;
  bool incremental_ = false;  // this pass read the feed
  std::optional<Status> fatal_;
  std::set<std::string> unmapped_;
  std::set<std::string> reported_;
  ConfluenceGroupMembers members_;
  std::optional<std::map<std::string, std::vector<Attachment>>> attachments_;  // by page id
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
  if (!env.state_dir.empty()) {
    const std::string dir = env.state_dir + "/confluence";
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::unavailable("cannot create " + dir);
    }
  }
  const uint64_t max_bytes = source.max_file_bytes > 0 ? source.max_file_bytes : env.max_file_bytes;
  return std::unique_ptr<Connector>(
      new ConfluenceConnector(source, env, std::move(options), std::move(client), max_bytes));
}

}  // namespace ward::ingest
