// The moves an approval may make (include/ward/store/tool_store.h, ApprovalRecord::state), held
// by both ToolStore implementations before their compare-and-set, so a caller that asks for a
// move the life cycle does not have is refused whatever state the row is in.
#pragma once

#include <string>

#include "ward/common/status.h"
#include "ward/store/tool_enums.h"

namespace ward::store {

// OK for pending -> approved | denied | expired, approved -> executing | executed (a sync run's
// approval is used up by the run that completes, src/ingest/sync_runner.cc), executing ->
// executed | failed. InvalidArgument naming both states for any other pair.
Status checkApprovalMove(const std::string& id, ApprovalState from, ApprovalState to);

}  // namespace ward::store
