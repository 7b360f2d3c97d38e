// The tool store of a data dir: PostgreSQL when ward.toml [store] url / WARD_STORE_URL names it
// (the same database as the Store), else ward.db's tool tables (docs/design/store.md).
#pragma once

#include <memory>

#include "cli_context.h"
#include "ward/store/tool_store.h"

namespace ward::cli {

// A new connection (pool) to it, migrating like the Store; after ctx.open().
Result<std::unique_ptr<store::ToolStore>> openConfiguredToolStore(const CliContext& ctx);

}  // namespace ward::cli
