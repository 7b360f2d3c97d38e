// One trace event of the sync machinery (sync_run, sync_held, sync_alert, sync_alert_webhook):
// a fresh trace context, the time now, the given kind, tenant, principal and attributes.
#pragma once

#include <string>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/trace/trace.h"

namespace ward::ingest {

Status recordSyncEvent(trace::TraceSink& traces, const std::string& kind, const std::string& tenant,
                       const std::string& principal, Json attributes);

}  // namespace ward::ingest
