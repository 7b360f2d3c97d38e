// GET /v1/sources and GET /v1/jobs for `ward serve` (sync_routes.cc; docs/design/http.md).
#pragma once

#include <vector>

#include "sync_wiring.h"
#include "ward/http/router.h"

namespace ward::cli {

// The most runs one GET /v1/jobs (`?limit=`) or `ward jobs --limit` lists.
constexpr int kMaxJobsListed = 10'000;

// Routes over `wiring`, which must outlive the server.
std::vector<http::Route> syncRoutes(CliContext& ctx, SyncWiring& wiring);

}  // namespace ward::cli
