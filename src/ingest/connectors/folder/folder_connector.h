// The folder connector: a directory listed through FolderRoot (never following links, refusing
// devices, FIFOs and sockets, capped in depth, entries and file size), one document per supported
// file, id "<source>:<path beneath the root>", version "<mtime ns>:<ctime ns>:<inode>:<size>"
// (empty for a file changed within kRacyNanos of the pass's start), ACL from the source's rules.
// Private to the ingest module.
#pragma once

#include <memory>

#include "ward/ingest/connector.h"

namespace ward::ingest {

Result<std::unique_ptr<Connector>> makeFolderConnector(const SourceConfig& source,
                                                       const ConnectorEnv& env);

}  // namespace ward::ingest
