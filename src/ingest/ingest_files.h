// The files an ingest of paths reads (`ward ingest PATH...`, IngestService::ingestPaths): each
// PATH resolved to a root and a path beneath it, folders walked beneath their root, and what
// cannot be read reported as a problem. Private to the ingest module.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ward/common/status.h"
#include "ward/ingest/folder_root.h"
#include "ward/ingest/ingest_service.h"

namespace ward::ingest {

// One file found for an ingest: the root it is read beneath and where it is.
struct FileItem {
  const FolderRoot* root = nullptr;
  WalkedFile file;
  std::string display;  // the resolved path, for the operator's messages only
};

// Resolves each PATH to a root and a relative path, walks folders beneath their root, and
// collects the files to ingest into `items` (their roots kept in `roots`); what cannot be read
// goes to the report's problems (and `skipped`). An error only when options.root cannot be
// opened.
Status collectFiles(const std::vector<std::string>& paths, const PathIngestOptions& options,
                    std::vector<std::unique_ptr<FolderRoot>>& roots, std::vector<FileItem>& items,
                    IngestReport& report);

}  // namespace ward::ingest
