// The Confluence connector's reads of the site (confluence_api.h).
#include "confluence_api.h"

#include <algorithm>
#include <ctime>

#include "confluence_connector.h"
#include "ward/common/encoding.h"

namespace ward::ingest {

Result<Json> ConfluenceApi::getJson(const std::string& target) {
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

std::string ConfluenceApi::nextOf(const Json& page) {
  if (!page.contains("_links") || !page["_links"].is_object()) return "";
  std::string next = confluenceString(page["_links"], "next");
  if (next.empty() || next.find("://") != std::string::npos) return next;
  if (next.rfind("/wiki/", 0) == 0) return next;
  return "/wiki" + (next[0] == '/' ? next : "/" + next);
}

Status ConfluenceApi::paginate(std::string target,
                               const std::function<Status(const Json&, bool* stop)>& each) {
  std::set<std::string> visited;
  bool stop = false;
  while (!target.empty() && !stop) {
    if (!visited.insert(target).second) {
      return Status::invalidArgument("GET " + client_->scrub(target) +
                                     ": the next link loops back");
    }
    WARD_ASSIGN_OR_RETURN(Json page, getJson(target));
    if (!page.contains("results") || !page["results"].is_array()) {
      return Status::invalidArgument("GET " + client_->scrub(target) + ": no results array");
    }
    for (const Json& r : page["results"]) {
      WARD_RETURN_IF_ERROR(each(r, &stop));
      if (stop) break;
    }
    target = nextOf(page);
  }
  return Status();
}

Result<std::vector<ConfluenceSpace>> ConfluenceApi::listSpaces(const std::set<std::string>& only) {
  std::vector<ConfluenceSpace> out;
  WARD_RETURN_IF_ERROR(paginate(
      "/wiki/api/v2/spaces?limit=" + std::to_string(page_size_), [&](const Json& r, bool*) {
        ConfluenceSpace s{confluenceId(r, "id"), confluenceString(r, "key"),
                          confluenceString(r, "name")};
        if (s.id.empty() || s.key.empty() ||
            s.key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789_-~:") != std::string::npos) {
          return Status::invalidArgument("a space without an id or a valid key");
        }
        if (only.empty() || only.count(s.key) > 0) out.push_back(std::move(s));
        return Status();
      }));
  std::sort(out.begin(), out.end(),
            [](const ConfluenceSpace& a, const ConfluenceSpace& b) { return a.id < b.id; });
  return out;
}

Result<ConfluenceReaders> ConfluenceApi::spaceReaders(const ConfluenceSpace& space) {
  ConfluenceReaders readers;
  WARD_RETURN_IF_ERROR(paginate("/wiki/api/v2/spaces/" + percentEncode(space.id) +
                                    "/permissions?limit=" + std::to_string(page_size_),
                                [&](const Json& r, bool*) {
                                  if (!r.is_object() || !r.contains("principal") ||
                                      !r.contains("operation")) {
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
                                  // Anonymous access and roles grant nothing here (docs: not
                                  // public unless configured).
                                  return Status();
                                }));
  return readers;
}

Result<std::vector<ConfluencePage>> ConfluenceApi::listPages(
    const ConfluenceSpace& space, int64_t modified_since_us,
    std::vector<ConfluenceMalformed>* malformed) {
  std::vector<ConfluencePage> out;
  size_t n = 0;
  std::string target = "/wiki/api/v2/spaces/" + percentEncode(space.id) +
                       "/pages?limit=" + std::to_string(page_size_);
  if (modified_since_us > 0) {
    target += "&sort=-modified-date&status=current&status=archived&status=trashed";
  }
  WARD_RETURN_IF_ERROR(paginate(target, [&](const Json& r, bool* stop) {
    ++n;
    ConfluencePage p = parseConfluencePage(r);
    if (p.id.empty() || p.status.empty() || (p.version <= 0 && p.status == "current")) {
      malformed->push_back(
          {p.id.empty() ? "space " + space.key + ": page #" + std::to_string(n) : "page/" + p.id,
           "malformed page (no id, status or version)"});
      return Status();
    }
    // Newest first: the first entry older than the window ends the feed (one without a date
    // is kept, and does not end it).
    if (modified_since_us > 0 && p.updated_at > 0 && p.updated_at < modified_since_us) {
      *stop = true;
      return Status();
    }
    out.push_back(std::move(p));
    return Status();
  }));
  return out;
}

Result<std::map<std::string, Result<ConfluenceReaders>>> ConfluenceApi::sweepRestrictions(
    const ConfluenceSpace& space) {
  std::map<std::string, Result<ConfluenceReaders>> out;
  const std::string cql = "space=\"" + space.key + "\" and type=page";
  WARD_RETURN_IF_ERROR(paginate(
      "/wiki/rest/api/content/search?cql=" + percentEncode(cql) +
          "&expand=restrictions.read.restrictions.user,restrictions.read.restrictions.group"
          "&limit=" +
          std::to_string(kConfluenceSweepPageSize),
      [&](const Json& r, bool*) {
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

Result<ConfluenceReaders> ConfluenceApi::restrictionOf(const std::string& page_id) {
  WARD_ASSIGN_OR_RETURN(Json j, getJson("/wiki/rest/api/content/" + percentEncode(page_id) +
                                        "/restriction/byOperation/read"));
  if (!j.contains("restrictions")) {
    return Status::invalidArgument("read restriction of page " + page_id + ": no restrictions");
  }
  return parseReadRestriction(j["restrictions"], &emails_);
}

Result<std::set<std::string>> ConfluenceApi::groupMembers(const std::string& group_id, size_t max) {
  std::set<std::string> members;
  bool too_many = false;
  Status s = paginate("/wiki/rest/api/group/" + percentEncode(group_id) +
                          "/membersByGroupId?limit=" + std::to_string(kConfluenceMembersPageSize),
                      [&](const Json& r, bool*) {
                        const std::string account = confluenceId(r, "accountId");
                        if (account.empty()) return Status();
                        const std::string email = confluenceString(r, "email");
                        if (!email.empty()) emails_[account] = email;
                        members.insert(account);
                        if (members.size() > max) {
                          too_many = true;
                          return Status::resourceExhausted("too many members");
                        }
                        return Status();
                      });
  if (too_many) return Status::resourceExhausted("more than " + std::to_string(max) + " members");
  if (!s.ok()) return s;
  return members;
}

Result<std::vector<ConfluenceAttachment>> ConfluenceApi::pageAttachments(
    const std::string& page_id) {
  std::vector<ConfluenceAttachment> out;
  WARD_RETURN_IF_ERROR(paginate("/wiki/api/v2/pages/" + percentEncode(page_id) +
                                    "/attachments?limit=" + std::to_string(page_size_),
                                [&](const Json& r, bool*) {
                                  out.push_back(parseConfluenceAttachment(r));
                                  return Status();
                                }));
  return out;
}

Result<std::string> ConfluenceApi::download(const std::string& link, int64_t limit) {
  std::string target =
      link.find("://") != std::string::npos || link.rfind("/wiki/", 0) == 0 ? link : "/wiki" + link;
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
      return Status::unavailable("attachment download: rate limited");
    }
    if (reply->status == 401 || reply->status == 403) {
      return Status::permissionDenied("attachment download: HTTP " + std::to_string(reply->status) +
                                      ": the credential was refused (expired or revoked?)");
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

}  // namespace ward::ingest
