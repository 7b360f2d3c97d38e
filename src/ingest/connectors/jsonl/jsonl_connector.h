// The jsonl connector: a snapshot of a pushed source, one record per line
// (docs/formats/jsonl-records.md), read from the file at the source's `root`. A record is an
// upsert with its own ACL (the pusher's channel, not the text); `{"id": ..., "deleted": true}` is
// a delete of that id in this source only; `{"group": NAME, "members": [NAMES]}` states the whole
// membership of a group the source manages (a GroupUpdateEvent). The listing is the whole file, so
// a record absent from it is deleted at the end of a complete run, under the guards
// (docs/design/ingest.md, "Push snapshots"). Private to the ingest module.
#pragma once

#include <memory>

#include "ward/ingest/connector.h"

namespace ward::ingest {

Result<std::unique_ptr<Connector>> makeJsonlConnector(const SourceConfig& source,
                                                      const ConnectorEnv& env);

}  // namespace ward::ingest
