// The github connector (docs/design/ingest.md, "GitHub"): the repositories of
// `[sources.options] repos` read over GitHub's REST API with the token of `token_secret`:
// their files (git trees and blobs of the branch, versioned by blob sha) and their issues and
// pull requests with comments (one document each, versioned by updated_at, listed incrementally
// with `since` and completely every `full_listing_every` passes). Each repository's documents
// carry its ACL: a public one is public only with `public_repos_public` (else `public_group`,
// else admins only); a private one is read by its collaborators with pull permission (mapped
// through `[[sources.identities]]`) and its teams, which become the source's groups
// "<source>.team.<slug>". Conditional requests (ETags) spare the rate limit; a rate limit ends the
// pass with its retry-after. Private to the ingest module.
#pragma once

#include <memory>

#include "ward/ingest/connector.h"

namespace ward::ingest {

Result<std::unique_ptr<Connector>> makeGithubConnector(const SourceConfig& source,
                                                       const ConnectorEnv& env);

}  // namespace ward::ingest
