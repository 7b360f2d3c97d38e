// The archive connector (docs/design/ingest.md, "Archives"): one zip or tar.gz file whose entries
// are the source's documents, read in memory (archive_reader.h), never extracted; id
// "<source>:<entry name>" (nested: "<source>:<inner archive>!/<name>"), version = the SHA-256 of
// the entry's bytes, ACL from the source's rules (matched on the entry name). Private to the
// ingest module.
#pragma once

#include <memory>

#include "ward/ingest/connector.h"

namespace ward::ingest {

Result<std::unique_ptr<Connector>> makeArchiveConnector(const SourceConfig& source,
                                                        const ConnectorEnv& env);

}  // namespace ward::ingest
