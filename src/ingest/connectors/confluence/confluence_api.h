// The Confluence connector's reads of the site (docs/design/ingest.md, "Confluence"): JSON GETs
// through the service client (the credential in a header only, scrubbed from every text), the
// paginated listings (`_links.next`: v2 links start with /wiki, v1 links are relative to it; a
// link that loops back fails), and the payloads the connector reads: spaces, a space's read
// permissions, its pages (the full listing or the modified-date feed), the read restrictions
// (the per-space sweep, or one page alone), a group's members and a page's attachments. A 429
// past the client's inline wait is an Unavailable and sets rateLimitS(); 401/403 are
// PermissionDenied. Not thread-safe (one per pass). Private to the ingest module.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../../service_client.h"
#include "confluence_access.h"
#include "confluence_payload.h"

namespace ward::ingest {

// A listing entry the connector could not use: the entity to name and why.
struct ConfluenceMalformed {
  std::string entity, reason;
};

class ConfluenceApi {
 public:
  ConfluenceApi(std::unique_ptr<ServiceClient> client, int page_size)
      : client_(std::move(client)), page_size_(page_size) {}

  ServiceClient& client() { return *client_; }
  // The Retry-After of the last 429 that ended a read (0 = none); reset() clears it.
  int64_t rateLimitS() const { return rate_limit_s_; }
  void setRateLimitS(int64_t s) { rate_limit_s_ = s; }
  // accountId -> email, from the payloads that showed one.
  std::map<std::string, std::string>& emails() { return emails_; }

  Result<Json> getJson(const std::string& target);
  // Every result of a paginated listing, in order; `each` sees each result and sets `*stop` to
  // read no further page.
  Status paginate(std::string target, const std::function<Status(const Json&, bool* stop)>& each);

  // The spaces (only those keyed in `only` unless it is empty), sorted by id.
  Result<std::vector<ConfluenceSpace>> listSpaces(const std::set<std::string>& only);
  Result<ConfluenceReaders> spaceReaders(const ConfluenceSpace& space);
  // The space's pages (v2, no bodies). `modified_since_us` > 0: the feed, newest modified first
  // (`sort=-modified-date`, trashed pages too), read until an entry older than it. Malformed
  // entries go to `malformed`.
  Result<std::vector<ConfluencePage>> listPages(const ConfluenceSpace& space,
                                                int64_t modified_since_us,
                                                std::vector<ConfluenceMalformed>* malformed);
  // Read restrictions of the space's pages by page id (v1 content search, the read restrictions
  // expanded; a malformed one: its error).
  Result<std::map<std::string, Result<ConfluenceReaders>>> sweepRestrictions(
      const ConfluenceSpace& space);
  Result<ConfluenceReaders> restrictionOf(const std::string& page_id);
  // A group's members' accountIds; ResourceExhausted past `max`; NotFound for a group gone.
  Result<std::set<std::string>> groupMembers(const std::string& group_id, size_t max);
  // An attachment's bytes: its download link (relative to /wiki), following one redirect (to
  // the media host, which must be on allowed_hosts); ResourceExhausted past `limit` bytes.
  Result<std::string> download(const std::string& link, int64_t limit);
  // The current attachments of one page (v2 /pages/{id}/attachments).
  Result<std::vector<ConfluenceAttachment>> pageAttachments(const std::string& page_id);

 private:
  static std::string nextOf(const Json& page);

  std::unique_ptr<ServiceClient> client_;
  int page_size_;
  int64_t rate_limit_s_ = 0;
  std::map<std::string, std::string> emails_;
};

}  // namespace ward::ingest
