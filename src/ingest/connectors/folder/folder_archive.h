// The zip and tar.gz files of a folder source (docs/design/ingest.md, "Folder"): each is read
// in memory through the archive reader (archive_reader.h: never extracted, its caps counted while
// inflating), and each entry of a supported type is a document with id
// "<source>:<archive path>!/<entry>", parent the archive's id, version the SHA-256 of the entry's
// bytes and the ACL the source's rules give the archive's path. Refused entries (zip slip, links,
// nesting, a cap) are `refused` failures; the rest of the run goes on. Private to the ingest
// module.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ward/ingest/connector.h"

namespace ward::ingest {

struct FolderArchive {
  const SourceConfig* source = nullptr;
  std::string path;        // the archive's path beneath the root
  uint64_t max_bytes = 0;  // the source's max_file_bytes (caps one entry too)
  size_t skip = 0;         // entries already handled by a committed page (a resumed pass)
  int64_t updated_at = 0;  // the archive's mtime (micros): every entry's updated_at
};

// Emits the archive's entries (and refusals) read from `bytes`, in archive order; `handled` is
// called after each entry past `skip` with the count of entries handled so far (the folder
// connector checkpoints there). An archive that cannot be read (not a zip or tar.gz) or whose
// reading a cap stopped is one more `refused` failure on the archive's id.
Status emitFolderArchive(const FolderArchive& archive, const std::string& bytes, EventSink& sink,
                         const std::function<Status(size_t handled)>& handled);

}  // namespace ward::ingest
