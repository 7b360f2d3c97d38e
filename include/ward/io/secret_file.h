// Key files made on first use (`secrets.key`, `redaction/<tenant>.key`): one home for creating
// them safely and reading them back (docs/design/io.md "Key files").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ward/common/status.h"

namespace ward::io {

// The `n_bytes` raw bytes of the key file at `path`. When the file is absent it is created
// exclusively (O_CREAT|O_EXCL, mode 0600, its folder made first) with `n_bytes` from the OS
// CSPRNG, written in full and fsync'd; a failed write removes it. When another process creates
// it at the same moment, its key is read (once more after 50 ms if it is not complete yet).
// Errors name `what` and the path: FailedPrecondition when group or others may access the file
// ("chmod 600 it"), Corruption when it does not hold exactly `n_bytes` bytes, Unavailable for
// I/O errors.
Result<std::string> loadOrCreateSecretFile(const std::string& path, size_t n_bytes,
                                           std::string_view what);

}  // namespace ward::io
