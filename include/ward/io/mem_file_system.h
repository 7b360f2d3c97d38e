// An in-memory FileSystem for tests: files and directories live in a map; nothing touches disk.
// Thread-safe (one mutex for the whole tree). Every byte appended counts as durable: to lose
// unsynced data, wrap it in a FaultInjectingFileSystem and crash() that.
#pragma once

#include <memory>

#include "ward/io/file_system.h"

namespace ward::io {

std::unique_ptr<FileSystem> newMemFileSystem();

}  // namespace ward::io
